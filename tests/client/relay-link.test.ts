// RelayLink against a scripted relay: auth header, resume, bad frames, version mismatch, command answers, heartbeat,
// reconnect states and backoff, stop. (tests/client/delivery.test.ts runs it against the real relay.)
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ConnectionState } from '../../common/bridge';
import type { AgentInfo } from '../../common/domain';
import { PROTOCOL_VERSION, type RelayFrame } from '../../common/protocol';
import { agentUrl, defaultTuning, RelayLink, type RelayLinkOptions } from '../../main/client/relay-link';
import { fastTuning } from './harness';
import { startTcpProxy } from './tcp-proxy';

const me: AgentInfo = { id: 'alice', name: 'Alice', role: 'agent', canListenIn: false, status: 'present', openChats: 0 };
const epoch = 1_700_000_000_000;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

interface Hello {
  id: string;
  resume: Record<string, number>;
}

/** A scripted stand-in for the relay: `onHello` decides how each connection is greeted. */
async function fakeRelay(
  onHello: (socket: WebSocket, hello: Hello) => void,
  options: { autoPong?: boolean; refuse?: (authorization: string | undefined) => number | null } = {},
) {
  const { refuse } = options;
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    autoPong: options.autoPong ?? true,
    ...(refuse
      ? {
          verifyClient: (info: { req: http.IncomingMessage }, done: (ok: boolean, status?: number) => void) => {
            const status = refuse(info.req.headers.authorization);
            if (status === null) done(true);
            else done(false, status);
          },
        }
      : {}),
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  const headers: (string | undefined)[] = [];
  const extensions: (string | undefined)[] = [];
  const hellos: Hello[] = [];
  const pongs: number[] = [];
  const pings: number[] = [];
  const closes: { code: number; reason: string }[] = [];
  const commands: { type: string; id: string }[] = [];
  server.on('connection', (socket, req) => {
    sockets.push(socket);
    headers.push(req.headers.authorization);
    extensions.push(req.headers['sec-websocket-extensions']);
    socket.on('ping', () => pings.push(sockets.indexOf(socket)));
    socket.on('pong', () => pongs.push(sockets.indexOf(socket)));
    socket.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'hello') {
        hellos.push(frame);
        onHello(socket, frame);
      } else commands.push(frame);
    });
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  cleanups.push(() => {
    for (const s of sockets) s.terminate();
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `ws://127.0.0.1:${port}`, port, sockets, headers, extensions, hellos, pings, pongs, closes, commands };
}

const welcome = (id: string, protocol = PROTOCOL_VERSION): RelayFrame => ({ type: 'welcome', id, protocol, serverTime: 1, me, agents: [me], sessions: [] });
const greet = (socket: WebSocket, hello: Hello) => socket.send(JSON.stringify(welcome(hello.id)));
const presence = (status: AgentInfo['status']) => JSON.stringify({ type: 'presence', agent: { ...me, status } });

function link(url: string, extra: Partial<RelayLinkOptions> = {}) {
  const frames: RelayFrame[] = [];
  const states: ConnectionState[] = [];
  const logs: Record<string, unknown>[] = [];
  const l = new RelayLink({
    relayUrl: url,
    user: 'alice',
    password: 'pa:ss',
    resume: () => ({ s1: 4 }),
    onWelcome: () => {},
    onFrame: (f) => frames.push(f),
    log: (e) => logs.push(e),
    tuning: fastTuning,
    ...extra,
  });
  l.onState((s) => states.push(s));
  cleanups.push(() => l.stop());
  return { link: l, frames, states, logs };
}

