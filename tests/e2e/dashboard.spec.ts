// End-to-end: the Dashboard tab — a manager taking over a chat, an agent with "Can listen in" listening to one,
// and agents without that permission not seeing the tab at all.
import {
  confirmWith,
  chatOwnedBy,
  chooseFromChatMenu,
  composerOf,
  conversation,
  expect,
  sendAsAgent,
  sendAsCustomer,
  sessionOption,
  test,
  transcriptOf,
} from './fixtures';

test('a manager takes over a chat from the Dashboard; the former owner listens and the customer sees the change', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Nora Lind', 'I was promised a call back yesterday.');
  const maria = await signIn('maria');

  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  const table = maria.page.getByRole('table', { name: 'Live chats' });
  const row = table.getByRole('row').filter({ hasText: 'Nora Lind' });
  await expect(row).toContainText(alice.name);
  await row.getByRole('button', { name: 'Take over' }).click();
  await confirmWith(maria.page, 'Take over this chat?', 'Take over');

  await expect(transcriptOf(alice.page, 'Nora Lind')).toContainText(`${maria.name} took over the chat from ${alice.name}`);
  await expect(conversation(alice.page, 'Nora Lind')).toContainText('You are listening to this chat. You cannot write.');
  await expect(composerOf(alice.page, 'Nora Lind')).toHaveCount(0);
  await expect(sessionOption(alice.page, 'Nora Lind')).toContainText('Listening');
  await expect(customer.page.getByRole('log')).toContainText(`You are now chatting with ${maria.name}`);

  await maria.page.getByRole('tab', { name: 'Chats' }).click();
  await sessionOption(maria.page, 'Nora Lind').click();
  await sendAsAgent(maria, 'Nora Lind', 'I am sorry about that, Nora. I will call you in five minutes.');
  await expect(customer.page.getByRole('log')).toContainText('I will call you in five minutes.');
  await expect(transcriptOf(alice.page, 'Nora Lind')).toContainText('I will call you in five minutes.');
});

test('a manager can take over from the Chat menu of a chat she listens to', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Pavel Horak', 'The app crashes when I log in.');
  const maria = await signIn('maria');

  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  const row = maria.page.getByRole('table', { name: 'Live chats' }).getByRole('row').filter({ hasText: 'Pavel Horak' });
  await row.dblclick();
  await expect(conversation(maria.page, 'Pavel Horak')).toContainText('You are listening to this chat. You cannot write.');

  await chooseFromChatMenu(maria, 'Pavel Horak', 'Take over');
  await confirmWith(maria.page, 'Take over this chat?', 'Take over');

  await expect(composerOf(maria.page, 'Pavel Horak')).toBeVisible();
  await expect(conversation(alice.page, 'Pavel Horak')).toContainText('You are listening to this chat. You cannot write.');
  await expect(customer.page.getByRole('log')).toContainText(`You are now chatting with ${maria.name}`);
});

test('Carol listens in from the Dashboard by double-click, and Bob has no Dashboard tab', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Ines Duarte', 'How do I reset my password?');
  const carol = await signIn('carol');
  const bob = await signIn('bob');

  await expect(bob.page.getByRole('tablist')).toBeVisible();
  await expect(bob.page.getByRole('tab', { name: 'Dashboard' })).toHaveCount(0);

  await carol.page.getByRole('tab', { name: 'Dashboard' }).click();
  const table = carol.page.getByRole('table', { name: 'Live chats' });
  const row = table.getByRole('row').filter({ hasText: 'Ines Duarte' });
  await expect(row).toContainText(alice.name);
  // Only managers may take over.
  await expect(row.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await row.dblclick();

  const carolView = conversation(carol.page, 'Ines Duarte');
  await expect(carolView).toContainText('You are listening to this chat. You cannot write.');
  await expect(transcriptOf(carol.page, 'Ines Duarte')).toContainText('How do I reset my password?');
  await expect(transcriptOf(alice.page, 'Ines Duarte')).toContainText(`${carol.name} started listening`);

  await sendAsCustomer(customer, 'I tried the reset link but it expired.');
  await expect(transcriptOf(carol.page, 'Ines Duarte')).toContainText('I tried the reset link but it expired.');
  await expect(customer.page.getByRole('log')).not.toContainText(carol.name);

  await carol.page.getByRole('tab', { name: 'Chats' }).click();
  await expect(sessionOption(carol.page, 'Ines Duarte')).toContainText('Listening');
  await sessionOption(carol.page, 'Ines Duarte').click();
  await conversation(carol.page, 'Ines Duarte').getByRole('button', { name: 'Close window' }).click();
  await expect(sessionOption(carol.page, 'Ines Duarte')).toHaveCount(0);
  await expect(transcriptOf(alice.page, 'Ines Duarte')).toContainText(`${carol.name} stopped listening`);
});
