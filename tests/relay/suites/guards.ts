// Behaviours that mutation testing found unpinned (issue 15): routing around Away agents and full ones, re-routing
// after a hand-off, stale transfer ids, every command on a closed chat, a manager's authority, listeners one at a
// time, presence with two connections, and what must never reach a peer. Run against one relay and a cluster.
import { describe, expect, it } from 'vitest';
import { deployment, type Frame, messageId, type StartRelay, type TestClient, type TestRelay } from '../helpers';

export function guardsSuite(start: StartRelay): void {
  const { relay: relayWith, agent, customer: join } = deployment(start);
  const customer = (relay: TestRelay, name: string) => join(relay, { name });

  /** alice owns a chat with a customer; the others named are signed in after the chat was routed to her. */
  async function chatOwnedByAlice<U extends string>(relay: TestRelay, ...others: U[]) {
    const alice = await agent(relay, 'alice');
    const chat = await customer(relay, 'Dana');
    await alice.event('assigned', chat.sessionId);
    const signedIn = {} as Record<U, TestClient>;
    for (const user of others) signedIn[user] = await agent(relay, user);
    return { alice, chat, sessionId: chat.sessionId, ...signedIn };
  }

  /** The next presence frame about `agentId` that satisfies `holds`. */
  const presenceOf = (client: TestClient, agentId: string, holds: (agent: Frame) => boolean = () => true) =>
    client.next((f) => f.type === 'presence' && f.agent.id === agentId && holds(f.agent), 8000, `presence of ${agentId}`);

  describe('routing', () => {
    it('an Away agent is never routed a chat, and a chat waits while every Present agent is at capacity', async () => {
      const relay = await relayWith({ capacity: 1 });
      const alice = await agent(relay, 'alice');
      await alice.ok({ type: 'set-status', status: 'away' });
      await agent(relay, 'bob');
      const first = await customer(relay, 'One');
      // alice is first by name and has no chat: only her being Away sends this one to bob
      expect(await first.event('assigned')).toMatchObject({ agentName: 'Bob Jones' });
      const second = await customer(relay, 'Two');
      // bob is full; the chat waits for alice, instead of going to bob anyway or to alice while she is Away
      await alice.ok({ type: 'set-status', status: 'present' });
      expect(await second.event('assigned')).toMatchObject({ agentName: 'Alice Smith' });
    });

    it('after a hand-off a queued chat goes to whoever has room now, and everyone is told the new open-chat counts', async () => {
      const relay = await relayWith({ capacity: 1 });
      const maria = await agent(relay, 'maria');
      const alice = await agent(relay, 'alice');
      const first = await customer(relay, 'One');
      await alice.event('assigned', first.sessionId);
      const bob = await agent(relay, 'bob');
      const second = await customer(relay, 'Two');
      await bob.event('assigned', second.sessionId);
      const third = await customer(relay, 'Three');
      await maria.session(third.sessionId, (s) => s.state === 'queued');
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: first.sessionId, to: 'bob' });
      await bob.session(first.sessionId, (s) => s.pendingTransfer?.id === transferId);
      await bob.ok({ type: 'accept-transfer', sessionId: first.sessionId, transferId });
      // a transfer ignores capacity (the receiver decided); alice has room again and the waiting chat is hers
      expect(await third.event('assigned')).toMatchObject({ agentName: 'Alice Smith' });
      expect(await presenceOf(maria, 'bob', (a) => a.openChats === 2)).toBeTruthy();
      expect(await presenceOf(maria, 'alice', (a) => a.openChats === 1)).toBeTruthy();
    });
  });

  describe('transfer ids', () => {
    it('an accept, reject or cancel naming an older offer never acts on the newer one', async () => {
      const relay = await relayWith();
      const { alice, sessionId, bob, carol, maria } = await chatOwnedByAlice(relay, 'bob', 'carol', 'maria');
      const { transferId: old } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      await alice.ok({ type: 'cancel-transfer', sessionId, transferId: old });
      const { transferId: current } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'carol' });
      await carol.session(sessionId, (s) => s.pendingTransfer?.id === current);
      expect(await bob.command({ type: 'accept-transfer', sessionId, transferId: old })).toMatchObject({ code: 'transfer-not-pending' });
      expect(await carol.command({ type: 'reject-transfer', sessionId, transferId: old })).toMatchObject({ code: 'transfer-not-pending' });
      expect(await alice.command({ type: 'cancel-transfer', sessionId, transferId: old })).toMatchObject({ code: 'transfer-not-pending' });
      expect(await carol.command({ type: 'accept-transfer', sessionId, transferId: old })).toMatchObject({ code: 'transfer-not-pending' });
      const { events } = await maria.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(events.filter((e: Frame) => e.transferId === current)).toEqual([]);
      expect((await maria.viewWhere(sessionId, (s) => s.pendingTransfer?.id === current)).ownerId).toBe('alice');
      await carol.ok({ type: 'accept-transfer', sessionId, transferId: current });
      expect(await alice.event('transfer-accepted', sessionId)).toMatchObject({ transferId: current, toId: 'carol' });
    });
  });

  describe('a closed chat', () => {
    it('refuses every command that would change it, by anyone, and still lets its parties read it', async () => {
      const relay = await relayWith();
      const { alice, chat, sessionId, bob, carol, maria } = await chatOwnedByAlice(relay, 'bob', 'carol', 'maria');
      await carol.ok({ type: 'listen', sessionId });
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      await alice.ok({ type: 'close-chat', sessionId });
      await maria.session(sessionId, (s) => s.state === 'closed');
      const refused: Array<[TestClient, Frame]> = [
        [alice, { type: 'send', sessionId, messageId: messageId(), text: 'still there?' }],
        [alice, { type: 'typing', sessionId, active: true }],
        [alice, { type: 'offer-transfer', sessionId, to: 'maria' }],
        [maria, { type: 'offer-transfer', sessionId, to: 'bob' }],
        [bob, { type: 'accept-transfer', sessionId, transferId }],
        [bob, { type: 'reject-transfer', sessionId, transferId }],
        [alice, { type: 'cancel-transfer', sessionId, transferId }],
        [maria, { type: 'take-over', sessionId }],
        [maria, { type: 'listen', sessionId }],
        [carol, { type: 'close-window', sessionId }],
        [alice, { type: 'close-chat', sessionId }],
      ];
      const before = (await maria.ok({ type: 'fetch-events', sessionId, afterSeq: 0 })).events.length;
      for (const [who, frame] of refused) {
        expect(await who.command(frame), `${who.label} ${frame.type}`).toMatchObject({ type: 'error', code: 'session-closed' });
      }
      expect(await chat.closed).toMatchObject({ code: 4010 });
      const after = await maria.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(after.events).toHaveLength(before);
      expect((await alice.ok({ type: 'fetch-events', sessionId, afterSeq: 0 })).events).toHaveLength(before);
    });
  });

  describe('a manager and listeners', () => {
    it("a manager may cancel someone else's offer", async () => {
      const relay = await relayWith();
      const { alice, chat, bob, maria } = await chatOwnedByAlice(relay, 'bob', 'maria');
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: chat.sessionId, to: 'bob' });
      await bob.session(chat.sessionId, (s) => s.pendingTransfer?.id === transferId);
      await maria.ok({ type: 'cancel-transfer', sessionId: chat.sessionId, transferId });
      expect(await bob.event('transfer-cancelled', chat.sessionId)).toMatchObject({ transferId, reason: 'cancelled', byId: 'maria' });
      expect((await alice.session(chat.sessionId, (s) => s.pendingTransfer === null)).ownerId).toBe('alice');
    });

    it('a listening manager who takes over stops being a listener; a listener closing the window removes only them', async () => {
      const relay = await relayWith();
      const { alice, sessionId, carol, maria } = await chatOwnedByAlice(relay, 'carol', 'maria');
      await carol.ok({ type: 'listen', sessionId });
      await maria.ok({ type: 'listen', sessionId });
      await carol.ok({ type: 'close-window', sessionId });
      const closed = await alice.session(sessionId, (s) => s.listeners.includes('maria') && !s.listeners.includes('carol'));
      expect(closed.listeners).toEqual(['maria']);
      await maria.ok({ type: 'take-over', sessionId });
      const taken = await carol.next((f) => f.type === 'session' && f.session.id === sessionId && f.session.ownerId === 'maria');
      expect(taken.session).toMatchObject({ ownerId: 'maria', listeners: ['alice'] });
    });
  });

  describe('presence', () => {
    it('an agent who closes one of two connections stays online and can still be offered chats', async () => {
      const relay = await relayWith({ offlineGraceMs: 150 });
      const { alice, chat, maria, bob } = await chatOwnedByAlice(relay, 'maria', 'bob');
      const bobToo = await agent(relay, 'bob');
      await bobToo.close();
      // well past the grace period: an agent whose last connection closed would be offline by now
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(maria.frames.filter((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status === 'offline')).toEqual([]);
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: chat.sessionId, to: 'bob' });
      expect((await bob.session(chat.sessionId, (s) => s.pendingTransfer !== null)).pendingTransfer.id).toBe(transferId);
    });
  });

  describe('what never reaches a peer', () => {
    it("a plain agent's welcome lists only the chats they are in; a dashboard viewer's lists every live chat", async () => {
      const relay = await relayWith({ capacity: 1 });
      const alice = await agent(relay, 'alice');
      const one = await customer(relay, 'One');
      await alice.event('assigned', one.sessionId);
      const bob = await agent(relay, 'bob');
      const two = await customer(relay, 'Two');
      await bob.event('assigned', two.sessionId);
      const bobAgain = await agent(relay, 'bob');
      expect(bobAgain.frames[0]!.sessions.map((s: Frame) => s.id)).toEqual([two.sessionId]);
      const carol = await agent(relay, 'carol');
      expect(carol.frames[0]!.sessions.map((s: Frame) => s.id).sort()).toEqual([one.sessionId, two.sessionId].sort());
    });

    it("a new request's frame goes to its creator and to managers, and to no other agent", async () => {
      const relay = await relayWith();
      const { alice, chat, bob, carol, maria } = await chatOwnedByAlice(relay, 'bob', 'carol', 'maria');
      const { request } = await alice.ok({ type: 'create-request', sessionId: chat.sessionId, title: 'Call back' });
      expect(await maria.next((f) => f.type === 'request')).toMatchObject({ request: { id: request.id } });
      expect(await alice.next((f) => f.type === 'request')).toMatchObject({ request: { id: request.id } });
      // carol sees the chat on her Dashboard (its request-created event in the summary's log), but not the request
      await carol.viewWhere(chat.sessionId, (s) => s.lastSeq >= 3);
      await bob.ok({ type: 'list-requests' });
      await carol.ok({ type: 'list-requests' });
      expect(bob.frames.filter((f) => f.type === 'request')).toEqual([]);
      expect(carol.frames.filter((f) => f.type === 'request')).toEqual([]);
    });

    it('the documented log lines are written, with their fields', async () => {
      const relay = await relayWith({ transferTimeoutMs: 300 });
      const { alice, chat, sessionId, bob, maria } = await chatOwnedByAlice(relay, 'bob', 'maria');
      await bob.ok({ type: 'set-status', status: 'present' });
      const first = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      await bob.ok({ type: 'reject-transfer', sessionId, transferId: first.transferId, reason: 'busy' });
      const second = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      await alice.event('transfer-cancelled', sessionId, 5000);
      const third = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      await alice.ok({ type: 'cancel-transfer', sessionId, transferId: third.transferId });
      const fourth = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      await bob.ok({ type: 'accept-transfer', sessionId, transferId: fourth.transferId });
      await maria.ok({ type: 'take-over', sessionId });
      await maria.ok({ type: 'close-chat', sessionId });
      const logs = relay.logs;
      const line = (event: string, fields: Frame) =>
        expect(logs.find((l) => l.event === event && Object.entries(fields).every(([k, v]) => l[k] === v)), event).toBeTruthy();
      line('relay-started', {});
      line('connection-open', { kind: 'agent', agentId: 'alice' });
      line('chat-opened', { sessionId });
      line('customer-joined', { sessionId });
      line('chat-assigned', { sessionId, agentId: 'alice' });
      line('presence-set', { agentId: 'bob', status: 'present' });
      line('transfer-offered', { sessionId, transferId: first.transferId, from: 'alice', to: 'bob', by: 'alice' });
      line('transfer-rejected', { sessionId, transferId: first.transferId, by: 'bob', reason: 'busy' });
      line('transfer-expired', { sessionId, transferId: second.transferId, reason: 'timeout' });
      line('transfer-cancelled', { sessionId, transferId: third.transferId, by: 'alice', reason: 'cancelled' });
      line('transfer-accepted', { sessionId, transferId: fourth.transferId, by: 'bob' });
      line('transfer-taken-over', { sessionId, by: 'maria', from: 'bob' });
      line('chat-closed', { sessionId, by: 'agent', byId: 'maria' });
      await chat.closed;
      // the relay logs the close when its side of the socket has closed, a moment after the customer's
      const deadline = Date.now() + 3000;
      while (!logs.some((l) => l.event === 'connection-close' && l.kind === 'customer') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      line('connection-close', { kind: 'customer' });
    });
  });
}
