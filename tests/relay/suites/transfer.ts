// Every row of the transfer state machine in DESIGN.md, driven over real sockets against a real relay. Run against one relay and against a cluster.
import { describe, expect, it } from 'vitest';
import { connectCustomer, deployment, type Frame, messageId, type StartRelay, type TestClient } from '../helpers';

/** Every row of the state machine, against the deployment `start` makes. */
export function transferSuite(start: StartRelay): void {
  const { relay: relayWith, agent, track } = deployment(start);

  /** alice owns a chat with Dana; bob (agent) and maria (manager) are signed in and Present. */
  async function chatOwnedByAlice(options: Parameters<StartRelay>[0] = {}) {
    const relay = await relayWith(options);
    const alice = await agent(relay, 'alice');
    const customer = await connectCustomer(relay, { name: 'Dana' });
    track(customer);
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'Hello Dana, how can I help?' });
    await customer.event('message', sessionId);
    const bob = await agent(relay, 'bob');
    const maria = await agent(relay, 'maria');
    return { relay, alice, bob, maria, customer, sessionId };
  }

  async function offer(from: TestClient, sessionId: string, to: string, note?: string) {
    const result = await from.ok({ type: 'offer-transfer', sessionId, to, ...(note ? { note } : {}) });
    return result.transferId as string;
  }

  describe('routing', () => {
    it('a new chat goes to a Present agent and the customer sees the agent join', async () => {
      const relay = await relayWith();
      const alice = await agent(relay, 'alice');
      const customer = await connectCustomer(relay, { name: 'Dana' });
      track(customer);
      const assigned = await customer.event('assigned');
      // the customer sees the agent's display name, never their login id
      expect(assigned).toEqual({ sessionId: customer.sessionId, seq: 2, at: expect.any(Number), kind: 'assigned', agentName: 'Alice Smith' });
      const summary = await alice.session(customer.sessionId);
      expect(summary).toMatchObject({ state: 'active', ownerId: 'alice', customerName: 'Dana' });
    });

    it('a chat waits queued while nobody is Present and is assigned when someone becomes Present', async () => {
      const relay = await relayWith();
      const alice = await agent(relay, 'alice');
      await alice.ok({ type: 'set-status', status: 'away' });
      const maria = await agent(relay, 'maria');
      const customer = await connectCustomer(relay, { name: 'Dana' });
      track(customer);
      expect(await maria.session(customer.sessionId)).toMatchObject({ state: 'queued', ownerId: null });
      await alice.ok({ type: 'set-status', status: 'present' });
      expect(await customer.event('assigned')).toMatchObject({ agentName: 'Alice Smith' });
      expect(await maria.session(customer.sessionId, (s) => s.state === 'active')).toMatchObject({ ownerId: 'alice' });
    });

    it('routing prefers the agent with fewest open chats and respects capacity', async () => {
      const relay = await relayWith({ capacity: 1 });
      const alice = await agent(relay, 'alice');
      await agent(relay, 'bob');
      const first = await connectCustomer(relay, { name: 'One' });
      const second = await connectCustomer(relay, { name: 'Two' });
      const third = await connectCustomer(relay, { name: 'Three' });
      track(first); track(second); track(third);
      const owners = [(await first.event('assigned')).agentName, (await second.event('assigned')).agentName];
      expect([...owners].sort()).toEqual(['Alice Smith', 'Bob Jones']);
      // both are at capacity, so the third chat waits until a chat closes
      await alice.ok({ type: 'close-chat', sessionId: owners[0] === 'Alice Smith' ? first.sessionId : second.sessionId });
      expect(await third.event('assigned')).toMatchObject({ agentName: 'Alice Smith' });
    });
  });

  describe('offer', () => {
    it('the target is sent the offer with the conversation so far and both see it pending', async () => {
      const { alice, bob, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(alice, sessionId, 'bob', 'billing question');
      const forBob = await bob.session(sessionId);
      expect(forBob.pendingTransfer).toMatchObject({ id: transferId, fromId: 'alice', offeredBy: 'alice', toId: 'bob', note: 'billing question' });
      const replay = await bob.next((f) => f.type === 'replay' && f.sessionId === sessionId);
      expect(replay.events.map((e: Frame) => e.kind)).toEqual(['opened', 'assigned', 'message', 'transfer-offered']);
      expect(await alice.event('transfer-offered', sessionId)).toMatchObject({ transfer: { id: transferId } });
      expect((await alice.session(sessionId, (s) => s.pendingTransfer !== null)).pendingTransfer.id).toBe(transferId);
    });

    it('refuses an Away target, oneself, an unknown agent and a second pending offer', async () => {
      const { alice, bob, relay, sessionId } = await chatOwnedByAlice();
      const carol = await agent(relay, 'carol');
      await carol.ok({ type: 'set-status', status: 'away' });
      expect(await alice.command({ type: 'offer-transfer', sessionId, to: 'carol' })).toMatchObject({ code: 'not-present' });
      expect(await alice.command({ type: 'offer-transfer', sessionId, to: 'alice' })).toMatchObject({ code: 'self-transfer' });
      expect(await alice.command({ type: 'offer-transfer', sessionId, to: 'zoe' })).toMatchObject({ code: 'unknown-agent' });
      await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      expect(await alice.command({ type: 'offer-transfer', sessionId, to: 'maria' })).toMatchObject({ code: 'transfer-pending' });
    });

    it('a manager may offer on the owner’s behalf and may cancel it', async () => {
      const { alice, bob, maria, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(maria, sessionId, 'bob');
      expect((await bob.session(sessionId)).pendingTransfer).toMatchObject({ fromId: 'alice', offeredBy: 'maria' });
      expect(await alice.command({ type: 'cancel-transfer', sessionId, transferId })).toMatchObject({ code: 'not-offerer' });
      await maria.ok({ type: 'cancel-transfer', sessionId, transferId });
      expect(await bob.event('transfer-cancelled', sessionId)).toMatchObject({ reason: 'cancelled', byId: 'maria' });
    });
  });

  describe('answers to an offer', () => {
    it('accept: the target owns the chat, the former owner listens, and the customer sees the hand-off', async () => {
      const { alice, bob, customer, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      await bob.ok({ type: 'accept-transfer', sessionId, transferId });
      const accepted = { kind: 'transfer-accepted', fromId: 'alice', fromName: 'Alice Smith', toId: 'bob', toName: 'Bob Jones' };
      expect(await alice.event('transfer-accepted', sessionId)).toMatchObject(accepted);
      expect(await bob.event('transfer-accepted', sessionId)).toMatchObject(accepted);
      expect(await customer.event('transfer-accepted')).toEqual({
        ...{ sessionId, seq: expect.any(Number), at: expect.any(Number) },
        ...{ kind: 'transfer-accepted', fromName: 'Alice Smith', toName: 'Bob Jones' },
      });
      const after = await alice.session(sessionId, (s) => s.ownerId === 'bob');
      expect(after).toMatchObject({ listeners: ['alice'], pendingTransfer: null });
      // the listener sees everything but cannot write to the customer
      expect(await alice.command({ type: 'send', sessionId, messageId: messageId(), text: 'still me' })).toMatchObject({ code: 'not-owner' });
      await bob.ok({ type: 'send', sessionId, messageId: messageId(), text: 'Bob here' });
      const bobHere = (e: Frame) => e.kind === 'message' && e.text === 'Bob here';
      expect(await customer.eventWhere(bobHere)).toMatchObject({ author: { kind: 'agent', name: 'Bob Jones' } });
      expect(await alice.eventWhere(bobHere)).toMatchObject({ sessionId });
    });

    it('reject: the owner keeps the chat and can continue', async () => {
      const { alice, bob, customer, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      await bob.ok({ type: 'reject-transfer', sessionId, transferId, reason: 'not my area' });
      expect(await alice.event('transfer-rejected', sessionId)).toMatchObject({ byId: 'bob', reason: 'not my area' });
      expect(await alice.session(sessionId, (s) => s.pendingTransfer === null)).toMatchObject({ ownerId: 'alice' });
      // bob left the audience: his last summary shows the offer gone
      expect(await bob.session(sessionId, (s) => s.pendingTransfer === null)).toMatchObject({ ownerId: 'alice' });
      await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'Let me continue' });
      await customer.eventWhere((e) => e.kind === 'message' && e.text === 'Let me continue');
      expect(customer.eventsOf(sessionId).some((e) => e.kind === 'transfer-rejected')).toBe(false);
    });

    it('cancel: the offer disappears from the target', async () => {
      const { alice, bob, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      await alice.ok({ type: 'cancel-transfer', sessionId, transferId });
      expect(await bob.event('transfer-cancelled', sessionId)).toMatchObject({ transferId, reason: 'cancelled', byId: 'alice' });
      expect(await bob.session(sessionId, (s) => s.pendingTransfer === null)).toMatchObject({ ownerId: 'alice' });
      expect(await bob.command({ type: 'accept-transfer', sessionId, transferId })).toMatchObject({ code: 'transfer-not-pending' });
    });

    it('expire: a transfer pending past the timeout ends with reason timeout', async () => {
      const { alice, bob, sessionId } = await chatOwnedByAlice({ transferTimeoutMs: 150 });
      const transferId = await offer(alice, sessionId, 'bob');
      const offered = await bob.session(sessionId);
      expect(offered.pendingTransfer.expiresAt).toBe(offered.pendingTransfer.createdAt + 150);
      expect(await alice.event('transfer-cancelled', sessionId)).toMatchObject({ transferId, reason: 'timeout', byId: null });
      expect(await bob.command({ type: 'reject-transfer', sessionId, transferId })).toMatchObject({ code: 'transfer-not-pending' });
    });

    it('target leaves by going Away: the transfer ends with reason target-unavailable', async () => {
      const { alice, bob, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      await bob.ok({ type: 'set-status', status: 'away' });
      expect(await alice.event('transfer-cancelled', sessionId)).toMatchObject({ transferId, reason: 'target-unavailable' });
    });

    it('target leaves by going offline past the grace period: the transfer ends with reason target-unavailable', async () => {
      const { alice, bob, sessionId } = await chatOwnedByAlice({ offlineGraceMs: 100 });
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      await bob.close();
      expect(await alice.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status === 'offline')).toBeTruthy();
      expect(await alice.event('transfer-cancelled', sessionId)).toMatchObject({ transferId, reason: 'target-unavailable' });
    });

    it('a target who reconnects within the grace period keeps the offer', async () => {
      // the reconnect may land on another cluster node, where the password is checked afresh (scrypt on a low-priority
      // thread, relay/sign-in.ts): on a loaded machine that alone can take a second, so the grace is longer than that
      const { relay, alice, bob, sessionId } = await chatOwnedByAlice({ offlineGraceMs: 3000 });
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      await bob.close();
      const again = await agent(relay, 'bob');
      const welcome = again.frames.find((f) => f.type === 'welcome')!;
      expect(welcome.sessions.find((s: Frame) => s.id === sessionId).pendingTransfer.id).toBe(transferId);
      await again.ok({ type: 'accept-transfer', sessionId, transferId });
      expect(await alice.event('transfer-accepted', sessionId)).toMatchObject({ toId: 'bob' });
    });
  });

  describe('manager and listeners', () => {
    it('take over: the manager owns the chat at once, the owner listens, and a pending transfer is cancelled', async () => {
      const { alice, bob, maria, customer, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      await maria.ok({ type: 'take-over', sessionId });
      expect(await bob.event('transfer-cancelled', sessionId)).toMatchObject({ transferId, reason: 'taken-over', byId: 'maria' });
      expect(await alice.event('taken-over', sessionId)).toMatchObject({ byId: 'maria', fromId: 'alice' });
      expect(await customer.event('taken-over')).toMatchObject({ byName: 'Maria Garcia' });
      const summary = await maria.session(sessionId, (s) => s.ownerId === 'maria');
      expect(summary).toMatchObject({ listeners: ['alice'], pendingTransfer: null });
      // maria joined the audience and got the conversation so far
      const replay = maria.frames.find((f) => f.type === 'replay' && f.sessionId === sessionId)!;
      expect(replay.events.filter((e: Frame) => e.kind === 'message')).toHaveLength(1);
      expect(await bob.command({ type: 'accept-transfer', sessionId, transferId })).toMatchObject({ code: 'transfer-not-pending' });
    });

    it('take over works on a queued chat', async () => {
      const relay = await relayWith();
      const maria = await agent(relay, 'maria');
      const customer = await connectCustomer(relay, { name: 'Dana' });
      track(customer);
      await maria.session(customer.sessionId, (s) => s.state === 'queued');
      await maria.ok({ type: 'take-over', sessionId: customer.sessionId });
      expect(await customer.event('taken-over')).toMatchObject({ byName: 'Maria Garcia', fromName: null });
      expect(await maria.session(customer.sessionId, (s) => s.state === 'active')).toMatchObject({ ownerId: 'maria' });
    });

    it('listen: an agent with Can listen in sees the chat; one without may not', async () => {
      const { relay, alice, bob, sessionId, customer } = await chatOwnedByAlice();
      const carol = await agent(relay, 'carol');
      expect(await bob.command({ type: 'listen', sessionId })).toMatchObject({ code: 'cannot-listen' });
      await carol.ok({ type: 'listen', sessionId });
      const replay = await carol.next((f) => f.type === 'replay' && f.sessionId === sessionId);
      expect(replay.events.map((e: Frame) => e.kind)).toContain('listener-joined');
      expect(await alice.event('listener-joined', sessionId)).toMatchObject({ agentId: 'carol' });
      expect(await carol.command({ type: 'listen', sessionId })).toMatchObject({ code: 'already-listening' });
      await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'are you there?' });
      expect(await carol.eventWhere((e) => e.kind === 'message' && e.text === 'are you there?')).toMatchObject({
        author: { kind: 'customer', name: 'Dana' },
      });
      expect(customer.eventsOf(sessionId).some((e) => e.kind === 'listener-joined')).toBe(false);
    });

    it('close window: a listener stops listening; a non-listener is told so', async () => {
      const { relay, alice, sessionId } = await chatOwnedByAlice();
      const carol = await agent(relay, 'carol');
      expect(await carol.command({ type: 'close-window', sessionId })).toMatchObject({ code: 'not-listener' });
      await carol.ok({ type: 'listen', sessionId });
      await carol.ok({ type: 'close-window', sessionId });
      expect(await alice.event('listener-left', sessionId)).toMatchObject({ agentId: 'carol' });
      expect(await carol.session(sessionId, (s) => s.listeners.length === 0)).toMatchObject({ ownerId: 'alice' });
      await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'after carol left' });
      await alice.eventWhere((e) => e.kind === 'message' && e.text === 'after carol left');
      // frames to one connection are ordered: had the relay sent carol the message, it would precede this answer
      await carol.ok({ type: 'list-requests' });
      expect(carol.eventsOf(sessionId).some((e) => e.kind === 'message' && e.text === 'after carol left')).toBe(false);
    });
  });

  describe('closing and conversation', () => {
    it('close chat by the owner: a pending transfer ends, everyone is told, the customer is disconnected', async () => {
      const { alice, bob, maria, customer, sessionId } = await chatOwnedByAlice();
      const transferId = await offer(alice, sessionId, 'bob');
      await bob.session(sessionId);
      expect(await bob.command({ type: 'close-chat', sessionId })).toMatchObject({ code: 'not-owner' });
      await alice.ok({ type: 'close-chat', sessionId });
      expect(await bob.event('transfer-cancelled', sessionId)).toMatchObject({ transferId, reason: 'closed' });
      expect((await customer.event('closed')).by).toEqual({ kind: 'agent', name: 'Alice Smith' });
      expect(await customer.closed).toMatchObject({ code: 4010 });
      const closed = await maria.session(sessionId, (s) => s.state === 'closed');
      expect(closed.closedAt).toBeGreaterThan(0);
      expect(await alice.command({ type: 'send', sessionId, messageId: messageId(), text: 'late' })).toMatchObject({ code: 'session-closed' });
    });

    it('close chat by the customer', async () => {
      const { alice, customer, sessionId } = await chatOwnedByAlice();
      await customer.ok({ type: 'customer-close' });
      expect(await alice.event('closed', sessionId)).toMatchObject({ by: { kind: 'customer', id: null, name: 'Dana' } });
      expect(await alice.session(sessionId, (s) => s.state === 'closed')).toMatchObject({ ownerId: 'alice' });
    });

    it('a resent message is stored once and answered as a duplicate', async () => {
      const { alice, customer, sessionId } = await chatOwnedByAlice();
      const id = messageId();
      const first = await customer.ok({ type: 'customer-send', messageId: id, text: 'I need help' });
      const again = await customer.ok({ type: 'customer-send', messageId: id, text: 'I need help' });
      expect(again).toEqual({ seq: first.seq, duplicate: true });
      expect(first.duplicate).toBe(false);
      // a message is not followed by a summary for the chat's audience: alice folds it into what she holds
      const summary = await alice.viewWhere(sessionId, (s) => s.lastMessage?.text === 'I need help');
      expect(summary.waitingSince).toBe(summary.lastMessage.at);
      const fetched = await alice.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(fetched.events.filter((e: Frame) => e.messageId === id)).toHaveLength(1);
      const reply = messageId();
      await alice.ok({ type: 'send', sessionId, messageId: reply, text: 'On it' });
      expect((await alice.viewWhere(sessionId, (s) => s.lastMessage?.text === 'On it')).waitingSince).toBeNull();
      expect(alice.frames.filter((f) => f.type === 'session' && f.session.lastMessage?.text === 'On it')).toEqual([]);
    });

    it('typing is relayed between owner and customer and never stored', async () => {
      const { alice, customer, sessionId } = await chatOwnedByAlice();
      await alice.ok({ type: 'typing', sessionId, active: true });
      expect(await customer.next((f) => f.type === 'typing')).toMatchObject({ who: 'agent', name: 'Alice Smith', active: true });
      await customer.ok({ type: 'customer-typing', active: true });
      expect(await alice.next((f) => f.type === 'typing')).toMatchObject({ who: 'customer', name: 'Dana', active: true });
      const fetched = await alice.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(fetched.events.map((e: Frame) => e.kind)).toEqual(['opened', 'assigned', 'message']);
    });

    it('create request: stores the transcript, the customer sees it, the creator and managers get it', async () => {
      const { alice, bob, maria, customer, sessionId } = await chatOwnedByAlice();
      const { request } = await alice.ok({ type: 'create-request', sessionId, title: 'Refund', description: 'Order 42' });
      expect(request).toMatchObject({ title: 'Refund', description: 'Order 42', customerName: 'Dana', createdBy: 'alice' });
      expect(request.transcript).toEqual([expect.objectContaining({ author: 'Alice Smith', text: 'Hello Dana, how can I help?' })]);
      // the customer sees the title only: not who filed it, its internal description or the transcript
      expect((await customer.event('request-created')).request).toEqual({ title: 'Refund' });
      expect(await maria.next((f) => f.type === 'request')).toMatchObject({ request: { id: request.id } });
      expect(await alice.next((f) => f.type === 'request')).toMatchObject({ request: { id: request.id } });
      expect(await bob.command({ type: 'create-request', sessionId, title: 'x' })).toMatchObject({ code: 'not-owner' });
      expect((await maria.ok({ type: 'list-requests' })).requests.map((r: Frame) => r.id)).toEqual([request.id]);
      expect((await bob.ok({ type: 'list-requests' })).requests).toEqual([]);
      expect((await alice.ok({ type: 'list-requests' })).requests).toHaveLength(1);
    });
  });

  describe('presence', () => {
    it('everyone sees status changes live; offline after the grace period; the chosen status comes back', async () => {
      const relay = await relayWith({ offlineGraceMs: 100 });
      const maria = await agent(relay, 'maria');
      const alice = await agent(relay, 'alice');
      expect(await maria.next((f) => f.type === 'presence' && f.agent.id === 'alice')).toMatchObject({ agent: { status: 'present' } });
      await alice.ok({ type: 'set-status', status: 'away' });
      expect(await maria.next((f) => f.type === 'presence' && f.agent.id === 'alice')).toMatchObject({ agent: { status: 'away' } });
      await alice.close();
      expect(await maria.next((f) => f.type === 'presence' && f.agent.id === 'alice')).toMatchObject({ agent: { status: 'offline' } });
      const back = await agent(relay, 'alice');
      expect(back.frames[0]).toMatchObject({ type: 'welcome', me: { status: 'away' } });
      expect(await maria.next((f) => f.type === 'presence' && f.agent.id === 'alice')).toMatchObject({ agent: { status: 'away' } });
    });
  });
}
