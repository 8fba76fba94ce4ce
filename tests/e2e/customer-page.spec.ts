// End-to-end: the customer chat page the relay serves at /chat — starting a chat, seeing the agent, resuming after
// a reload, surviving a relay restart, ending the chat, files and links, and refusing bad input (a missing e-mail the
// relay requires too) with a sentence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RelayFrame } from '../../common/protocol';
import { startRelay } from '../../relay/server';
import { seriousViolations } from './axe';
import { chatOwnedBy, displayName, expect, sendAsAgent, sendAsCustomer, sessionOption, test, transcriptOf } from './fixtures';
import { connectScriptedAgent } from './scripted-agent';

type SessionFrame = Extract<RelayFrame, { type: 'session' }>;
const sessionOf =
  (customerName: string, ownerId: string) =>
  (frame: RelayFrame): frame is SessionFrame =>
    frame.type === 'session' && frame.session.customerName === customerName && frame.session.ownerId === ownerId;

test('the customer waits for an agent, then sees who joined, their typing, and their messages with author and time', async ({
  relay,
  startChat,
}) => {
  const customer = await startChat('Hanna Wolf', 'Do you ship to Austria?');
  await expect(customer.page.getByRole('status').filter({ hasText: 'Waiting for an agent…' })).toBeVisible();
  const mine = customer.page.getByRole('log').locator('.line').filter({ hasText: 'Do you ship to Austria?' });
  await expect(mine).toContainText('You');
  await expect(mine.locator('time')).toHaveText(/\d{1,2}[:.]\d{2}/);

  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  try {
    const { session } = await alice.waitFor(sessionOf('Hanna Wolf', 'alice'));
    await expect(customer.page.getByRole('log')).toContainText(`${displayName.alice} joined the chat`);
    await expect(customer.page.getByRole('status').filter({ hasText: `Chatting with ${displayName.alice}` })).toBeVisible();

    await alice.command({ type: 'typing', sessionId: session.id, active: true });
    await expect(customer.page.getByText(`${displayName.alice} is typing…`)).toBeVisible();

    await alice.command({ type: 'send', sessionId: session.id, messageId: 'msg-e2e-0001', text: 'Yes, we ship to all of the EU.' });
    const reply = customer.page.getByRole('log').locator('.line').filter({ hasText: 'Yes, we ship to all of the EU.' });
    await expect(reply).toContainText(displayName.alice);
    await expect(reply.locator('time')).toHaveText(/\d{1,2}[:.]\d{2}/);
    await expect(customer.page.getByText(`${displayName.alice} is typing…`)).toBeHidden();

    // Enter sends, Shift+Enter makes a new line.
    const box = customer.page.getByRole('textbox', { name: 'Message' });
    await box.fill('Great');
    await box.press('Shift+Enter');
    await box.pressSequentially('how long does it take?');
    await box.press('Enter');
    await expect(box).toHaveValue('');
    await alice.waitFor((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'Great\nhow long does it take?');
  } finally {
    await alice.close();
  }
});

test('reloading the customer page resumes the same chat', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Omar Haddad', 'My parcel never arrived.');
  await sendAsAgent(alice, 'Omar Haddad', 'Let me check the tracking number.');
  await expect(customer.page.getByRole('log')).toContainText('Let me check the tracking number.');

  await customer.page.reload();

  const log = customer.page.getByRole('log');
  await expect(log).toContainText('My parcel never arrived.');
  await expect(log).toContainText(`${displayName.alice} joined the chat`);
  await expect(log).toContainText('Let me check the tracking number.');
  await expect(customer.page.getByRole('button', { name: 'Start chat' })).toBeHidden();

  await sendAsCustomer(customer, 'The number is 00340434161094042557.');
  await expect(transcriptOf(alice.page, 'Omar Haddad')).toContainText('00340434161094042557');
  await expect(sessionOption(alice.page, 'Omar Haddad')).toHaveCount(1);
  await sendAsAgent(alice, 'Omar Haddad', 'Found it, it is at the depot.');
  await expect(log).toContainText('Found it, it is at the depot.');
  // The reload did not replay anything twice.
  await expect(log.locator('.line').filter({ hasText: 'My parcel never arrived.' })).toHaveCount(1);
});

