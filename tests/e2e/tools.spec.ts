// End-to-end: the conversation tools in a real Chromium — canned replies inserted with "/", a listener's whisper that
// the owner reads and the customer never sees, images both ways, a request solved whose transcript opens from the
// Requests view, clickable links and text that stays in its bubble, and the two times of a message sent later.
import {
  chatOwnedBy,
  connectionIndicator,
  drawnPng,
  composerOf,
  conversation,
  expect,
  openSession,
  sendAsAgent,
  sendAsCustomer,
  test,
  transcriptOf,
} from './fixtures';

test('a canned reply made in the Replies view is inserted with / (names filled in) and reaches the customer', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Ines Duarte', 'Hello, is anybody there?');

  await alice.page.getByRole('tab', { name: 'Replies' }).click();
  await alice.page.getByRole('button', { name: 'New reply' }).click();
  const editor = alice.page.getByRole('dialog', { name: 'New reply' });
  await editor.getByLabel('Title').fill('Greeting');
  await editor.getByLabel('Text').fill('Hi {customer}, this is {agent}. How can I help?');
  await editor.getByRole('button', { name: 'Save reply' }).click();
  await expect(editor).toBeHidden();
  await expect(alice.page.getByRole('list', { name: 'My replies' })).toContainText('Greeting');

  await alice.page.getByRole('tab', { name: 'Chats' }).click();
  await openSession(alice, 'Ines Duarte');
  const composer = composerOf(alice.page, 'Ines Duarte');
  await composer.focus();
  await alice.page.keyboard.press('/');
  const search = alice.page.getByRole('combobox', { name: 'Search canned replies' });
  await expect(search).toBeFocused();
  await search.fill('greet');
  await expect(alice.page.getByRole('option', { name: /Greeting/ })).toHaveAttribute('aria-selected', 'true');
  await alice.page.keyboard.press('Enter');
  await expect(composer).toHaveValue(`Hi Ines Duarte, this is ${alice.name}. How can I help?`);
  await expect(composer).toBeFocused();
  await alice.page.keyboard.press('Enter');

  await expect(customer.page.getByRole('log')).toContainText(`Hi Ines Duarte, this is ${alice.name}. How can I help?`);
  await expect(composer).toHaveValue('');
});

test('a listener whispers to the owner with a note; the owner reads it and the customer never does', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Tomas Berg', 'My parcel says delivered but it is not here.');
  const maria = await signIn('maria');

  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  await maria.page.getByRole('table', { name: 'Live chats' }).getByRole('row').filter({ hasText: 'Tomas Berg' }).dblclick();
  const listening = conversation(maria.page, 'Tomas Berg');
  await expect(listening).toContainText('You are listening to this chat.');
  // the customer composer stays closed; the note composer is open
  await expect(listening.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
  const note = listening.getByRole('textbox', { name: 'Note' });
  await expect(note).toHaveAttribute('placeholder', new RegExp(`^Whisper to \u2068?${alice.name}\u2069?…`));
  await note.fill('Offer a reshipment, the carrier lost three parcels on that route today.');
  await listening.getByRole('button', { name: 'Add note' }).click();
  await expect(note).toHaveValue('');

  const ownerView = transcriptOf(alice.page, 'Tomas Berg');
  await expect(ownerView.locator('.msg.note')).toContainText('Offer a reshipment');
  await expect(ownerView.locator('.msg.note')).toContainText(maria.name);

  // a message after the note reaches the customer: the note was never sent before it
  await sendAsAgent(alice, 'Tomas Berg', 'I can ship a new parcel today.');
  await expect(customer.page.getByRole('log')).toContainText('I can ship a new parcel today.');
  await expect(customer.page.getByRole('log')).not.toContainText('reshipment');
  await customer.page.reload();
  await expect(customer.page.getByRole('log')).toContainText('I can ship a new parcel today.');
  await expect(customer.page.getByRole('log')).not.toContainText('reshipment');
});

test('an image the customer sends is previewed by the agent', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Lea Vogel', 'The screen shows an error, I will send a photo.');

  const bytes = await drawnPng(customer.page, { width: 64, height: 40 });
  await customer.page.locator('#attach-file').setInputFiles({ name: 'error-screen.png', mimeType: 'image/png', buffer: bytes });
  const own = customer.page.getByRole('log').locator('.line.message').filter({ has: customer.page.getByRole('img', { name: 'error-screen.png' }) });
  await expect(own).toBeVisible();
  await expect(own).not.toHaveClass(/pending/);

  const preview = transcriptOf(alice.page, 'Lea Vogel').getByRole('img', { name: 'error-screen.png' });
  await expect(preview).toBeVisible();
  await expect(preview).toHaveJSProperty('naturalWidth', 64);
  await sendAsCustomer(customer, 'Did the photo arrive?');
  await expect(transcriptOf(alice.page, 'Lea Vogel')).toContainText('Did the photo arrive?');
});

