// Internal notes: agents in a chat (owner, listeners, the agent a transfer is offered to) and managers write notes
// that only agents read. A listener's whisper to the owner is a note. Notes are never customer-visible (see
// customerVisibleKinds), so no path that serves a customer can carry one.
import { internalKinds, type SessionEvent, type SessionSummary } from '../../common/domain';
import type { AgentCommandOf } from '../../common/protocol';
import type { Account } from '../ports';
import type { Sent } from './messages';
import { writtenBefore } from './messages';
import { change, check, type Decision, type Facts, inAudience, type Loaded, type NewEventOf } from './model';

export function addNote(
  session: SessionSummary,
  actor: Account,
  command: AgentCommandOf<'add-note'>,
  loaded: Loaded,
  facts: Facts,
): Decision<Sent> {
  const refused = check([inAudience(session, actor.id) || actor.role === 'manager', 'not-in-chat']);
  if (refused) return refused;
  if (loaded.duplicateSeq !== null) return change(session, [], [], { seq: loaded.duplicateSeq, duplicate: true });
  const draft: NewEventOf<'note'> = { kind: 'note', noteId: command.noteId, author: { id: actor.id, name: actor.name }, text: command.text };
  const writtenAt = writtenBefore(session, command.writtenAt, facts.now);
  if (writtenAt !== undefined) draft.writtenAt = writtenAt;
  return change(session, [draft], [], { seq: session.lastSeq + 1, duplicate: false });
}

/**
 * Who reads a chat's notes: its audience now (owner, listeners, the target of a pending offer), managers, and whoever
 * was ever in its audience. An agent who may only look at the Dashboard sees them once listening in.
 */
export function readsNotes(session: SessionSummary, actor: Account, participant: boolean): boolean {
  return inAudience(session, actor.id) || actor.role === 'manager' || participant;
}

/** The events an agent may read: notes taken out for one who does not read them. */
export function forReader(events: SessionEvent[], readsInternal: boolean): SessionEvent[] {
  return readsInternal ? events : events.filter((e) => !internalKinds.has(e.kind));
}
