// Playwright fixtures for the end-to-end suite: each test gets its own relay (demo accounts, temp data folder),
// a web host + browser context per signed-in agent, and customer pages, all torn down after the test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, test as base, expect, type Locator, type Page } from '@playwright/test';
import type { WebHost } from '../../main/web/host';
import { DEMO_PASSWORD, demoAccounts } from '../../relay/demo';
import { type RelayOptions, startRelay } from '../../relay/server';

export { expect };

export type DemoUser = (typeof demoAccounts)[number]['id'];
/** Display names as the relay's demo accounts have them; the UI's sentences use these. */
export const displayName = Object.fromEntries(demoAccounts.map((a) => [a.id, a.name])) as Record<DemoUser, string>;

export interface TestRelay {
  port: number;
  wsUrl: string;
  httpUrl: string;
  dataDir: string;
  /** stops the relay; safe to call more than once (the fixture calls it again after the test) */
  stop(): Promise<void>;
  /** starts it again on the same port with the same data (after `stop()`, or stops it first) */
  restart(): Promise<void>;
}

export interface Agent {
  user: DemoUser;
  name: string;
  page: Page;
  context: BrowserContext;
  host: WebHost;
  /** the web host's data folder (the agent's per-account caches) */
  dataDir: string;
  /**
   * Stops this agent's web host and starts a new one on the same data folder (a restart of `npm run web`), signed in
   * at start like the first; `samePort` keeps the old address (with a new token). The page is not reloaded.
   */
  restartHost(options?: { samePort?: boolean }): Promise<WebHost>;
}

export interface Customer {
  name: string;
  page: Page;
  context: BrowserContext;
}

export interface SignInOptions {
  /** a script run in the agent's page before the app's own (e.g. to record notifications) */
  initScript?: () => void;
}

interface Fixtures {
  /** more options for the test's relay (`test.use({ relayOptions: { widget: … } })`) */
  relayOptions: Partial<RelayOptions>;
  relay: TestRelay;
  /** starts a web host signed in as `user`, opens it in its own browser context and waits until it is online */
  signIn: (user: DemoUser, options?: SignInOptions) => Promise<Agent>;
  /** opens the customer chat page in its own browser context, without starting a chat (`offline`: expect its offline form) */
  openCustomerPage: (options?: { offline?: boolean }) => Promise<Page>;
  /** opens the customer page and starts a chat with a first message */
  startChat: (customerName: string, firstMessage: string) => Promise<Customer>;
}

function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `baton-${label}-`));
}

