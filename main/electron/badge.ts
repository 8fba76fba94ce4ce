// The dock/taskbar badge number, derived purely from the core's events: transfers offered to me plus unread chats.
import type { ClientEvent } from '../../common/bridge';
import type { SessionSummary } from '../../common/domain';

export interface BadgeState {
  readonly me: string | null;
  /** sessions with a pending transfer offered to me */
  readonly offers: ReadonlySet<string>;
  /** unread message count per session */
  readonly unread: Readonly<Record<string, number>>;
}

export const emptyBadgeState: BadgeState = { me: null, offers: new Set(), unread: {} };

const isOfferToMe = (session: SessionSummary, me: string | null) =>
  me !== null && session.state === 'active' && session.pendingTransfer?.toId === me;

/** Folds one event into the badge state; returns the same object when nothing changed. */
export function reduceBadge(state: BadgeState, event: ClientEvent): BadgeState {
  switch (event.type) {
    case 'snapshot': {
      const me = event.snapshot.me?.id ?? null;
      const offers = new Set(event.snapshot.sessions.filter((s) => isOfferToMe(s, me)).map((s) => s.id));
      return { me, offers, unread: { ...event.snapshot.unread } };
    }
    case 'session': {
      const offered = isOfferToMe(event.session, state.me);
      if (offered === state.offers.has(event.session.id)) {
        if (event.session.state !== 'closed' || !(event.session.id in state.unread)) return state;
      }
      const offers = new Set(state.offers);
      if (offered) offers.add(event.session.id);
      else offers.delete(event.session.id);
      // A closed chat needs no answer any more; its unread lines stop counting.
      let unread = state.unread;
      if (event.session.state === 'closed' && event.session.id in unread) {
        const { [event.session.id]: _dropped, ...rest } = unread;
        unread = rest;
      }
      return { ...state, offers, unread };
    }
    case 'unread': {
      if ((state.unread[event.sessionId] ?? 0) === event.count) return state;
      const { [event.sessionId]: _old, ...rest } = state.unread;
      return { ...state, unread: event.count > 0 ? { ...rest, [event.sessionId]: event.count } : rest };
    }
    case 'signed-out':
      return emptyBadgeState;
    default:
      return state;
  }
}

export function badgeCount(state: BadgeState): number {
  let total = state.offers.size;
  for (const count of Object.values(state.unread)) total += count;
  return total;
}
