// Outbox: messages and notes the agent wrote, and files they attached, durable before acknowledged, sent in order once
// online, retried with the same id until the relay takes them or refuses them for a reason the agent can act on. A
// file is uploaded first (under the message's id, so a resend stores it once), then the message that carries it is sent.
import { randomUUID } from 'node:crypto';
import type { ClientEvent, OutboxItem } from '../../common/bridge';
import type { Attachment } from '../../common/domain';
import { errorSentences } from '../../common/errors';
import { fail, ok, type Result } from '../../common/result';
import type { AccountFiles } from './attachments';
import { Backoff, type BackoffOptions, wait } from './backoff';
import type { Cache, OutboxFile } from './cache';
import type { RelayAnswer } from './relay-link';

/** The link is gone: nothing to retry on; the next connection flushes. */
const linkDownCodes = new Set(['not-connected', 'offline']);
/** "Not now" on a live link: retried with backoff (or when the relay said) while online. */
const retryCodes = new Set(['timeout', 'rate-limited', 'internal', 'unavailable']);

export const newMessageId = (): string => randomUUID().replaceAll('-', '');

export interface OutboxDeps {
  cache: Cache;
  files: AccountFiles;
  emit: (event: ClientEvent) => void;
  /** sends one item to the relay (with the file it carries, once uploaded); resolves with the relay's answer */
  send: (item: OutboxItem, attachment: Attachment | null) => Promise<RelayAnswer>;
  /** uploads an item's file; `onProgress` reports the bytes written */
  upload: (item: OutboxItem, bytes: Buffer, name: string, onProgress: (sent: number, total: number) => void) => Promise<Result<Attachment>>;
  /** an item with a file was delivered: its bytes now belong to the attachment (they open offline) */
  delivered?: (item: OutboxItem, attachment: Attachment, file: string) => void;
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

  /** Writes the message (and its file) durably (synchronous=FULL) and reports it pending; sending happens after. */
  add(sessionId: string, text: string, options: { kind?: OutboxItem['kind']; file?: { name: string; bytes: Buffer } } = {}): OutboxItem {
    const file: OutboxFile | null = options.file
      ? { name: options.file.name, size: options.file.bytes.length, file: this.deps.files.write(options.file.bytes), attachmentId: null }
      : null;
    const item: OutboxItem = {
      messageId: newMessageId(),
      sessionId,
      kind: options.kind ?? 'message',
      text,
      attachment: file ? { name: file.name, size: file.size } : null,
      createdAt: (this.deps.now ?? Date.now)(),
      state: 'pending',
      error: null,
    };
    this.deps.cache.outboxAdd(item, file);
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
      const file = item.attachment ? this.deps.cache.outboxFile(item.messageId) : null;
      let attachment: Attachment | null = null;
      let result: RelayAnswer;
      if (file) {
        const uploaded = await this.uploaded(item, file);
        if (uploaded.ok) attachment = uploaded.value;
        result = uploaded.ok ? await this.deps.send(item, attachment) : uploaded;
      } else {
        result = await this.deps.send(item, null);
      }
      if (result.ok) {
        this.backoff.reset();
        this.deps.cache.outboxRemove(item.messageId);
        if (file && attachment) this.deps.delivered?.(item, attachment, file.file);
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
      // the relay refused this item for good (the chat was transferred away or closed, the file is not allowed)
      this.failed(item, result.error.message || errorSentences[code]);
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

  /** The relay's attachment for an item's file: uploaded now, or remembered from an upload before. */
  private async uploaded(item: OutboxItem, file: OutboxFile): Promise<Result<Attachment>> {
    if (file.attachmentId) {
      const known = this.deps.cache.attachment(file.attachmentId);
      if (known) return ok({ id: known.id, name: known.name, type: known.type, size: known.size, sha256: known.sha256 });
    }
    const bytes = this.deps.files.read(file.file);
    if (!bytes) return fail('not-found', 'The file is no longer on this computer. Attach it again.');
    const result = await this.deps.upload(item, bytes, file.name, (sent, total) =>
      this.deps.emit({ type: 'upload-progress', messageId: item.messageId, sent, total }),
    );
    if (result.ok) {
      this.deps.cache.putAttachment(item.sessionId, result.value, null);
      this.deps.cache.setOutboxFile(item.messageId, { ...file, attachmentId: result.value.id });
    }
    return result;
  }

  private failed(item: OutboxItem, reason: string): void {
    this.deps.cache.outboxSet(item.messageId, 'failed', reason);
    this.deps.emit({ type: 'outbox', item: { ...item, state: 'failed', error: reason } });
  }
}
