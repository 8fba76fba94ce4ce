// Message decisions: an agent or a customer writes to a chat; a resend of the same message id is stored once.
import type { Author, SessionSummary } from '../../common/domain';
import type { AgentCommandOf, CustomerCommand } from '../../common/protocol';
import type { Account } from '../ports';
import { change, check, type Decision, type Loaded } from './model';

export interface Sent {
  seq: number;
  duplicate: boolean;
}

export function agentSend(
  session: SessionSummary,
  actor: Account,
  command: AgentCommandOf<'send'>,
  loaded: Loaded,
): Decision<Sent> {
  const refused = check([session.ownerId === actor.id, 'not-owner']);
  if (refused) return refused;
  return message(session, loaded, command.messageId, command.text, { kind: 'agent', id: actor.id, name: actor.name });
}

export function customerSend(
  session: SessionSummary,
  command: Extract<CustomerCommand, { type: 'customer-send' }>,
  loaded: Loaded,
): Decision<Sent> {
  return message(session, loaded, command.messageId, command.text, {
    kind: 'customer',
    id: null,
    name: session.customerName,
  });
}

function message(session: SessionSummary, loaded: Loaded, messageId: string, text: string, author: Author): Decision<Sent> {
  if (loaded.duplicateSeq !== null) return change(session, [], [], { seq: loaded.duplicateSeq, duplicate: true });
  // the seq is the one the runner gives this event: the session's next
  return change(session, [{ kind: 'message', messageId, author, text }], [], { seq: session.lastSeq + 1, duplicate: false });
}

/** Typing is not stored: only the owner's typing is shown, to the rest of the audience and the customer. */
export function agentMayType(session: SessionSummary, actor: Account) {
  return check([session.state !== 'closed', 'session-closed'], [session.ownerId === actor.id, 'not-owner']);
}