/** An HTTP server that answers every upgrade with `status` (and `headers`); counts the attempts. */
async function httpRelay(status: number, headers = '') {
  let attempts = 0;
  const server = http.createServer();
  server.on('upgrade', (_req, socket) => {
    attempts += 1;
    socket.end(`HTTP/1.1 ${status} Nope\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, attempts: () => attempts };
}

/** A port where nothing listens (a relay that is down). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const statuses = (states: ConnectionState[]) => states.map((s) => s.status);

describe('relay link', () => {
  it('builds the agent endpoint from the address a person types', () => {
    expect(agentUrl('ws://relay.example:8080').href).toBe('ws://relay.example:8080/agent');
    // pasted from a web page: no-break spaces, which the URL parser keeps
    expect(agentUrl('\u00a0ws://relay.example:8080/\u00a0').href).toBe('ws://relay.example:8080/agent');
    expect(agentUrl('wss://relay.example/custom').href).toBe('wss://relay.example/custom');
    expect(() => agentUrl('http://relay.example')).toThrow('the relay address starts with ws:// or wss://');
  });

  it('has the documented timings: a ping every 10 s, dead after 25 s of silence, 15 s for a command or a connect', () => {
    expect(defaultTuning).toEqual({ pingIntervalMs: 10_000, deadAfterMs: 25_000, commandTimeoutMs: 15_000, connectTimeoutMs: 15_000, backoff: {} });
  });

  it('sends Basic credentials at the upgrade and the resume map, read afresh, in every hello', async () => {
    const relay = await fakeRelay(greet);
    let held = 4;
    const { link: l } = link(relay.url, { resume: () => ({ s1: held }) });
    expect(await l.start()).toEqual({ kind: 'welcome', welcome: welcome(relay.hellos[0]!.id) });
    expect(relay.headers[0]).toBe(`Basic ${Buffer.from('alice:pa:ss').toString('base64')}`);
    // frames are small JSON; compression would cost memory per socket on the relay for little
    expect(relay.extensions[0]).toBeUndefined();
    expect(relay.hellos[0]).toMatchObject({ type: 'hello', protocol: PROTOCOL_VERSION, resume: { s1: 4 } });
    expect(l.state).toEqual({ status: 'online', since: expect.any(Number) });
    expect(l.online).toBe(true);
    held = 9;
    relay.sockets[0]!.terminate();
    await expect.poll(() => relay.hellos.length).toBe(2);
    expect(relay.hellos[1]!.resume).toEqual({ s1: 9 });
  });

  it('logs and ignores bad frames, and keeps working', async () => {
    const relay = await fakeRelay((socket, hello) => {
      socket.send('not json');
      socket.send(JSON.stringify({ type: 'event', event: { kind: 'nonsense' } }));
      socket.send(Buffer.from('binary'), { binary: true });
      socket.send(JSON.stringify(welcome(hello.id)));
      socket.send(presence('sleeping' as AgentInfo['status']));
      socket.send(presence('away'));
    });
    const { link: l, frames, logs } = link(relay.url);
    await l.start();
    await expect.poll(() => frames.length).toBe(1);
    expect(frames[0]).toMatchObject({ type: 'presence', agent: { status: 'away' } });
    const bad = logs.filter((e) => e.event === 'bad-frame');
    expect(bad).toHaveLength(4);
    expect(bad).toContainEqual({ level: 'warn', event: 'bad-frame', message: 'binary frame' });
    expect(bad.every((e) => e.level === 'warn' && typeof e.message === 'string' && e.message !== '')).toBe(true);
  });

  it('ignores whatever comes before its welcome, including a welcome for another hello', async () => {
    const relay = await fakeRelay((socket, hello) => {
      socket.send(presence('away'));
      socket.send(JSON.stringify(welcome('someone-else')));
      socket.send(JSON.stringify({ type: 'error', id: 'someone-else', code: 'unauthorized', message: 'not you' }));
      socket.send(JSON.stringify(welcome(hello.id)));
    });
    const { link: l, frames, logs } = link(relay.url);
    expect((await l.start()).kind).toBe('welcome');
    expect(frames).toEqual([]);
    expect(logs.filter((e) => e.event === 'frame-before-welcome')).toEqual([
      { level: 'warn', event: 'frame-before-welcome', type: 'presence' },
      { level: 'warn', event: 'frame-before-welcome', type: 'welcome' },
      { level: 'warn', event: 'frame-before-welcome', type: 'error' },
    ]);
  });

  it('a consumer or state listener that throws does not take the link down', async () => {
    const relay = await fakeRelay((socket, hello) => {
      socket.send(JSON.stringify(welcome(hello.id)));
      socket.send(presence('away'));
      socket.send(presence('present'));
      socket.send(presence('away'));
    });
    const seen: RelayFrame[] = [];
    const { link: l, logs, states } = link(relay.url, {
      onWelcome: () => {
        throw new Error('welcome handler broke');
      },
      onFrame: (frame) => {
        seen.push(frame);
        // not even an Error
        if (seen.length === 1) throw undefined;
        if (seen.length === 2) throw new Error('frame handler broke');
      },
    });
    l.onState(() => {
      throw new Error('listener broke');
    });
    await l.start();
    await expect.poll(() => seen.length).toBe(3);
    expect(l.online).toBe(true);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'online']);
    // with the stack, so the log says where
    expect(logs.filter((e) => e.event === 'frame-handler-threw')).toEqual([
      { level: 'error', event: 'frame-handler-threw', error: expect.stringMatching(/^Error: welcome handler broke\n\s+at /) },
      { level: 'error', event: 'frame-handler-threw', error: 'undefined' },
      { level: 'error', event: 'frame-handler-threw', error: expect.stringMatching(/^Error: frame handler broke\n\s+at /) },
    ]);
    expect(logs).toContainEqual({ level: 'error', event: 'state-listener-threw', error: 'Error: listener broke' });
  });

  it('a state listener that unsubscribed hears nothing more', async () => {
    const relay = await fakeRelay(greet);
    const { link: l } = link(relay.url);
    const heard: string[] = [];
    const unsubscribe = l.onState((s) => heard.push(s.status));
    await l.start();
    unsubscribe();
    l.stop();
    expect(heard).toEqual(['connecting', 'online']);
  });

  it('is signed out until started', () => {
    const { link: l } = link('ws://127.0.0.1:9');
    expect(l.state).toEqual({ status: 'signed-out' });
    expect(l.online).toBe(false);
  });

  it('starts once', async () => {
    const relay = await fakeRelay(greet);
    const { link: l } = link(relay.url);
    await l.start();
    expect(() => l.start()).toThrow('a RelayLink starts once');
  });
});

describe('relay link: how a connection is refused', () => {
  it('a relay of another protocol version ends in version-mismatch without retrying', async () => {
    let hellos = 0;
    const relay = await fakeRelay((socket, hello) => {
      hellos += 1;
      socket.send(JSON.stringify({ type: 'error', id: hello.id, code: 'unsupported-protocol', message: 'This relay speaks protocol 2.' }));
      socket.close(4002, 'unsupported protocol');
    });
    const { link: l, states } = link(relay.url);
    expect(await l.start()).toEqual({ kind: 'version-mismatch', message: 'This relay speaks protocol 2.' });
    expect(states).toEqual([
      { status: 'connecting', attempt: 0 },
      { status: 'version-mismatch', message: 'This relay speaks protocol 2.' },
    ]);
    expect(hellos).toBe(1);
  });

  it('a welcome of another protocol version, or close 4002 alone, is a version mismatch too', async () => {
    const newer = await fakeRelay((socket, hello) => socket.send(JSON.stringify(welcome(hello.id, PROTOCOL_VERSION + 1))));
    const first = link(newer.url);
    const sentence = 'This version of Baton cannot talk to that relay. Update Baton or the relay.';
    expect(await first.link.start()).toEqual({ kind: 'version-mismatch', message: sentence });
    await expect.poll(() => newer.closes).toEqual([{ code: 1000, reason: '' }]);
    expect(first.link.online).toBe(false);

    const closing = await fakeRelay((socket) => socket.close(4002, 'this relay speaks 7'));
    const closed = link(closing.url);
    expect(await closed.link.start()).toEqual({ kind: 'version-mismatch', message: 'this relay speaks 7' });
    expect(closed.logs.filter((e) => e.event === 'link-closed')).toEqual([{ level: 'info', event: 'link-closed', code: 4002, reason: 'version-mismatch' }]);
    const silent = await fakeRelay((socket) => socket.close(4002));
    expect(await link(silent.url).link.start()).toEqual({ kind: 'version-mismatch', message: sentence });
  });

  it('an error answering hello: unauthorized and unsupported-protocol are final, anything else is retried', async () => {
    const unauthorized = await fakeRelay((socket, hello) => socket.send(JSON.stringify({ type: 'error', id: hello.id, code: 'unauthorized', message: '' })));
    const denied = link(unauthorized.url);
    expect(await denied.link.start()).toEqual({ kind: 'auth-failed', message: 'Wrong user name or password.' });
    expect(denied.states.at(-1)).toEqual({ status: 'auth-failed', message: 'Wrong user name or password.' });
    await expect.poll(() => unauthorized.closes).toEqual([{ code: 1000, reason: '' }]);

    const old = await fakeRelay((socket) => socket.send(JSON.stringify({ type: 'error', code: 'unsupported-protocol', message: '' })));
    expect(await link(old.url).link.start()).toEqual({
      kind: 'version-mismatch',
      message: 'This version of Baton cannot talk to that relay. Update Baton or the relay.',
    });

    let attempts = 0;
    const busy = await fakeRelay((socket, hello) => {
      attempts += 1;
      if (attempts === 1) socket.send(JSON.stringify({ type: 'error', code: 'internal', message: 'busy starting up' }));
      else greet(socket, hello);
    });
    const retried = link(busy.url);
    expect((await retried.link.start()).kind).toBe('welcome');
    expect(retried.states.find((s) => s.status === 'offline')).toMatchObject({ reason: 'busy starting up' });
    expect(retried.logs.find((e) => e.event === 'link-closed')).toEqual({ level: 'info', event: 'link-closed', code: 1000, reason: 'busy starting up' });
  });

  it('HTTP 401 or 403 at the upgrade is an auth failure with no retry; another status is retried', async () => {
    for (const status of [401, 403]) {
      const relay = await httpRelay(status);
      const { link: l, states } = link(relay.url);
      expect(await l.start()).toEqual({ kind: 'auth-failed', message: 'Wrong user name or password.' });
      expect(statuses(states)).toEqual(['connecting', 'auth-failed']);
      expect(relay.attempts()).toBe(1);
    }
    const broken = await httpRelay(500);
    const { link: l, states, logs } = link(broken.url);
    void l.start();
    await expect.poll(() => broken.attempts()).toBeGreaterThanOrEqual(2);
    expect(states.find((s) => s.status === 'offline')).toMatchObject({ reason: 'the relay answered HTTP 500' });
    expect(logs.find((e) => e.event === 'link-closed')).toMatchObject({ reason: 'the relay answered HTTP 500' });
  });

  it("a busy relay's Retry-After is waited out (up to twice as long, for the herd it refused), not the backoff", async () => {
    const relay = await httpRelay(503, 'Retry-After: 3\r\n');
    // the backoff's own ceiling stays far below what the relay asks for, its cap above it
    const { link: l, states } = link(relay.url, { tuning: { ...fastTuning, backoff: { baseMs: 20, capMs: 30_000, resetAfterMs: 500 } } });
    void l.start();
    await expect.poll(() => states.some((s) => s.status === 'offline')).toBe(true);
    const waiting = states.find((s) => s.status === 'offline') as Extract<ConnectionState, { status: 'offline' }>;
    const wait = (waiting.nextRetryAt ?? 0) - Date.now();
    // fastTuning's backoff would retry within milliseconds; the relay said 3 s
    expect(wait).toBeGreaterThan(2500);
    expect(wait).toBeLessThan(6000);
    expect(waiting.reason).toBe('the relay answered HTTP 503');
  });

  it('a relay that takes the upgrade but never says welcome is left after the connect timeout', async () => {
    const relay = await fakeRelay(() => {});
    const { link: l, states, logs } = link(relay.url, { tuning: { ...fastTuning, connectTimeoutMs: 150 } });
    void l.start();
    await expect.poll(() => states.find((s) => s.status === 'offline')).toMatchObject({ reason: 'the relay did not answer hello' });
    expect(logs.find((e) => e.event === 'link-closed')).toMatchObject({ reason: 'the relay did not answer hello' });
  });

  it('an interactive sign-in to a relay that cannot be reached ends signed out, without retrying', async () => {
    const port = await deadPort();
    const { link: l, states, logs } = link(`ws://127.0.0.1:${port}`);
    expect(await l.start(true)).toEqual({ kind: 'unreachable', message: `Could not reach the relay (connect ECONNREFUSED 127.0.0.1:${port}).` });
    expect(logs.filter((e) => e.event === 'link-closed')).toEqual([
      { level: 'info', event: 'link-closed', code: 1006, reason: `connect ECONNREFUSED 127.0.0.1:${port}` },
    ]);
    expect(states).toEqual([{ status: 'connecting', attempt: 0 }, { status: 'signed-out' }]);
    expect(await l.request({ type: 'list-requests' })).toMatchObject({ ok: false, error: { code: 'not-connected' } });
    // it has already ended itself: a stop() after it changes nothing
    l.stop();
    expect(states).toHaveLength(2);
  });

  it('an interactive sign-in that got through reconnects like any other link when the connection drops later', async () => {
    const relay = await fakeRelay(greet);
    const { link: l } = link(relay.url);
    expect((await l.start(true)).kind).toBe('welcome');
    relay.sockets[0]!.terminate();
    await expect.poll(() => relay.hellos.length).toBe(2);
    await expect.poll(() => l.online).toBe(true);
  });

  it('an address that is not ws:// says so', async () => {
    const { link: l } = link('http://relay.example');
    expect(await l.start(true)).toEqual({
      kind: 'unreachable',
      message: 'Could not reach the relay (bad relay address: the relay address starts with ws:// or wss://).',
    });
  });
});

