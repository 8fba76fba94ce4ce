// Limits per party, not per socket: frame rates per customer token, per agent and per address; new chats per address;
// the queue cap; connection caps; the hello timeout; failed sign-ins throttled per user name and per address. Run
// against one relay and against a cluster, where the limits are kept per node (so a test's parties sit on one node).
import type WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../../common/protocol';
import { basicAuthHeader } from '../../../relay/auth';
import { deployment, type StartRelay } from '../helpers';
import {
  connectAgent,
  connectCustomer,
  type Frame,
  openSocket,
  TestClient,
  type TestRelay,
} from '../helpers';

const from = (address: string) => ({ 'X-Forwarded-For': address });

export function limitsSuite(start: StartRelay): void {
  const { relay: startWith, track } = deployment(start);
  const sockets: WebSocket[] = [];
  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });
  /** Connections all go to one node: limits are per node (docs/relay.md). */
  const pinned = async (options: Parameters<StartRelay>[0]) => {
    const relay = await startWith(options);
    (relay as { pin?: (index: number | null) => void }).pin?.(0);
    return relay;
  };
  const relayWith = (options: Parameters<StartRelay>[0] = {}) => pinned({ trustedProxyHeader: 'x-forwarded-for', ...options });

  const customer = async (relay: TestRelay, hello: Parameters<typeof connectCustomer>[1], headers = {}) =>
    track(await connectCustomer(relay, hello, headers));

  /** Fires `count` frames at once and sorts the answers. */
  async function burst(client: TestClient, count: number, frame: () => Frame) {
    const ids = Array.from({ length: count }, () => client.fire(frame()));
    const answers = await Promise.all(ids.map((id) => client.answer(id)));
    return { ok: answers.filter((a) => a.type === 'ok').length, limited: answers.filter((a) => a.code === 'rate-limited') };
  }

  describe('frame rates per party', () => {
    it('two sockets sharing one customer token share one rate limit, and each refusal names its command and when to retry', async () => {
      const relay = await relayWith({ rateLimit: { perSecond: 2, burst: 10 } });
      const first = await customer(relay, { name: 'Dana' });
      const second = await customer(relay, { token: first.token, lastSeq: 0 });
      const typing = () => ({ type: 'customer-typing', active: true });
      const [a, b] = await Promise.all([burst(first, 8, typing), burst(second, 8, typing)]);
      // one bucket of 10 for the chat (the resume took one of it), refilled at 2 a second
      expect(a.ok + b.ok).toBeLessThanOrEqual(11);
      expect(a.limited.length + b.limited.length).toBeGreaterThanOrEqual(5);
      expect(a.limited[0] ?? b.limited[0]).toMatchObject({ id: expect.any(String), retryAfterMs: expect.any(Number) });
    });

    it('two connections of one agent share one rate limit', async () => {
      const relay = await relayWith({ rateLimit: { perSecond: 2, burst: 10 } });
      const desk = track(await connectAgent(relay, 'bob'));
      const laptop = track(await connectAgent(relay, 'bob'));
      const list = () => ({ type: 'list-requests' });
      const [a, b] = await Promise.all([burst(desk, 8, list), burst(laptop, 8, list)]);
      expect(a.ok + b.ok).toBeLessThanOrEqual(11);
      const alice = track(await connectAgent(relay, 'alice'));
      expect(await alice.ok({ type: 'list-requests' })).toEqual({ requests: [] });
    });

    it('customers from one address share a frame rate; another address is not slowed', async () => {
      const relay = await relayWith({ addressRateLimit: { perSecond: 2, burst: 12 } });
      const one = await customer(relay, { name: 'One' }, from('203.0.113.7'));
      const two = await customer(relay, { name: 'Two' }, from('203.0.113.7'));
      const elsewhere = await customer(relay, { name: 'Three' }, from('198.51.100.9'));
      const typing = () => ({ type: 'customer-typing', active: true });
      const [a, b] = await Promise.all([burst(one, 10, typing), burst(two, 10, typing)]);
      expect(a.ok + b.ok).toBeLessThanOrEqual(11);
      expect((await burst(elsewhere, 8, typing)).ok).toBe(8);
    });
  });

  describe('new chats and the queue', () => {
    it('an address may open only so many chats a minute; resuming one and other addresses are not refused', async () => {
      const relay = await relayWith({ newChatsPerAddressPerMinute: 3 });
      const chats = [];
      for (let i = 0; i < 3; i++) chats.push(await customer(relay, { name: `Dana ${i}` }, from('203.0.113.7')));
      const refused = track(new TestClient(await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.7')), 'fourth'));
      expect(await refused.command({ type: 'customer-hello', protocol: PROTOCOL_VERSION, name: 'Dana 4' })).toMatchObject({
        type: 'error',
        code: 'rate-limited',
        message: 'Too many chats were started from your network in the last minute. Wait a moment and try again.',
        retryAfterMs: expect.any(Number),
      });
      await customer(relay, { token: chats[0]!.token, lastSeq: 0 }, from('203.0.113.7'));
      await customer(relay, { name: 'Erin' }, from('198.51.100.9'));
      expect(relay.logs.find((l) => l.event === 'chat-refused')).toMatchObject({ remote: '203.0.113.7', code: 'rate-limited' });
    });

    it('the relay opens only so many chats a second over every address: a flood cannot make it write more', async () => {
      const relay = await relayWith({ newChatsPerSecond: 2 });
      for (let i = 0; i < 4; i++) await customer(relay, { name: `Burst ${i}` }, from(`203.0.113.${i + 1}`));
      const fifth = track(new TestClient(await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.99')), 'fifth'));
      expect(await fifth.command({ type: 'customer-hello', protocol: PROTOCOL_VERSION, name: 'Five' })).toMatchObject({
        code: 'rate-limited',
        message: 'Many chats are being started right now. Wait a moment and try again.',
        retryAfterMs: expect.any(Number),
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await customer(relay, { name: 'Later' }, from('203.0.113.99'));
    });

    it('when the queue is full a new customer is told so in plain words, and a chat that is answered makes room', async () => {
      const relay = await relayWith({ maxQueuedChats: 2 });
      await customer(relay, { name: 'One' }, from('203.0.113.1'));
      await customer(relay, { name: 'Two' }, from('203.0.113.2'));
      const third = track(new TestClient(await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.3')), 'third'));
      expect(await third.command({ type: 'customer-hello', protocol: PROTOCOL_VERSION, name: 'Three' })).toMatchObject({
        type: 'error',
        code: 'queue-full',
        message: 'All our agents are busy and the queue is full. Please try again in a few minutes.',
      });
      // an agent takes both waiting chats; the count the relay checks is at most a second old
      const alice = track(await connectAgent(relay, 'alice'));
      await alice.event('assigned');
      await alice.event('assigned');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await customer(relay, { name: 'Four' }, from('203.0.113.4'));
    });

    it('more new chats in a second than the queue holds are not refused when an agent answers each of them', async () => {
      // the relay estimates the queue between reads of the store by counting the chats it opened since: that bound
      // is read again before it refuses anyone, so a burst of answered chats does not look like a full queue
      const relay = await relayWith({ maxQueuedChats: 2, capacity: 5 });
      const alice = track(await connectAgent(relay, 'alice'));
      for (const [i, name] of ['One', 'Two', 'Three', 'Four', 'Five'].entries()) {
        await customer(relay, { name }, from(`203.0.113.${i + 1}`));
        await alice.event('assigned');
      }
    });
  });

  describe('connection caps and the hello timeout', () => {
    it('the relay takes at most maxConnections; the next is refused with a sentence, and a freed place is taken', async () => {
      const relay = await relayWith({ maxConnections: 3 });
      const open = [];
      for (let i = 0; i < 3; i++) open.push(await customer(relay, { name: `C${i}` }, from(`203.0.113.${i + 1}`)));
      await expect(openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('198.51.100.1'))).rejects.toMatchObject({
        status: 503,
        body: 'the relay has as many connections as it takes; try again in a minute',
        retryAfter: '60',
      });
      await open[0]!.close();
      await customer(relay, { name: 'Later' }, from('198.51.100.1'));
    });

    it('an address gets at most maxConnectionsPerAddress customer connections; agents count per account instead', async () => {
      const relay = await relayWith({ maxConnectionsPerAddress: 2, maxConnectionsPerAgent: 2 });
      // three agents' connections behind one address (an office) do not use up its customer connections...
      const sameDesk = { Authorization: basicAuthHeader('alice', 'demo'), ...from('203.0.113.7') };
      const colleague = { Authorization: basicAuthHeader('bob', 'demo'), ...from('203.0.113.7') };
      for (const headers of [sameDesk, sameDesk, colleague]) sockets.push(await openSocket(`${relay.wsUrl}${AGENT_PATH}`, headers));
      await customer(relay, { name: 'One' }, from('203.0.113.7'));
      await customer(relay, { name: 'Two' }, from('203.0.113.7'));
      await expect(openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.7'))).rejects.toMatchObject({
        status: 429,
        body: 'too many connections from your address; close some and try again',
      });
      // ...and one agent's connections are capped on their own
      await expect(openSocket(`${relay.wsUrl}${AGENT_PATH}`, { ...sameDesk, ...from('198.51.100.1') })).rejects.toMatchObject({
        status: 429,
        body: 'you already have 2 connections to the relay; close a Baton window and try again',
      });
    });

    it('without a configured proxy header, X-Forwarded-For is ignored', async () => {
      const relay = await pinned({ maxConnectionsPerAddress: 1 });
      await customer(relay, { name: 'One' }, from('203.0.113.1'));
      await expect(openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.2'))).rejects.toMatchObject({ status: 429 });
    });

    it('a connection that never says hello is closed after the hello timeout, and counts against the caps until then', async () => {
      const relay = await relayWith({ helloTimeoutMs: 400, maxConnectionsPerAddress: 2 });
      const silent = [
        new TestClient(await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.7')), 'silent 1'),
        new TestClient(await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.7')), 'silent 2'),
      ];
      await expect(openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, from('203.0.113.7'))).rejects.toMatchObject({ status: 429 });
      const quietAgent = new TestClient(
        await openSocket(`${relay.wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('bob', 'demo') }),
        'quiet agent',
      );
      const talking = await customer(relay, { name: 'Dana' }, from('198.51.100.9'));
      for (const client of [...silent, quietAgent]) {
        expect(await client.closed).toEqual({ code: 4001, reason: 'no hello within 0.4 seconds' });
      }
      expect(relay.logs.filter((l) => l.event === 'hello-timeout')).toHaveLength(3);
      await talking.ok({ type: 'customer-typing', active: true });
      expect(talking.isClosed).toBe(false);
      await customer(relay, { name: 'Back' }, from('203.0.113.7'));
    });
  });

  describe('failed sign-ins', () => {
    const wrong = (user: string, address: string) =>
      openSocket(`${relay().wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader(user, 'wrong'), ...from(address) }).then(
        () => 'open',
        (error: { status: number; retryAfter?: string; body?: string }) => error,
      );
    let current: TestRelay | null = null;
    const relay = () => current!;

    it('after a few failures for one user name each next try waits longer, then the name is locked out (logged)', async () => {
      current = await relayWith({ signIn: { freeFailures: 2, lockoutAfter: 4, lockoutMs: 60_000 } });
      expect(await wrong('bob', '203.0.113.1')).toMatchObject({ status: 401 });
      expect(await wrong('bob', '203.0.113.2')).toMatchObject({ status: 401 });
      // the third failure made the next try wait a second
      expect(await wrong('bob', '203.0.113.3')).toMatchObject({ status: 401 });
      const waiting = await wrong('bob', '203.0.113.4');
      expect(waiting).toMatchObject({ status: 429, retryAfter: '1', body: expect.stringContaining('try again in 1 s') });
      await new Promise((resolve) => setTimeout(resolve, 1050));
      expect(await wrong('bob', '203.0.113.5')).toMatchObject({ status: 401 });
      expect(await wrong('bob', '203.0.113.6')).toMatchObject({ status: 429, retryAfter: '60' });
      expect(relay().logs.find((l) => l.event === 'sign-in-locked')).toMatchObject({ what: 'user', user: 'bob' });
      // locked out with the right password too, from an address bob never signed in from...
      await expect(
        openSocket(`${relay().wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('bob', 'demo'), ...from('203.0.113.9') }),
      ).rejects.toMatchObject({ status: 429 });
      // ...while other users sign in as usual
      sockets.push(await openSocket(`${relay().wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('alice', 'demo'), ...from('203.0.113.9') }));
    });

    it('an unknown user name is throttled exactly like a known one', async () => {
      current = await relayWith({ signIn: { freeFailures: 1, lockoutAfter: 3, lockoutMs: 60_000 } });
      const answers = async (user: string) => {
        const seen = [];
        for (let i = 0; i < 3; i++) seen.push(await wrong(user, `203.0.113.${i + 10}`));
        return seen.map((a) => (typeof a === 'string' ? a : [a.status, a.retryAfter]));
      };
      expect(await answers('nobody-here')).toEqual(await answers('alice'));
    });

    it('one address guessing many names is slowed, then locked out; the agent who signed in from there before is not', async () => {
      current = await relayWith({ signIn: { freeFailures: 2, lockoutAfter: 4, lockoutMs: 60_000 } });
      const desk = '203.0.113.50';
      sockets.push(await openSocket(`${relay().wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('carol', 'demo'), ...from(desk) }));
      const attacker = '198.51.100.66';
      for (const user of ['user-a', 'user-b', 'user-c']) expect(await wrong(user, attacker)).toMatchObject({ status: 401 });
      expect(await wrong('user-d', attacker)).toMatchObject({ status: 429, retryAfter: '1' });
      await new Promise((resolve) => setTimeout(resolve, 1050));
      expect(await wrong('carol', attacker)).toMatchObject({ status: 401 });
      expect(await wrong('user-e', attacker)).toMatchObject({ status: 429, retryAfter: '60' });
      expect(relay().logs.find((l) => l.event === 'sign-in-locked')).toMatchObject({ what: 'address', remote: attacker });
      // carol failed from the attacker's address, but her own desk still gets her in
      sockets.push(await openSocket(`${relay().wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('carol', 'demo'), ...from(desk) }));
      // every refusal was logged with the address
      expect(relay().logs.filter((l) => l.event === 'sign-in-throttled' && l.remote === attacker).length).toBeGreaterThanOrEqual(2);
    });

    it('a reconnect with the right password is never throttled', async () => {
      current = await relayWith({ signIn: { freeFailures: 0, lockoutAfter: 1, lockoutMs: 60_000 } });
      const headers = { Authorization: basicAuthHeader('alice', 'demo'), ...from('203.0.113.1') };
      sockets.push(await openSocket(`${relay().wsUrl}${AGENT_PATH}`, headers));
      expect(await wrong('alice', '203.0.113.1')).toMatchObject({ status: 401 });
      expect(await wrong('alice', '203.0.113.1')).toMatchObject({ status: 429 });
      sockets.push(await openSocket(`${relay().wsUrl}${AGENT_PATH}`, headers));
    });
  });
}
