// End-to-end: the workspace bugs found trying Baton as a new user would — Alt+↓/Alt+↑ in the sessions list, new-chat
// and offer notifications that say the truth, unread counts after a take-over, the empty sessions list, confirmations
// before what cannot be undone, times in the reader's locale on both sides, and the favicon.
import {
  recordedNotifications,
  recordNotifications,
  chatOwnedBy,
  composerOf,
  conversation,
  expect,
  offerTransfer,
  sendAsAgent,
  sendAsCustomer,
  sessionsList,
  test,
  transcriptOf,
} from './fixtures';

const notificationsOf = recordedNotifications;

test('Alt+↓ and Alt+↑ move one chat at a time while the sessions list has focus', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  for (const name of ['Ada One', 'Ben Two', 'Cy Three']) await chatOwnedBy(alice, startChat, name, `Hello from ${name}`);
  const options = sessionsList(alice.page).getByRole('option');
  await expect(options).toHaveCount(3);
  await options.first().click();
  const selected = sessionsList(alice.page).getByRole('option', { selected: true });
  const first = (await selected.textContent()) ?? '';
  const order = await options.allTextContents();
  await sessionsList(alice.page).focus();
  await alice.page.keyboard.press('Alt+ArrowDown');
  await expect(selected).toHaveText(order[1]!);
  await alice.page.keyboard.press('Alt+ArrowDown');
  await expect(selected).toHaveText(order[2]!);
  await alice.page.keyboard.press('Alt+ArrowUp');
  await expect(selected).toHaveText(order[1]!);
  await alice.page.keyboard.press('Alt+ArrowUp');
  await expect(selected).toHaveText(first);
});

test('a manager who takes over a chat is asked first and gets no "New chat" notification', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Mia Koch', 'My card was charged twice.');
  await sendAsCustomer(customer, 'Both on Monday.');
  const maria = await signIn('maria', { initScript: recordNotifications });

  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  const row = maria.page.getByRole('table', { name: 'Live chats' }).getByRole('row').filter({ hasText: 'Mia Koch' });
  await row.getByRole('button', { name: 'Take over' }).click();
  // asked first: nothing happens on Cancel
  const confirm = maria.page.getByRole('dialog', { name: 'Take over this chat?' });
  await expect(confirm).toContainText(`${alice.name} keeps listening`);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText(alice.name);
  await row.getByRole('button', { name: 'Take over' }).click();
  await confirm.getByRole('button', { name: 'Take over' }).click();
  await expect(transcriptOf(alice.page, 'Mia Koch')).toContainText(`${maria.name} took over the chat from ${alice.name}`);

  // the chat opens for her with the customer's lines from before (their unread count is pinned in tests/client/tools)
  await expect(transcriptOf(maria.page, 'Mia Koch')).toContainText('Both on Monday.');
  await expect(composerOf(maria.page, 'Mia Koch')).toBeVisible();
  await maria.page.getByRole('tab', { name: 'History' }).click();
  // a later customer line does notify her (so the recorder works), a "New chat" never did
  await sendAsCustomer(customer, 'Are you there?');
  await expect.poll(() => notificationsOf(maria.page)).toContainEqual(expect.objectContaining({ body: 'Are you there?' }));
  expect((await notificationsOf(maria.page)).filter((n) => n.title.startsWith('New chat'))).toEqual([]);
});

test("an offer's notification names who wrote the last line: the agent, not the customer", async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Noah Weber', 'Can I change my plan?');
  await sendAsAgent(alice, 'Noah Weber', 'Yes, billing will do it for you.');
  const bob = await signIn('bob', { initScript: recordNotifications });
  await offerTransfer(alice, 'Noah Weber', bob);
  await expect
    .poll(() => notificationsOf(bob.page))
    .toContainEqual({ title: `Transfer from ${alice.name}`, body: `${alice.name}: Yes, billing will do it for you.` });
});

test('the empty sessions list says so at its top, and the panel does not ask to select a chat', async ({ signIn }) => {
  const alice = await signIn('alice');
  const empty = alice.page.getByText('No chats yet. New chats appear here.');
  await expect(empty).toBeVisible();
  const sidebar = await alice.page.getByRole('navigation').first().boundingBox();
  const text = await empty.boundingBox();
  expect(sidebar && text).toBeTruthy();
  // in the top fifth of the sidebar, not pinned to its bottom
  expect(text!.y - sidebar!.y).toBeLessThan(sidebar!.height / 5);
  // the panel does not ask to select a chat from a list that has none
  const panel = alice.page.getByRole('region', { name: 'Conversation' });
  await expect(panel).toContainText('No chats yet.');
  await expect(panel).not.toContainText('Select a chat from the list');
});

test('Close chat and the customer’s End chat ask first', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Ola Nordmann', 'Quick question.');
  await conversation(alice.page, 'Ola Nordmann').getByRole('button', { name: 'Chat menu' }).click();
  await alice.page.getByRole('menu').getByRole('menuitem', { name: 'Close chat' }).click();
  const ask = alice.page.getByRole('dialog', { name: 'Close this chat?' });
  await expect(ask).toContainText('Ola Nordmann is told the chat has ended');
  await alice.page.keyboard.press('Escape');
  await expect(ask).toBeHidden();
  await expect(composerOf(alice.page, 'Ola Nordmann')).toBeVisible();

  await customer.page.getByRole('button', { name: 'End chat' }).click();
  const end = customer.page.getByRole('dialog', { name: 'End this chat?' });
  await expect(end).toBeVisible();
  await end.getByRole('button', { name: 'Keep chatting' }).click();
  await expect(end).toBeHidden();
  await sendAsCustomer(customer, 'Still here.');
  await customer.page.getByRole('button', { name: 'End chat' }).click();
  await end.getByRole('button', { name: 'End chat' }).click();
  await expect(customer.page.getByRole('log')).toContainText('The chat has ended.');
  await expect(conversation(alice.page, 'Ola Nordmann')).toContainText('This chat is closed.');
});

test.describe('in a 12-hour locale', () => {
  test.use({ locale: 'en-US', timezoneId: 'UTC' });
  test('the agent and the customer both read 12-hour times', async ({ signIn, startChat }) => {
    const alice = await signIn('alice');
    const customer = await chatOwnedBy(alice, startChat, 'Una Page', 'What time is it?');
    await expect(customer.page.getByRole('log').locator('time').first()).toHaveText(/^(1[0-2]|[1-9]):\d{2}\s?[AP]M$/);
    await expect(transcriptOf(alice.page, 'Una Page').locator('time').first()).toHaveText(/^(1[0-2]|[1-9]):\d{2}\s?[AP]M$/);
  });
});

test.describe('in a 24-hour locale', () => {
  test.use({ locale: 'en-GB', timezoneId: 'UTC' });
  test('the agent and the customer both read 24-hour times', async ({ signIn, startChat }) => {
    const alice = await signIn('alice');
    const customer = await chatOwnedBy(alice, startChat, 'Vera Page', 'What time is it?');
    await expect(customer.page.getByRole('log').locator('time').first()).toHaveText(/^\d{2}:\d{2}$/);
    await expect(transcriptOf(alice.page, 'Vera Page').locator('time').first()).toHaveText(/^\d{2}:\d{2}$/);
  });
});

test('the workspace and the customer page have a favicon', async ({ signIn, openCustomerPage }) => {
  const alice = await signIn('alice');
  const customerPage = await openCustomerPage();
  for (const page of [alice.page, customerPage]) {
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBeTruthy();
    const icon = await page.request.get(new URL(href!, page.url()).href);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toContain('image/svg+xml');
  }
});
