// Outbox: messages and notes the agent wrote, and files they attached, durable before acknowledged, sent in order once
// online, resent with the same id. A file is uploaded first (under the message's id, so a resend stores it once),
// then the message that carries it is sent.
import { randomUUID } from 'node:crypto';
import type { ClientEvent, OutboxItem } from '../../common/bridge';
import type { Attachment } from '../../common/domain';
import { errorSentences } from '../../common/errors';
import { fail, ok, type Result } from '../../common/result';
import type { AccountFiles } from './attachments';
import type { Cache, OutboxFile } from './cache';

/** Errors that say "not now" rather than "never": the item stays pending and goes with the next flush. */
const transientCodes = new Set(['not-connected', 'timeout', 'rate-limited', 'internal', 'offline', 'unavailable']);

export const newMessageId = (): string => randomUUID().replaceAll('-', '');

export interface OutboxDeps {
  cache: Cache;
  files: AccountFiles;
  emit: (event: ClientEvent) => void;
  /** sends one item to the relay (with the file it carries, once uploaded); resolves with the relay's answer */
  send: (item: OutboxItem, attachment: Attachment | null) => Promise<Result<unknown>>;
  /** uploads an item's file; `onProgress` reports the bytes written */
  upload: (item: OutboxItem, bytes: Buffer, name: string, onProgress: (sent: number, total: number) => void) => Promise<Result<Attachment>>;
  /** an item with a file was delivered: its bytes now belong to the attachment (they open offline) */
  delivered?: (item: OutboxItem, attachment: Attachment, file: string) => void;
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
      const file = item.attachment ? this.deps.cache.outboxFile(item.messageId) : null;
      let attachment: Attachment | null = null;
      if (file) {
        const uploaded = await this.uploaded(item, file);
        if (!uploaded.ok) {
          if (transientCodes.has(uploaded.error.code)) return;
          this.failed(item, uploaded.error.message || errorSentences[uploaded.error.code]);
          continue;
        }
        attachment = uploaded.value;
      }
      const result = await this.deps.send(item, attachment);
      if (result.ok) {
        this.deps.cache.outboxRemove(item.messageId);
        if (file && attachment) this.deps.delivered?.(item, attachment, file.file);
        this.deps.emit({ type: 'outbox', item: { ...item, state: 'sent', error: null } });
        continue;
      }
      if (transientCodes.has(result.error.code)) return;
      this.failed(item, result.error.message || errorSentences[result.error.code]);
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
