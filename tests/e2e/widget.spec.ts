// The website widget and the customer side around a chat, in Chromium against a real relay: embedded in a page of
// another local origin (allowed, and refused when not), the pre-chat topic routing to its team, the queue counting down, the offline
// form reaching an agent, a 300-message burst delivered whole and in order across a reload, the rating reaching the
// owner, the transcript download, axe, and screenshots at desktop and phone sizes.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FrameLocator, Page } from '@playwright/test';
import { seriousViolations } from './axe';
import { chatOwnedBy, displayName, expect, test, transcriptOf } from './fixtures';
import { connectScriptedAgent, type ScriptedAgent } from './scripted-agent';

/** A website of its own origin (another port) whose page embeds the relay's widget. */
async function website(): Promise<{ origin: string; close(): Promise<void>; pageFor(relayUrl: string): string }> {
  let relayUrl = '';
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title>
      <style>body{font:16px Georgia,serif;background:#fbf7ef;margin:40px} button{all:unset}</style></head>
      <body><h1>Acme shop</h1><p>Everything for your garden.</p>
      <script src="${relayUrl}/widget.js" data-team="Billing" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageFor(url) {
      relayUrl = url;
      return `${origin}/`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let allowed: Awaited<ReturnType<typeof website>>;
let other: Awaited<ReturnType<typeof website>>;
test.beforeAll(async () => {
  [allowed, other] = [await website(), await website()];
});
test.afterAll(async () => {
  await Promise.all([allowed.close(), other.close()]);
});

const chatFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title="Chat with us"]');

test.describe('embedded in a website', () => {
  test.use({
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature needs the destructuring.
    relayOptions: async ({}, use) => use({ widget: { origins: [allowed.origin], topics: ['Orders', 'Billing'], colour: '#0f766e' } }),
  });

  test('an allowed website opens the chat in an iframe, with the topic its tag names, and it reaches an agent', async ({
    browser,
    relay,
  }) => {
    const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(allowed.pageFor(relay.httpUrl));
    await page.getByRole('button', { name: 'Open the chat' }).click();
    const frame = chatFrame(page);
    await expect(frame.getByRole('combobox', { name: 'Topic' })).toHaveValue('Billing');
    await frame.getByRole('textbox', { name: 'Your name' }).fill('Mia Keller');
    await frame.getByRole('textbox', { name: 'E-mail (optional)' }).fill('mia@example.com');
    await frame.getByRole('textbox', { name: 'Message' }).fill('Was I charged twice?');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await expect(frame.getByRole('log')).toContainText('Alice Smith joined the chat');
    const opened = await alice.waitFor((f) => f.type === 'session' && f.session.customerName === 'Mia Keller');
    const sessionId = opened.type === 'session' ? opened.session.id : '';
    const events = (await alice.command({ type: 'fetch-events', sessionId, afterSeq: 0 })) as { events: { kind: string }[] };
    expect(events.events[0]).toMatchObject({ kind: 'opened', email: 'mia@example.com', topic: 'Billing' });
    expect(await seriousViolations(page), 'website with the widget open').toEqual([]);

    // another page of the same site: the chat is still open and the same
    await page.reload();
    await expect(chatFrame(page).getByRole('log')).toContainText('Was I charged twice?');
    await page.getByRole('button', { name: 'Close the chat' }).click();
    await expect(page.locator('iframe')).toBeHidden();
    await context.close();
    await alice.close();
  });

  test('a website that is not allowed gets no chat: the browser refuses to frame it', async ({ browser, relay }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
    await page.goto(other.pageFor(relay.httpUrl));
    await page.getByRole('button', { name: 'Open the chat' }).click();
    expect((await refused).text()).toContain(`frame-ancestors ${allowed.origin}`);
    await expect(chatFrame(page).getByRole('button', { name: 'Start chat' })).toHaveCount(0);
    await context.close();
  });
});

test('a customer who picks the topic Billing is routed to an agent of team billing, not to a Present agent outside it', async ({
  relay,
  openCustomerPage,
}) => {
  const maria = await connectScriptedAgent(relay.wsUrl, 'maria');
  await maria.command({ type: 'team-add', team: 'billing', name: 'Billing' });
  await maria.command({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
  // alice is Present first and in no team: without the topic's team she would be given the chat
  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  const bob = await connectScriptedAgent(relay.wsUrl, 'bob');
  const page = await openCustomerPage();
  const topic = page.getByRole('combobox', { name: 'Topic' });
  await expect(topic.getByRole('option')).toHaveText(['Choose a topic', 'Billing']);
  await topic.selectOption({ label: 'Billing' });
  await page.getByRole('textbox', { name: 'Your name' }).fill('Ada Brook');
  await page.getByRole('textbox', { name: 'Message' }).fill('My invoice is wrong.');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByRole('log')).toContainText(`${displayName.bob} joined the chat`);
  const opened = await bob.waitFor((f) => f.type === 'session' && f.session.customerName === 'Ada Brook' && f.session.ownerId === 'bob');
  expect(opened.type === 'session' && opened.session.team).toBe('billing');
  expect(alice.frames.some((f) => f.type === 'session' && f.session.customerName === 'Ada Brook')).toBe(false);
  await Promise.all([maria.close(), alice.close(), bob.close()]);
});

test.describe('queue', () => {
  test.use({ relayOptions: { capacity: 1 } });

  test('a waiting customer sees their place in the queue count down as agents take chats', async ({ relay, startChat }) => {
    const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
    await alice.command({ type: 'set-status', status: 'away' });
    const first = await startChat('First Customer', 'Hello, one');
    await startChat('Second Customer', 'Hello, two');
    const third = await startChat('Third Customer', 'Hello, three');
    const place = third.page.getByRole('status', { name: 'Queue position' });
    await expect(place).toHaveText('You are number 3 in the queue.');
    await alice.command({ type: 'set-status', status: 'present' });
    await expect(first.page.getByRole('log')).toContainText('Alice Smith joined the chat');
    await expect(place).toContainText('You are number 2 in the queue.');
    const bob = await connectScriptedAgent(relay.wsUrl, 'bob');
    await expect(place).toContainText('You are next in the queue.');
    await expect(place).toContainText('Expected wait: about');
    await first.page.getByRole('button', { name: 'End chat' }).click();
    await first.page.getByRole('dialog', { name: 'End this chat?' }).getByRole('button', { name: 'End chat' }).click();
    await expect(third.page.getByRole('log')).toContainText('Alice Smith joined the chat');
    await expect(place).toBeHidden();
    await Promise.all([alice.close(), bob.close()]);
  });
});

test.describe('nobody there', () => {
  test.use({ relayOptions: { widget: { origins: [], offlineForm: true } } });

  test('with nobody Present the offline form leaves a request a manager sees', async ({ openCustomerPage, signIn }) => {
    const page = await openCustomerPage({ offline: true });
    await expect(page.getByText('Nobody is available to chat right now.')).toBeVisible();
    expect(await seriousViolations(page), 'offline form').toEqual([]);
    await page.getByRole('textbox', { name: 'Your name' }).fill('Noor Haddad');
    await page.getByRole('textbox', { name: 'E-mail' }).fill('noor@example');
    await page.getByRole('textbox', { name: 'Message' }).fill('Please call me back about my invoice.');
    await page.getByRole('button', { name: 'Send message' }).click();
    await expect(page.getByRole('alert')).toHaveText('That e-mail address does not look right. It looks like name@example.com.');
    await page.getByRole('textbox', { name: 'E-mail' }).fill('noor@example.com');
    await page.getByRole('button', { name: 'Send message' }).click();
    await expect(page.getByText('Thank you. We will answer by e-mail within one working day.')).toBeVisible();

    const maria = await signIn('maria');
    await maria.page.getByRole('tab', { name: 'Requests' }).click();
    const card = maria.page.getByRole('list', { name: 'Requests' }).getByRole('listitem').filter({ hasText: 'Offline message' });
    await expect(card).toContainText('Noor Haddad');
    await expect(card).toContainText('noor@example.com');
    await expect(card).toContainText('Please call me back about my invoice.');
    await expect(card).toContainText('Left with the offline form');
  });
});

test('300 messages sent at once arrive whole and in order, across a reload, with none left unsent', async ({ relay, startChat }) => {
  test.setTimeout(120_000);
  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  const customer = await startChat('Paste Person', 'I will paste my order list.');
  await expect(customer.page.getByRole('log')).toContainText('Alice Smith joined the chat');
  const lines = Array.from({ length: 300 }, (_, i) => `line ${String(i + 1).padStart(3, '0')} of the order list`);
  // as fast as a script can: every line submitted in the same turn, far past the relay's rate limit
  await customer.page.evaluate((all) => {
    const box = document.getElementById('composer-message') as HTMLTextAreaElement;
    for (const line of all) {
      box.value = line;
      box.form?.requestSubmit();
    }
  }, lines);
  const received = (agent: ScriptedAgent) =>
    agent.frames.flatMap((f) => (f.type === 'event' && f.event.kind === 'message' && f.event.author.kind === 'customer' ? [f.event.text] : []));
  await expect.poll(() => received(alice).length, { timeout: 20_000 }).toBeGreaterThan(60);
  await customer.page.reload();
  await expect.poll(() => received(alice).length, { timeout: 60_000 }).toBe(301);
  expect(received(alice).slice(1)).toEqual(lines);
  const log = customer.page.getByRole('log');
  await expect(log.locator('.line.message.mine')).toHaveCount(301);
  await expect(log.getByText('Sending…')).toHaveCount(0);
  await expect(log.getByText(/^Not sent/)).toHaveCount(0);
  await alice.close();
});

test('after the chat the customer rates it and downloads the transcript; the owner sees the rating', async ({ signIn, startChat }) => {
  test.setTimeout(90_000);
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Rita Gomez', 'Where is my parcel?');
  await customer.page.getByRole('button', { name: 'End chat' }).click();
  await customer.page.getByRole('dialog', { name: 'End this chat?' }).getByRole('button', { name: 'End chat' }).click();
  await expect(customer.page.getByRole('group', { name: 'How was your chat?' })).toBeVisible();
  expect(await seriousViolations(customer.page), 'rating form').toEqual([]);
  await customer.page.getByRole('button', { name: 'Send rating' }).click();
  await expect(customer.page.getByRole('alert')).toHaveText('Choose from 1 to 5 stars.');
  await customer.page.getByRole('radio', { name: '4 stars' }).check();
  await customer.page.getByRole('textbox', { name: 'Comment (optional)' }).fill('Quick and kind.');
  await customer.page.getByRole('button', { name: 'Send rating' }).click();
  await expect(customer.page.getByText('Thank you for your rating.')).toBeVisible();
  await expect(transcriptOf(alice.page, 'Rita Gomez')).toContainText('The customer rated the chat 4 out of 5: Quick and kind.');
  const maria = await signIn('maria');
  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(maria.page.getByLabel('Customer satisfaction')).toHaveText(
    'Customer satisfaction: 4.0 out of 5 from 1 rating in the last 7 days.',
  );

  const download = customer.page.waitForEvent('download');
  await customer.page.getByRole('button', { name: 'Download transcript' }).click();
  const file = await (await download).path();
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toMatch(/^Chat with us: transcript of /);
  expect(text).toMatch(/\] You: Where is my parcel\?\n/);
  expect(text).toContain('Alice Smith joined the chat');
  expect(text).toContain('The chat has ended.');
});

const writeFiles = process.env.BATON_SCREENSHOTS === '1';
const folder = path.resolve(import.meta.dirname, '../../docs/screenshots');

const sizes = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 360, height: 740 }],
] as const;

