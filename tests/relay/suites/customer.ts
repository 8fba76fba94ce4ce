// The customer side over real sockets and HTTP: queue positions while waiting, the pre-chat form's details, the
// satisfaction rating and the offline form. Run against one relay and against a cluster (parties on different nodes).
import { describe, expect, it } from 'vitest';
import { connectCustomer, deployment, type Frame, type StartRelay, type TestClient, type TestRelay } from '../helpers';

const post = (relay: TestRelay, path: string, body: unknown) =>
  fetch(`${relay.httpUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** The latest queue frame a customer got: where they stand now. */
const queueFrame = (customer: TestClient, position: number) =>
  customer.next((f: Frame) => f.type === 'queue' && f.position === position, 5000, `queue position ${position}`);

export function customerSuite(start: StartRelay): void {
  const { relay: relayWith, agent, track } = deployment(start);

  describe('queue position', () => {
    it('a queued customer is told their place, and it counts down as agents take chats', async () => {
      const relay = await relayWith({ capacity: 1 });
      const alice = await agent(relay, 'alice');
      await alice.ok({ type: 'set-status', status: 'away' });
      const first = track(await connectCustomer(relay, { name: 'One' }));
      await queueFrame(first, 1);
      const second = track(await connectCustomer(relay, { name: 'Two' }));
      await queueFrame(second, 2);
      const third = track(await connectCustomer(relay, { name: 'Three' }));
      expect(await queueFrame(third, 3)).toMatchObject({ sessionId: third.sessionId });

      await alice.ok({ type: 'set-status', status: 'present' });
      await first.event('assigned');
      await queueFrame(second, 1);
      await queueFrame(third, 2);
      // a second agent takes the next chat: the last one is next now, and the wait is guessed from the pace so far
      await agent(relay, 'bob');
      await second.event('assigned');
      const next = await queueFrame(third, 1);
      expect(next.estimatedWaitMs === null || next.estimatedWaitMs >= 0).toBe(true);
    });

    it('a customer who resumes a queued chat is told their place in the greeting', async () => {
      const relay = await relayWith();
      const maria = await agent(relay, 'maria');
      await maria.ok({ type: 'set-status', status: 'away' });
      const waiting = track(await connectCustomer(relay, { name: 'Waiting' }));
      await queueFrame(waiting, 1);
      await waiting.close();
      const again = track(await connectCustomer(relay, { token: waiting.token, lastSeq: 0 }));
      expect(await queueFrame(again, 1)).toMatchObject({ sessionId: waiting.sessionId });
    });
  });

  describe('pre-chat form', () => {
    it("the customer's e-mail and topic reach the agent with the chat", async () => {
      const relay = await relayWith();
      const alice = await agent(relay, 'alice');
      const customer = track(await connectCustomer(relay, { name: 'Dana', email: 'dana@example.com', topic: 'Billing' }));
      await alice.event('assigned', customer.sessionId);
      const { events } = await alice.ok({ type: 'fetch-events', sessionId: customer.sessionId, afterSeq: 0 });
      expect(events[0]).toMatchObject({ kind: 'opened', customerName: 'Dana', email: 'dana@example.com', topic: 'Billing' });
    });

    it('an e-mail address that is not one is refused with the reason', async () => {
      const relay = await relayWith();
      await expect(connectCustomer(relay, { name: 'Dana', email: 'not an address' })).rejects.toThrow(/e-mail address/);
    });

    it('a relay that requires the e-mail refuses a new chat without one, in words; a resume needs none', async () => {
      const relay = await relayWith({ widget: { origins: [], emailRequired: true } });
      const alice = await agent(relay, 'alice');
      const refused = await connectCustomer(relay, { name: 'Dana' }).catch((error: Error) => error.message);
      expect(refused).toContain('"code":"email-required"');
      expect(refused).toContain('Enter your e-mail address, so we can answer you.');
      const customer = track(await connectCustomer(relay, { name: 'Dana', email: 'dana@example.com' }));
      // nothing was opened for the refused hello: alice, Present, is given this chat first
      expect(await alice.event('assigned')).toMatchObject({ sessionId: customer.sessionId });
      await customer.close();
      const resumed = track(await connectCustomer(relay, { token: customer.token, lastSeq: 0 }));
      expect(resumed.sessionId).toBe(customer.sessionId);
    });

    it('the topics are the teams, or the configured ones each routed to the team it names; a topic reaches its team', async () => {
      const settings = async (relay: TestRelay) => (await (await fetch(`${relay.httpUrl}/chat/settings.json`)).json()).topics;
      const plain = await relayWith();
      const maria = await agent(plain, 'maria');
      expect(await settings(plain)).toEqual([]);
      await maria.ok({ type: 'team-add', team: 'billing', name: 'Billing' });
      await maria.ok({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
      // another node learns of the team through the directory's change notice
      await expect.poll(() => settings(plain)).toEqual([{ name: 'Billing', team: 'billing' }]);

      const configured = await relayWith({ widget: { origins: [], topics: ['Orders', 'billing', 'Returns'] } });
      const admin = await agent(configured, 'maria');
      await admin.ok({ type: 'team-add', team: 'billing', name: 'Billing' });
      await admin.ok({ type: 'team-add', team: 'refunds', name: 'Returns and refunds' });
      await admin.ok({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
      await expect.poll(() => settings(configured)).toEqual([
        { name: 'Orders', team: null },
        { name: 'billing', team: 'billing' },
        { name: 'Returns', team: null },
      ]);
      // the page sends the chosen topic's team: the chat goes to bob (in billing), not to alice (Present, outside it)
      const alice = await agent(configured, 'alice');
      const bob = await agent(configured, 'bob');
      await alice.ok({ type: 'set-status', status: 'present' });
      const customer = track(await connectCustomer(configured, { name: 'Dana', topic: 'billing', team: 'billing' }));
      expect(await bob.event('assigned', customer.sessionId)).toMatchObject({ agentId: 'bob' });
    });
  });

  describe('rating', () => {
    it('after the chat ends the customer rates it once; the owner sees the rating', async () => {
      const relay = await relayWith();
      const alice = await agent(relay, 'alice');
      const customer = track(await connectCustomer(relay, { name: 'Dana' }));
      const sessionId = customer.sessionId;
      await alice.event('assigned', sessionId);
      const early = await post(relay, '/chat/rating', { token: customer.token, score: 5 });
      expect(early.status).toBe(409);
      expect(await early.json()).toEqual({ code: 'forbidden', message: 'A chat can be rated once it has ended.' });

      await alice.ok({ type: 'close-chat', sessionId });
      const rated = await post(relay, '/chat/rating', { token: customer.token, score: 4, comment: 'Quick and kind.' });
      expect(rated.status).toBe(204);
      expect(await alice.event('rated', sessionId)).toMatchObject({ score: 4, comment: 'Quick and kind.' });

      const twice = await post(relay, '/chat/rating', { token: customer.token, score: 1 });
      expect(twice.status).toBe(409);
      expect(await twice.json()).toEqual({ code: 'forbidden', message: 'This chat has been rated already.' });
      const { events } = await alice.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(events.filter((e: Frame) => e.kind === 'rated')).toHaveLength(1);

      // the Dashboard's figure: for those who see the Dashboard
      const maria = await agent(relay, 'maria');
      expect(await maria.ok({ type: 'rating-figures', days: 7 })).toEqual({ days: 7, count: 1, average: 4 });
      expect(await alice.command({ type: 'rating-figures' })).toMatchObject({ type: 'error', code: 'forbidden' });
    });

    it('a rating with an unknown token, a score outside 1-5 or no JSON is refused with a sentence', async () => {
      const relay = await relayWith();
      expect((await post(relay, '/chat/rating', { token: 'x'.repeat(32), score: 3 })).status).toBe(404);
      const outside = await post(relay, '/chat/rating', { token: 'x'.repeat(32), score: 6 });
      expect(outside.status).toBe(400);
      expect(await outside.json()).toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('score') });
      const text = await fetch(`${relay.httpUrl}/chat/rating`, { method: 'POST', body: 'score=3' });
      expect(text.status).toBe(415);
    });
  });

  describe('offline form', () => {
    it('a message left with the offline form is a request managers see, with the e-mail', async () => {
      const relay = await relayWith();
      const maria = await agent(relay, 'maria');
      const left = await post(relay, '/chat/offline', {
        name: 'Noor',
        email: 'noor@example.com',
        message: 'Please call me back about my invoice.',
        topic: 'Billing',
      });
      expect(left.status).toBe(201);
      const { requestId } = (await left.json()) as { requestId: string };
      const frame = await maria.next((f: Frame) => f.type === 'request' && f.request.id === requestId);
      expect(frame.request).toMatchObject({
        title: 'Offline message: Billing',
        description: 'Please call me back about my invoice.',
        customerName: 'Noor',
        customerEmail: 'noor@example.com',
        createdBy: null,
      });
      const { requests } = await maria.ok({ type: 'list-requests' });
      expect(requests.map((r: Frame) => r.id)).toContain(requestId);
      const bad = await post(relay, '/chat/offline', { name: 'Noor', email: 'nope', message: 'Hi' });
      expect(bad.status).toBe(400);
    });

    it('an offline message is kept as a chat the customer opened and closed, holding their message: no agent is given it', async () => {
      const relay = await relayWith();
      const maria = await agent(relay, 'maria');
      const left = await post(relay, '/chat/offline', { name: 'Noor', email: 'noor@example.com', message: 'Call me back.' });
      expect(left.status).toBe(201);
      const { requestId } = (await left.json()) as { requestId: string };
      const { request } = await maria.next((f: Frame) => f.type === 'request' && f.request.id === requestId);
      // no topic chosen: the request is titled plainly, open, with the message as its transcript
      expect(request).toMatchObject({
        title: 'Offline message',
        status: 'open',
        assigneeId: null,
        transcript: [{ author: 'Noor', text: 'Call me back.' }],
      });

      const { events } = await maria.ok({ type: 'fetch-events', sessionId: request.sessionId, afterSeq: 0 });
      expect(events.map((e: Frame) => e.kind)).toEqual(['opened', 'message', 'request-created', 'closed']);
      expect(events[0]).toMatchObject({ customerName: 'Noor', email: 'noor@example.com' });
      expect(events[0]).not.toHaveProperty('topic');
      expect(events[1]).toMatchObject({ author: { kind: 'customer', name: 'Noor' }, text: 'Call me back.' });
      expect(events[3]).toMatchObject({ by: { kind: 'customer', name: 'Noor' } });

      // closed, so it is no live chat: a manager signing in now is not shown it, and an agent coming Present is not given it
      const later = await agent(relay, 'maria');
      const welcome = later.frames.find((f: Frame) => f.type === 'welcome');
      expect(welcome?.sessions.map((s: Frame) => s.id)).not.toContain(request.sessionId);
      const alice = await agent(relay, 'alice');
      const customer = track(await connectCustomer(relay, { name: 'Dana' }));
      expect(await alice.event('assigned')).toMatchObject({ sessionId: customer.sessionId });
    });
  });
}
