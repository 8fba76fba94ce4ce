// The outbox on its own, with a real cache and a relay end the test answers by hand, on a fake clock: the order of
// sends, when a retry happens, and which refusals the agent is asked to act on.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientEvent, OutboxItem } from '../../common/bridge';
import type { Attachment } from '../../common/domain';
import { fail, ok, type Result } from '../../common/result';
import { AccountFiles } from '../../main/client/attachments';
import { Cache } from '../../main/client/cache';
import { Outbox, type OutboxDeps } from '../../main/client/outbox';
import type { RelayAnswer } from '../../main/client/relay-link';
import { tempDir } from './fixtures';

const sent: RelayAnswer = { ok: true, value: { seq: 1, duplicate: false } };
const refused = (code: string, message = `refused: ${code}`, retryAfterMs?: number): RelayAnswer =>
  ({ ok: false, error: { code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) } }) as RelayAnswer;

/**
 * The relay end of the outbox as a test scripts it: each attempt takes the next scripted answer; `hold` keeps it
 * unanswered until the test calls `answer`.
 */
class RelayEnd {
  online = true;
  readonly attempts: OutboxItem[] = [];
  private readonly script: (RelayAnswer | 'hold')[] = [];
  private held: ((answer: RelayAnswer) => void)[] = [];

  answers(...next: (RelayAnswer | 'hold')[]): void {
    this.script.push(...next);
  }

  send = (item: OutboxItem): Promise<RelayAnswer> => {
    this.attempts.push(item);
    const next = this.script.shift() ?? sent;
    if (next !== 'hold') return Promise.resolve(next);
    return new Promise((resolve) => this.held.push(resolve));
  };

  /** answers the oldest held attempt and lets the outbox act on it */
  async answer(answer: RelayAnswer): Promise<void> {
    const resolve = this.held.shift();
    if (!resolve) throw new Error('no attempt is waiting for an answer');
    resolve(answer);
    await vi.advanceTimersByTimeAsync(0);
  }

  texts(): string[] {
    return this.attempts.map((item) => item.text);
  }
}

const caches: Cache[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  for (const cache of caches.splice(0)) cache.close();
});

// a clock far from 0, as a real one is
let clock = 1_700_000_000_000;

function outboxWith(extra: Partial<OutboxDeps> = {}) {
  const dir = tempDir();
  const cache = Cache.open(dir);
  caches.push(cache);
  const relay = new RelayEnd();
  const events: ClientEvent[] = [];
  const logs: Record<string, unknown>[] = [];
  const outbox = new Outbox({
    cache,
    files: new AccountFiles(dir),
    upload: () => Promise.resolve({ ok: false, error: { code: 'internal', message: 'no uploads in this test' } }),
    emit: (event) => events.push(event),
    send: relay.send,
    canSend: () => relay.online,
    // each message a millisecond after the last, so oldest-first is the order written
    now: () => ++clock,
    log: (entry) => logs.push(entry),
    // ceilings 1 s, 2 s, 4 s, 8 s; a random draw of 0.5 makes the waits 500, 1000, 2000, 4000 ms
    backoff: { baseMs: 1_000, capMs: 8_000, random: () => 0.5 },
    ...extra,
  });
  const states = (messageId: string) =>
    events.flatMap((e) => (e.type === 'outbox' && e.item.messageId === messageId ? [e.item.state] : []));
  return { cache, relay, outbox, events, logs, states };
}

/** lets the outbox run what it can without the clock moving */
const settle = () => vi.advanceTimersByTimeAsync(0);

/** The next attempt comes exactly `ms` from now, not a millisecond sooner. */
async function nextAttemptAfter(relay: RelayEnd, ms: number): Promise<void> {
  const before = relay.attempts.length;
  await vi.advanceTimersByTimeAsync(ms - 1);
  expect(relay.attempts).toHaveLength(before);
  await vi.advanceTimersByTimeAsync(1);
  expect(relay.attempts).toHaveLength(before + 1);
}

