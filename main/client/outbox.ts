// Outbox: messages the agent wrote, durable before acknowledged, sent in order once online, resent with the same id.
import { randomUUID } from 'node:crypto';
import type { ClientEvent, OutboxItem } from '../../common/bridge';
import { errorSentences } from '../../common/errors';
import { fail, ok, type Result } from '../../common/result';
import type { Cache } from './cache';

/** Errors that say "not now" rather than "never": the item stays pending and goes with the next flush. */
const transientCodes = new Set(['not-connected', 'timeout', 'rate-limited', 'internal', 'offline']);

export const newMessageId = (): string => randomUUID().replaceAll('-', '');

export interface OutboxDeps {
  cache: Cache;
  emit: (event: ClientEvent) => void;
  /** sends one item to the relay; resolves with the relay's answer */
  send: (item: OutboxItem) => Promise<Result<unknown>>;
  canSend: () => boolean;
  now?: () => number;
  log?: (entry: Record<string, unknown>) => void;
}

export class Outbox {
  private readonly deps: OutboxDeps;
  private flushing: Promise<void> | null = null;
  private again = false;

  constructor(deps: OutboxDeps) {
    this.deps = deps;
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

  retry(messageId: string): Result<null> {
    const item = this.deps.cache.outboxGet(messageId);
    if (!item) return fail('not-found', 'That message is no longer waiting to be sent.');
    if (item.state !== 'failed') return ok(null);
    this.deps.cache.outboxSet(messageId, 'pending', null);
    this.deps.emit({ type: 'outbox', item: { ...item, state: 'pending', error: null } });
    void this.flush();
    return ok(null);
  }

  /** Sends pending items oldest first, one at a time so the customer reads them in the order written. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.again = false;
          await this.flushOnce();
        } while (this.again && this.deps.canSend());
      } catch (error) {
        this.deps.log?.({ level: 'error', event: 'outbox-flush-failed', error: String(error) });
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    for (const item of this.deps.cache.outboxItems()) {
      if (item.state !== 'pending') continue;
      if (!this.deps.canSend()) return;
      const result = await this.deps.send(item);
      if (result.ok) {
        this.deps.cache.outboxRemove(item.messageId);
        this.deps.emit({ type: 'outbox', item: { ...item, state: 'sent', error: null } });
        continue;
      }
      if (transientCodes.has(result.error.code)) return;
      const reason = result.error.message || errorSentences[result.error.code];
      this.deps.cache.outboxSet(item.messageId, 'failed', reason);
      this.deps.emit({ type: 'outbox', item: { ...item, state: 'failed', error: reason } });
    }
  }
}