export const test = base.extend<Fixtures>({
  relayOptions: [{}, { option: true }],
  relay: async ({ relayOptions }, use, testInfo) => {
    const dataDir = tempDir('relay');
    const logLines: string[] = [];
    const log = (entry: object) => logLines.push(JSON.stringify(entry));
    const customerPageDir = process.env.BATON_E2E_CUSTOMER_PAGE_DIR;
    const options = { host: '127.0.0.1', demo: true, log, ...(customerPageDir ? { customerPageDir } : {}), ...relayOptions };
    let relay = await startRelay({ ...options, dataDir, port: 0 });
    const port = relay.port;
    let stopped: Promise<void> | null = null;
    const stop = () => {
      stopped ??= relay.close();
      return stopped;
    };
    const restart = async () => {
      await stop();
      relay = await startRelay({ ...options, dataDir, port });
      stopped = null;
    };
    await use({ port: relay.port, wsUrl: relay.wsUrl, httpUrl: relay.httpUrl, dataDir, stop, restart });
    await stop();
    if (testInfo.status !== testInfo.expectedStatus && logLines.length > 0) {
      await testInfo.attach('relay.log', { body: logLines.join('\n'), contentType: 'text/plain' });
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  },

  signIn: async ({ browser, relay }, use) => {
    const started: { host: WebHost; context: BrowserContext; dataDir: string }[] = [];
    await use(async (user, options = {}) => {
      // Loaded on first use, so specs that only drive the customer page do not load the agent client.
      const { startWebHost } = await import('../../main/web/host');
      const dataDir = tempDir(`web-${user}`);
      const startHost = (port: number) =>
        startWebHost({ relayUrl: relay.wsUrl, user, password: DEMO_PASSWORD, port, dataDir, rendererDir: process.env.BATON_E2E_RENDERER_DIR });
      const host = await startHost(0);
      const context = await browser.newContext({ permissions: ['notifications'] });
      started.push({ host, context, dataDir });
      if (options.initScript) await context.addInitScript(options.initScript);
      const page = await context.newPage();
      await page.goto(host.url);
      const name = displayName[user];
      await expect(page.getByRole('banner')).toContainText(name);
      await expect(connectionIndicator(page)).toContainText('Online');
      const agent: Agent = {
        user,
        name,
        page,
        context,
        host,
        dataDir,
        restartHost: async ({ samePort = false } = {}) => {
          const old = agent.host;
          await old.close();
          agent.host = await startHost(samePort ? old.port : 0);
          started.push({ host: agent.host, context, dataDir });
          return agent.host;
        },
      };
      return agent;
    });
    for (const { host, context, dataDir } of started.reverse()) {
      await context.close();
      await host.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },

  openCustomerPage: async ({ browser, relay }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async ({ offline = false } = {}) => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${relay.httpUrl}/chat`);
      await expect(page.getByRole('button', { name: offline ? 'Send message' : 'Start chat' })).toBeVisible();
      return page;
    });
    for (const context of contexts) await context.close();
  },

  startChat: async ({ openCustomerPage }, use) => {
    await use(async (customerName, firstMessage) => {
      const page = await openCustomerPage();
      await page.getByRole('textbox', { name: 'Your name' }).fill(customerName);
      await page.getByRole('textbox', { name: 'Message' }).fill(firstMessage);
      await page.getByRole('button', { name: 'Start chat' }).click();
      await expect(page.getByRole('log')).toContainText(firstMessage);
      return { name: customerName, page, context: page.context() };
    });
  },
});

// ---------------------------------------------------------------------------------------------
// Locators named by the accessible-name contract, shared by the specs.

export const connectionIndicator = (page: Page): Locator => page.getByRole('status', { name: 'Connection' });

export const sessionsList = (page: Page): Locator => page.getByRole('listbox', { name: 'Sessions' });

export const sessionOption = (page: Page, customerName: string): Locator =>
  sessionsList(page).getByRole('option').filter({ hasText: customerName });

export const conversation = (page: Page, customerName: string): Locator =>
  page.getByRole('region', { name: `Conversation with ${customerName}` });

export const transcriptOf = (page: Page, customerName: string): Locator => conversation(page, customerName).getByRole('log');

export const composerOf = (page: Page, customerName: string): Locator =>
  conversation(page, customerName).getByRole('textbox', { name: 'Message' });

/** Opens a chat in the sessions list and waits for its conversation. */
export async function openSession(agent: Agent, customerName: string): Promise<void> {
  await sessionOption(agent.page, customerName).click();
  await expect(conversation(agent.page, customerName)).toBeVisible();
}

/** Writes a message in the open conversation and waits for it to show as sent (no "Sending…"). */
export async function sendAsAgent(agent: Agent, customerName: string, text: string): Promise<void> {
  const composer = composerOf(agent.page, customerName);
  await composer.fill(text);
  await conversation(agent.page, customerName).getByRole('button', { name: 'Send' }).click();
  await expect(transcriptOf(agent.page, customerName)).toContainText(text);
  await expect(composer).toHaveValue('');
}

export async function chooseFromChatMenu(agent: Agent, customerName: string, item: string): Promise<void> {
  await conversation(agent.page, customerName).getByRole('button', { name: 'Chat menu' }).click();
  await agent.page.getByRole('menu').getByRole('menuitem', { name: item }).click();
}

/** Answers the question asked before what cannot be undone (Take over, Close chat): its dialog, then its button. */
export async function confirmWith(page: Page, title: string, button: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: title });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await expect(dialog).toBeHidden();
}

/** Chat menu → Close chat → Close chat in the question that follows. */
export async function closeChat(agent: Agent, customerName: string): Promise<void> {
  await chooseFromChatMenu(agent, customerName, 'Close chat');
  await confirmWith(agent.page, 'Close this chat?', 'Close chat');
}

export const transferDialog = (page: Page): Locator => page.getByRole('dialog', { name: 'Transfer chat' });

/** Chat menu → Transfer → Transfer to: <target> → (note) → Transfer; waits for the dialog to close. */
export async function offerTransfer(from: Agent, customerName: string, to: Agent, note?: string): Promise<void> {
  await chooseFromChatMenu(from, customerName, 'Transfer');
  const dialog = transferDialog(from.page);
  await expect(dialog).toBeVisible();
  await transferTarget(from.page, to.name).click();
  if (note !== undefined) await dialog.getByLabel('Note (optional)').fill(note);
  await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(dialog).toBeHidden();
}

/** One agent in the dialog's Transfer to list (a listbox of options, or a radiogroup of radios). */
export const transferTarget = (page: Page, agentName: string): Locator =>
  transferDialog(page)
    .getByRole('listbox', { name: 'Transfer to' })
    .getByRole('option', { name: agentName })
    .or(transferDialog(page).getByRole('radiogroup', { name: 'Transfer to' }).getByRole('radio', { name: agentName }));

/** Customer side: send a message from the chat page and wait until the relay has it (no "Sending…"). */
export async function sendAsCustomer(customer: Customer, text: string): Promise<void> {
  await customer.page.getByRole('textbox', { name: 'Message' }).fill(text);
  await customer.page.getByRole('button', { name: 'Send' }).click();
  const line = customer.page.getByRole('log').locator('.line.message').filter({ hasText: text });
  await expect(line).toBeVisible();
  await expect(line).not.toHaveClass(/pending/);
}

/**
 * Starts a chat that lands with `owner`: with only the owner signed in and Present, the relay has nobody else to
 * route it to. Waits until the owner's sessions list shows it and opens it.
 */
export async function chatOwnedBy(
  owner: Agent,
  startChat: Fixtures['startChat'],
  customerName: string,
  firstMessage: string,
): Promise<Customer> {
  const customer = await startChat(customerName, firstMessage);
  await expect(sessionOption(owner.page, customerName)).toBeVisible();
  await openSession(owner, customerName);
  await expect(transcriptOf(owner.page, customerName)).toContainText(firstMessage);
  await expect(customer.page.getByRole('log')).toContainText(`${owner.name} joined the chat`);
  return customer;
}

export type RecordedNotification = { title: string; body: string };

/** An init script: records every notification the page raises, then lets the real API show it. */
export function recordNotifications(): void {
  const recorded: { title: string; body: string }[] = [];
  Object.defineProperty(window, '__batonNotifications', { value: recorded });
  const Original = window.Notification;
  class RecordingNotification extends Original {
    constructor(title: string, options?: NotificationOptions) {
      recorded.push({ title, body: options?.body ?? '' });
      super(title, options);
    }
  }
  Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true, writable: true });
}

/** What `recordNotifications` recorded in this page so far. */
export const recordedNotifications = (page: Page): Promise<RecordedNotification[]> =>
  page.evaluate(() => (window as unknown as { __batonNotifications: RecordedNotification[] }).__batonNotifications);

/** A PNG the browser draws itself (a real image for the relay's sniffer and the previews): a red bar with a title. */
export async function drawnPng(page: Page, size: { width: number; height: number }, title = '', detail = ''): Promise<Buffer> {
  const data = await page.evaluate(
    ({ width, height, title, detail }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#f4f6fb';
      g.fillRect(0, 0, width, height);
      g.fillStyle = '#d93025';
      g.fillRect(width / 18, height / 10, (width * 8) / 9, height / 4.5);
      g.fillStyle = '#ffffff';
      g.font = 'bold 20px sans-serif';
      g.fillText(title, width / 10, height / 4);
      g.fillStyle = '#5f6368';
      g.font = '16px sans-serif';
      g.fillText(detail, width / 10, height / 1.8);
      return canvas.toDataURL('image/png').split(',')[1]!;
    },
    { ...size, title, detail },
  );
  return Buffer.from(data, 'base64');
}