test('a request is solved from the Requests view, the customer is told, and its transcript opens', async ({
  signIn,
  startChat,
}) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Omar Haddad', 'I need a refund for order 5521.');
  await sendAsAgent(alice, 'Omar Haddad', 'I will open a refund request for you.');

  await conversation(alice.page, 'Omar Haddad').getByRole('button', { name: 'Chat menu' }).click();
  await alice.page.getByRole('menu').getByRole('menuitem', { name: 'Create request' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Create request' });
  await dialog.getByLabel('Title').fill('Refund order 5521');
  await dialog.getByRole('button', { name: 'Create request' }).click();
  await expect(dialog).toBeHidden();

  await alice.page.getByRole('tab', { name: 'Requests' }).click();
  const card = alice.page.getByRole('listitem', { name: 'Request Refund order 5521' });
  await expect(card).toContainText('Open');
  await card.getByLabel('Assignee').selectOption('alice');
  await expect(card).toContainText(`Assigned to ${alice.name}`);
  await card.getByLabel('Status').selectOption('solved');
  await expect(card).toContainText('Solved');
  await expect(customer.page.getByRole('log')).toContainText('Your request Refund order 5521 has been solved.');

  // filters: solved requests assigned to me show it, open ones do not
  await alice.page.getByLabel('Assignee filter').selectOption('me');
  await alice.page.getByLabel('Status filter').selectOption('open');
  await expect(card).toHaveCount(0);
  await expect(alice.page.getByRole('region', { name: 'Requests' }).or(alice.page.locator('.page'))).toContainText('No request matches these filters.');
  await alice.page.getByLabel('Status filter').selectOption('solved');
  await expect(card).toBeVisible();

  await card.getByRole('button', { name: 'Open transcript' }).click();
  const transcript = alice.page.getByRole('dialog', { name: 'Transcript: Refund order 5521' });
  await expect(transcript).toContainText('I need a refund for order 5521.');
  await expect(transcript).toContainText('I will open a refund request for you.');
});

test('links are clickable on both sides (http and https only), and any text stays inside its bubble', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Rana Aziz', 'مرحبا، أحتاج مساعدة في الطلب ٤٤٧١');
  const long = `Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǒ̯̤ ${'x'.repeat(400)}`;
  await sendAsAgent(alice, 'Rana Aziz', 'See https://help.example.com/orders?id=4471. Not javascript:alert(1) nor ftp://files.example.com');
  await sendAsCustomer(customer, long);

  for (const log of [transcriptOf(alice.page, 'Rana Aziz'), customer.page.getByRole('log')]) {
    const link = log.getByRole('link', { name: 'https://help.example.com/orders?id=4471' });
    await expect(link).toHaveAttribute('href', 'https://help.example.com/orders?id=4471');
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
    await expect(log.getByRole('link')).toHaveCount(1);
  }
  // every bubble stays inside its transcript: right-to-left text, combining marks, a 400-letter word
  for (const log of [transcriptOf(alice.page, 'Rana Aziz'), customer.page.getByRole('log')]) {
    const frame = (await log.boundingBox())!;
    const bubbles = log.locator('.bubble');
    await expect(bubbles.filter({ hasText: 'x'.repeat(50) })).toHaveCount(1);
    for (const bubble of await bubbles.all()) {
      const box = (await bubble.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(frame.x - 1);
      expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width + 1);
    }
  }
});

test('an image the agent attaches reaches the customer and stays previewed for the agent', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Pia Lund', 'Where do I find the serial number?');
  const bytes = await drawnPng(alice.page, { width: 120, height: 60 }, 'S/N', 'under the lid');
  await conversation(alice.page, 'Pia Lund')
    .locator('input[type="file"]')
    .setInputFiles({ name: 'serial-number.png', mimeType: 'image/png', buffer: bytes });
  await expect(transcriptOf(alice.page, 'Pia Lund').getByRole('img', { name: 'serial-number.png' })).toBeVisible();
  const seen = customer.page.getByRole('log').getByRole('img', { name: 'serial-number.png' });
  await expect(seen).toBeVisible();
  await expect(seen).toHaveJSProperty('naturalWidth', 120);
});

test('a message written while the relay was away shows when it was written and when it was sent', async ({ relay, signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Sam Reyes', 'Is the shop open on Sunday?');
  await relay.stop();
  await expect(connectionIndicator(alice.page)).not.toContainText('Online');
  await composerOf(alice.page, 'Sam Reyes').fill('Yes, from ten to four.');
  await alice.page.keyboard.press('Enter');
  const line = transcriptOf(alice.page, 'Sam Reyes').locator('.msg').filter({ hasText: 'Yes, from ten to four.' });
  await expect(line).toContainText('Sending');
  await relay.restart();
  await expect(connectionIndicator(alice.page)).toContainText('Online', { timeout: 40_000 });
  await expect(customer.page.getByRole('log')).toContainText('Yes, from ten to four.');
  await expect(line).toContainText('written');
  await expect(line).toContainText(', sent');
  // a message sent at once carries one time
  await sendAsAgent(alice, 'Sam Reyes', 'See you then.');
  await expect(transcriptOf(alice.page, 'Sam Reyes').locator('.msg').filter({ hasText: 'See you then.' })).not.toContainText('written');
});