async function shootBothSizes(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of sizes) {
    await page.setViewportSize(viewport);
    const file = writeFiles ? { path: path.join(folder, `${name}-${size}.png`) } : {};
    expect((await page.screenshot({ animations: 'disabled', caret: 'hide', ...file })).byteLength).toBeGreaterThan(1000);
  }
}

test.describe('screenshots', () => {
  test.use({
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature needs the destructuring.
    relayOptions: async ({}, use) => use({ capacity: 1, widget: { origins: [allowed.origin], topics: ['Orders', 'Billing'] } }),
  });

  test('the widget on a website and the chat page at desktop and 360 px phone sizes', async ({ browser, relay, startChat }) => {
    const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
    await alice.command({ type: 'set-status', status: 'away' });
    for (const [name, viewport] of sizes) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(allowed.pageFor(relay.httpUrl));
      await page.getByRole('button', { name: 'Open the chat' }).click();
      await expect(chatFrame(page).getByRole('button', { name: 'Start chat' })).toBeVisible();
      await page.screenshot({ animations: 'disabled', caret: 'hide', ...(writeFiles ? { path: path.join(folder, `widget-${name}.png`) } : {}) });
      await context.close();
    }
    const form = await browser.newContext({ viewport: sizes[1][1] });
    const formPage = await form.newPage();
    await formPage.goto(`${relay.httpUrl}/chat`);
    await formPage.getByRole('textbox', { name: 'Message' }).fill('Do you deliver on Saturdays?');
    await formPage.getByRole('button', { name: 'Start chat' }).click();
    await expect(formPage.getByRole('textbox', { name: 'Your name' })).toHaveAccessibleDescription('Enter your name to start the chat.');
    expect(await seriousViolations(formPage), 'a field marked wrong').toEqual([]);
    await formPage.screenshot({ animations: 'disabled', caret: 'hide', ...(writeFiles ? { path: path.join(folder, 'customer-form-error-phone.png') } : {}) });
    await form.close();
    await startChat('Early Bird', 'First!');
    const waiting = await startChat('Sam Lee', 'Hello, I have a question about my order 1182.');
    await expect(waiting.page.getByRole('status', { name: 'Queue position' })).toHaveText('You are number 2 in the queue.');
    await shootBothSizes(waiting.page, 'customer-queue');
    await waiting.page.getByRole('button', { name: 'End chat' }).click();
    await waiting.page.getByRole('dialog', { name: 'End this chat?' }).getByRole('button', { name: 'End chat' }).click();
    await waiting.page.getByRole('radio', { name: '5 stars' }).check();
    await shootBothSizes(waiting.page, 'customer-rating');
    await alice.close();
  });
});