describe('relay link: sign-in tokens', () => {
  const token = 'T'.repeat(43);
  it("the welcome's sign-in token is presented instead of the password on the next connection, and goes no further", async () => {
    // the first welcome (a password sign-in) carries the token; the second (signed in by it) none; both drop
    const relay = await fakeRelay((socket, hello) => {
      socket.send(JSON.stringify({ ...welcome(hello.id), ...(relay.sockets.length === 1 ? { signInToken: token } : {}) }));
      if (relay.sockets.length <= 2) setTimeout(() => socket.terminate(), 20);
    });
    const welcomes: unknown[] = [];
    const { link: l } = link(relay.url, { onWelcome: (w) => welcomes.push(w) });
    await l.start();
    await expect.poll(() => relay.hellos.length).toBe(3);
    // a welcome without a token keeps the one the link has
    expect(relay.headers).toEqual([`Basic ${Buffer.from('alice:pa:ss').toString('base64')}`, `Bearer ${token}`, `Bearer ${token}`]);
    await expect.poll(() => welcomes.length).toBe(3);
    for (const w of welcomes) expect(w).not.toHaveProperty('signInToken');
  });

  it('a token the relay refuses (HTTP 401) is dropped and the password signs in at once, without the backoff', async () => {
    let first = true;
    const relay = await fakeRelay(
      (socket, hello) => {
        socket.send(JSON.stringify({ ...welcome(hello.id), ...(first ? { signInToken: token } : {}) }));
        if (first) setTimeout(() => socket.terminate(), 20);
        first = false;
      },
      { refuse: (authorization) => (authorization?.startsWith('Bearer ') ? 401 : null) },
    );
    const { link: l, states } = link(relay.url);
    await l.start();
    await expect.poll(() => relay.hellos.length).toBe(2);
    // the refused token was not an auth failure, and not a wait either: straight from it to the password
    await expect.poll(() => statuses(states).at(-1)).toBe('online');
    expect(statuses(states)).toEqual(['connecting', 'online', 'offline', 'connecting', 'connecting', 'online']);
    expect(relay.headers).toEqual([`Basic ${Buffer.from('alice:pa:ss').toString('base64')}`, `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`]);
  });
});

