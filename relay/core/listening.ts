// Who follows a chat besides its owner: a manager taking it over, listening in from the Dashboard, Close window.
import type { SessionSummary } from '../../common/domain';
import type { Account } from '../ports';
import { disarm } from './transfers';
import {
  addTo,
  change,
  check,
  type Decision,
  type Effect,
  type Facts,
  type NewEvent,
  nameOf,
  seesDashboard,
  transferLog,
  without,
} from './model';

/** A manager becomes the owner at once; the former owner listens; a pending offer is cancelled. */
export function takeOver(session: SessionSummary, actor: Account, facts: Facts): Decision {
  const refused = check([actor.role === 'manager', 'not-manager'], [session.ownerId !== actor.id, 'already-owner']);
  if (refused) return refused;
  const events: NewEvent[] = [];
  const effects: Effect[] = [];
  const pending = session.pendingTransfer;
  if (pending) {
    events.push({ kind: 'transfer-cancelled', transferId: pending.id, reason: 'taken-over', byId: actor.id });
    effects.push(disarm(pending), transferLog('cancelled', pending, { by: actor.id, reason: 'taken-over' }));
  }
  const fromId = session.ownerId;
  events.push({
    kind: 'taken-over',
    byId: actor.id,
    byName: actor.name,
    fromId,
    fromName: fromId ? nameOf(facts, fromId) : null,
  });
  effects.push({ type: 'log', entry: { event: 'transfer-taken-over', sessionId: session.id, by: actor.id, from: fromId } });
  const listeners = without(session.listeners, actor.id);
  return change(
    {
      ...session,
      state: 'active',
      ownerId: actor.id,
      pendingTransfer: null,
      listeners: fromId ? addTo(listeners, fromId) : listeners,
    },
    events,
    effects,
  );
}

export function listen(session: SessionSummary, actor: Account): Decision {
  const refused = check(
    [seesDashboard(actor), 'cannot-listen'],
    [session.ownerId !== actor.id, 'already-owner'],
    [!session.listeners.includes(actor.id), 'already-listening'],
  );
  if (refused) return refused;
  return change({ ...session, listeners: addTo(session.listeners, actor.id) }, [
    { kind: 'listener-joined', agentId: actor.id, agentName: actor.name },
  ]);
}

export function closeWindow(session: SessionSummary, actor: Account): Decision {
  const refused = check([session.listeners.includes(actor.id), 'not-listener']);
  if (refused) return refused;
  return change({ ...session, listeners: without(session.listeners, actor.id) }, [
    { kind: 'listener-left', agentId: actor.id, agentName: actor.name },
  ]);
}
