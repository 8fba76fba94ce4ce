// Message decisions: an agent or a customer writes to a chat (text, attachments uploaded before, or both); a resend
// of the same message id is stored once. Internal notes are in notes.ts.
import type { Attachment, Author, SessionSummary } from '../../common/domain';
import type { AgentCommandOf, CustomerCommand } from '../../common/protocol';
import type { Account } from '../ports';
import { change, check, type Decision, type Facts, type Loaded, type NewEventOf, refuse } from './model';

export interface Sent {
  seq: number;
  duplicate: boolean;
}

type MessageBody = { messageId: string; text: string; attachments: readonly string[]; writtenAt?: number };

export function agentSend(
  session: SessionSummary,
  actor: Account,
  command: AgentCommandOf<'send'>,
  loaded: Loaded,
  facts: Facts,
): Decision<Sent> {
  const refused = check([session.ownerId === actor.id, 'not-owner']);
  if (refused) return refused;
  return message(session, loaded, command, { kind: 'agent', id: actor.id, name: actor.name }, facts.now);
}

export function customerSend(
  session: SessionSummary,
  command: Extract<CustomerCommand, { type: 'customer-send' }>,
  loaded: Loaded,
  facts: Facts,
): Decision<Sent> {
  return message(session, loaded, command, { kind: 'customer', id: null, name: session.customerName }, facts.now);
}

function message(session: SessionSummary, loaded: Loaded, body: MessageBody, author: Author, now: number): Decision<Sent> {
  if (loaded.duplicateSeq !== null) return change(session, [], [], { seq: loaded.duplicateSeq, duplicate: true });
  // built field by field, no spreads and no Set for the files a message without any has: this runs once per message
  const draft: NewEventOf<'message'> = { kind: 'message', messageId: body.messageId, author, text: body.text };
  if (body.attachments.length) {
    const attachments: Attachment[] = [];
    for (const id of new Set(body.attachments)) {
      const stored = loaded.attachments.find((a) => a.id === id);
      // a customer sends only what the customer uploaded; agents may pass on anything uploaded into the chat
      if (!stored || (author.kind === 'customer' && stored.uploader.kind !== 'customer')) {
        return refuse('not-found', 'That attachment is not in this chat. Upload it again.');
      }
      attachments.push({ id: stored.id, name: stored.name, type: stored.type, size: stored.size, sha256: stored.sha256 });
    }
    draft.attachments = attachments;
  }
  const writtenAt = writtenBefore(session, body.writtenAt, now);
  if (writtenAt !== undefined) draft.writtenAt = writtenAt;
  // the seq is the one the runner gives this event: the session's next
  return change(session, [draft], [], { seq: session.lastSeq + 1, duplicate: false });
}

/**
 * When it was written, kept only when that was before now (sent later from an outbox). A client's clock may be off:
 * the time is held between the chat's start and now. Undefined: it was not given, or it is now.
 */
export function writtenBefore(session: SessionSummary, writtenAt: number | undefined, now: number): number | undefined {
  if (writtenAt === undefined) return undefined;
  const clamped = Math.min(now, Math.max(session.createdAt, writtenAt));
  return clamped < now ? clamped : undefined;
}

/** Typing is not stored: only the owner's typing is shown, to the rest of the audience and the customer. */
export function agentMayType(session: SessionSummary, actor: Account) {
  return check([session.state !== 'closed', 'session-closed'], [session.ownerId === actor.id, 'not-owner']);
}
