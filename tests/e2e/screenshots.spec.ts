// The screenshots in docs/screenshots/: walks through the main states at 1280×800 (the customer's also at a 360 px
// phone's width) and, only with
// BATON_SCREENSHOTS=1, writes them (so ordinary and CI runs check the states without rewriting the files).
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  drawnPng,
  closeChat,
  chatOwnedBy,
  chooseFromChatMenu,
  conversation,
  expect,
  offerTransfer,
  sendAsAgent,
  sendAsCustomer,
  test,
  transcriptOf,
  transferDialog,
  transferTarget,
} from './fixtures';
import { connectScriptedAgent } from './scripted-agent';
import { connectScriptedCustomer } from './scripted-customer';

const writeFiles = process.env.BATON_SCREENSHOTS === '1';
const folder = path.resolve(import.meta.dirname, '../../docs/screenshots');

async function shoot(page: Page, name: string, viewport = { width: 1280, height: 800 }): Promise<void> {
  await page.setViewportSize(viewport);
  // Blink the caret and pending animations out so the pictures do not change from run to run.
  const image = await page.screenshot({ animations: 'disabled', caret: 'hide', ...(writeFiles ? { path: path.join(folder, `${name}.png`) } : {}) });
  expect(image.byteLength).toBeGreaterThan(1000);
}

test('the main states render for the documentation screenshots', async ({ relay, signIn, startChat }) => {
  test.setTimeout(90_000);
  // teams, as a manager would set them up in the Team view: Billing (bob, carol), Technical (alice), Returns (nobody)
  const admin = await connectScriptedAgent(relay.wsUrl, 'maria');
  for (const [team, name] of [['billing', 'Billing'], ['tech', 'Technical'], ['returns', 'Returns']] as const) {
    await admin.command({ type: 'team-add', team, name });
  }
  await admin.command({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
  await admin.command({ type: 'user-set-teams', user: 'carol', teams: ['billing'] });
  await admin.command({ type: 'user-set-teams', user: 'alice', teams: ['tech'] });
  await admin.command({ type: 'user-set-capacity', user: 'carol', capacity: 2 });
  await admin.close();
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Dana Whitfield', 'Hi! My invoice shows the wrong amount.');
  await sendAsAgent(alice, 'Dana Whitfield', 'Hello Dana, I am sorry to hear that. Which invoice number is it?');
  await sendAsCustomer(customer, 'It is invoice 4471 from March.');
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText('It is invoice 4471 from March.');
  await sendAsAgent(alice, 'Dana Whitfield', 'Thanks. Billing can correct that, let me hand you over to a colleague.');
  await chatOwnedBy(alice, startChat, 'Ravi Patel', 'Can I change my delivery address?');
  await alice.page.getByRole('listbox', { name: 'Sessions' }).getByRole('option').filter({ hasText: 'Dana Whitfield' }).click();
  const bob = await signIn('bob');
  await signIn('carol');
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText('let me hand you over');
  await shoot(alice.page, 'workspace');

  await alice.page.getByRole('button', { name: 'Settings' }).click();
  await expect(alice.page.getByRole('region', { name: 'Settings' })).toBeVisible();
  await shoot(alice.page, 'settings');
  await alice.page.getByRole('tab', { name: 'Chats' }).click();

  await chooseFromChatMenu(alice, 'Dana Whitfield', 'Transfer');
  await expect(transferTarget(alice.page, bob.name)).toBeVisible();
  await transferTarget(alice.page, bob.name).click();
  await transferDialog(alice.page).getByLabel('Note (optional)').fill('Billing question, invoice 4471');
  await shoot(alice.page, 'transfer-dialog');
  await transferDialog(alice.page).getByRole('button', { name: 'Cancel' }).click();

  await bob.page.getByRole('tab', { name: 'History' }).click();
  await offerTransfer(alice, 'Dana Whitfield', bob, 'Billing question, invoice 4471');
  await expect(bob.page.getByRole('region', { name: 'Transfers offered to you' })).toContainText('Billing question');
  await shoot(bob.page, 'offer-bar');
  await bob.page.getByRole('tab', { name: 'Chats' }).click();
  const offered = conversation(bob.page, 'Dana Whitfield');
  await expect(offered.getByRole('button', { name: 'Accept transfer' })).toBeVisible();
  await shoot(bob.page, 'offered-chat');

  await offered.getByRole('button', { name: 'Accept transfer' }).click();
  await expect(conversation(alice.page, 'Dana Whitfield')).toContainText('You are listening to this chat. You cannot write.');
  await sendAsAgent(bob, 'Dana Whitfield', 'Hi Dana, Bob from billing here. I can correct invoice 4471 for you.');
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText('Bob from billing here');
  await shoot(alice.page, 'listening-mode');

  await expect(customer.page.getByRole('log')).toContainText('Bob from billing here');
  await sendAsCustomer(customer, 'Wonderful, thank you both!');
  await shoot(customer.page, 'customer-page');

  // a chat for Returns, whose queue nobody serves: it waits, and the Dashboard shows it
  const waiting = await connectScriptedCustomer(relay.wsUrl, 'Olga Berg', 'returns');
  const maria = await signIn('maria');
  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(maria.page.getByRole('table', { name: 'Live chats' })).toContainText('Ravi Patel');
  await expect(maria.page.getByRole('table', { name: 'Live chats' })).toContainText('Dana Whitfield');
  await expect(maria.page.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /^Returns/ })).toContainText('1');
  await expect(maria.page.getByRole('table', { name: 'Today per agent' })).toContainText('Bob Jones');
  await shoot(maria.page, 'dashboard');

  await maria.page.getByRole('tab', { name: 'Team' }).click();
  await expect(maria.page.getByRole('table', { name: 'People' })).toContainText('Carol White');
  await shoot(maria.page, 'team-view');
  await maria.page.getByRole('table', { name: 'People' }).getByRole('button', { name: 'Edit Carol White' }).click();
  await expect(maria.page.getByRole('dialog', { name: 'Edit Carol White' })).toBeVisible();
  await shoot(maria.page, 'team-edit');
  await maria.page.getByRole('dialog', { name: 'Edit Carol White' }).getByRole('button', { name: 'Cancel' }).click();
  await waiting.close();

  await sendAsAgent(bob, 'Dana Whitfield', 'Done: the corrected invoice is on its way by e-mail.');
  await closeChat(bob, 'Dana Whitfield');
  await expect(customer.page.getByRole('log')).toContainText('The chat has ended.');
  await relay.stop();
  await bob.page.getByRole('tab', { name: 'History' }).click();
  await bob.page.getByRole('searchbox', { name: 'Search history' }).fill('invoice');
  const results = bob.page.getByRole('list', { name: 'Search results' });
  await expect(results.locator('mark').first()).toBeVisible();
  await results.getByRole('listitem').filter({ hasText: 'It is invoice 4471' }).click();
  await expect(bob.page.getByRole('region', { name: 'Transcript of the chat with Dana Whitfield' })).toContainText(
    'Wonderful, thank you both!',
  );
  await shoot(bob.page, 'history');
  await expect(alice.page.getByRole('region', { name: 'You are offline' })).toContainText('did not answer');
  await shoot(alice.page, 'offline');
});

