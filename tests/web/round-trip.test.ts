// Web mode end to end below the browser: a real relay, real web hosts with the real client core, and `ws`
// standing in for each agent's page.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClientEvent } from '../../common/bridge';
import { startWebHost, type WebHost } from '../../main/web/host';
import { type RunningRelay, startRelay } from '../../relay/server';
import { createWebBridge, LOST_HOST_REASON } from '../../renderer/bridge/web';
import { type BridgePage, bridgeUrlOf, makeRendererDir, openBridge, originOf, tempDir } from './helpers';
import WebSocket from 'ws';

let relay: RunningRelay;
let aliceHost: WebHost;
let bobHost: WebHost;

/** The page's own bridge (createWebBridge) to a host, over `ws`, with fast retries; sockets and events recorded. */
function pageBridge(pageUrl: string) {
  const origin = originOf(pageUrl);
  const sockets: WebSocket[] = [];
  const bridge = createWebBridge({
    url: bridgeUrlOf(pageUrl),
    createSocket: (url) => {
      const ws = new WebSocket(url, { origin });
      sockets.push(ws);
      return ws as never;
    },
    notifications: undefined,
    minDelayMs: 5,
    maxDelayMs: 20,
  });
  const events: ClientEvent[] = [];
  bridge.onEvent((event) => events.push(event));
  return { bridge, sockets, events };
}

async function pageFor(host: WebHost): Promise<BridgePage> {
  const attempt = await openBridge(bridgeUrlOf(host.url), originOf(host.url));
  if (!attempt.ok) throw new Error(`bridge refused with ${attempt.status}`);
  return attempt.page;
}

beforeAll(async () => {
  relay = await startRelay({ dataDir: tempDir(), port: 0, demo: true, log: () => {} });
  const { rendererDir } = makeRendererDir();
  aliceHost = await startWebHost({ relayUrl: relay.wsUrl, user: 'alice', password: 'demo', dataDir: tempDir(), rendererDir, port: 0 });
  bobHost = await startWebHost({ relayUrl: relay.wsUrl, user: 'bob', password: 'demo', dataDir: tempDir(), rendererDir, port: 0 });
});

afterAll(async () => {
  await aliceHost?.close();
  await bobHost?.close();
  await relay?.close();
});