describe('relay link: commands', () => {
  it('answers commands by id, times them out, and fails pending ones with not-connected when the link drops', async () => {
    const relay = await fakeRelay((socket, hello) => {
      socket.send(JSON.stringify(welcome(hello.id)));
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'set-status') socket.send(JSON.stringify({ type: 'ok', id: frame.id }));
        if (frame.type === 'list-requests') socket.send(JSON.stringify({ type: 'ok', id: frame.id, result: { requests: [] } }));
        if (frame.type === 'take-over') socket.send(JSON.stringify({ type: 'error', id: frame.id, code: 'not-manager', message: 'Only a manager can do that.' }));
        if (frame.type === 'listen') socket.send(JSON.stringify({ type: 'error', id: frame.id, code: 'rate-limited', message: 'Slow down.', retryAfterMs: 120 }));
        // close-chat is never answered
      });
    });
    const { link: l, states, logs } = link(relay.url, { tuning: { ...fastTuning, commandTimeoutMs: 200 } });
    await l.start();
    // an answer for no command is dropped without harm
    relay.sockets[0]!.send(JSON.stringify({ type: 'ok', id: 'c999' }));
    expect(await l.request({ type: 'set-status', status: 'away' })).toStrictEqual({ ok: true, value: null });
    expect(await l.request({ type: 'list-requests' })).toStrictEqual({ ok: true, value: { requests: [] } });
    expect(await l.request({ type: 'take-over', sessionId: 's1' })).toStrictEqual({ ok: false, error: { code: 'not-manager', message: 'Only a manager can do that.' } });
    expect(await l.request({ type: 'listen', sessionId: 's1' })).toStrictEqual({
      ok: false,
      error: { code: 'rate-limited', message: 'Slow down.', retryAfterMs: 120 },
    });
    expect(await l.request({ type: 'close-chat', sessionId: 's1' })).toStrictEqual({
      ok: false,
      error: { code: 'timeout', message: 'The relay did not answer in time.' },
    });
    // an answer after the timeout answers nothing any more: it is logged, not delivered
    const timedOut = relay.commands.find((c) => c.type === 'close-chat')!;
    relay.sockets[0]!.send(JSON.stringify({ type: 'error', id: timedOut.id, code: 'internal', message: 'late' }));
    relay.sockets[0]!.send(JSON.stringify({ type: 'error', code: 'rate-limited', message: 'Slow down.' }));
    relay.sockets[0]!.send(JSON.stringify(welcome('again')));
    await expect.poll(() => logs.filter((e) => e.event === 'relay-error' || e.event === 'unexpected-welcome')).toEqual([
      { level: 'warn', event: 'relay-error', code: 'internal', message: 'late' },
      { level: 'warn', event: 'relay-error', code: 'rate-limited', message: 'Slow down.' },
      { level: 'warn', event: 'unexpected-welcome' },
    ]);
    const hanging = l.request({ type: 'close-chat', sessionId: 's1' });
    // a caller that tries again the moment its command failed, before the link has reported itself offline
    const againAtOnce = hanging.then(() => l.request({ type: 'list-requests' }));
    relay.sockets[0]!.terminate();
    expect(await hanging).toStrictEqual({ ok: false, error: { code: 'not-connected', message: 'Not connected to the relay.' } });
    expect(await againAtOnce).toStrictEqual({ ok: false, error: { code: 'not-connected', message: 'Not connected to the relay.' } });
    await expect.poll(() => states.filter((s) => s.status === 'online').length).toBe(2);
    expect(statuses(states)).toEqual(['connecting', 'online', 'offline', 'connecting', 'online']);
  });

  it('every command carries its own id', async () => {
    const relay = await fakeRelay((socket, hello) => {
      greet(socket, hello);
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type !== 'hello') socket.send(JSON.stringify({ type: 'ok', id: frame.id }));
      });
    });
    const { link: l } = link(relay.url);
    await l.start();
    await Promise.all([l.request({ type: 'list-requests' }), l.request({ type: 'list-requests' }), l.request({ type: 'list-requests' })]);
    const ids = [relay.hellos[0]!.id, ...relay.commands.map((c) => c.id)];
    expect(new Set(ids).size).toBe(4);
  });
});

