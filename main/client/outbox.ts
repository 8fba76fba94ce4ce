// Outbox: messages the agent wrote, durable before acknowledged, sent in order once online, retried with the same id
// until the relay takes them or refuses them for a reason the agent can act on.
import { randomUUID } from 'node:crypto';
import type { ClientEvent, OutboxItem } from '../../common/bridge';
import { errorSentences } from '../../common/errors';
import { fail, ok, type Result } from '../../common/result';
import { Backoff, type BackoffOptions, wait } from './backoff';
import type { Cache } from './cache';
import type { RelayAnswer } from './relay-link';

/** The link is gone: nothing to retry on; the next connection flushes. */
const linkDownCodes = new Set(['not-connected', 'offline']);
/** "Not now" on a live link: retried with backoff (or when the relay said) while online. */
const retryCodes = new Set(['timeout', 'rate-limited', 'internal', 'unavailable']);

export const newMessageId = (): string => randomUUID().replaceAll('-', '');

export interface OutboxDeps {
  cache: Cache;
  emit: (event: ClientEvent) => void;
  /** sends one item to the relay; resolves with the relay's answer */
  send: (item: OutboxItem) => Promise<RelayAnswer>;
  canSend: () => boolean;
  now?: () => number;
  log?: (entry: Record<string, unknown>) => void;
  /** delays between retries on a live link (same policy as reconnects: exponential, full jitter, capped) */
  backoff?: BackoffOptions;
}

export class Outbox {
  private readonly deps: OutboxDeps;
  private readonly backoff: Backoff;
  private flushing: Promise<void> | null = null;
  private again = false;
  /** ends the wait before a retry early: a new connection, or stop() */
  private pause: AbortController | null = null;
  private stopped = false;

  constructor(deps: OutboxDeps) {
    this.deps = deps;
    this.backoff = new Backoff(deps.backoff);
  }

  /** Items still the agent's concern: pending or failed. */
  items(): OutboxItem[] {
    return this.deps.cache.outboxItems();
  }

  /** Writes the message durably (synchronous=FULL) and reports it pending; sending happens after. */
  add(sessionId: string, text: string): OutboxItem {
    const item: OutboxItem = {
      messageId: newMessageId(),
      sessionId,
      text,
      createdAt: (this.deps.now ?? Date.now)(),
      state: 'pending',
      error: null,
    };
    this.deps.cache.outboxAdd(item);
    this.deps.emit({ type: 'outbox', item });
    void this.flush();
    return item;
  }

  /** The agent's Retry on a failed item: it goes back in line where it was written. */
  retry(messageId: string): Result<null> {
    const item = this.deps.cache.outboxGet(messageId);
    if (!item) return fail('not-found', 'That message is no longer waiting to be sent.');
    if (item.state !== 'failed') return ok(null);
    this.deps.cache.outboxSet(messageId, 'pending', null);
    this.deps.emit({ type: 'outbox', item: { ...item, state: 'pending', error: null } });
    void this.flush();
    return ok(null);
  }

  /**
   * A new connection is up: waits and backoff earned on the old one (its stall, its rate limit) no longer apply,
   * so pending items go now.
   */
  reconnected(): Promise<void> {
    this.backoff.reset();
    this.pause?.abort();
    return this.flush();
  }

  /** No more sending or retry timers: the account's store is closing (dispose, account switch). */
  stop(): void {
    this.stopped = true;
    this.pause?.abort();
  }

  /**
   * Sends pending items oldest first, one at a time, so the customer reads them in the order written. A call while
   * a flush runs joins it, and the running flush looks again for what was added meanwhile.
   */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        const retryInMs = await this.sendPending();
        if (retryInMs !== null) {
          await this.waitBeforeRetry(retryInMs);
          this.again = true;
        }
        // stopped or offline by now: the next pass returns at once, before sending anything
      } while (this.again);
    } catch (error) {
      this.deps.log?.({ level: 'error', event: 'outbox-flush-failed', error: String(error) });
    }
  }

  /** One pass over the pending items; says how long to wait before trying again, or null when there is no need. */
  private async sendPending(): Promise<number | null> {
    // the cache closes right after stop(): it is not read again
    if (this.stopped) return null;
    for (const item of this.deps.cache.outboxItems()) {
      if (item.state !== 'pending') continue;
      if (this.stopped || !this.deps.canSend()) return null;
      const result = await this.deps.send(item);
      if (result.ok) {
        this.backoff.reset();
        this.deps.cache.outboxRemove(item.messageId);
        this.deps.emit({ type: 'outbox', item: { ...item, state: 'sent', error: null } });
        continue;
      }
      const { code, retryAfterMs } = result.error;
      if (linkDownCodes.has(code)) return null;
      if (retryCodes.has(code)) {
        this.deps.log?.({ level: 'info', event: 'outbox-retry', messageId: item.messageId, code, retryAfterMs });
        // when the relay says when (its rate limit does), that is when; otherwise back off
        return retryAfterMs ?? this.backoff.next();
      }
      // the relay refused this message for good (the chat was transferred away or closed): the agent decides
      const reason = result.error.message || errorSentences[code];
      this.deps.cache.outboxSet(item.messageId, 'failed', reason);
      this.deps.emit({ type: 'outbox', item: { ...item, state: 'failed', error: reason } });
    }
    return null;
  }

  private async waitBeforeRetry(ms: number): Promise<void> {
    this.pause = new AbortController();
    try {
      await wait(ms, this.pause.signal);
    } catch {
      // aborted: a new connection woke us early, or stop() ended it
    }
  }
}
