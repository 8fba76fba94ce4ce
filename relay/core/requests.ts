// Requests: when nobody can take a chat, its owner (or a manager) files it with its transcript for later.
import type { Request, SessionSummary } from '../../common/domain';
import type { AgentCommandOf } from '../../common/protocol';
import type { Account } from '../ports';
import { change, check, type Decision, type Facts, type Loaded } from './model';

export function createRequest(
  session: SessionSummary,
  actor: Account,
  command: AgentCommandOf<'create-request'>,
  facts: Facts,
  loaded: Loaded,
): Decision<{ request: Request }> {
  const refused = check([session.ownerId === actor.id || actor.role === 'manager', 'not-owner']);
  if (refused) return refused;
  const transcript = (loaded.transcript ?? []).flatMap((e) =>
    e.kind === 'message' ? [{ at: e.at, author: e.author.name, text: e.text }] : [],
  );
  const request: Request = {
    id: facts.newId('req'),
    sessionId: session.id,
    title: command.title,
    description: command.description ? command.description : null,
    customerName: session.customerName,
    createdBy: actor.id,
    createdAt: facts.now,
    transcript,
  };
  return change(session, [{ kind: 'request-created', request }], [], { request });
}
