// End-to-end: the customer page when the relay says "reconnect now" (close code 4012, sent by a relay that drains for a
// restart): it reconnects at once, shows no countdown, and carries on in the same chat; any other close gets the
// backoff and its countdown, as before.
import type { Page, WebSocketRoute } from '@playwright/test';
import { displayName, expect, test } from './fixtures';
import { connectScriptedAgent } from './scripted-agent';

/** Every text the connection line showed from now on, recorded in the page. */
async function recordConnectionLine(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const line = document.getElementById('connection')!;
    const seen: string[] = [];
    (window as unknown as { connectionTexts: string[] }).connectionTexts = seen;
    new MutationObserver(() => seen.push(line.hidden ? '' : (line.textContent ?? ''))).observe(line, {
      childList: true,
      characterData: true,
      subtree: true,
      attributes: true,
    });
  });
  return () => page.evaluate(() => (window as unknown as { connectionTexts: string[] }).connectionTexts);
}

test('after 4012 the customer page reconnects at once, without a countdown, and the chat goes on', async ({ relay, openCustomerPage }) => {
  const page = await openCustomerPage();
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/customer$/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  try {
    await page.getByRole('textbox', { name: 'Your name' }).fill('Ines Duarte');
    await page.getByRole('textbox', { name: 'Message' }).fill('Is my order on its way?');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Chatting with ${displayName.alice}` })).toBeVisible();
    expect(sockets).toHaveLength(1);
    const texts = await recordConnectionLine(page);

    await sockets[0]!.close({ code: 4012, reason: 'the relay is restarting; reconnect now' });
    await expect.poll(() => sockets.length).toBe(2);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('Still there?');
    await box.press('Enter');
    const line = await alice.waitFor((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'Still there?');
    const sessionId = (line as { event: { sessionId: string } }).event.sessionId;
    await alice.command({ type: 'send', sessionId, messageId: 'msg-e2e-ops-0001', text: 'Yes, it ships today.' });
    const log = page.getByRole('log');
    await expect(log).toContainText('Yes, it ships today.');
    await expect(log.locator('.line').filter({ hasText: 'Is my order on its way?' })).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Start chat' })).toBeHidden();
    expect((await texts()).filter((text) => /Reconnecting in|Connecting/.test(text))).toEqual([]);

    // any other close: the backoff, and the countdown that says so
    await sockets[1]!.close({ code: 1011, reason: 'internal error' });
    await expect(page.getByRole('status', { name: 'Connection' })).toContainText(/Connection lost\. Reconnecting in \d+ s…/);
    await expect.poll(() => sockets.length, { timeout: 20_000 }).toBe(3);
    await expect(page.getByRole('status', { name: 'Connection' })).toBeHidden();
  } finally {
    await alice.close();
  }
});
