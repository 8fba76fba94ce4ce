// The dock/taskbar badge number, derived from state rather than accumulated: the core's events keep a small mirror
// of my sessions and unread counts, and the number is always common/attention's count of offers waiting for me plus
// my chats with unread messages (the same number as the window title).
import { attentionCounts } from '../../common/attention';
import type { ClientEvent } from '../../common/bridge';
import type { SessionSummary } from '../../common/domain';

export interface BadgeState {
  readonly me: string | null;
  /** every session the core reported, by id (its summary says whether it is still mine) */
  readonly sessions: ReadonlyMap<string, SessionSummary>;
  /** unread customer messages per session */
  readonly unread: Readonly<Record<string, number>>;
}

export const emptyBadgeState: BadgeState = { me: null, sessions: new Map(), unread: {} };

/** Folds one event into the badge state; returns the same object when nothing it counts changed. */
export function reduceBadge(state: BadgeState, event: ClientEvent): BadgeState {
  switch (event.type) {
    case 'snapshot': {
      const { me, sessions, unread } = event.snapshot;
      return { me: me?.id ?? null, sessions: new Map(sessions.map((s) => [s.id, s])), unread: { ...unread } };
    }
    case 'session': {
      const sessions = new Map(state.sessions);
      sessions.set(event.session.id, event.session);
      return { ...state, sessions };
    }
    case 'unread':
      if ((state.unread[event.sessionId] ?? 0) === event.count) return state;
      return { ...state, unread: { ...state.unread, [event.sessionId]: event.count } };
    case 'signed-out':
      return emptyBadgeState;
    default:
      return state;
  }
}

export function badgeCount(state: BadgeState): number {
  return attentionCounts(state.sessions.values(), state.unread, state.me).total;
}