describe('outbox order', () => {
  it('sends oldest first, one at a time: a message written while a flush runs goes after the ones before it', async () => {
    const { relay, outbox, events } = outboxWith();
    relay.answers('hold', 'hold', 'hold');
    const first = outbox.add('s1', 'one');
    await settle();
    // written while the flush of "one" waits for its answer: these flushes join the running one
    const second = outbox.add('s1', 'two');
    const third = outbox.add('s2', 'three');
    await settle();
    expect(relay.texts()).toEqual(['one']);
    await relay.answer(sent);
    expect(relay.texts()).toEqual(['one', 'two']);
    await relay.answer(sent);
    await relay.answer(sent);
    expect(relay.texts()).toEqual(['one', 'two', 'three']);
    expect(outbox.items()).toEqual([]);
    expect(events).toEqual([
      { type: 'outbox', item: first },
      { type: 'outbox', item: second },
      { type: 'outbox', item: third },
      { type: 'outbox', item: { ...first, state: 'sent', error: null } },
      { type: 'outbox', item: { ...second, state: 'sent', error: null } },
      { type: 'outbox', item: { ...third, state: 'sent', error: null } },
    ]);
  });

  it('writes the message to the cache as pending before anything is sent', () => {
    const { relay, outbox, cache } = outboxWith();
    relay.online = false;
    const item = outbox.add('s1', 'kept');
    expect(item).toEqual({ messageId: expect.stringMatching(/^[0-9a-f]{32}$/), sessionId: 's1', kind: 'message', text: 'kept', attachment: null, createdAt: clock, state: 'pending', error: null });
    expect(cache.outboxItems()).toEqual([item]);
    expect(outbox.items()).toEqual([item]);
    expect(relay.attempts).toEqual([]);
  });

  it('a message written while a retry is being waited out goes after the earlier one, when the wait ends', async () => {
    const { relay, outbox } = outboxWith();
    relay.answers(refused('timeout'));
    outbox.add('s1', 'first');
    await settle();
    outbox.add('s1', 'second');
    await settle();
    expect(relay.texts()).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(500);
    expect(relay.texts()).toEqual(['first', 'first', 'second']);
    expect(outbox.items()).toEqual([]);
  });
});

describe('outbox failures', () => {
  it('a message refused for good is Failed with the sentence, and neither later sends nor a new connection resend it; Retry does', async () => {
    const { relay, outbox, states, events } = outboxWith();
    relay.answers(refused('not-owner', 'Only the agent who owns this chat can do that.'));
    const lost = outbox.add('s1', 'lost');
    await settle();
    expect(outbox.items()).toEqual([{ ...lost, state: 'failed', error: 'Only the agent who owns this chat can do that.' }]);
    expect(events.at(-1)).toEqual({ type: 'outbox', item: { ...lost, state: 'failed', error: 'Only the agent who owns this chat can do that.' } });

    outbox.add('s1', 'later');
    await settle();
    await outbox.reconnected();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relay.texts()).toEqual(['lost', 'later']);
    expect(states(lost.messageId)).toEqual(['pending', 'failed']);

    expect(outbox.retry(lost.messageId)).toEqual({ ok: true, value: null });
    expect(events.at(-1)).toEqual({ type: 'outbox', item: { ...lost, state: 'pending', error: null } });
    await settle();
    expect(relay.texts()).toEqual(['lost', 'later', 'lost']);
    expect(states(lost.messageId)).toEqual(['pending', 'failed', 'pending', 'sent']);
    expect(outbox.items()).toEqual([]);
  });

  it('a refusal without a sentence is Failed with the sentence for its code', async () => {
    const { relay, outbox } = outboxWith();
    relay.answers(refused('session-closed', ''));
    outbox.add('s1', 'too late');
    await settle();
    expect(outbox.items()).toEqual([expect.objectContaining({ state: 'failed', error: 'That chat has been closed.' })]);
  });

  it('Retry on a message that is not waiting answers not-found; on a pending one it changes nothing', async () => {
    const { relay, outbox, events } = outboxWith();
    expect(outbox.retry('0123456789abcdef0123456789abcdef')).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'That message is no longer waiting to be sent.' },
    });
    relay.online = false;
    const item = outbox.add('s1', 'waiting');
    const before = events.length;
    expect(outbox.retry(item.messageId)).toEqual({ ok: true, value: null });
    expect(events.length).toBe(before);
    expect(outbox.items()).toEqual([item]);
  });
});

