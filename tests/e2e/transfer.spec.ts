// End-to-end: the transfer hand-off between two agents in web mode, as the help page describes it, seen by both
// agents and by the customer.
import {
  recordedNotifications,
  recordNotifications,
  type Agent,
  chatOwnedBy,
  chooseFromChatMenu,
  composerOf,
  conversation,
  displayName,
  expect,
  offerTransfer,
  sendAsAgent,
  sendAsCustomer,
  sessionOption,
  test,
  transcriptOf,
  transferDialog,
  transferTarget,
} from './fixtures';

const setStatus = async (agent: Agent, status: 'Present' | 'Away') => {
  await agent.page.getByRole('banner').getByLabel('Status').selectOption({ label: status });
};

test('an accepted transfer gives the chat to Bob, leaves Alice listening, and the customer keeps talking without a gap', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Dana Whitfield', 'My invoice shows the wrong amount.');
  await sendAsAgent(alice, 'Dana Whitfield', 'Let me find someone from billing for you.');
  await expect(customer.page.getByRole('log')).toContainText('Let me find someone from billing for you.');
  const bob = await signIn('bob');

  await offerTransfer(alice, 'Dana Whitfield', bob, 'Billing question, invoice 4471');

  await expect(sessionOption(alice.page, 'Dana Whitfield')).toContainText(`Transfer to ${bob.name} pending`);
  await expect(conversation(alice.page, 'Dana Whitfield')).toContainText(`Waiting for ${bob.name} to accept the transfer`);
  await expect(sessionOption(bob.page, 'Dana Whitfield')).toContainText(`Transfer from ${alice.name}`);
  // Nothing else is open for Bob, so the offered chat is shown with the conversation so far.
  const offered = conversation(bob.page, 'Dana Whitfield');
  await expect(offered).toContainText(`${alice.name} wants to transfer this chat to you.`);
  await expect(offered).toContainText('Note: Billing question, invoice 4471');
  await expect(transcriptOf(bob.page, 'Dana Whitfield')).toContainText('My invoice shows the wrong amount.');

  await offered.getByRole('button', { name: 'Accept transfer' }).click();

  const aliceView = conversation(alice.page, 'Dana Whitfield');
  await expect(aliceView).toContainText('You are listening to this chat. You cannot write.');
  await expect(composerOf(alice.page, 'Dana Whitfield')).toHaveCount(0);
  await expect(sessionOption(alice.page, 'Dana Whitfield')).toContainText('Listening');
  await expect(sessionOption(alice.page, 'Dana Whitfield')).not.toContainText(`Transfer to ${bob.name} pending`);
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText(`Transferred from ${alice.name} to ${bob.name}`);
  await expect(sessionOption(bob.page, 'Dana Whitfield')).not.toContainText(`Transfer from ${alice.name}`);
  await expect(offered.getByRole('button', { name: 'Accept transfer' })).toHaveCount(0);
  await expect(customer.page.getByRole('log')).toContainText(`You are now chatting with ${bob.name}`);

  await sendAsCustomer(customer, 'Thanks, is the refund possible?');
  await expect(transcriptOf(bob.page, 'Dana Whitfield')).toContainText('Thanks, is the refund possible?');
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText('Thanks, is the refund possible?');

  await sendAsAgent(bob, 'Dana Whitfield', 'Hi Dana, Bob here. Yes, I can refund the difference.');
  const reply = customer.page.getByRole('log').locator('.line').filter({ hasText: 'I can refund the difference' });
  await expect(reply).toContainText(bob.name);
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText('I can refund the difference');
});

