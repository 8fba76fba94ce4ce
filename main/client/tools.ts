// The conversation tools in the client core: notes and files through the outbox, files read from the cache or
// fetched from the relay, canned replies kept in the cache for offline use, and requests changed on the relay.
import type { z } from 'zod';
import type { BridgeChannel, BridgeParsedArgs, BridgeResult, ClientEvent, OutboxItem } from '../../common/bridge';
import {
  type Attachment,
  type AttachmentLimits,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  MAX_ATTACHMENTS_PER_MESSAGE,
} from '../../common/domain';
import { errorSentences, tooLargeSentence } from '../../common/errors';
import { type AgentCommandInput, CommandResultSchemas, type RelayFrame } from '../../common/protocol';
import { fail, ok, type Result } from '../../common/result';
import type { AccountStore } from './account-store';
import { type Credentials, downloadFile, uploadFile } from './attachments';

export interface ToolsDeps {
  /** the account shown (throws CacheError when there is none) */
  store(): AccountStore;
  /** the link's credentials, when it is online for the account shown */
  credentials(): Credentials | null;
  relay(command: AgentCommandInput): Promise<Result<unknown>>;
  relayResult<T>(command: AgentCommandInput, schema: z.ZodType<T>): Promise<Result<T>>;
  emit(event: ClientEvent): void;
  knowsSession(sessionId: string): boolean;
  limits(): AttachmentLimits | null;
  /** when the link last came online; null while it is not */
  onlineSince(): number | null;
}

type ToolChannel = 'chat:note' | 'chat:sendFile' | 'attachment:read' | 'request:update' | 'canned:list' | 'canned:save' | 'canned:delete';
type Handler<C extends BridgeChannel> = (args: BridgeParsedArgs<C>) => Promise<Result<BridgeResult<C>>> | Result<BridgeResult<C>>;

export class ConversationTools {
  constructor(private readonly deps: ToolsDeps) {}

  readonly handlers: { [C in ToolChannel]: Handler<C> } = {
    'chat:note': ({ sessionId, text }) => {
      const store = this.deps.store();
      if (!this.knows(store, sessionId)) return fail('not-found', errorSentences['not-found']);
      return ok({ messageId: store.outbox.add(sessionId, text, { kind: 'note' }).messageId });
    },
    'chat:sendFile': ({ sessionId, name, data, text }) => {
      const store = this.deps.store();
      if (!this.knows(store, sessionId)) return fail('not-found', errorSentences['not-found']);
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length === 0) return fail('invalid-argument', 'The file is empty.');
      const max = this.deps.limits()?.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
      if (bytes.length > max) {
        return fail('too-large', tooLargeSentence(bytes.length, max));
      }
      return ok({ messageId: store.outbox.add(sessionId, text, { file: { name, bytes } }).messageId });
    },
    'attachment:read': async ({ sessionId, attachmentId }) => {
      const store = this.deps.store();
      const cached = store.cache.attachment(attachmentId);
      if (cached && cached.sessionId !== sessionId) return fail('not-found', 'That file is not in this chat.');
      const kept = cached?.file ? store.files.read(cached.file) : null;
      if (cached && kept) return ok({ name: cached.name, type: cached.type, size: kept.length, data: kept.toString('base64') });
      const credentials = this.deps.credentials();
      if (!credentials) return fail('offline', 'This file was not downloaded before the relay went out of reach. It opens once you are back online.');
      const fetched = await downloadFile(credentials, attachmentId);
      if (!fetched.ok) return fetched;
      const file = store.files.write(fetched.value.bytes);
      const meta: Attachment = cached ?? {
        id: attachmentId,
        name: 'file',
        type: fetched.value.type,
        size: fetched.value.bytes.length,
        sha256: '0'.repeat(64),
      };
      store.cache.putAttachment(sessionId, meta, file);
      return ok({ name: meta.name, type: meta.type, size: fetched.value.bytes.length, data: fetched.value.bytes.toString('base64') });
    },
    'request:update': async (args) => {
      const result = await this.deps.relayResult({ type: 'update-request', ...args }, CommandResultSchemas['update-request']);
      if (result.ok) {
        this.deps.store().cache.upsertRequests([result.value.request]);
        this.deps.emit({ type: 'request', request: result.value.request });
      }
      return result;
    },
    'canned:list': () => ok({ replies: this.deps.store().cache.cannedReplies() }),
    'canned:save': async (args) => {
      const result = await this.deps.relayResult({ type: 'save-canned', ...args }, CommandResultSchemas['save-canned']);
      if (result.ok) this.changed(() => this.deps.store().cache.upsertCannedReply(result.value.reply));
      return result;
    },
    'canned:delete': async ({ replyId }) => {
      const result = await this.deps.relay({ type: 'delete-canned', replyId });
      if (!result.ok) return result;
      this.changed(() => this.deps.store().cache.deleteCannedReply(replyId));
      return ok(null);
    },
  };

  /** After a welcome: the replies as the relay has them now replace what the cache held. */
  async refreshCannedReplies(): Promise<void> {
    const result = await this.deps.relayResult({ type: 'list-canned' }, CommandResultSchemas['list-canned']);
    if (result.ok) this.changed(() => this.deps.store().cache.replaceCannedReplies(result.value.replies));
  }

  /** The frames this module answers for; false for any other frame. */
  onFrame(frame: RelayFrame): boolean {
    if (frame.type === 'canned-reply') this.changed(() => this.deps.store().cache.upsertCannedReply(frame.reply));
    else if (frame.type === 'canned-reply-deleted') this.changed(() => this.deps.store().cache.deleteCannedReply(frame.replyId));
    else return false;
    return true;
  }

  /** The outbox's way to the relay: a note, or a message with its file. */
  send(item: OutboxItem, attachment: Attachment | null): Promise<Result<unknown>> {
    // written before this connection came up: it waited in the outbox, and says when it was written
    const since = this.deps.onlineSince();
    const writtenAt = since !== null && item.createdAt < since ? { writtenAt: item.createdAt } : {};
    if (item.kind === 'note') {
      return this.deps.relay({ type: 'add-note', sessionId: item.sessionId, noteId: item.messageId, text: item.text, ...writtenAt });
    }
    const attachments = attachment ? [attachment.id].slice(0, MAX_ATTACHMENTS_PER_MESSAGE) : [];
    return this.deps.relay({ type: 'send', sessionId: item.sessionId, messageId: item.messageId, text: item.text, attachments, ...writtenAt });
  }

  upload(item: OutboxItem, bytes: Buffer, name: string, onProgress: (sent: number, total: number) => void): Promise<Result<Attachment>> {
    const credentials = this.deps.credentials();
    if (!credentials) return Promise.resolve(fail('offline', errorSentences.offline));
    // the message id is the upload id: a resend after a crash or a lost answer stores nothing new
    return uploadFile(credentials, { sessionId: item.sessionId, uploadId: item.messageId, name, bytes }, onProgress);
  }

  private changed(write: () => void): void {
    write();
    this.deps.emit({ type: 'canned-replies', replies: this.deps.store().cache.cannedReplies() });
  }

  private knows(store: AccountStore, sessionId: string): boolean {
    return this.deps.knowsSession(sessionId) || store.cache.getSession(sessionId) !== null;
  }
}

