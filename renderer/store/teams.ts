// The teams chats can be routed and transferred to, as the relay last told them.
import { createSelector, createSlice } from '@reduxjs/toolkit';
import type { Team } from '../../common/domain';
import { eventReceived } from './actions';
import type { RootState } from './root';

const slice = createSlice({
  name: 'teams',
  initialState: { list: [] as Team[] },
  reducers: {},
  extraReducers: (builder) => {
    builder.addCase(eventReceived, (s, { payload: event }) => {
      if (event.type === 'snapshot') s.list = event.snapshot.teams ?? [];
      else if (event.type === 'teams') s.list = event.teams;
      else if (event.type === 'signed-out') s.list = [];
    });
  },
});

export const teamsReducer = slice.reducer;
export const selectTeams = (state: RootState) => state.teams.list;

/** id → team name, falling back to the id (a chat of a team removed since). */
export const selectTeamNames = createSelector([selectTeams], (teams) => {
  const names = new Map(teams.map((t) => [t.id, t.name]));
  return (id: string | null | undefined): string => (id ? (names.get(id) ?? id) : '');
});
