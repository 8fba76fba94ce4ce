// Bad input at the relay's edge: every kind is answered or refused clearly, and other connections keep working.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';
import {
  connectAgent,
  connectCustomer,
  type Frame,
  messageId,
  openSocket,
  removeDir,
  startTestRelay,
  TestClient,
  type TestRelay,
  tempDir,
} from './helpers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relayWith(options: Parameters<typeof startTestRelay>[0] = {}) {
  const relay = await startTestRelay(options);
  cleanups.push(async () => {
    await relay.close();
    removeDir(relay.dataDir);
  });
  return relay;
}

function track<T extends TestClient>(client: T): T {
  cleanups.push(() => client.close());
  return client;
}

/** alice owns a chat; the relay keeps serving her while someone else misbehaves. */
async function bystander(relay: TestRelay) {
  const alice = track(await connectAgent(relay, 'alice'));
  const customer = track(await connectCustomer(relay, { name: 'Dana' }));
  await alice.event('assigned', customer.sessionId);
  return {
    alice,
    customer,
    async stillServed() {
      const text = `still here ${messageId()}`;
      await customer.ok({ type: 'customer-send', messageId: messageId(), text });
      await alice.eventWhere((e) => e.text === text);
      await alice.ok({ type: 'send', sessionId: customer.sessionId, messageId: messageId(), text: 'yes' });
    },
  };
}

describe('bad frames', () => {
  it('not JSON, unknown type, wrong fields and commands before hello each get a bad-frame error', async () => {
    const relay = await relayWith();
    const { stillServed } = await bystander(relay);
    const bob = track(await connectAgent(relay, 'bob'));
    bob.send('this is not json {');
    expect(await bob.next((f) => f.type === 'error')).toEqual({ type: 'error', code: 'bad-frame', message: 'frame is not valid JSON' });
    expect(await bob.command({ type: 'launch-rockets' })).toMatchObject({ type: 'error', code: 'bad-frame' });
    const wrong = await bob.command({ type: 'send', sessionId: 'x', text: 42 });
    expect(wrong).toMatchObject({ type: 'error', code: 'bad-frame' });
    expect(wrong.message).toMatch(/messageId|text/);
    bob.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await bob.next((f) => f.type === 'error' && /Binary/.test(f.message))).toMatchObject({ code: 'bad-frame' });
    expect(await bob.command({ type: 'hello', protocol: PROTOCOL_VERSION })).toMatchObject({ code: 'bad-frame' });

    const early = track(await connectAgent(relay, 'carol', { hello: false }));
    expect(await early.command({ type: 'list-requests' })).toMatchObject({ code: 'bad-frame', message: 'The first frame must be hello.' });
    const customer = track(new TestClient(await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`), 'anon'));
    expect(await customer.command({ type: 'customer-send', messageId: messageId(), text: 'hi' })).toMatchObject({ code: 'bad-frame' });
    expect(await customer.command({ type: 'customer-hello', protocol: PROTOCOL_VERSION })).toMatchObject({ code: 'bad-frame' });
    expect(await customer.command({ type: 'customer-hello', protocol: PROTOCOL_VERSION, token: 'x'.repeat(40) })).toMatchObject({
      code: 'not-found',
    });
    await stillServed();
    await bob.ok({ type: 'list-requests' });
  });

  it('a frame over the size cap closes that connection with 1009 and a reason', async () => {
    const relay = await relayWith({ maxFrameBytes: 4096 });
    const { stillServed } = await bystander(relay);
    const bob = track(await connectAgent(relay, 'bob'));
    bob.send({ type: 'list-requests', id: 'big', padding: 'x'.repeat(10_000) });
    expect(await bob.closed).toEqual({ code: 1009, reason: 'frame larger than 4096 bytes' });
    await stillServed();
  });

  it('too many frames get rate-limited errors, and a connection that keeps flooding is closed with 4008', async () => {
    const relay = await relayWith({ rateLimit: { perSecond: 2, burst: 5 } });
    const bob = track(await connectAgent(relay, 'bob'));
    const alice = track(await connectAgent(relay, 'alice'));
    for (let i = 0; i < 8; i++) bob.fire({ type: 'list-requests' });
    expect(await bob.next((f) => f.type === 'error' && f.code === 'rate-limited')).toBeTruthy();
    for (let i = 0; i < 20; i++) bob.fire({ type: 'list-requests' });
    expect(await bob.closed).toMatchObject({ code: 4008 });
    expect(await alice.ok({ type: 'list-requests' })).toEqual({ requests: [] });
  });

  it('a client of another protocol version gets unsupported-protocol and close 4002', async () => {
    const relay = await relayWith();
    const bob = track(await connectAgent(relay, 'bob', { hello: false }));
    expect(await bob.command({ type: 'hello', protocol: 99, resume: {}, futureField: true })).toMatchObject({
      code: 'unsupported-protocol',
      message: expect.stringContaining('protocol 1'),
    });
    expect(await bob.closed).toMatchObject({ code: 4002, reason: expect.stringContaining('unsupported protocol') });
    const customer = track(new TestClient(await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`), 'anon'));
    expect(await customer.command({ type: 'customer-hello', protocol: 0, name: 'Old' })).toMatchObject({
      code: 'unsupported-protocol',
    });
    expect(await customer.closed).toMatchObject({ code: 4002 });
  });
});

