// The link to the relay as the core reports it, and the words the header shows for it.
import { createSlice } from '@reduxjs/toolkit';
import type { ConnectionState } from '../../common/bridge';
import { eventReceived } from './actions';
import type { RootState } from './root';

export interface ConnectionSliceState {
  state: ConnectionState;
  /** why the relay is out of reach, as a sentence; kept through the retries in between, cleared once online */
  problem: string | null;
}

const initialState: ConnectionSliceState = { state: { status: 'connecting', attempt: 0 }, problem: null };

function follow(s: ConnectionSliceState, state: ConnectionState) {
  s.state = state;
  if (state.status === 'offline') s.problem = state.message ?? state.reason;
  else if (state.status === 'version-mismatch') s.problem = state.message;
  else if (state.status !== 'connecting') s.problem = null;
}

const slice = createSlice({
  name: 'connection',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder.addCase(eventReceived, (s, { payload: event }) => {
      if (event.type === 'snapshot') follow(s, event.snapshot.connection);
      else if (event.type === 'connection') follow(s, event.connection);
      else if (event.type === 'signed-out') follow(s, { status: 'signed-out' });
    });
  },
});

export const connectionReducer = slice.reducer;
export const selectConnection = (state: RootState) => state.connection.state;
export const selectOnline = (state: RootState) => state.connection.state.status === 'online';
export const selectConnectionProblem = (state: RootState) => state.connection.problem;

/** Whole seconds until the next try, never negative. */
export const secondsUntil = (at: number, now: number) => Math.max(0, Math.ceil((at - now) / 1000));

/**
 * The indicator's words, plain about being offline and about the retrying: "Online", "Connecting…",
 * "Offline · retrying in N s", "Offline · retrying now", "Offline" or "Signed out".
 */
export function connectionLabel(connection: ConnectionState, now: number): string {
  switch (connection.status) {
    case 'online':
      return 'Online';
    case 'connecting':
      return connection.attempt > 0 ? 'Offline · retrying now' : 'Connecting…';
    case 'offline':
      if (connection.nextRetryAt === null) return 'Offline';
      return `Offline · retrying in ${secondsUntil(connection.nextRetryAt, now)} s`;
    case 'signed-out':
    case 'auth-failed':
      return 'Signed out';
    case 'version-mismatch':
      return 'Offline';
  }
}