test('a message written while the relay is down is delivered once when it comes back', async ({ browser }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-relay-'));
  let relay = await startRelay({ dataDir, port: 0, host: '127.0.0.1', demo: true, log: () => {} });
  const port = relay.port;
  const context = await browser.newContext();
  let alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  try {
    const page = await context.newPage();
    await page.goto(`${relay.httpUrl}/chat`);
    await page.getByRole('textbox', { name: 'Your name' }).fill('Kofi Mensah');
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello, is my order ready?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const { session } = await alice.waitFor(sessionOf('Kofi Mensah', 'alice'));
    await expect(page.getByRole('log')).toContainText(`${displayName.alice} joined the chat`);

    await alice.close();
    await relay.close();
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText('Reconnecting');

    await page.getByRole('textbox', { name: 'Message' }).fill('Written while you were away');
    await page.getByRole('button', { name: 'Send' }).click();
    const pending = page.getByRole('log').locator('.line').filter({ hasText: 'Written while you were away' });
    await expect(pending).toContainText('Sending…');

    relay = await startRelay({ dataDir, port, host: '127.0.0.1', demo: true, log: () => {} });
    await expect(pending).not.toContainText('Sending…', { timeout: 30_000 });
    await expect(page.getByRole('status', { name: 'Connection' })).toBeHidden();

    alice = await connectScriptedAgent(relay.wsUrl, 'alice');
    const result = (await alice.command({ type: 'fetch-events', sessionId: session.id, afterSeq: 0 })) as {
      events: { kind: string; text?: string }[];
    };
    const copies = result.events.filter((e) => e.kind === 'message' && e.text === 'Written while you were away');
    expect(copies).toHaveLength(1);
  } finally {
    await alice.close();
    await context.close();
    await relay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('End chat closes the chat for the customer and the agent', async ({ relay, startChat }) => {
  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  try {
    const customer = await startChat('Eva Novak', 'Just a quick question.');
    await alice.waitFor(sessionOf('Eva Novak', 'alice'));
    await expect(customer.page.getByRole('log')).toContainText(`${displayName.alice} joined the chat`);

    await customer.page.getByRole('button', { name: 'End chat' }).click();
    await customer.page.getByRole('dialog', { name: 'End this chat?' }).getByRole('button', { name: 'End chat' }).click();

    await expect(customer.page.getByRole('log')).toContainText('The chat has ended.');
    await expect(customer.page.getByRole('textbox', { name: 'Message' })).toBeHidden();
    await expect(customer.page.getByRole('button', { name: 'End chat' })).toBeHidden();
    await alice.waitFor((f) => f.type === 'event' && f.event.kind === 'closed' && f.event.by.kind === 'customer');

    // A closed chat is not resumed by a reload: the page offers a new one.
    await customer.page.reload();
    await expect(customer.page.getByRole('log')).toContainText('The chat has ended.');
    await customer.page.getByRole('button', { name: 'Start a new chat' }).click();
    await expect(customer.page.getByRole('textbox', { name: 'Your name' })).toHaveValue('Eva Novak');
  } finally {
    await alice.close();
  }
});

test('the customer page explains what is missing instead of starting an empty chat', async ({ openCustomerPage }) => {
  const page = await openCustomerPage();
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByRole('alert')).toHaveText('Enter your name to start the chat.');
  await page.getByRole('textbox', { name: 'Your name' }).fill('Lars');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByRole('alert')).toHaveText('Write a message to start the chat.');
  await expect(page.getByRole('log')).toBeHidden();
});

test.describe('files', () => {
  test.use({ relayOptions: { attachments: { maxBytes: 1024 * 1024 } } });

  test('a file too big or of a refused kind is refused with a sentence; a text file is sent and downloads with the chat token', async ({
    relay,
    startChat,
  }) => {
    const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
    try {
      const customer = await startChat('Ines Costa', 'I will send you my notes.');
      await alice.waitFor(sessionOf('Ines Costa', 'alice'));
      const { page } = customer;
      await expect(page.getByRole('log')).toContainText(`${displayName.alice} joined the chat`);
      const attach = page.locator('#attach-file');
      await expect(page.getByRole('button', { name: 'Attach a file' })).toBeVisible();

      await attach.setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(1.5 * 1024 * 1024, 1) });
      await expect(page.getByRole('alert')).toHaveText('That file is 1.5 MB; files up to 1 MB can be sent.');
      await attach.setInputFiles({ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0xff]) });
      await expect(page.getByRole('alert')).toHaveText(/^That kind of file cannot be sent here\. Send PNG, .* or plain text files\.$/);
      await expect(page.getByRole('log').locator('.line.pending')).toHaveCount(0);

      const notes = 'Order 4471\nDelivered to the wrong door.\n';
      await attach.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(notes) });
      const download = page.getByRole('log').getByRole('button', { name: /^Download notes\.txt \(\d+ B\)$/ });
      await expect(download).toBeVisible();
      await expect(page.getByRole('alert')).toBeHidden();
      expect(await seriousViolations(page), 'a chat with a file').toEqual([]);
      const received = await alice.waitFor((f) => f.type === 'event' && f.event.kind === 'message' && (f.event.attachments?.length ?? 0) > 0);
      expect(received.type === 'event' && received.event.kind === 'message' && received.event.attachments?.[0]).toMatchObject({
        name: 'notes.txt',
        type: 'text/plain',
      });
      const saved = page.waitForEvent('download');
      await download.click();
      expect(fs.readFileSync(await (await saved).path(), 'utf8')).toBe(notes);
    } finally {
      await alice.close();
    }
  });
});

