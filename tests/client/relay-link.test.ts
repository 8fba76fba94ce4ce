// RelayLink against a scripted relay: auth header, resume, bad frames, version mismatch, command answers, stop.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConnectionState } from '../../common/bridge';
import type { AgentInfo } from '../../common/domain';
import { PROTOCOL_VERSION, type RelayFrame } from '../../common/protocol';
import { agentUrl, RelayLink } from '../../main/client/relay-link';
import { fastTuning } from './harness';

const me: AgentInfo = { id: 'alice', name: 'Alice', role: 'agent', canListenIn: false, status: 'present', openChats: 0 };
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A scripted stand-in for the relay: `onHello` decides how each connection is greeted. */
async function fakeRelay(onHello: (socket: WebSocket, hello: { id: string; resume: Record<string, number> }) => void) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  const headers: (string | undefined)[] = [];
  server.on('connection', (socket, req) => {
    sockets.push(socket);
    headers.push(req.headers.authorization);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'hello') onHello(socket, frame);
    });
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  cleanups.push(() => {
    for (const s of sockets) s.terminate();
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets, headers };
}

const welcome = (id: string): RelayFrame => ({ type: 'welcome', id, protocol: PROTOCOL_VERSION, serverTime: 1, me, agents: [me], sessions: [] });

function link(url: string, extra: Partial<ConstructorParameters<typeof RelayLink>[0]> = {}) {
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

describe('relay link', () => {
  it('builds the agent endpoint from the address a person types', () => {
    expect(agentUrl('ws://relay.example:8080').href).toBe('ws://relay.example:8080/agent');
    expect(agentUrl('wss://relay.example/custom').href).toBe('wss://relay.example/custom');
    expect(() => agentUrl('http://relay.example')).toThrow(/ws:\/\//);
  });

  it('sends Basic credentials at the upgrade and the resume map in hello', async () => {
    let seenResume: Record<string, number> = {};
    const relay = await fakeRelay((socket, hello) => {
      seenResume = hello.resume;
      socket.send(JSON.stringify(welcome(hello.id)));
    });
    const { link: l } = link(relay.url);
    expect((await l.start()).kind).toBe('welcome');
    expect(relay.headers[0]).toBe(`Basic ${Buffer.from('alice:pa:ss').toString('base64')}`);
    expect(seenResume).toEqual({ s1: 4 });
    expect(l.state.status).toBe('online');
  });

  it('logs and ignores bad frames, and keeps working', async () => {
    const relay = await fakeRelay((socket, hello) => {
      socket.send('not json');
      socket.send(JSON.stringify({ type: 'event', event: { kind: 'nonsense' } }));
      socket.send(JSON.stringify(welcome(hello.id)));
      socket.send(JSON.stringify({ type: 'presence', agent: { ...me, status: 'sleeping' } }));
      socket.send(JSON.stringify({ type: 'presence', agent: { ...me, status: 'away' } }));
    });
    const { link: l, frames, logs } = link(relay.url);
    await l.start();
    await expect.poll(() => frames.length).toBe(1);
    expect(frames[0]).toMatchObject({ type: 'presence', agent: { status: 'away' } });
    expect(logs.filter((e) => e.event === 'bad-frame')).toHaveLength(3);
  });

  it('a relay of another protocol version ends in version-mismatch without retrying', async () => {
    let hellos = 0;
    const relay = await fakeRelay((socket, hello) => {
      hellos += 1;
      socket.send(JSON.stringify({ type: 'error', id: hello.id, code: 'unsupported-protocol', message: 'This relay speaks protocol 2.' }));
      socket.close(4002, 'unsupported protocol');
    });
    const { link: l, states } = link(relay.url);
    expect(await l.start()).toEqual({ kind: 'version-mismatch', message: 'This relay speaks protocol 2.' });
    expect(states.map((s) => s.status)).toEqual(['connecting', 'version-mismatch']);
    expect(hellos).toBe(1);
  });

  it('answers commands by id, times them out, and fails pending ones with not-connected when the link drops', async () => {
    const relay = await fakeRelay((socket, hello) => {
      socket.send(JSON.stringify(welcome(hello.id)));
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'set-status') socket.send(JSON.stringify({ type: 'ok', id: frame.id }));
        if (frame.type === 'take-over') socket.send(JSON.stringify({ type: 'error', id: frame.id, code: 'not-manager', message: 'Only a manager can do that.' }));
        // close-chat is never answered
      });
    });
    const { link: l, states } = link(relay.url, { tuning: { ...fastTuning, commandTimeoutMs: 200 } });
    await l.start();
    expect(await l.request({ type: 'set-status', status: 'away' })).toEqual({ ok: true, value: null });
    expect(await l.request({ type: 'take-over', sessionId: 's1' })).toEqual({ ok: false, error: { code: 'not-manager', message: 'Only a manager can do that.' } });
    expect(await l.request({ type: 'close-chat', sessionId: 's1' })).toMatchObject({ ok: false, error: { code: 'timeout' } });
    const hanging = l.request({ type: 'close-chat', sessionId: 's1' });
    relay.sockets[0]!.terminate();
    expect(await hanging).toMatchObject({ ok: false, error: { code: 'not-connected' } });
    await expect.poll(() => states.filter((s) => s.status === 'online').length).toBe(2);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'online', 'offline', 'connecting', 'online']);
  });

  it('stop() is final: signed-out, no reconnect, commands fail with not-connected', async () => {
    const relay = await fakeRelay((socket, hello) => socket.send(JSON.stringify(welcome(hello.id))));
    const { link: l, states } = link(relay.url);
    await l.start();
    l.stop();
    expect(l.state).toEqual({ status: 'signed-out' });
    expect(await l.request({ type: 'list-requests' })).toMatchObject({ ok: false, error: { code: 'not-connected' } });
    await expect.poll(() => relay.sockets[0]?.readyState).toBe(3);
    expect(states.map((s) => s.status)).toEqual(['connecting', 'online', 'signed-out']);
    expect(relay.sockets).toHaveLength(1);
  });
});