test('the conversation tools render for the documentation screenshots', async ({ signIn, startChat }) => {
  test.setTimeout(90_000);
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Lea Vogel', 'Hi, the app shows an error after the update.');
  await sendAsAgent(alice, 'Lea Vogel', 'Sorry about that, Lea. Could you send a photo of the screen? Our status page is https://status.example.com.');
  const photo = await drawnPng(customer.page, { width: 360, height: 200 }, 'Error 503: try again later', 'Sync stopped at 14:02');
  await customer.page
    .locator('#attach-file')
    .setInputFiles({ name: 'error-screen.png', mimeType: 'image/png', buffer: photo });
  await expect(transcriptOf(alice.page, 'Lea Vogel').getByRole('img', { name: 'error-screen.png' })).toBeVisible();
  await sendAsCustomer(customer, 'مرحبا، هذه الصورة');
  await expect(customer.page.getByRole('img', { name: 'error-screen.png' })).toBeVisible();
  await shoot(customer.page, 'customer-attachment');
  await shoot(customer.page, 'customer-attachment-phone', { width: 360, height: 740 });

  await alice.page.getByRole('tab', { name: 'Replies' }).click();
  for (const [title, text] of [
    ['Greeting', 'Hi {customer}, this is {agent}. How can I help?'],
    ['Photo please', 'Could you send a photo or a screenshot of what you see, {customer}?'],
  ] as const) {
    await alice.page.getByRole('button', { name: 'New reply' }).click();
    const editor = alice.page.getByRole('dialog', { name: 'New reply' });
    await editor.getByLabel('Title').fill(title);
    await editor.getByLabel('Text').fill(text);
    await editor.getByRole('button', { name: 'Save reply' }).click();
    await expect(editor).toBeHidden();
  }
  await shoot(alice.page, 'canned-replies');

  await alice.page.getByRole('tab', { name: 'Chats' }).click();
  await conversation(alice.page, 'Lea Vogel').getByRole('textbox', { name: 'Message' }).focus();
  await alice.page.keyboard.press('/');
  await alice.page.getByRole('combobox', { name: 'Search canned replies' }).fill('photo');
  await shoot(alice.page, 'canned-picker');
  await alice.page.keyboard.press('Escape');

  const maria = await signIn('maria');
  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  await maria.page.getByRole('table', { name: 'Live chats' }).getByRole('row').filter({ hasText: 'Lea Vogel' }).dblclick();
  const listening = conversation(maria.page, 'Lea Vogel');
  await listening.getByRole('textbox', { name: 'Note' }).fill('This is the 503 from the sync outage: offer the status page and a callback.');
  await listening.getByRole('button', { name: 'Add note' }).click();
  await expect(transcriptOf(alice.page, 'Lea Vogel').locator('.msg.note')).toContainText('sync outage');
  await shoot(maria.page, 'whisper-composer');
  await shoot(alice.page, 'note-and-image');

  await chooseFromChatMenu(alice, 'Lea Vogel', 'Create request');
  const dialog = alice.page.getByRole('dialog', { name: 'Create request' });
  await dialog.getByLabel('Title').fill('Sync error 503 after update');
  await dialog.getByRole('button', { name: 'Create request' }).click();
  await expect(dialog).toBeHidden();
  await alice.page.getByRole('tab', { name: 'Requests' }).click();
  const card = alice.page.getByRole('listitem', { name: 'Request Sync error 503 after update' });
  await card.getByLabel('Assignee').selectOption('alice');
  await card.getByLabel('Status').selectOption('pending');
  await expect(card).toContainText('Pending');
  await shoot(alice.page, 'requests');
  await card.getByRole('button', { name: 'Open transcript' }).click();
  await expect(alice.page.getByRole('dialog', { name: 'Transcript: Sync error 503 after update' })).toBeVisible();
  await shoot(alice.page, 'request-transcript');
});
