// Transfer decisions: offer (to an agent or to a team), accept, reject, cancel, and the two ways an offer ends by itself
// (timeout, target gone). A team offer is the same pending transfer with candidates instead of one target.
import { type AgentId, isOfferedTo, offerTargets, type SessionSummary, type TeamId, type TransferEndReason, type TransferOffer } from '../../common/domain';
import type { AgentCommandOf } from '../../common/protocol';
import type { Account } from '../ports';
import {
  addTo,
  change,
  check,
  type Decision,
  type Effect,
  type Facts,
  nameOf,
  transferLog,
  transferTimerKey,
  without,
} from './model';

export function offer(
  session: SessionSummary,
  actor: Account,
  command: AgentCommandOf<'offer-transfer'>,
  facts: Facts,
): Decision<{ transferId: string; atCapacity: boolean }> {
  const refused = check(
    [session.ownerId === actor.id || actor.role === 'manager', 'not-owner'],
    [session.ownerId !== null, 'not-owner', 'A queued chat has no owner to transfer from. Take it over first.'],
    [session.pendingTransfer === null, 'transfer-pending'],
  );
  if (refused) return refused;
  return command.team !== undefined ? offerToTeam(session, actor, command.team, command, facts) : offerToAgent(session, actor, command, facts);
}

/** An offer to one agent who is Present or Busy (Busy agents take transfers); at capacity they may still accept. */
function offerToAgent(session: SessionSummary, actor: Account, command: AgentCommandOf<'offer-transfer'>, facts: Facts) {
  const to = command.to ?? '';
  const target = facts.account(to);
  const status = target ? facts.statusOf(target.id) : 'offline';
  const refused = check(
    [to !== actor.id, 'self-transfer'],
    [to !== session.ownerId, 'already-owner', 'That agent already owns this chat.'],
    [target !== null, 'unknown-agent'],
    [status === 'present' || status === 'busy', 'not-present'],
  );
  if (refused) return refused;
  const atCapacity = facts.openChats(target!.id) >= facts.capacityOf(target!.id);
  return pending(session, actor, { toId: target!.id, toTeam: null, candidates: [] }, command.note, facts, atCapacity);
}

/**
 * An offer to a team: its members (but the owner and whoever offers) who are Present and below capacity when it is
 * made become its candidates; the first to accept gets the chat, a reject only takes that member out.
 */
function offerToTeam(session: SessionSummary, actor: Account, teamId: TeamId, command: AgentCommandOf<'offer-transfer'>, facts: Facts) {
  const team = facts.team(teamId);
  const candidates = team
    ? facts
        .members(team.id)
        .filter(
          (id) =>
            id !== session.ownerId &&
            id !== actor.id &&
            facts.statusOf(id) === 'present' &&
            facts.openChats(id) < facts.capacityOf(id),
        )
    : [];
  const refused = check([team !== null, 'unknown-team'], [candidates.length > 0, 'team-unavailable']);
  if (refused) return refused;
  return pending(session, actor, { toId: null, toTeam: team, candidates }, command.note, facts, false);
}

function pending(
  session: SessionSummary,
  actor: Account,
  to: Pick<TransferOffer, 'toId' | 'toTeam' | 'candidates'>,
  note: string | undefined,
  facts: Facts,
  atCapacity: boolean,
): Decision<{ transferId: string; atCapacity: boolean }> {
  const transfer: TransferOffer = {
    id: facts.newId('tr'),
    sessionId: session.id,
    fromId: session.ownerId!,
    offeredBy: actor.id,
    ...to,
    note: note ? note : null,
    createdAt: facts.now,
    expiresAt: facts.options.transferTimeoutMs === null ? null : facts.now + facts.options.transferTimeoutMs,
  };
  const effects: Effect[] = [transferLog('offered', transfer, { by: actor.id, ...(to.toTeam ? { candidates: to.candidates } : {}) })];
  if (transfer.expiresAt !== null) effects.push({ type: 'arm-timer', key: transferTimerKey(transfer), at: transfer.expiresAt });
  return change({ ...session, pendingTransfer: transfer }, [{ kind: 'transfer-offered', transfer }], effects, {
    transferId: transfer.id,
    atCapacity,
  });
}

/** The pending offer a command names by id: an answer to an older offer never acts on a newer one. */
function named(session: SessionSummary, transferId: string): TransferOffer | null {
  const transfer = session.pendingTransfer;
  return transfer && transfer.id === transferId ? transfer : null;
}

