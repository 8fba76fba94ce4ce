// The desktop smoke suite: the built app in real Electron (Playwright's _electron), a relay started by the test,
// the customer on the real chat page. Sign in, receive a chat, receive a transfer, accept it through the
// notification service's action path, close the window, reopen it offline and read History. Run it with
// `npm run test:desktop`; tests/electron/smoke.test.ts tells the same story with `electron` mocked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import type { RelayFrame } from '../../common/protocol';
import type { BatonTestHooks } from '../../main/electron/main';
import { DEMO_PASSWORD } from '../../relay/demo';
import { findElectronBinary } from '../../scripts/test-desktop';
import { connectionIndicator, conversation, displayName, expect, sessionOption, test as e2e, transcriptOf } from '../e2e/fixtures';
import { connectScriptedAgent } from '../e2e/scripted-agent';

const root = path.resolve(import.meta.dirname, '../..');

interface Desktop {
  app: ElectronApplication;
  window: Page;
  /** ids of the notifications the app's notification service has open */
  notifications(): Promise<string[]>;
  windowVisible(): Promise<boolean>;
}

/** Run directly (not through npm run test:desktop) on a machine without Electron: a failure that says why. */
function electronOrThrow(): string {
  const binary = findElectronBinary(root);
  if (!binary.ok) throw new Error(`Electron binary missing (${binary.reason}); npm run test:desktop reports this as NOT RUN.`);
  return binary.path;
}

const test = e2e.extend<{ desktop: Desktop }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature needs the destructuring.
  desktop: async ({}, use, testInfo) => {
    const executablePath = process.env.BATON_ELECTRON_PATH ?? electronOrThrow();
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-desktop-'));
    const app = await _electron.launch({
      executablePath,
      // Chromium refuses its sandbox to root (CI containers); anywhere else the OS sandbox stays on.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
      env: { ...process.env, BATON_USER_DATA_DIR: userData, BATON_TEST_HOOKS: '1', BATON_DEMO_RELAY_PORT: '0' },
      timeout: 30_000,
    });
    const output: string[] = [];
    app.process().stdout?.on('data', (chunk) => output.push(String(chunk)));
    app.process().stderr?.on('data', (chunk) => output.push(String(chunk)));
    const window = await app.firstWindow();
    await use({
      app,
      window,
      notifications: () =>
        app.evaluate(() => (globalThis as unknown as { __batonTestHooks?: BatonTestHooks }).__batonTestHooks?.notifier.shownIds() ?? []),
      windowVisible: () => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? false),
    });
    await app.close();
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('electron.log', { body: output.join(''), contentType: 'text/plain' });
    fs.rmSync(userData, { recursive: true, force: true });
  },
});

type SessionFrame = Extract<RelayFrame, { type: 'session' }>;
const sessionFrame =
  (customerName: string, ownerId: string) =>
  (frame: RelayFrame): frame is SessionFrame =>
    frame.type === 'session' && frame.session.customerName === customerName && frame.session.ownerId === ownerId;

test('sign in, receive a chat and a transfer, accept it from its notification, close the window, reopen offline, read History', async ({
  relay,
  startChat,
  desktop,
}) => {
  const page = desktop.window;
  await page.getByLabel('Relay address').fill(relay.wsUrl);
  await page.getByLabel('User name').fill('bob');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText(displayName.bob);
  await expect(connectionIndicator(page)).toContainText('Online');

  // A chat: with only Bob signed in it is his, with an OS notification.
  await startChat('Dana Whitfield', 'My invoice shows the wrong amount.');
  await expect(sessionOption(page, 'Dana Whitfield')).toBeVisible();
  await expect.poll(() => desktop.notifications()).toContainEqual(expect.stringMatching(/^chat-/));

  // A transfer: Alice (fewer chats, so the next one is hers) offers Ravi's chat to Bob.
  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  try {
    const ravi = await startChat('Ravi Patel', 'Can I get a refund for order 4471?');
    const { session } = await alice.waitFor(sessionFrame('Ravi Patel', 'alice'));
    const { transferId } = (await alice.command({ type: 'offer-transfer', sessionId: session.id, to: 'bob' })) as { transferId: string };
    await expect(sessionOption(page, 'Ravi Patel')).toContainText(`Transfer from ${displayName.alice}`);
    const offer = `transfer-${transferId}`;
    await expect.poll(() => desktop.notifications()).toContain(offer);

    // Accept through the notification service's action path: what a press on Accept transfer calls on every OS.
    await desktop.app.evaluate(
      (_electron, id) => (globalThis as unknown as { __batonTestHooks: BatonTestHooks }).__batonTestHooks.notifier.activate(id, 'accept'),
      offer,
    );
    await alice.waitFor(sessionFrame('Ravi Patel', 'bob'));
    await expect(sessionOption(page, 'Ravi Patel')).not.toContainText(`Transfer from ${displayName.alice}`);
    await expect.poll(() => desktop.notifications()).not.toContain(offer);
    await sessionOption(page, 'Ravi Patel').click();
    await expect(transcriptOf(page, 'Ravi Patel')).toContainText(`Transferred from ${displayName.alice} to ${displayName.bob}`);

    // Bob closes the chat, so History has it.
    await conversation(page, 'Ravi Patel').getByRole('button', { name: 'Chat menu' }).click();
    await page.getByRole('menu').getByRole('menuitem', { name: 'Close chat' }).click();
    await expect(ravi.page.getByRole('log')).toContainText('The chat has ended.');
  } finally {
    await alice.close();
  }

  // Closing the window keeps Baton in the tray; then the relay goes away.
  await desktop.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => desktop.windowVisible()).toBe(false);
  await relay.stop();

  // Reopen it (what the dock, the tray's Show Baton and a second launch do) and read History offline.
  await desktop.app.evaluate(({ app }) => app.emit('activate'));
  await expect.poll(() => desktop.windowVisible()).toBe(true);
  await expect(connectionIndicator(page)).not.toContainText('Online');
  await page.getByRole('tab', { name: 'History' }).click();
  const closedChats = page.getByRole('list', { name: 'Closed chats' });
  await expect(closedChats).toContainText('Ravi Patel');
  await closedChats.getByRole('listitem').filter({ hasText: 'Ravi Patel' }).click();
  const panel = page.getByRole('tabpanel');
  await expect(panel).toContainText('Can I get a refund for order 4471?');
  await expect(panel).toContainText(`Chat closed by ${displayName.bob}`);
});
