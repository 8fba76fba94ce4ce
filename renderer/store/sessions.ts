// Session summaries (replaced wholesale on every change), unread counts, and which chats belong in my list.
import { createEntityAdapter, createSelector, createSlice, type EntityState } from '@reduxjs/toolkit';
import { attentionCounts } from '../../common/attention';
import { type AgentId, isOfferedTo, roleIn, type SessionRole, type SessionSummary } from '../../common/domain';
import { closedChatDismissed, eventReceived, signInSucceeded } from './actions';
import type { RootState } from './root';

const adapter = createEntityAdapter<SessionSummary>();

export interface SessionsSliceState extends EntityState<SessionSummary, string> {
  meId: AgentId | null;
  unread: Record<string, number>;
  /** my role while the session was last open: a closed chat stays in my list if I owned or listened to it */
  lastRole: Record<string, SessionRole>;
  /** closed chats the agent put away with Close window */
  dismissed: Record<string, true>;
}

const initialState: SessionsSliceState = adapter.getInitialState({ meId: null, unread: {}, lastRole: {}, dismissed: {} });

function remember(s: SessionsSliceState, session: SessionSummary) {
  if (!s.meId) return;
  const role = roleIn(session, s.meId);
  if (session.state !== 'closed' || role !== 'none') s.lastRole[session.id] = role;
}

const slice = createSlice({
  name: 'sessions',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(eventReceived, (s, { payload: event }) => {
        switch (event.type) {
          case 'snapshot': {
            s.meId = event.snapshot.me?.id ?? null;
            adapter.setAll(s, event.snapshot.sessions);
            s.unread = { ...event.snapshot.unread };
            s.lastRole = {};
            for (const session of event.snapshot.sessions) remember(s, session);
            break;
          }
          case 'session':
            adapter.setOne(s, event.session);
            remember(s, event.session);
            break;
          case 'unread':
            s.unread[event.sessionId] = event.count;
            break;
          case 'signed-out':
            return { ...initialState };
        }
      })
      .addCase(signInSucceeded, (s, { payload }) => {
        s.meId = payload.me.id;
      })
      .addCase(closedChatDismissed, (s, { payload: id }) => {
        s.dismissed[id] = true;
      });
  },
});

export const sessionsReducer = slice.reducer;
const selectors = adapter.getSelectors((state: RootState) => state.sessions);
export const selectSessionEntities = selectors.selectEntities;
export const selectAllSessions = selectors.selectAll;
export const selectSessionById = (state: RootState, id: string | null | undefined) =>
  id ? state.sessions.entities[id] : undefined;
export const selectUnreadMap = (state: RootState) => state.sessions.unread;
const selectLastRole = (state: RootState) => state.sessions.lastRole;
const selectDismissed = (state: RootState) => state.sessions.dismissed;
const selectMeId = (state: RootState) => state.session.me?.id ?? state.sessions.meId;

/**
 * Offers waiting for me plus my chats with unread messages, from the current summaries: the window title, the Chats
 * badge and the dock badge all show this one number (common/attention.ts), so a chat that left me counts nothing.
 */
export const selectAttention = createSelector([selectAllSessions, selectUnreadMap, selectMeId], (sessions, unread, me) =>
  attentionCounts(sessions, unread, me),
);

/** My role in a session, from its summary (common/domain roleIn). */
export const selectRoleIn = (state: RootState, id: string | null | undefined): SessionRole => {
  const session = selectSessionById(state, id);
  const me = selectMeId(state);
  return session && me ? roleIn(session, me) : 'none';
};

const activity = (s: SessionSummary) => s.lastMessage?.at ?? s.closedAt ?? s.createdAt;

/**
 * The Chats list: chats I own, listen to or am offered, plus closed ones I took part in until dismissed.
 * Offers to me come first, then open chats by last activity, then closed ones.
 */
export const selectMySessions = createSelector(
  [selectAllSessions, selectMeId, selectLastRole, selectDismissed],
  (sessions, me, lastRole, dismissed) => {
    if (!me) return [];
    const mine = sessions.filter((s) => {
      if (dismissed[s.id]) return false;
      const role = roleIn(s, me);
      if (s.state === 'closed') return role === 'owner' || role === 'listener' || lastRole[s.id] === 'owner' || lastRole[s.id] === 'listener';
      return role !== 'none';
    });
    const rank = (s: SessionSummary) => (s.state === 'closed' ? 2 : isOfferedTo(s.pendingTransfer, me) ? 0 : 1);
    return mine.sort((a, b) => rank(a) - rank(b) || activity(b) - activity(a));
  },
);

export const selectMySessionIds = createSelector([selectMySessions], (sessions) => sessions.map((s) => s.id));

/** Live chats for the Dashboard: everything not closed, longest waiting first. */
export const selectLiveSessions = createSelector([selectAllSessions], (sessions) =>
  sessions
    .filter((s) => s.state !== 'closed')
    .sort((a, b) => (a.waitingSince ?? Number.POSITIVE_INFINITY) - (b.waitingSince ?? Number.POSITIVE_INFINITY) || b.createdAt - a.createdAt),
);

/** Offers made to me that are still pending. */
export const selectOffersToMe = createSelector([selectAllSessions, selectMeId], (sessions, me) =>
  sessions.filter((s) => s.state !== 'closed' && me !== null && isOfferedTo(s.pendingTransfer, me)),
);
