// The agent outbox against a real relay: after an outage, behind a stall, under the relay's rate limit, and when the
// relay refuses a message for good. What counts is what the customer receives and what the agent is shown.
import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../common/bridge';
import { type RelayAnswer, RelayLink } from '../../main/client/relay-link';
import { wait } from '../../main/client/backoff';
import { fastTuning, type Probe, testScope } from './harness';

const { defer, probe, customer, relay: startRelay, relayBehindProxy } = testScope();

const isMessage = (text: string) => (f: { type: string; event?: { kind: string; text?: string } }) =>
  f.type === 'event' && f.event?.kind === 'message' && f.event.text === text;

function outboxStates(p: Probe, messageId: string, from = 0): OutboxItem['state'][] {
  return p.events.slice(from).flatMap((e) => (e.type === 'outbox' && e.item.messageId === messageId ? [e.item.state] : []));
}

/** alice, signed in through the proxy, owns a chat that Erin opened. */
async function aliceOwnsAChat(options: Parameters<typeof relayBehindProxy>[0] = {}, probeOptions: Parameters<typeof probe>[0] = {}) {
  const { relay, proxy } = await relayBehindProxy(options);
  const alice = await probe(probeOptions);
  await alice.signIn(proxy.url, 'alice');
  const erin = await customer(relay.wsUrl, 'Erin');
  await erin.say('hello?');
  const sessionId = erin.sessionId;
  await alice.until(() => alice.messageTexts(sessionId).includes('hello?'), 'the first message');
  return { relay, proxy, alice, erin, sessionId };
}

