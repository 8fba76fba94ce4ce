// End-to-end: working without the relay. A web host restarted while the relay is down opens on the agent's own cache
// (History, search, the outbox), says plainly that it is offline and retrying, and signs in by itself when the relay
// is back; an old tab of a restarted host says its link expired.
import {
  closeChat,
  chatOwnedBy,
  composerOf,
  connectionIndicator,
  conversation,
  expect,
  sendAsAgent,
  sendAsCustomer,
  sessionOption,
  test,
  transcriptOf,
  transferDialog,
} from './fixtures';

test('a web host restarted while the relay is down opens on the cache, works offline, and signs in when the relay is back', async ({
  relay,
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const greta = await chatOwnedBy(alice, startChat, 'Greta Holm', 'My refrigerator makes a humming noise.');
  await sendAsAgent(alice, 'Greta Holm', 'Please unplug it for ten minutes.');
  await closeChat(alice, 'Greta Holm');
  await expect(greta.page.getByRole('log')).toContainText('The chat has ended.');
  const otto = await chatOwnedBy(alice, startChat, 'Otto Berg', 'Where is parcel 7781?');

  await relay.stop();
  await alice.restartHost();
  const page = await alice.context.newPage();
  await page.goto(alice.host.url);

  // the workspace of the last account, from its cache, saying what is going on
  await expect(page.getByRole('banner')).toContainText(alice.name);
  await expect(connectionIndicator(page)).toContainText(/Offline · retrying (in \d+ s|now)/);
  const banner = page.getByRole('region', { name: 'You are offline' });
  await expect(banner).toContainText(`The relay at ${relay.wsUrl} did not answer.`);
  await expect(banner).toContainText('Your chats, History and search still work');
  await expect(banner).toContainText(/Next try in \d+ s\.|Trying again now…/);
  await expect(page.getByRole('combobox', { name: 'Status' })).toBeDisabled();
  await expect(page.getByRole('combobox', { name: 'Status' })).toHaveValue('offline');

  // History and search, from the cache
  await page.getByRole('tab', { name: 'History' }).click();
  await expect(page.getByRole('list', { name: 'Closed chats' })).toContainText('Greta Holm');
  await page.getByRole('searchbox', { name: 'Search history' }).fill('refrigerator');
  await expect(page.getByRole('list', { name: 'Search results' }).locator('mark').first()).toHaveText(/refrigerator/i);

  // the open chat and the outbox: a message written now waits, and the Transfer to list does not pretend
  await page.getByRole('tab', { name: 'Chats' }).click();
  await sessionOption(page, 'Otto Berg').click();
  await expect(transcriptOf(page, 'Otto Berg')).toContainText('Where is parcel 7781?');
  await composerOf(page, 'Otto Berg').fill('It left our warehouse this morning.');
  await conversation(page, 'Otto Berg').getByRole('button', { name: 'Send' }).click();
  await expect(transcriptOf(page, 'Otto Berg')).toContainText('Sending…');
  await expect(connectionIndicator(page)).toContainText('1 waiting to send');
  await conversation(page, 'Otto Berg').getByRole('button', { name: 'Chat menu' }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: 'Transfer' }).click();
  await expect(transferDialog(page)).toContainText('You are offline, so Baton cannot tell who is Present.');
  await expect(transferDialog(page).getByRole('option')).toHaveCount(0);
  await transferDialog(page).getByRole('button', { name: 'Cancel' }).click();

  // the relay comes back: signed in by itself, the message delivered once, the banner gone
  await relay.restart();
  await expect(connectionIndicator(page)).toContainText('Online', { timeout: 40_000 });
  await expect(banner).toHaveCount(0);
  await expect(otto.page.getByRole('log')).toContainText('It left our warehouse this morning.');
  await expect(transcriptOf(page, 'Otto Berg')).not.toContainText('Sending…');
  await expect(page.getByRole('combobox', { name: 'Status' })).toBeEnabled();
  await sendAsCustomer(otto, 'Thank you!');
  await expect(transcriptOf(page, 'Otto Berg')).toContainText('Thank you!');
});

test('an old tab after a host restart says its link has expired and how to get the new one', async ({ signIn }) => {
  const alice = await signIn('alice');
  await alice.restartHost({ samePort: true });
  const expired = alice.page.getByRole('heading', { name: 'This link has expired' });
  await expect(expired).toBeVisible();
  await expect(alice.page.getByRole('main')).toContainText('Open the address that npm run web printed when it started');
  // the new address works
  const fresh = await alice.context.newPage();
  await fresh.goto(alice.host.url);
  await expect(connectionIndicator(fresh)).toContainText('Online');
});