describe('web mode with a real relay', () => {
  it('a host started with user and password is signed in before the page opens', async () => {
    const page = await pageFor(aliceHost);
    const snapshot = await page.invoke('app:snapshot', {});
    expect(snapshot.ok).toBe(true);
    if (snapshot.ok) {
      const value = snapshot.value as { me: { id: string } | null; connection: { status: string } };
      expect(value.me?.id).toBe('alice');
      expect(value.connection.status).toBe('online');
    }
    page.close();
  });

  it("a status change through one agent's page reaches another agent's page as a presence event", async () => {
    const alice = await pageFor(aliceHost);
    const bob = await pageFor(bobHost);
    const isAlice = (status: string) => (event: ClientEvent) =>
      event.type === 'presence' && event.agent.id === 'alice' && event.agent.status === status;
    expect(await alice.invoke('agent:setStatus', { status: 'away' })).toEqual({ ok: true, value: null });
    await bob.waitForEvent(isAlice('away'));
    const from = bob.events.length;
    expect(await alice.invoke('agent:setStatus', { status: 'present' })).toEqual({ ok: true, value: null });
    const seen = await bob.waitForEvent(isAlice('present'), from);
    expect(seen.type).toBe('presence');
    alice.close();
    bob.close();
  });

  it('a wrong password at start fails with a readable error and leaves nothing listening', async () => {
    const { rendererDir } = makeRendererDir();
    await expect(
      startWebHost({ relayUrl: relay.wsUrl, user: 'carol', password: 'wrong', dataDir: tempDir(), rendererDir, port: 0 }),
    ).rejects.toThrow(`Could not sign in as carol at ${relay.wsUrl}: Wrong user name or password.`);
  });

  it('a host restarted while the relay is down opens on the account\'s cache and signs in when the relay is back', async () => {
    const relayDir = tempDir();
    const first = await startRelay({ dataDir: relayDir, port: 0, demo: true, log: () => {} });
    const { rendererDir } = makeRendererDir();
    const dataDir = tempDir();
    const before = await startWebHost({ relayUrl: first.wsUrl, user: 'carol', password: 'demo', dataDir, rendererDir, port: 0 });
    await before.close();
    await first.close();

    const lines: string[] = [];
    const after = await startWebHost({ relayUrl: first.wsUrl, user: 'carol', password: 'demo', dataDir, rendererDir, port: 0, log: (l) => lines.push(l) });
    try {
      expect(lines.join('\n')).toContain(`The relay at ${first.wsUrl} did not answer. Baton opens on carol's cache`);
      const page = await pageFor(after);
      const snapshot = await page.invoke('app:snapshot', {});
      expect(snapshot.ok && (snapshot.value as { me: { id: string } | null }).me?.id).toBe('carol');
      const back = await startRelay({ dataDir: relayDir, port: first.port, demo: true, log: () => {} });
      try {
        await page.waitForEvent((e) => e.type === 'connection' && e.connection.status === 'online');
      } finally {
        page.close();
        await back.close();
      }
    } finally {
      await after.close();
    }
  });

  it("an old page after a host restart is told its link expired, instead of reconnecting forever", async () => {
    const { rendererDir } = makeRendererDir();
    const dataDir = tempDir();
    const old = await startWebHost({ dataDir, rendererDir, port: 0 });
    const oldUrl = old.url;
    const { bridge, sockets, events } = pageBridge(oldUrl);
    expect((await bridge.invoke('app:snapshot', {})).ok).toBe(true);
    await old.close();
    // while nothing listens, the page keeps trying (the host may be coming back)
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'connection').length).toBeGreaterThanOrEqual(2));
    const restarted = await startWebHost({ dataDir, rendererDir, port: old.port });
    try {
      await vi.waitFor(() => expect(events.some((e) => e.type === 'link-expired')).toBe(true));
      const expired = events.find((e) => e.type === 'link-expired');
      expect(expired).toEqual({ type: 'link-expired', message: expect.stringMatching(/^Baton was restarted on this computer/) });
      const tries = sockets.length;
      const answer = await bridge.invoke('auth:saved', {});
      expect(!answer.ok && answer.error.message).toMatch(/no longer works/);
      // no more reconnecting once the link is known dead: three times the longest retry delay passes without a socket
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(sockets.length).toBe(tries);
      expect(new URL(restarted.url).searchParams.get('token')).not.toBe(new URL(oldUrl).searchParams.get('token'));
    } finally {
      bridge.dispose();
      await restarted.close();
    }
  });

  it("the page's bridge (createWebBridge) correlates invokes and reports losing the host", async () => {
    const { bridge, sockets, events } = pageBridge(aliceHost.url);
    const [saved, snapshot] = await Promise.all([bridge.invoke('auth:saved', {}), bridge.invoke('app:snapshot', {})]);
    expect(saved.ok && saved.value.user).toBe('alice');
    expect(snapshot.ok && snapshot.value.me?.id).toBe('alice');

    // The local socket drops: the page is told, then it reconnects and redraws from a fresh snapshot.
    sockets[0]!.terminate();
    await vi.waitFor(() =>
      expect(events.some((e) => e.type === 'connection' && e.connection.status === 'offline' && e.connection.reason === LOST_HOST_REASON)).toBe(true),
    );
    await vi.waitFor(() => expect(events.some((e) => e.type === 'snapshot')).toBe(true));
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    const again = await bridge.invoke('auth:saved', {});
    expect(again.ok).toBe(true);
    bridge.dispose();
  });
});

