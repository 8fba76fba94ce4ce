// Transfer decisions: offer, accept, reject, cancel, and the two ways an offer ends by itself (timeout, target gone).
import type { AgentId, SessionSummary, TransferEndReason, TransferOffer } from '../../common/domain';
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
): Decision<{ transferId: string }> {
  const target = facts.account(command.to);
  const refused = check(
    [session.ownerId === actor.id || actor.role === 'manager', 'not-owner'],
    [session.ownerId !== null, 'not-owner', 'A queued chat has no owner to transfer from. Take it over first.'],
    [session.pendingTransfer === null, 'transfer-pending'],
    [command.to !== actor.id, 'self-transfer'],
    [command.to !== session.ownerId, 'already-owner', 'That agent already owns this chat.'],
    [target !== null, 'unknown-agent'],
    [target === null || facts.statusOf(target.id) === 'present', 'not-present'],
  );
  if (refused) return refused;
  const transfer: TransferOffer = {
    id: facts.newId('tr'),
    sessionId: session.id,
    fromId: session.ownerId!,
    offeredBy: actor.id,
    toId: target!.id,
    note: command.note ? command.note : null,
    createdAt: facts.now,
    expiresAt: facts.options.transferTimeoutMs === null ? null : facts.now + facts.options.transferTimeoutMs,
  };
  const effects: Effect[] = [transferLog('offered', transfer, { by: actor.id })];
  if (transfer.expiresAt !== null) effects.push({ type: 'arm-timer', key: transferTimerKey(transfer), at: transfer.expiresAt });
  return change({ ...session, pendingTransfer: transfer }, [{ kind: 'transfer-offered', transfer }], effects, {
    transferId: transfer.id,
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
  const refused = check([transfer !== null, 'transfer-not-pending'], [transfer?.toId === actor.id, 'not-target']);
  if (refused) return refused;
  const from = session.ownerId!;
  return change(
    { ...session, ownerId: actor.id, pendingTransfer: null, listeners: addTo(without(session.listeners, actor.id), from) },
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
  const refused = check([transfer !== null, 'transfer-not-pending'], [transfer?.toId === actor.id, 'not-target']);
  if (refused) return refused;
  const reason = command.reason ? command.reason : null;
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

/** The target went Away or offline past the grace period: an offer to them ends with `target-unavailable`. */
export function targetUnavailable(session: SessionSummary, agentId: AgentId): Decision {
  const transfer = session.state === 'closed' ? null : session.pendingTransfer;
  if (!transfer || transfer.toId !== agentId) return change(session, []);
  return endOffer(session, transfer, 'target-unavailable', null);
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