test('a rejected transfer loses its highlight and Alice can keep writing to the customer', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Ravi Patel', 'Can I change my delivery address?');
  const bob = await signIn('bob');

  await offerTransfer(alice, 'Ravi Patel', bob);
  await expect(sessionOption(alice.page, 'Ravi Patel')).toContainText(`Transfer to ${bob.name} pending`);
  const offered = conversation(bob.page, 'Ravi Patel');
  await expect(offered).toContainText(`${alice.name} wants to transfer this chat to you.`);
  await offered.getByLabel('Reason (optional)').fill('I only handle billing today');
  await offered.getByRole('button', { name: 'Reject transfer' }).click();

  await expect(sessionOption(alice.page, 'Ravi Patel')).not.toContainText(`Transfer to ${bob.name} pending`);
  await expect(transcriptOf(alice.page, 'Ravi Patel')).toContainText(`Transfer rejected by ${bob.name}: I only handle billing today`);
  await expect(conversation(alice.page, 'Ravi Patel')).not.toContainText(`Waiting for ${bob.name} to accept the transfer`);
  await expect(sessionOption(bob.page, 'Ravi Patel')).toHaveCount(0);

  await sendAsAgent(alice, 'Ravi Patel', 'Sure, I can change the address for you.');
  await expect(customer.page.getByRole('log')).toContainText('Sure, I can change the address for you.');
  await expect(customer.page.getByRole('log')).not.toContainText('You are now chatting with');
});

test('a cancelled transfer disappears from Bob and the chat stays with Alice', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Lena Berg', 'My card was charged twice.');
  const bob = await signIn('bob');

  await offerTransfer(alice, 'Lena Berg', bob);
  await expect(sessionOption(bob.page, 'Lena Berg')).toContainText(`Transfer from ${alice.name}`);
  await expect(conversation(bob.page, 'Lena Berg').getByRole('button', { name: 'Accept transfer' })).toBeVisible();

  await conversation(alice.page, 'Lena Berg').getByRole('button', { name: 'Cancel transfer' }).click();

  await expect(sessionOption(bob.page, 'Lena Berg')).toHaveCount(0);
  await expect(conversation(bob.page, 'Lena Berg')).toHaveCount(0);
  await expect(sessionOption(alice.page, 'Lena Berg')).not.toContainText(`Transfer to ${bob.name} pending`);
  await expect(transcriptOf(alice.page, 'Lena Berg')).toContainText('Transfer cancelled');
  await sendAsAgent(alice, 'Lena Berg', 'I will look at the double charge myself.');
  await expect(customer.page.getByRole('log')).toContainText('I will look at the double charge myself.');
});

test('the Transfer to list shows only Present agents and follows status changes while it is open', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Tomas Novak', 'Where is my parcel?');
  const bob = await signIn('bob');
  const carol = await signIn('carol');

  await chooseFromChatMenu(alice, 'Tomas Novak', 'Transfer');
  const dialog = transferDialog(alice.page);
  await expect(dialog).toBeVisible();
  await expect(transferTarget(alice.page, bob.name)).toBeVisible();
  await expect(transferTarget(alice.page, carol.name)).toBeVisible();
  // The owner is never a target, and Maria is not signed in.
  await expect(transferTarget(alice.page, alice.name)).toHaveCount(0);
  await expect(transferTarget(alice.page, displayName.maria)).toHaveCount(0);

  await setStatus(bob, 'Away');
  await expect(transferTarget(alice.page, bob.name)).toHaveCount(0);
  await expect(transferTarget(alice.page, carol.name)).toBeVisible();

  await setStatus(carol, 'Away');
  await expect(dialog).toContainText('No other agent is Present');

  await setStatus(bob, 'Present');
  await expect(transferTarget(alice.page, bob.name)).toBeVisible();
  await expect(dialog).not.toContainText('No other agent is Present');

  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(sessionOption(alice.page, 'Tomas Novak')).not.toContainText('pending');
});

test('in listening mode Alice cannot write, and Close window removes the chat from her list', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Sofia Rossi', 'I need help with my account.');
  const bob = await signIn('bob');
  await offerTransfer(alice, 'Sofia Rossi', bob);
  await conversation(bob.page, 'Sofia Rossi').getByRole('button', { name: 'Accept transfer' }).click();

  const aliceView = conversation(alice.page, 'Sofia Rossi');
  await expect(aliceView).toContainText('You are listening to this chat. You cannot write.');
  await expect(aliceView.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
  await expect(aliceView.getByRole('button', { name: 'Send' })).toHaveCount(0);

  await aliceView.getByRole('button', { name: 'Chat menu' }).click();
  const menu = alice.page.getByRole('menu');
  await expect(menu.getByRole('menuitem', { name: 'Close window' })).toBeVisible();
  await expect(menu.getByRole('menuitem', { name: 'Transfer' })).toHaveCount(0);
  await expect(menu.getByRole('menuitem', { name: 'Close chat' })).toHaveCount(0);
  await menu.getByRole('menuitem', { name: 'Close window' }).click();

  await expect(sessionOption(alice.page, 'Sofia Rossi')).toHaveCount(0);
  await expect(transcriptOf(bob.page, 'Sofia Rossi')).toContainText(`${alice.name} stopped listening`);
  await expect(sessionOption(bob.page, 'Sofia Rossi')).toBeVisible();
});

