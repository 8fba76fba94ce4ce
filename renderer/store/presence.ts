// Every agent the relay told us about, with their status (Present, Busy, Away, offline), teams and capacity.
import { createEntityAdapter, createSelector, createSlice } from '@reduxjs/toolkit';
import type { AgentInfo } from '../../common/domain';
import { eventReceived, signInSucceeded } from './actions';
import type { RootState } from './root';

const adapter = createEntityAdapter<AgentInfo>({ sortComparer: (a, b) => a.name.localeCompare(b.name) });

const slice = createSlice({
  name: 'presence',
  initialState: adapter.getInitialState(),
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'snapshot') {
          adapter.setAll(s, event.snapshot.agents);
          if (event.snapshot.me) adapter.setOne(s, event.snapshot.me);
        } else if (event.type === 'presence') adapter.setOne(s, event.agent);
        else if (event.type === 'agent-removed') adapter.removeOne(s, event.agentId);
        else if (event.type === 'signed-out') adapter.removeAll(s);
      })
      .addCase(signInSucceeded, (s, { payload }) => {
        adapter.setOne(s, payload.me);
      });
  },
});

export const presenceReducer = slice.reducer;
const selectors = adapter.getSelectors((state: RootState) => state.presence);
export const selectAgents = selectors.selectAll;
export const selectAgentEntities = selectors.selectEntities;
export const selectAgentById = selectors.selectById;

/** id → display name, falling back to the id for agents we have not heard of. */
export const selectAgentNames = createSelector([selectAgentEntities], (entities) => {
  return (id: string | null | undefined): string => (id ? (entities[id]?.name ?? id) : '');
});