describe('outbox retries while online', () => {
  it('a timeout, an internal error or a relay that cannot save just now is retried on the same link after a backoff that grows, and a delivery starts it over', async () => {
    const { relay, outbox, logs } = outboxWith();
    relay.answers(refused('timeout'), refused('internal'), sent, refused('unavailable'));
    const item = outbox.add('s1', 'again');
    await settle();
    expect(logs).toContainEqual({ level: 'info', event: 'outbox-retry', messageId: item.messageId, code: 'timeout', retryAfterMs: undefined });
    await nextAttemptAfter(relay, 500);
    // the second wait is twice the first
    await nextAttemptAfter(relay, 1_000);
    expect(relay.texts()).toEqual(['again', 'again', 'again']);
    expect(outbox.items()).toEqual([]);

    outbox.add('s1', 'next');
    await settle();
    // delivered once: the backoff is back at its first wait
    await nextAttemptAfter(relay, 500);
    expect(relay.texts()).toEqual(['again', 'again', 'again', 'next', 'next']);
  });

  it('a rate-limited refusal waits exactly as long as the relay said, and leaves the backoff where it was', async () => {
    const { relay, outbox, logs } = outboxWith();
    relay.answers(refused('rate-limited', 'Slow down.', 3_000), refused('timeout'));
    const item = outbox.add('s1', 'patient');
    await settle();
    expect(logs).toContainEqual({ level: 'info', event: 'outbox-retry', messageId: item.messageId, code: 'rate-limited', retryAfterMs: 3_000 });
    await nextAttemptAfter(relay, 3_000);
    // that timeout is the first failure the backoff counts
    await nextAttemptAfter(relay, 500);
    expect(outbox.items()).toEqual([]);
  });

  it('a rate-limited refusal that does not say when backs off instead', async () => {
    const { relay, outbox } = outboxWith();
    relay.answers(refused('rate-limited', 'Slow down.'));
    outbox.add('s1', 'patient');
    await settle();
    await nextAttemptAfter(relay, 500);
  });

  it('a new connection cuts a retry wait short and starts the backoff over', async () => {
    const { relay, outbox } = outboxWith();
    relay.answers(refused('timeout'), refused('timeout'), refused('timeout'), refused('timeout'));
    outbox.add('s1', 'stuck');
    await settle();
    await vi.advanceTimersByTimeAsync(500 + 1_000);
    expect(relay.attempts).toHaveLength(3);
    // now waiting 2000 ms; the link reconnects meanwhile
    await vi.advanceTimersByTimeAsync(10);
    void outbox.reconnected();
    await settle();
    expect(relay.attempts).toHaveLength(4);
    await nextAttemptAfter(relay, 500);
    expect(outbox.items()).toEqual([]);
  });
});

describe('outbox files', () => {
  const stored = { id: 'att_photo0001', name: 'photo.png', type: 'image/png', size: 3, sha256: 'a'.repeat(64) };

  it('an upload the relay cannot take just now is retried after the backoff, once; then the message carrying it is sent', async () => {
    const uploads: string[] = [];
    const carried: unknown[] = [];
    const { outbox, events } = outboxWith({
      upload: (item) => {
        uploads.push(item.messageId);
        const answer: Result<Attachment> = uploads.length === 1 ? fail('unavailable', 'not now') : ok(stored);
        return Promise.resolve(answer);
      },
      send: (_item, attachment) => {
        carried.push(attachment);
        return Promise.resolve(sent);
      },
    });
    const item = outbox.add('s1', '', { file: { name: 'photo.png', bytes: Buffer.from('png') } });
    await settle();
    expect(uploads).toEqual([item.messageId]);
    expect(carried).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    // the upload id is the message id both times: the relay stores the file once
    expect(uploads).toEqual([item.messageId, item.messageId]);
    expect(carried).toEqual([stored]);
    expect(outbox.items()).toEqual([]);
    expect(events.some((e) => e.type === 'outbox' && e.item.messageId === item.messageId && e.item.state === 'sent')).toBe(true);
  });

  it('a file the relay refuses for good fails with its sentence and is not sent', async () => {
    const { relay, outbox } = outboxWith({
      upload: () => Promise.resolve(fail('unsupported-type', 'That kind of file cannot be sent here.')),
    });
    const item = outbox.add('s1', '', { file: { name: 'page.html', bytes: Buffer.from('<html>') } });
    await settle();
    expect(relay.attempts).toEqual([]);
    expect(outbox.items()).toEqual([{ ...item, state: 'failed', error: 'That kind of file cannot be sent here.' }]);
  });
});