test('an e-mail link an agent sends opens the mail app; a script address stays text', async ({ relay, startChat }) => {
  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  try {
    const customer = await startChat('Jon Berg', 'Who do I write to?');
    const { session } = await alice.waitFor(sessionOf('Jon Berg', 'alice'));
    await alice.command({ type: 'send', sessionId: session.id, messageId: 'msg-e2e-mail', text: 'Write to mailto:help@example.com (not javascript:alert(1)).' });
    const log = customer.page.getByRole('log');
    const link = log.getByRole('link', { name: 'mailto:help@example.com' });
    await expect(link).toHaveAttribute('href', 'mailto:help@example.com');
    await expect(link).toHaveAttribute('rel', /noopener/);
    await expect(log.getByRole('link')).toHaveCount(1);
  } finally {
    await alice.close();
  }
});

test.describe('e-mail required', () => {
  // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature needs the destructuring.
  test.use({ relayOptions: async ({}, use) => use({ widget: { origins: [], emailRequired: true } }) });

  test('the form asks for the e-mail and says so next to the field when it is left out', async ({ openCustomerPage }) => {
    const page = await openCustomerPage();
    await page.getByRole('textbox', { name: 'Your name' }).fill('Lea Roth');
    await page.getByRole('textbox', { name: 'Message' }).fill('Can I return a gift?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const email = page.getByRole('textbox', { name: 'E-mail', exact: true });
    await expect(email).toHaveAccessibleDescription('Enter your e-mail address, so we can answer you.');
    await expect(email).toBeFocused();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('log')).toBeHidden();
    expect(await seriousViolations(page), 'the e-mail marked missing').toEqual([]);
  });

  test('a page that thought the e-mail optional is refused by the relay, and shows why next to the field', async ({ relay, browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // settings the page loaded before the operator required the e-mail
    await page.route('**/chat/settings.json', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), emailRequired: false } });
    });
    await page.goto(`${relay.httpUrl}/chat`);
    await page.getByRole('textbox', { name: 'Your name' }).fill('Lea Roth');
    await expect(page.getByRole('textbox', { name: 'E-mail (optional)' })).toBeVisible();
    await page.getByRole('textbox', { name: 'Message' }).fill('Can I return a gift?');
    await page.getByRole('button', { name: 'Start chat' }).click();

    const email = page.getByRole('textbox', { name: 'E-mail', exact: true });
    await expect(email).toHaveAccessibleDescription('Enter your e-mail address, so we can answer you.');
    await expect(page.getByRole('textbox', { name: 'Your name' })).toHaveValue('Lea Roth');
    await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('Can I return a gift?');
    await email.fill('lea@example.com');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await expect(page.getByRole('log')).toContainText('Can I return a gift?');
    await expect(page.getByRole('status').filter({ hasText: 'Waiting for an agent…' })).toBeVisible();
    await context.close();
  });
});