test('Create request after a rejected transfer lists the request and tells the customer', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Ahmed Karim', 'My washing machine leaks.');
  const bob = await signIn('bob');
  await offerTransfer(alice, 'Ahmed Karim', bob);
  await conversation(bob.page, 'Ahmed Karim').getByRole('button', { name: 'Reject transfer' }).click();
  await expect(sessionOption(alice.page, 'Ahmed Karim')).not.toContainText(`Transfer to ${bob.name} pending`);

  await chooseFromChatMenu(alice, 'Ahmed Karim', 'Create request');
  const dialog = alice.page.getByRole('dialog', { name: 'Create request' });
  await expect(dialog.getByLabel('Title')).toHaveValue('Chat with Ahmed Karim');
  await dialog.getByLabel('Title').fill('Leaking washing machine');
  await dialog.getByLabel('Description').fill('Send a technician; customer is home after 4 pm.');
  await dialog.getByRole('button', { name: 'Create request' }).click();
  await expect(dialog).toBeHidden();

  await expect(transcriptOf(alice.page, 'Ahmed Karim')).toContainText('Request created: Leaking washing machine');
  await expect(customer.page.getByRole('log')).toContainText(
    'A request was created: Leaking washing machine. We will get back to you.',
  );
  await alice.page.getByRole('tab', { name: 'Requests' }).click();
  const request = alice.page.getByRole('tabpanel').getByText('Leaking washing machine').first();
  await expect(request).toBeVisible();
  await expect(alice.page.getByRole('tabpanel')).toContainText('Ahmed Karim');
});

test('an incoming transfer raises a browser notification for Bob', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Yuki Tanaka', 'Is my order shipped?');
  const bob = await signIn('bob', { initScript: recordNotifications });

  await offerTransfer(alice, 'Yuki Tanaka', bob, 'Shipping question');

  const notifications = () => recordedNotifications(bob.page);
  await expect.poll(notifications).toContainEqual(expect.objectContaining({ title: expect.stringContaining(`Transfer from ${alice.name}`) }));
  const offer = (await notifications()).find((n) => n.title.startsWith(`Transfer from ${alice.name}`));
  expect(`${offer?.title} ${offer?.body}`).toContain('Yuki Tanaka');
});

test('the whole hand-off works from the keyboard: Chat menu, Transfer to, and Ctrl+Shift+A to accept', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Omar Haddad', 'Where is my parcel?');
  const bob = await signIn('bob');

  await composerOf(alice.page, 'Omar Haddad').focus();
  await alice.page.keyboard.press('Control+Shift+M');
  const menu = alice.page.getByRole('menu', { name: 'Chat menu' });
  await expect(menu.getByRole('menuitem', { name: 'Transfer', exact: true })).toBeFocused();
  await alice.page.keyboard.press('Enter');
  const dialog = transferDialog(alice.page);
  await expect(dialog).toBeVisible();
  await dialog.getByRole('listbox', { name: 'Transfer to' }).focus();
  await alice.page.keyboard.press('ArrowDown');
  await expect(transferTarget(alice.page, bob.name)).toHaveAttribute('aria-selected', 'true');
  await dialog.getByRole('button', { name: 'Transfer', exact: true }).focus();
  await alice.page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(sessionOption(alice.page, 'Omar Haddad')).toContainText(`Transfer to ${bob.name} pending`);

  await expect(conversation(bob.page, 'Omar Haddad').getByRole('button', { name: 'Accept transfer' })).toBeVisible();
  await bob.page.keyboard.press('Control+Shift+A');
  await expect(conversation(alice.page, 'Omar Haddad')).toContainText('You are listening to this chat. You cannot write.');
  await expect(customer.page.getByRole('log')).toContainText(`You are now chatting with ${bob.name}`);
});