export function accept(
  session: SessionSummary,
  actor: Account,
  command: AgentCommandOf<'accept-transfer'>,
  facts: Facts,
): Decision {
  const transfer = named(session, command.transferId);
  const refused = check([transfer !== null, 'transfer-not-pending'], [isOfferedTo(transfer, actor.id), 'not-target']);
  if (refused) return refused;
  const from = session.ownerId!;
  return change(
    {
      ...session,
      ownerId: actor.id,
      pendingTransfer: null,
      listeners: addTo(without(session.listeners, actor.id), from),
      // accepted through a team offer: the chat now belongs to that team (its queue, its figures)
      team: transfer!.toTeam?.id ?? session.team,
    },
    [
      {
        kind: 'transfer-accepted',
        transferId: transfer!.id,
        fromId: from,
        fromName: nameOf(facts, from),
        toId: actor.id,
        toName: actor.name,
      },
    ],
    [disarm(transfer!), transferLog('accepted', transfer!, { by: actor.id })],
  );
}

export function reject(session: SessionSummary, actor: Account, command: AgentCommandOf<'reject-transfer'>): Decision {
  const transfer = named(session, command.transferId);
  const refused = check([transfer !== null, 'transfer-not-pending'], [isOfferedTo(transfer, actor.id), 'not-target']);
  if (refused) return refused;
  const reason = command.reason ? command.reason : null;
  // one member of a team passes; the offer ends only when the last one does
  if (offerTargets(transfer!).length > 1) return pass(session, transfer!, actor.id, 'rejected', reason);
  return change(
    { ...session, pendingTransfer: null },
    [{ kind: 'transfer-rejected', transferId: transfer!.id, byId: actor.id, reason }],
    [disarm(transfer!), transferLog('rejected', transfer!, { by: actor.id, reason })],
  );
}

export function cancel(session: SessionSummary, actor: Account, command: AgentCommandOf<'cancel-transfer'>): Decision {
  const transfer = named(session, command.transferId);
  const refused = check(
    [transfer !== null, 'transfer-not-pending'],
    [transfer?.offeredBy === actor.id || actor.role === 'manager', 'not-offerer'],
  );
  if (refused) return refused;
  return endOffer(session, transfer!, 'cancelled', actor.id);
}

/** The offer's timer fired: it ends with reason `timeout` if it is still the pending one. */
export function expire(session: SessionSummary, transferId: string): Decision {
  const transfer = session.state === 'closed' ? null : named(session, transferId);
  if (!transfer) return change(session, []);
  return endOffer(session, transfer, 'timeout', null);
}

/**
 * The target went Away or offline past the grace period (or was disabled): an offer to them ends with
 * `target-unavailable`; a team offer loses that candidate and ends so only when nobody is left.
 */
export function targetUnavailable(session: SessionSummary, agentId: AgentId): Decision {
  const transfer = session.state === 'closed' ? null : session.pendingTransfer;
  if (!transfer || !isOfferedTo(transfer, agentId)) return change(session, []);
  if (offerTargets(transfer).length > 1) return pass(session, transfer, agentId, 'unavailable', null);
  return endOffer(session, transfer, 'target-unavailable', null);
}

/** A team offer goes on without one member, who drops out of its audience (and sees it disappear). */
function pass(session: SessionSummary, transfer: TransferOffer, agentId: AgentId, why: 'rejected' | 'unavailable', reason: string | null) {
  return change(
    { ...session, pendingTransfer: { ...transfer, candidates: without(offerTargets(transfer), agentId) } },
    [{ kind: 'transfer-passed', transferId: transfer.id, agentId, why, reason }],
    [transferLog('passed', transfer, { by: agentId, why, reason })],
  );
}

function endOffer(session: SessionSummary, transfer: TransferOffer, reason: TransferEndReason, byId: AgentId | null) {
  return change(
    { ...session, pendingTransfer: null },
    [{ kind: 'transfer-cancelled', transferId: transfer.id, reason, byId }],
    [disarm(transfer), transferLog(reason === 'timeout' ? 'expired' : 'cancelled', transfer, { by: byId, reason })],
  );
}

export function disarm(transfer: TransferOffer): Effect {
  return { type: 'disarm-timer', key: transferTimerKey(transfer) };
}