describe('the upgrade', () => {
  it('bad or missing credentials get HTTP 401, no socket, and a log line', async () => {
    const relay = await relayWith();
    await expect(openSocket(`${relay.wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('alice', 'wrong') })).rejects.toMatchObject({
      status: 401,
    });
    await expect(openSocket(`${relay.wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('nobody', 'demo') })).rejects.toMatchObject({
      status: 401,
    });
    await expect(openSocket(`${relay.wsUrl}${AGENT_PATH}`)).rejects.toMatchObject({ status: 401 });
    expect(relay.logs.filter((l) => l.event === 'auth-failed').map((l) => l.user)).toEqual(['alice', 'nobody', null]);
    expect(relay.logs.some((l) => l.event === 'connection-open')).toBe(false);
  });

  it('browser clients from another Origin are refused; the relay’s own origin is accepted', async () => {
    const relay = await relayWith();
    await expect(openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, { Origin: 'https://evil.example' })).rejects.toMatchObject({
      status: 403,
    });
    const customer = track(await connectCustomer(relay, { name: 'Dana' }, { Origin: relay.httpUrl }));
    expect(customer.sessionId).toMatch(/^ses_/);
    expect(relay.logs.find((l) => l.event === 'origin-refused')).toMatchObject({ origin: 'https://evil.example' });
  });

  it('a peer that stops answering pings is terminated', async () => {
    const relay = await relayWith({ heartbeatMs: 50 });
    const silent = new WebSocket(`${relay.wsUrl}${AGENT_PATH}`, {
      headers: { Authorization: basicAuthHeader('bob', 'demo') },
      autoPong: false,
    });
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    await new Promise((resolve) => silent.once('open', resolve));
    expect(await closed).toBe(1006);
    expect(relay.logs.some((l) => l.event === 'heartbeat-timeout')).toBe(true);
  });

  it('the heartbeat pings a slice of the connections at a time, each once per period, and still ends a silent one', async () => {
    // 1,000 ms: four slices of 250 ms. All at once, 2,000 pings and their pongs stalled both sides for tens of ms.
    const relay = await relayWith({ heartbeatMs: 1000 });
    const started = Date.now();
    const pings: number[][] = [];
    const sockets = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const ws = new WebSocket(`${relay.wsUrl}${AGENT_PATH}`, { headers: { Authorization: basicAuthHeader('bob', 'demo') } });
        pings[i] = [];
        ws.on('ping', () => pings[i]!.push(Date.now() - started));
        cleanups.push(async () => ws.terminate());
        await new Promise((resolve) => ws.once('open', resolve));
        return ws;
      }),
    );
    const silent = new WebSocket(`${relay.wsUrl}${AGENT_PATH}`, {
      headers: { Authorization: basicAuthHeader('bob', 'demo') },
      autoPong: false,
    });
    const closedAfter = new Promise<number>((resolve) => silent.on('close', () => resolve(Date.now() - started)));
    await new Promise((resolve) => silent.once('open', resolve));
    // the silent one is pinged once, then ended at its next turn: within two periods and a tick
    expect(await closedAfter).toBeLessThan(3000);
    await new Promise((resolve) => setTimeout(resolve, 2300 - (Date.now() - started)));
    // every connection that answers is pinged about once a period and stays open
    for (const [i, ws] of sockets.entries()) {
      expect(ws.readyState).toBe(WebSocket.OPEN);
      expect(pings[i]!.length).toBeGreaterThanOrEqual(1);
      expect(pings[i]!.length).toBeLessThanOrEqual(4);
    }
    // and not all in the same tick: the first pings of the eight fall in different slices
    const firsts = pings.map((times) => times[0]!);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThanOrEqual(400);
  });

  it('a connection that does not read is closed as a slow consumer instead of buffering without end', async () => {
    const relay = await relayWith({ maxBufferedBytes: 256 * 1024, rateLimit: { perSecond: 1000, burst: 1000 } });
    const { alice, customer, stillServed } = await bystander(relay);
    const big = 'x'.repeat(7900);
    for (let i = 0; i < 40; i++) await alice.ok({ type: 'send', sessionId: customer.sessionId, messageId: messageId(), text: big });
    const reader = track(await connectAgent(relay, 'maria'));
    reader.ws.pause();
    for (let i = 0; i < 60; i++) reader.fire({ type: 'fetch-events', sessionId: customer.sessionId, afterSeq: 0 });
    reader.ws.resume();
    expect(await reader.closed).toMatchObject({ code: 1008, reason: expect.stringContaining('slow consumer') });
    await stillServed();
  });
});

describe('http', () => {
  it('GET /health reports status, protocol, connections and session counts', async () => {
    const relay = await relayWith();
    await bystander(relay);
    const res = await fetch(`${relay.httpUrl}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Frame;
    expect(body).toMatchObject({ status: 'ok', protocol: PROTOCOL_VERSION, connections: 2, sessions: { queued: 0, active: 1 } });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect((await fetch(`${relay.httpUrl}/nothing-here`)).status).toBe(404);
  });

  it('serves the customer page under /chat with content types and a strict CSP, and nothing outside it', async () => {
    const pageDir = tempDir();
    cleanups.push(() => removeDir(pageDir));
    fs.writeFileSync(path.join(pageDir, 'index.html'), '<!doctype html><title>Chat</title>');
    fs.writeFileSync(path.join(pageDir, 'app.js'), 'console.log(1)');
    const relay = await relayWith({ customerPageDir: pageDir });
    const page = await fetch(`${relay.httpUrl}/chat`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('<title>Chat</title>');
    const script = await fetch(`${relay.httpUrl}/chat/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${relay.httpUrl}/chat/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${relay.httpUrl}/chat/.hidden`)).status).toBe(404);
    expect((await fetch(`${relay.httpUrl}/chat/missing.js`)).status).toBe(404);
  });
});
