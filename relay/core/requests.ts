// Requests: when nobody can take a chat, its owner (or a manager) files it with its transcript for later; when nobody
// can chat at all, the customer leaves one with the offline form.
import type { Request, SessionSummary } from '../../common/domain';
import type { AgentCommandOf, OfflineMessage } from '../../common/protocol';
import type { Account } from '../ports';
import { change, check, type Decision, type Facts, type Loaded, type NewEvent } from './model';
import { openChat } from './sessions';

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

/**
 * The offline form's message as a chat opened and closed at once, holding the message and a request filed by the
 * customer: agents find it in Requests (and History) like any other, and retention treats it like any chat.
 */
export function offlineRequest(
  sessionId: string,
  form: OfflineMessage,
  facts: Pick<Facts, 'now' | 'newId'>,
): { session: SessionSummary; events: NewEvent[]; request: Request } {
  const opened = openChat(sessionId, { name: form.name, email: form.email, topic: form.topic }, facts.now);
  const request: Request = {
    id: facts.newId('req'),
    sessionId,
    title: form.topic ? `Offline message: ${form.topic}` : 'Offline message',
    description: form.message,
    customerName: form.name,
    customerEmail: form.email,
    createdBy: null,
    createdAt: facts.now,
    transcript: [{ at: facts.now, author: form.name, text: form.message }],
  };
  const by = { kind: 'customer' as const, id: null, name: form.name };
  return {
    session: { ...opened.session, state: 'closed', closedAt: facts.now },
    events: [
      ...opened.events,
      { kind: 'message', messageId: facts.newId('offline'), author: by, text: form.message },
      { kind: 'request-created', request },
      { kind: 'closed', by },
    ],
    request,
  };
}
