// The Dashboard's filters and today's figures, and what its panels show: queues per team, agents, live chats.
import { createSelector, createSlice } from '@reduxjs/toolkit';
import type { AgentInfo, RatingFigures, SessionSummary, Team } from '../../common/domain';
import type { Metrics } from '../../common/metrics';
import { type DashboardFilters, dashboardFilterChanged, eventReceived, metricsLoaded, ratingFiguresLoaded } from './actions';
import { selectAgents } from './presence';
import type { RootState } from './root';
import { selectLiveSessions } from './sessions';
import { selectTeams } from './teams';

export interface DashboardSliceState {
  filters: DashboardFilters;
  metrics: Metrics | null;
  /** the customers' ratings of the last days, read when the tab opens */
  ratings: RatingFigures | null;
}

const initialState: DashboardSliceState = { filters: { team: 'all', state: 'all', sort: 'waiting' }, metrics: null, ratings: null };

const slice = createSlice({
  name: 'dashboard',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(dashboardFilterChanged, (s, { payload }) => {
        s.filters = { ...s.filters, ...payload };
      })
      .addCase(metricsLoaded, (s, { payload }) => {
        s.metrics = payload;
      })
      .addCase(ratingFiguresLoaded, (s, { payload }) => {
        s.ratings = payload;
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'signed-out') return initialState;
        // a team that is gone cannot stay the filter
        if (event.type === 'teams' && s.filters.team !== 'all' && s.filters.team !== '' && !event.teams.some((t) => t.id === s.filters.team)) {
          s.filters.team = 'all';
        }
      });
  },
});

export const dashboardReducer = slice.reducer;
export const selectDashboardFilters = (state: RootState) => state.dashboard.filters;
export const selectMetrics = (state: RootState) => state.dashboard.metrics;
export const selectRatingFigures = (state: RootState): RatingFigures | null => state.dashboard.ratings;

/** Whether a chat passes the team filter ('all', a team, or '' for chats of no team). */
export const inTeamFilter = (team: string, session: Pick<SessionSummary, 'team'>) =>
  team === 'all' || (session.team ?? '') === team;

/** When a chat started waiting: in the queue since it opened, else since the customer's unanswered message. */
export const waitingSinceOf = (s: SessionSummary): number | null => (s.state === 'queued' ? s.createdAt : s.waitingSince);

/** The live chats table: filtered by team and state, sorted by waiting time (longest first) or newest first. */
export const selectDashboardSessions = createSelector([selectLiveSessions, selectDashboardFilters], (sessions, filters) => {
  const shown = sessions.filter((s) => {
    if (!inTeamFilter(filters.team, s)) return false;
    if (filters.state === 'queued') return s.state === 'queued';
    if (filters.state === 'active') return s.state === 'active' && s.pendingTransfer === null;
    if (filters.state === 'transfer') return s.pendingTransfer !== null;
    return true;
  });
  if (filters.sort === 'newest') return [...shown].sort((a, b) => b.createdAt - a.createdAt);
  const since = (s: SessionSummary) => waitingSinceOf(s) ?? Number.POSITIVE_INFINITY;
  return [...shown].sort((a, b) => since(a) - since(b) || b.createdAt - a.createdAt);
});

export interface QueueRow {
  /** null: chats of no team */
  team: Team | null;
  waiting: number;
  /** when the longest-waiting chat of this queue was opened; null when nobody waits */
  oldest: number | null;
  /** members Present with room for a chat, of all members */
  ready: number;
  members: number;
}

const hasRoom = (a: AgentInfo) => a.status === 'present' && (a.capacity === undefined || a.openChats < a.capacity);

/** One row per team (and one for chats of no team, when any waits), with its queue and who can take from it. */
export const selectQueues = createSelector([selectTeams, selectLiveSessions, selectAgents], (teams, sessions, agents) => {
  const queued = sessions.filter((s) => s.state === 'queued');
  const row = (team: Team | null): QueueRow => {
    const mine = queued.filter((s) => (s.team ?? null) === (team?.id ?? null));
    const members = agents.filter((a) => a.role === 'agent' && !a.disabled && (team === null || (a.teams ?? []).includes(team.id)));
    return {
      team,
      waiting: mine.length,
      oldest: mine.length ? Math.min(...mine.map((s) => s.createdAt)) : null,
      ready: members.filter(hasRoom).length,
      members: members.length,
    };
  };
  const rows = teams.map(row);
  const general = row(null);
  return general.waiting > 0 || teams.length === 0 ? [...rows, general] : rows;
});

/** The agents panel: everyone but disabled accounts, in the team filter, Present first, then by name. */
export const selectAgentsPanel = createSelector([selectAgents, selectDashboardFilters], (agents, filters) => {
  const rank: Record<AgentInfo['status'], number> = { present: 0, busy: 1, away: 2, offline: 3 };
  return agents
    .filter((a) => !a.disabled)
    .filter((a) => filters.team === 'all' || (filters.team === '' ? (a.teams ?? []).length === 0 : (a.teams ?? []).includes(filters.team)))
    .sort((a, b) => rank[a.status] - rank[b.status] || a.name.localeCompare(b.name));
});

export type WaitLevel = 'ok' | 'near' | 'over';
/** A waiting time against the target: within it, in its last quarter, or past it. */
export function waitLevel(waitedMs: number, targetSeconds: number): WaitLevel {
  const target = targetSeconds * 1000;
  if (waitedMs >= target) return 'over';
  return waitedMs >= target * 0.75 ? 'near' : 'ok';
}