describe('relay link: reconnecting', () => {
  const backoff = { baseMs: 100, capMs: 400, resetAfterMs: 1_000, random: () => 0.5 };
  // no ping in flight when a socket is cut: unread bytes would turn the peer's close into a reset (ECONNRESET)
  const quiet = { ...fastTuning, pingIntervalMs: 60_000, deadAfterMs: 120_000 };

  it('a relay that cannot be reached is retried with a growing backoff, each attempt shown with when the next one is', async () => {
    const port = await deadPort();
    const clock = epoch;
    const { link: l, states } = link(`ws://127.0.0.1:${port}`, { now: () => clock, tuning: { ...fastTuning, backoff } });
    void l.start();
    await expect.poll(() => states.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(8);
    const reason = `connect ECONNREFUSED 127.0.0.1:${port}`;
    // connections that never got through leave the backoff alone: it keeps growing up to its cap
    expect(states.slice(0, 8)).toEqual([
      { status: 'connecting', attempt: 0 },
      { status: 'offline', attempt: 1, nextRetryAt: clock + 50, reason },
      { status: 'connecting', attempt: 1 },
      { status: 'offline', attempt: 2, nextRetryAt: clock + 100, reason },
      { status: 'connecting', attempt: 2 },
      { status: 'offline', attempt: 3, nextRetryAt: clock + 200, reason },
      { status: 'connecting', attempt: 3 },
      { status: 'offline', attempt: 4, nextRetryAt: clock + 200, reason },
    ]);
  });

  it('a connection that stayed up long enough starts the backoff over; a short one does not', async () => {
    const { port } = await fakeRelay(greet);
    const proxy = await startTcpProxy(port);
    cleanups.push(() => proxy.close());
    let clock = epoch;
    const { link: l, states } = link(proxy.url, { now: () => clock, tuning: { ...quiet, backoff } });
    proxy.refuse(true);
    void l.start();
    await expect.poll(() => states.filter((s) => s.status === 'offline').length).toBe(2);
    proxy.refuse(false);
    await expect.poll(() => l.online).toBe(true);

    // up for less than resetAfterMs: the count goes on from 2
    clock += 999;
    let from = states.length;
    proxy.cut();
    await expect.poll(() => states.slice(from).find((s) => s.status === 'offline')).toMatchObject({ attempt: 3 });
    await expect.poll(() => l.online).toBe(true);

    // up for resetAfterMs: back to the first attempt
    clock += 1_000;
    from = states.length;
    proxy.cut();
    await expect.poll(() => states.slice(from).find((s) => s.status === 'offline')).toEqual({
      status: 'offline',
      attempt: 1,
      nextRetryAt: clock + 50,
      reason: 'the connection was lost',
    });
  });

  it('says how the relay ended the connection: its reason, its close code, or a lost connection', async () => {
    const ends = [(s: WebSocket) => s.close(4000, 'maintenance'), (s: WebSocket) => s.close(1011), (s: WebSocket) => s.terminate()];
    const relay = await fakeRelay(greet);
    const { link: l, states, logs } = link(relay.url, { tuning: quiet });
    await l.start();
    for (const [i, end] of ends.entries()) {
      await expect.poll(() => relay.sockets.length).toBe(i + 1);
      await expect.poll(() => l.online).toBe(true);
      end(relay.sockets[i]!);
      await expect.poll(() => states.filter((s) => s.status === 'offline').length).toBe(i + 1);
    }
    expect(states.filter((s) => s.status === 'offline').map((s) => (s.status === 'offline' ? s.reason : ''))).toEqual([
      'maintenance',
      'closed (1011)',
      'the connection was lost',
    ]);
    expect(logs.filter((e) => e.event === 'link-closed')).toEqual([
      { level: 'info', event: 'link-closed', code: 4000, reason: 'maintenance' },
      { level: 'info', event: 'link-closed', code: 1011, reason: 'closed (1011)' },
      { level: 'info', event: 'link-closed', code: 1006, reason: 'the connection was lost' },
    ]);
  });
});

describe('relay link: heartbeat', () => {
  // pings every 100 ms; dead after 400 ms without a frame, ping or pong; the heartbeat ticks every 50 ms
  const tuning = { ...fastTuning, pingIntervalMs: 100, deadAfterMs: 400 };

  /** The heartbeat's interval and clock under the test's hand; sockets and other timers stay real. */
  async function heartbeatOf(relayUrl: string) {
    const clock = { now: epoch };
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const made = link(relayUrl, { now: () => clock.now, tuning });
    const tick = (ms = 50) => {
      clock.now += ms;
      vi.advanceTimersByTime(50);
    };
    return { ...made, clock, tick };
  }

  it('pings a quiet relay once per interval, and drops it once it has been silent for longer than deadAfterMs', async () => {
    const relay = await fakeRelay(greet, { autoPong: false });
    const { link: l, logs, states, tick } = await heartbeatOf(relay.url);
    await l.start();
    const roundTrip = async () => {
      // the relay answers nothing; a command's timeout is not what is measured, so it is sent and forgotten
      void l.request({ type: 'list-requests' });
      await expect.poll(() => relay.commands.length).toBeGreaterThan(0);
      relay.commands.length = 0;
    };
    tick();
    await roundTrip();
    expect(relay.pings).toEqual([]);
    tick();
    await roundTrip();
    expect(relay.pings).toEqual([0]);
    for (let i = 3; i <= 8; i++) tick();
    // 400 ms of silence is not yet more than 400
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([]);
    await roundTrip();
    expect(relay.pings).toEqual([0, 0, 0, 0]);
    expect(l.online).toBe(true);
    tick();
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([{ level: 'warn', event: 'link-dead', silentMs: 450 }]);
    // asked for while the dead socket is being torn down: refused at once, not left to the close that follows
    const during = l.request({ type: 'list-requests' });
    expect(await Promise.race([during, Promise.resolve().then(() => 'still waiting')])).toStrictEqual({
      ok: false,
      error: { code: 'not-connected', message: 'Not connected to the relay.' },
    });
    await expect.poll(() => states.find((s) => s.status === 'offline')).toMatchObject({ reason: 'the relay stopped answering' });
    expect(logs.find((e) => e.event === 'link-closed')).toMatchObject({ reason: 'the relay stopped answering' });
  });

  it('a machine that slept past the dead-link window gives the relay a fresh window instead of the blame', async () => {
    const relay = await fakeRelay(greet, { autoPong: false });
    const { link: l, logs, tick, states } = await heartbeatOf(relay.url);
    await l.start();
    // a tick three ticks late is only late, not a sleep: the silence still counts
    for (let i = 1; i <= 5; i++) tick();
    tick(150);
    tick();
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([{ level: 'warn', event: 'link-dead', silentMs: 450 }]);
    await expect.poll(() => states.filter((s) => s.status === 'online').length).toBe(2);
    logs.length = 0;
    tick(60_000);
    expect(l.online).toBe(true);
    // the window counts from one tick before the wake-up: 50 + 7 × 50 = 400 is not yet too long
    for (let i = 1; i <= 7; i++) tick();
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([]);
    tick();
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([{ level: 'warn', event: 'link-dead', silentMs: 450 }]);
  });

  it("the relay's own pings count as hearing from it", async () => {
    const relay = await fakeRelay(greet, { autoPong: false });
    const { link: l, logs, tick } = await heartbeatOf(relay.url);
    await l.start();
    for (let i = 1; i <= 7; i++) tick();
    relay.sockets[0]!.ping();
    // the link answers a ping in the same turn as it hears it: once the relay has the pong, the ping counted
    await expect.poll(() => relay.pongs.length).toBe(1);
    for (let i = 1; i <= 8; i++) tick();
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([]);
    tick();
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([{ level: 'warn', event: 'link-dead', silentMs: 450 }]);
  });

  it('while the upgrade is still under way, only the connect timeout can end it', async () => {
    // accepts TCP and never answers the upgrade
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const held: net.Socket[] = [];
    silent.on('connection', (socket) => held.push(socket));
    cleanups.push(() => {
      for (const s of held) s.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const clock = { now: epoch };
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { link: l, states, logs } = link(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, {
      now: () => clock.now,
      tuning: { ...tuning, connectTimeoutMs: 300 },
    });
    void l.start();
    await expect.poll(() => held.length).toBe(1);
    for (let i = 0; i < 20; i++) {
      clock.now += 50;
      vi.advanceTimersByTime(50);
    }
    expect(logs.filter((e) => e.event === 'link-dead')).toEqual([]);
    const offline = await vi.waitFor(() => states.find((s) => s.status === 'offline') ?? Promise.reject(new Error('still connecting')), { timeout: 3_000 });
    // the welcome timer and ws's handshake timeout share the connect timeout; either may say it first
    expect(['the relay did not answer hello', 'Opening handshake has timed out']).toContain(offline.status === 'offline' && offline.reason);
  });

  it('a relay that answers pings keeps a quiet link up for many dead-link windows', async () => {
    const relay = await fakeRelay(greet);
    const { link: l, states } = link(relay.url, { tuning: { ...fastTuning, pingIntervalMs: 40, deadAfterMs: 150 } });
    await l.start();
    await expect.poll(() => relay.pings.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(15);
    expect(statuses(states)).toEqual(['connecting', 'online']);
    expect(relay.sockets).toHaveLength(1);
  });
});

describe('relay link: stop', () => {
  it('stop() is final: signed-out, the relay sees a normal close, no reconnect, commands fail with not-connected', async () => {
    const relay = await fakeRelay(greet);
    const { link: l, states } = link(relay.url);
    await l.start();
    l.stop();
    l.stop();
    expect(l.state).toEqual({ status: 'signed-out' });
    expect(await l.request({ type: 'list-requests' })).toStrictEqual({ ok: false, error: { code: 'not-connected', message: 'Not connected to the relay.' } });
    await expect.poll(() => relay.closes).toEqual([{ code: 1000, reason: 'signed out' }]);
    expect(statuses(states)).toEqual(['connecting', 'online', 'signed-out']);
    expect(relay.sockets).toHaveLength(1);
  });

  it('stop() fails the commands still waiting with "Signed out."', async () => {
    const relay = await fakeRelay(greet);
    const { link: l } = link(relay.url);
    await l.start();
    const waiting = l.request({ type: 'list-requests' });
    l.stop();
    expect(await waiting).toStrictEqual({ ok: false, error: { code: 'not-connected', message: 'Signed out.' } });
  });

  it('stop() on a stalled link frees the socket even though the relay never answers the close', async () => {
    const relay = await fakeRelay(greet);
    const proxy = await startTcpProxy(relay.port);
    cleanups.push(() => proxy.close());
    const { link: l } = link(proxy.url);
    await l.start();
    proxy.stall('both');
    l.stop();
    // the relay's side ends when the proxy sees the client's socket go, about a second after stop()
    await expect.poll(() => relay.closes.length, { timeout: 2_500 }).toBe(1);
  });

  it('stop() before the relay answered ends start() as unreachable, and stop() while waiting to retry ends the retries', async () => {
    const relay = await fakeRelay(() => {});
    const { link: l } = link(relay.url);
    const outcome = l.start();
    await expect.poll(() => relay.hellos.length).toBe(1);
    l.stop();
    expect(await outcome).toEqual({ kind: 'unreachable', message: 'Signed out before the relay answered.' });

    const port = await deadPort();
    const waiting = link(`ws://127.0.0.1:${port}`, { tuning: { ...fastTuning, backoff: { baseMs: 60_000, capMs: 60_000, random: () => 0.5 } } });
    const second = waiting.link.start();
    await expect.poll(() => waiting.states.at(-1)?.status).toBe('offline');
    waiting.link.stop();
    expect(await second).toEqual({ kind: 'unreachable', message: 'Signed out before the relay answered.' });
    expect(statuses(waiting.states)).toEqual(['connecting', 'offline', 'signed-out']);
  });
});