describe('outbox and the link', () => {
  it('nothing is sent while the link is down, and no timer retries: the next connection sends at once', async () => {
    const { relay, outbox } = outboxWith();
    relay.online = false;
    outbox.add('s1', 'offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relay.attempts).toEqual([]);
    relay.online = true;
    await outbox.reconnected();
    expect(relay.texts()).toEqual(['offline']);
    expect(outbox.items()).toEqual([]);
  });

  it('a send that finds the link gone waits for the next connection, whether it says not-connected or offline', async () => {
    const { relay, outbox } = outboxWith();
    relay.answers(refused('not-connected'), refused('offline'));
    outbox.add('s1', 'dropped');
    await settle();
    // the link reports itself up again, but without a new connection nothing is retried on a timer
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relay.attempts).toHaveLength(1);
    await outbox.reconnected();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relay.attempts).toHaveLength(2);
    await outbox.reconnected();
    expect(relay.attempts).toHaveLength(3);
    expect(outbox.items()).toEqual([]);
  });

  it('when the link drops in the middle of a flush, the rest waits for the next connection', async () => {
    const { relay, outbox } = outboxWith();
    relay.answers('hold');
    outbox.add('s1', 'one');
    outbox.add('s1', 'two');
    await settle();
    relay.online = false;
    await relay.answer(sent);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relay.texts()).toEqual(['one']);
    relay.online = true;
    await outbox.reconnected();
    expect(relay.texts()).toEqual(['one', 'two']);
  });

  it('after stop() no retry timer fires and nothing more is sent', async () => {
    const { relay, outbox } = outboxWith();
    relay.answers(refused('timeout'));
    outbox.add('s1', 'one');
    await settle();
    outbox.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    await outbox.flush();
    await outbox.reconnected();
    expect(relay.texts()).toEqual(['one']);
  });

  it('stop() during a send keeps the rest of the queue where it is', async () => {
    const { relay, outbox, cache } = outboxWith();
    relay.answers('hold');
    outbox.add('s1', 'one');
    outbox.add('s1', 'two');
    await settle();
    outbox.stop();
    await relay.answer(sent);
    expect(relay.texts()).toEqual(['one']);
    expect(cache.outboxItems().map((i) => i.text)).toEqual(['two']);
  });

  it('after stop() the cache, which closes next, is not read again', async () => {
    const { relay, outbox, cache, logs } = outboxWith();
    relay.online = false;
    outbox.add('s1', 'kept for later');
    outbox.stop();
    cache.close();
    relay.online = true;
    await outbox.flush();
    expect(logs).toEqual([]);
    expect(relay.attempts).toEqual([]);
  });

  it('without a log it still retries, and a send that throws still leaves the message for the next flush', async () => {
    let calls = 0;
    const { relay, outbox } = outboxWith({
      log: undefined,
      send: (item) => (++calls === 2 ? Promise.reject(new Error('socket gone')) : relay.send(item)),
    });
    relay.answers(refused('timeout'));
    outbox.add('s1', 'quiet');
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(2);
    await expect(outbox.flush()).resolves.toBeUndefined();
    expect(calls).toBe(3);
    expect(outbox.items()).toEqual([]);
  });

  it('a send that throws is logged, and the message goes with the next flush', async () => {
    let calls = 0;
    const { relay, outbox, logs } = outboxWith({
      send: (item) => (++calls === 1 ? Promise.reject(new Error('socket gone')) : relay.send(item)),
    });
    outbox.add('s1', 'boom');
    await settle();
    expect(logs).toContainEqual({ level: 'error', event: 'outbox-flush-failed', error: 'Error: socket gone' });
    expect(outbox.items()).toEqual([expect.objectContaining({ text: 'boom', state: 'pending' })]);
    await outbox.flush();
    expect(calls).toBe(2);
    expect(outbox.items()).toEqual([]);
  });
});
