// Big answers are not slow consumers: a long chat and a crowded welcome come in pages a fast reader follows without
// ever being closed, while a reader that stops reading still is. Run against one relay and against a cluster.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_BYTES } from '../../../relay/paging';
import { deployment, type StartRelay } from '../helpers';
import { connectCustomer, type Frame, messageId, type TestClient, type TestRelay } from '../helpers';

/** Generous enough that building the big chats is not refused; the limits themselves are tested in hardening-limits. */
const roomy = {
  rateLimit: { perSecond: 100_000, burst: 100_000 },
  addressRateLimit: { perSecond: 100_000, burst: 100_000 },
  newChatsPerAddressPerMinute: 100_000,
  newChatsPerSecond: 100_000,
  maxConnectionsPerAddress: 10_000,
};

const TEXT_8000 = 'x'.repeat(7990);

/** Any frame may be one page plus the one event that did not fit, never more. */
const MAX_FRAME = DEFAULT_PAGE_BYTES + 16 * 1024;

export function backlogSuite(start: StartRelay, { bigChatMessages = 1300 } = {}): void {
  const { relay: startWith, agent, track } = deployment(start);
  const relayWith = (options: Parameters<StartRelay>[0] = {}) => startWith({ ...roomy, ...options });

  /** alice owns a chat in which the customer wrote `count` messages of 8,000 characters (1,300 ≈ 10 MB). */
  async function bigChat(relay: TestRelay, count: number) {
    const alice = await agent(relay, 'alice');
    const customer = track(await connectCustomer(relay, { name: 'Dana' }));
    await alice.event('assigned', customer.sessionId);
    for (let sent = 0; sent < count; ) {
      const batch = Array.from({ length: Math.min(100, count - sent) }, (_, i) =>
        customer.fire({ type: 'customer-send', messageId: messageId(), text: `${sent + i} ${TEXT_8000}` }),
      );
      for (const id of batch) expect(await customer.answer(id, 30_000)).toMatchObject({ type: 'ok' });
      sent += batch.length;
    }
    const lastSeq = 2 + count;
    return { alice, customer, sessionId: customer.sessionId, lastSeq };
  }

  /** Follows `next` from a first page with fetch-events, as the client core does; resolves with every seq read. */
  async function follow(reader: TestClient, sessionId: string, first: Frame) {
    const seqs: number[] = first.events.map((e: Frame) => e.seq);
    for (let next = first.next; next !== undefined && next !== null; ) {
      const page = await reader.ok({ type: 'fetch-events', sessionId, afterSeq: next });
      seqs.push(...page.events.map((e: Frame) => e.seq));
      next = page.next;
    }
    return seqs;
  }

  const everySeq = (lastSeq: number) => Array.from({ length: lastSeq }, (_, i) => i + 1);
  const largestFrame = (client: TestClient) => Math.max(...client.frames.map((f) => JSON.stringify(f).length));

  describe('big answers come in pages, and only a backlog that lasts is a slow consumer', () => {
    it('a fast reader of a 10 MB chat is never closed and gets all of it: on resume, on listening in, and by fetch-events', async () => {
      // a tight limit, so that any answer sent whole (10 MB) would be far past it
      const relay = await relayWith({ maxBufferedBytes: 1024 * 1024, slowConsumerMs: 1000 });
      const { sessionId, lastSeq } = await bigChat(relay, bigChatMessages);

      const owner = await agent(relay, 'alice', { resume: { [sessionId]: 0 } });
      const replay = await owner.next((f) => f.type === 'replay' && f.sessionId === sessionId);
      expect(replay.next).toBeGreaterThan(0);
      expect(await follow(owner, sessionId, replay)).toEqual(everySeq(lastSeq));

      const maria = await agent(relay, 'maria');
      await maria.ok({ type: 'listen', sessionId });
      const joined = await maria.next((f) => f.type === 'replay' && f.sessionId === sessionId);
      // listening in added its own event to the log
      expect(await follow(maria, sessionId, joined)).toEqual(everySeq(lastSeq + 1));

      const carol = await agent(relay, 'carol');
      const first = await carol.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(await follow(carol, sessionId, first)).toEqual(everySeq(lastSeq + 1));

      for (const reader of [owner, maria, carol]) {
        expect(largestFrame(reader)).toBeLessThan(MAX_FRAME);
        expect(await reader.ok({ type: 'list-requests' })).toEqual({ requests: [] });
        expect(reader.isClosed).toBe(false);
      }
      expect(relay.logs.filter((l) => l.event === 'slow-consumer')).toEqual([]);
    }, 120_000);

    it('a reader that stops reading is still closed, by a backlog that stays above the limit', async () => {
      const relay = await relayWith({ maxBufferedBytes: 1024 * 1024, slowConsumerMs: 1000 });
      const { sessionId } = await bigChat(relay, 400);
      const reader = await agent(relay, 'maria');
      reader.ws.pause();
      // about 12 MB asked for and never read: more than the kernel buffers hold, less than the at-once ceiling
      for (let i = 0; i < 48; i++) reader.fire({ type: 'fetch-events', sessionId, afterSeq: 0 });
      const noted = () => relay.logs.find((l) => l.event === 'slow-consumer');
      const started = Date.now();
      try {
        while (!noted() && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        reader.ws.resume();
      }
      // judged by time (at least the second it was given), not at once by the ceiling 16 times the limit
      expect(noted()).toMatchObject({ bufferedBytes: expect.any(Number) });
      expect(noted()!.bufferedBytes).toBeLessThan(16 * 1024 * 1024);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect([1008, 1006]).toContain((await reader.closed).code);
    }, 60_000);

    it('600 chats with an 8,000-character message each do not close a manager or a listen-in agent on sign-in', async () => {
      const relay = await relayWith();
      for (let opened = 0; opened < 600; opened += 20) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const customer = await connectCustomer(relay, { name: `Customer ${opened + i}` });
            await customer.ok({ type: 'customer-send', messageId: messageId(), text: TEXT_8000 });
            await customer.close();
          }),
        );
      }
      for (const user of ['maria', 'carol']) {
        const viewer = await agent(relay, user);
        const welcome = viewer.frames.find((f) => f.type === 'welcome')!;
        expect(welcome.moreSessions).toEqual(expect.any(String));
        const ids = new Set<string>(welcome.sessions.map((s: Frame) => s.id));
        for (let cursor = welcome.moreSessions; cursor; ) {
          const page = await viewer.ok({ type: 'fetch-sessions', cursor });
          for (const s of page.sessions) ids.add(s.id);
          cursor = page.next;
        }
        expect(ids.size).toBe(600);
        expect(largestFrame(viewer)).toBeLessThan(MAX_FRAME);
        expect(await viewer.ok({ type: 'list-requests' })).toEqual({ requests: [] });
        expect(viewer.isClosed).toBe(false);
      }
      expect(relay.logs.filter((l) => l.event === 'slow-consumer')).toEqual([]);
    }, 120_000);

    it('a cursor works once, on its own connection', async () => {
      const relay = await relayWith({ pageBytes: 4096 });
      for (let i = 0; i < 5; i++) {
        const customer = await connectCustomer(relay, { name: `Customer ${i}` });
        await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'y'.repeat(3000) });
        await customer.close();
      }
      const maria = await agent(relay, 'maria');
      const cursor = maria.frames.find((f) => f.type === 'welcome')!.moreSessions;
      expect(cursor).toEqual(expect.any(String));
      const bob = await agent(relay, 'carol');
      expect(await bob.command({ type: 'fetch-sessions', cursor })).toMatchObject({ type: 'error', code: 'bad-frame' });
      await maria.ok({ type: 'fetch-sessions', cursor });
      expect(await maria.command({ type: 'fetch-sessions', cursor })).toMatchObject({ type: 'error', code: 'bad-frame' });
    });
  });
}
