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
  // the customer sees the request, transcript included: it holds messages only, never notes
  const transcript = (loaded.transcript ?? []).flatMap((e) =>
    e.kind === 'message' ? [{ at: e.at, author: e.author.name, text: withFiles(e.text, e.attachments ?? []) }] : [],
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
    status: 'open',
    assigneeId: null,
    updatedAt: null,
    solvedAt: null,
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
    status: 'open',
    assigneeId: null,
    updatedAt: facts.now,
    solvedAt: null,
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

/** Its creator, its assignee and managers may change a request; anyone may be made its assignee. */
export function updateRequest(
  session: SessionSummary,
  actor: Account,
  command: AgentCommandOf<'update-request'>,
  facts: Facts,
  loaded: Loaded,
): Decision<{ request: Request }> {
  const request = loaded.request;
  const assigneeId = command.assigneeId === undefined ? request?.assigneeId ?? null : command.assigneeId;
  const refused = check(
    [request !== null, 'not-found', 'That request no longer exists.'],
    [
      request === null || actor.role === 'manager' || request.createdBy === actor.id || request.assigneeId === actor.id,
      'forbidden',
      'Only the agent who created a request, its assignee or a manager can change it.',
    ],
    [assigneeId === null || facts.account(assigneeId) !== null, 'unknown-agent'],
  );
  if (refused) return refused;
  const before = request!;
  const status = command.status ?? before.status;
  const solvedAt = status === 'solved' ? (before.solvedAt ?? facts.now) : null;
  if (status === before.status && assigneeId === before.assigneeId) return change(session, [], [], { request: before });
  const events: NewEvent[] = [
    { kind: 'request-updated', requestId: before.id, status, assigneeId, solvedAt, byId: actor.id, byName: actor.name },
  ];
  if (status === 'solved' && before.status !== 'solved' && command.tellCustomer) {
    events.push({ kind: 'request-solved', requestId: before.id, title: before.title });
  }
  const after: Request = { ...before, status, assigneeId, solvedAt, updatedAt: facts.now };
  return change(session, events, [{ type: 'log', entry: { event: 'request-updated', requestId: before.id, status, assigneeId, by: actor.id } }], {
    request: after,
  });
}

/** A transcript line is text: the files a message carried are named in it (a message may be a file alone). */
function withFiles(text: string, files: readonly { name: string }[]): string {
  const named = files.map((f) => `[file: ${f.name}]`).join(' ');
  return [text, named].filter(Boolean).join(text && named ? '\n' : '');
}
