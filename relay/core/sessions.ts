// A chat's life: a customer opens it (queued), routing assigns it, the owner or the customer closes it.
import type { SessionSummary, TeamId } from '../../common/domain';
import type { Account } from '../ports';
import { disarm } from './transfers';
import { change, check, type Decision, type Effect, type NewEvent, transferLog } from './model';

/** Who opened the chat, from the pre-chat form. */
export interface Opener {
  name: string;
  email?: string | undefined;
  topic?: string | undefined;
}

/** A new chat, queued for `team` (its members' queue) or for any agent. */
export function openChat(
  id: string,
  opener: Opener | string,
  now: number,
  team: TeamId | null = null,
): { session: SessionSummary; events: NewEvent[] } {
  const { name: customerName, email, topic } = typeof opener === 'string' ? ({ name: opener } as Opener) : opener;
  return {
    session: {
      id,
      customerName,
      state: 'queued',
      ownerId: null,
      listeners: [],
      pendingTransfer: null,
      team,
      createdAt: now,
      closedAt: null,
      lastSeq: 0,
      lastMessage: null,
      waitingSince: null,
    },
    events: [{ kind: 'opened', customerName, team, ...(email ? { email } : {}), ...(topic ? { topic } : {}) }],
  };
}

export function assign(session: SessionSummary, agent: Account): Decision {
  // routing read the chat as queued; only a queued chat is assigned (another node or command may have got there first)
  if (session.state !== 'queued') return change(session, []);
  return change(
    { ...session, state: 'active', ownerId: agent.id },
    [{ kind: 'assigned', agentId: agent.id, agentName: agent.name }],
    [{ type: 'log', entry: { event: 'chat-assigned', sessionId: session.id, agentId: agent.id } }],
  );
}

export function closeByAgent(session: SessionSummary, actor: Account, now: number): Decision {
  const refused = check([session.ownerId === actor.id, 'not-owner']);
  if (refused) return refused;
  return close(session, { kind: 'agent', id: actor.id, name: actor.name }, now);
}

export function closeByCustomer(session: SessionSummary, now: number): Decision {
  return close(session, { kind: 'customer', id: null, name: session.customerName }, now);
}

function close(session: SessionSummary, by: { kind: 'customer' | 'agent'; id: string | null; name: string }, now: number) {
  const events: NewEvent[] = [];
  const effects: Effect[] = [];
  const pending = session.pendingTransfer;
  if (pending) {
    events.push({ kind: 'transfer-cancelled', transferId: pending.id, reason: 'closed', byId: by.id });
    effects.push(disarm(pending), transferLog('cancelled', pending, { by: by.id, reason: 'closed' }));
  }
  events.push({ kind: 'closed', by });
  effects.push(
    { type: 'log', entry: { event: 'chat-closed', sessionId: session.id, by: by.kind, byId: by.id } },
    { type: 'end-customer' },
  );
  return change({ ...session, state: 'closed', pendingTransfer: null, closedAt: now, waitingSince: null }, events, effects);
}
