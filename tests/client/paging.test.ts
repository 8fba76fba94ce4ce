// The client core follows the relay's cursors: a welcome with more sessions than one page, a replay that is the first
// page of a long chat (on sign-in and on listening in), and fetch-events pages, until it holds everything.
import { describe, expect, it } from 'vitest';
import type { ClientSnapshot } from '../../common/bridge';
import { startRelay } from '../../relay/server';
import { tempDir } from './fixtures';
import { testScope } from './harness';

const { probe, customer, defer } = testScope();

/** A relay with pages of 4 KiB, so a few chats already need several. */
async function pagedRelay() {
  const relay = await startRelay({
    dataDir: tempDir(),
    port: 0,
    demo: true,
    log: () => {},
    offlineGraceMs: 60_000,
    pageBytes: 4096,
    rateLimit: { perSecond: 10_000, burst: 10_000 },
    addressRateLimit: { perSecond: 10_000, burst: 10_000 },
    newChatsPerAddressPerMinute: 10_000,
  });
  defer(() => relay.close());
  return relay;
}

const seqsOf = (events: Array<{ seq: number }>) => [...new Set(events.map((e) => e.seq))].sort((a, b) => a - b);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('the client core follows the relay’s pages', () => {
  it('a manager signing in gets every chat of a welcome that took several pages', async () => {
    const relay = await pagedRelay();
    for (let i = 0; i < 25; i++) {
      const c = await customer(relay.wsUrl, `Customer ${i}`);
      await c.say(`${i} ${'m'.repeat(1000)}`);
    }
    const maria = await probe();
    await maria.signIn(relay.wsUrl, 'maria');
    const snapshot = await maria.must<ClientSnapshot>('app:snapshot');
    expect(snapshot.sessions).toHaveLength(25);
    expect(snapshot.sessions.every((s) => s.lastMessage?.text.endsWith('m'.repeat(1000)))).toBe(true);
  });

  it('a long chat arrives whole: on a fresh sign-in of its owner, and for a manager who listens in', async () => {
    const relay = await pagedRelay();
    const first = await probe();
    await first.signIn(relay.wsUrl, 'alice');
    const dana = await customer(relay.wsUrl, 'Dana');
    for (let i = 0; i < 120; i++) await dana.say(`${i} ${'d'.repeat(500)}`);
    const sessionId = dana.sessionId;
    const lastSeq = 2 + 120;
    await first.until(() => seqsOf(first.emittedEvents(sessionId)).length === lastSeq, 'the live chat');

    // the owner on another machine: nothing cached, the replay on hello is one page and the rest is fetched
    const fresh = await probe();
    await fresh.signIn(relay.wsUrl, 'alice');
    await fresh.until(() => seqsOf(fresh.emittedEvents(sessionId)).length === lastSeq, 'every event after sign-in');
    expect(seqsOf(fresh.emittedEvents(sessionId))).toEqual(upTo(lastSeq));
    const transcript = await fresh.must<{ events: Array<{ seq: number }> }>('chat:transcript', { sessionId, limit: 1000 });
    expect(seqsOf(transcript.events)).toEqual(upTo(lastSeq));

    // a manager who listens in joins the audience: one page of the log, then the rest
    const maria = await probe();
    await maria.signIn(relay.wsUrl, 'maria');
    await maria.must('session:listen', { sessionId });
    await maria.until(() => seqsOf(maria.emittedEvents(sessionId)).length === lastSeq + 1, 'every event after listening in');
    expect(seqsOf(maria.emittedEvents(sessionId))).toEqual(upTo(lastSeq + 1));
  }, 60_000);
});