describe('the outbox against a real relay', () => {
  /**
   * Writes `count` messages while the link is down, brings it back, and waits until every one is sent. Returns the
   * texts, how long after the welcome the last one was sent, and the client's log.
   */
  async function queueDuringOutage(count: number, relayOptions: Parameters<typeof relayBehindProxy>[0] = {}) {
    const logs: Record<string, unknown>[] = [];
    const { proxy, alice, erin, sessionId } = await aliceOwnsAChat(relayOptions, { log: (e) => logs.push(e) });
    proxy.refuse(true);
    proxy.cut();
    await alice.untilConnection('offline');
    const texts = Array.from({ length: count }, (_, i) => `queued ${i + 1}`);
    for (const text of texts) await alice.must('chat:send', { sessionId, text });
    expect((await alice.snapshot()).outbox.map((i) => i.state)).toEqual(texts.map(() => 'pending'));

    const from = alice.events.length;
    proxy.refuse(false);
    await alice.untilConnection('online', from);
    const onlineAt = performance.now();
    const onlineFrom = alice.events.length;
    await alice.until(
      () => alice.events.slice(from).filter((e) => e.type === 'outbox' && e.item.state === 'sent').length === count,
      `all ${count} sent`,
      15_000,
    );
    const tookMs = performance.now() - onlineAt;
    await erin.until(isMessage(`queued ${count}`));
    // in order and once, as the customer reads them
    expect(erin.seenTexts()).toEqual(['hello?', ...texts]);
    expect((await alice.snapshot()).outbox).toEqual([]);
    // one connection did it all: the relay never closed it for flooding (4008)
    expect(alice.events.slice(onlineFrom).filter((e) => e.type === 'connection')).toEqual([]);
    return { tookMs, logs };
  }

  it('150 messages written during an outage reach the customer in order and once, soon after the link returns', async () => {
    // the relay's own limits (50 frames/s after a burst of 100): a machine that acknowledges a send in under 7 ms
    // meets them with this queue, which is how 47 of 150 were once left unsent
    const { tookMs } = await queueDuringOutage(150);
    expect(tookMs).toBeLessThan(10_000);
  });

  it('a queue that runs into the relay rate limit waits what the relay says and goes on, in order, on the same link', async () => {
    // a limit any machine meets (5 frames/s after a burst of 5: a send acknowledged in under 200 ms is too fast)
    const { tookMs, logs } = await queueDuringOutage(25, { rateLimit: { perSecond: 5, burst: 5 } });
    expect(logs.some((e) => e.event === 'outbox-retry' && e.code === 'rate-limited')).toBe(true);
    // about (25 - 5) / 5 = 4 s at the relay's pace; the previous outbox gave up at the first refusal
    expect(tookMs).toBeLessThan(12_000);
  });

  it('a message sent into a stall longer than the command timeout is resent on the same link once it flows again', async () => {
    // production has a 15 s command timeout and a 25 s dead-link window; this is the 16 s stall between them, scaled
    const tuning = { ...fastTuning, pingIntervalMs: 200, deadAfterMs: 5_000, commandTimeoutMs: 300 };
    const { proxy, alice, erin, sessionId } = await aliceOwnsAChat({}, { tuning });

    proxy.stall('both');
    const from = alice.events.length;
    const { messageId } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'behind the stall' });
    // a command sent right after the message times out right after it: then the stall has outlasted the send's timeout
    expect(await alice.invoke('agent:setStatus', { status: 'present' })).toMatchObject({ ok: false, error: { code: 'timeout' } });
    proxy.resume();

    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent', from);
    await erin.until(isMessage('behind the stall'));
    expect(erin.seenTexts()).toEqual(['hello?', 'behind the stall']);
    // no reconnect did it: the link stayed online throughout
    expect(alice.events.slice(from).filter((e) => e.type === 'connection')).toEqual([]);
    expect(outboxStates(alice, messageId, from)).toEqual(['pending', 'sent']);
  });

  it('rate-limited answers are matched to their command at once and say when the relay takes frames again', async () => {
    const relay = await startRelay({ rateLimit: { perSecond: 4, burst: 5 } });
    const link = new RelayLink({
      relayUrl: relay.wsUrl,
      user: 'alice',
      password: 'demo',
      resume: () => ({}),
      onWelcome: () => {},
      onFrame: () => {},
      // an unmatched refusal would only end at this timeout
      tuning: { ...fastTuning, commandTimeoutMs: 15_000 },
    });
    defer(() => link.stop());
    expect((await link.start()).kind).toBe('welcome');

    const startedAt = performance.now();
    // hello took one token of five: four commands go through, the next four are refused
    const answers = await Promise.all(Array.from({ length: 8 }, () => link.request({ type: 'list-requests' })));
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect(answers.slice(0, 4)).toEqual(Array(4).fill({ ok: true, value: { requests: [] } }));
    const refused = answers.slice(4) as Extract<RelayAnswer, { ok: false }>[];
    for (const answer of refused) {
      expect(answer).toStrictEqual({
        ok: false,
        error: { code: 'rate-limited', message: expect.any(String), retryAfterMs: expect.any(Number) },
      });
      // one token at four per second: at most a quarter of a second away
      expect(answer.error.retryAfterMs).toBeGreaterThan(0);
      expect(answer.error.retryAfterMs).toBeLessThanOrEqual(250);
    }
    // the hint is true: after it, the relay takes the next command
    await wait(Math.max(...refused.map((a) => a.error.retryAfterMs ?? 0)));
    expect(await link.request({ type: 'list-requests' })).toEqual({ ok: true, value: { requests: [] } });
  });

  it('a message refused because the chat was transferred away is Failed with the reason, never resent on its own, and Retry sends it', async () => {
    const { relay, proxy, alice, erin, sessionId } = await aliceOwnsAChat();
    const bob = await probe();
    await bob.signIn(relay.wsUrl, 'bob');
    const { transferId } = await alice.must<{ transferId: string }>('transfer:offer', { sessionId, to: 'bob' });
    await bob.must('transfer:accept', { sessionId, transferId });

    const { messageId } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'too late' });
    const failed = await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'failed');
    expect(failed.item.error).toBe('Only the agent who owns this chat can do that.');

    // the chat comes back to alice; neither a new connection nor her next message sends the failed one
    const back = await bob.must<{ transferId: string }>('transfer:offer', { sessionId, to: 'alice' });
    await alice.until(() => alice.events.some((e) => e.type === 'session' && e.session.pendingTransfer?.id === back.transferId), 'the offer back');
    await alice.must('transfer:accept', { sessionId, transferId: back.transferId });
    const from = alice.events.length;
    proxy.cut();
    await alice.untilConnection('online', from);
    const next = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'mine again' });
    await alice.untilEvent('outbox', (e) => e.item.messageId === next.messageId && e.item.state === 'sent', from);
    await erin.until(isMessage('mine again'));
    expect(outboxStates(alice, messageId, from)).toEqual([]);
    expect((await alice.snapshot()).outbox).toEqual([expect.objectContaining({ messageId, state: 'failed' })]);
    expect(erin.seenTexts()).toEqual(['hello?', 'mine again']);

    await alice.must('chat:retry', { messageId });
    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent', from);
    await erin.until(isMessage('too late'));
    expect(erin.seenTexts()).toEqual(['hello?', 'mine again', 'too late']);
    expect((await alice.snapshot()).outbox).toEqual([]);
  });

  it('a message written offline to a chat the customer closed meanwhile is Failed with "That chat has been closed."', async () => {
    const { proxy, alice, erin, sessionId } = await aliceOwnsAChat();
    proxy.refuse(true);
    proxy.cut();
    await alice.untilConnection('offline');
    erin.raw({ id: 'bye', type: 'customer-close' });
    await erin.until((f) => f.type === 'ok' && f.id === 'bye');
    const { messageId } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'are you still there?' });
    proxy.refuse(false);
    const failed = await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'failed');
    expect(failed.item.error).toBe('That chat has been closed.');
  });
});
