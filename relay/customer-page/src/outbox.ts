// The customer's messages on their way: kept in order in the chat's state (so a reload resumes them), sent one at a
// time once the relay has greeted the page and the pacer allows. A rate-limited one is waited out and sent again
// (nothing after it was sent, so the order holds); any other refusal is marked "Not sent" with Retry. A file is
// uploaded first, then sent as a message that carries it.
import { customerErrorSentence } from '../../../common/error-codes';
import { MAX_MESSAGE_CHARS } from '../../../common/wire-constants';
import { refusedBeforeUpload, uploadFile } from './files';
import { type Pacer, splitForSending } from './pacing';
import { type ChatState, type Outgoing, randomId } from './state';
import { strings } from './strings';
import { drawOutgoing, removeOutgoing, scrollToEnd, showAlert } from './view';

export interface OutboxDeps {
  chat(): ChatState;
  pacer(): Pacer;
  /** the relay has welcomed the connection: messages may go */
  greeted(): boolean;
  send(frame: object): boolean;
  save(): void;
  /** the state changed in a way the page shows (the header, the views) */
  changed(): void;
  /** the relay says the chat has ended */
  ended(): void;
}

export class Outbox {
  /** the one message on its way to the relay, by command id; the rest wait their turn in chat.pending */
  private inFlight: { commandId: string; messageId: string } | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: OutboxDeps) {}

  /** The connection is gone: what was on its way is sent again on the next one. */
  lost(): void {
    this.inFlight = null;
    clearTimeout(this.timer);
  }

  get waiting(): boolean {
    return this.deps.chat().pending.length > 0;
  }

  /** A text the customer wrote, split at line ends when it is longer than one message may be. */
  write(text: string): void {
    const chat = this.deps.chat();
    for (const piece of splitForSending(text, MAX_MESSAGE_CHARS)) {
      const item: Outgoing = { messageId: `m-${randomId(12)}`, text: piece, at: Date.now() };
      chat.pending.push(item);
      drawOutgoing(item, null, () => {});
    }
    this.deps.save();
    scrollToEnd();
    this.pump();
  }

  async attach(file: File, maxBytes: number): Promise<void> {
    const chat = this.deps.chat();
    const { token, sessionId } = chat;
    if (!token || !sessionId || chat.state === 'closed') {
      showAlert(strings.fileBeforeStart);
      return;
    }
    const refused = refusedBeforeUpload(file, maxBytes);
    if (refused) {
      showAlert(refused);
      return;
    }
    const item: Outgoing = { messageId: `m-${randomId(12)}`, text: '', at: Date.now(), fileName: file.name };
    drawOutgoing(item, null, () => {}, strings.uploading);
    scrollToEnd();
    const uploaded = await uploadFile(file, { sessionId, token, uploadId: item.messageId });
    // the chat may have ended, or been replaced by a new one, while the file was on its way
    const now = this.deps.chat();
    if (!uploaded.ok || now !== chat || now.state === 'closed') {
      removeOutgoing(item.messageId);
      if (!uploaded.ok) showAlert(uploaded.why);
      return;
    }
    showAlert('');
    chat.pending.push({ ...item, attachmentId: uploaded.id });
    drawOutgoing(item, null, () => {});
    this.deps.save();
    this.pump();
  }

  /** Draws what is still on its way and what was refused (after a reload or a new transcript). */
  redraw(): void {
    const chat = this.deps.chat();
    for (const item of chat.failed) drawOutgoing(item, item.reason, () => this.retry(item));
    for (const item of chat.pending) drawOutgoing(item, null, () => {});
  }

  /** The chat has ended: nothing more goes. */
  drop(): void {
    const chat = this.deps.chat();
    for (const item of [...chat.pending, ...chat.failed]) removeOutgoing(item.messageId);
    chat.pending = [];
    chat.failed = [];
  }

  /** The relay has a message of ours (its event came): it is no longer pending. */
  delivered(messageId: string): void {
    const chat = this.deps.chat();
    removeOutgoing(messageId);
    chat.pending = chat.pending.filter((p) => p.messageId !== messageId);
  }

  /** The relay's answer to a command; false when it was not for the message on its way. */
  answered(id: string, error: Record<string, unknown> | null): boolean {
    if (!this.inFlight || this.inFlight.commandId !== id) return false;
    const chat = this.deps.chat();
    const { messageId } = this.inFlight;
    this.inFlight = null;
    const item = chat.pending.find((p) => p.messageId === messageId);
    if (!error) {
      this.delivered(messageId);
    } else if (error.code === 'rate-limited' && item) {
      const after = typeof error.retryAfterMs === 'number' ? error.retryAfterMs : 1000;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), after);
      return true;
    } else if (error.code === 'session-closed') {
      this.deps.ended();
      return true;
    } else if (item) {
      chat.pending = chat.pending.filter((p) => p.messageId !== messageId);
      const reason = customerErrorSentence(String(error.code));
      chat.failed.push({ ...item, reason });
      drawOutgoing(item, reason, () => this.retry(item));
    }
    this.deps.save();
    this.deps.changed();
    this.pump();
    return true;
  }

  /** Sends the oldest unsent message when nothing is on its way and the pacer allows; its answer sends the next. */
  pump(): void {
    clearTimeout(this.timer);
    const chat = this.deps.chat();
    if (this.inFlight || !this.deps.greeted() || chat.state === 'closed') return;
    const next = chat.pending[0];
    if (!next) return;
    const wait = this.deps.pacer().take();
    if (wait > 0) {
      this.timer = setTimeout(() => this.pump(), wait);
      return;
    }
    const id = `c-${randomId(6)}`;
    const frame = { id, type: 'customer-send', messageId: next.messageId, text: next.text };
    if (this.deps.send(next.attachmentId ? { ...frame, attachments: [next.attachmentId] } : frame)) {
      this.inFlight = { commandId: id, messageId: next.messageId };
    }
  }

  /** Sent again as a new message at the end, so it cannot land before what was written after it was refused. */
  private retry(item: Outgoing): void {
    const chat = this.deps.chat();
    chat.failed = chat.failed.filter((f) => f.messageId !== item.messageId);
    removeOutgoing(item.messageId);
    if (!item.attachmentId) {
      this.write(item.text);
      return;
    }
    const again: Outgoing = { ...item, messageId: `m-${randomId(12)}`, at: Date.now() };
    chat.pending.push(again);
    drawOutgoing(again, null, () => {});
    this.deps.save();
    this.pump();
  }
}
