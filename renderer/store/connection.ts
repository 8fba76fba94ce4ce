// The link to the relay as the core reports it, and the words the header shows for it.
import { createSlice } from '@reduxjs/toolkit';
import type { ConnectionState } from '../../common/bridge';
import { eventReceived } from './actions';
import type { RootState } from './root';

export interface ConnectionSliceState {
  state: ConnectionState;
}

const initialState: ConnectionSliceState = { state: { status: 'connecting', attempt: 0 } };

const slice = createSlice({
  name: 'connection',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder.addCase(eventReceived, (s, { payload: event }) => {
      if (event.type === 'snapshot') s.state = event.snapshot.connection;
      else if (event.type === 'connection') s.state = event.connection;
      else if (event.type === 'signed-out') s.state = { status: 'signed-out' };
    });
  },
});

export const connectionReducer = slice.reducer;
export const selectConnection = (state: RootState) => state.connection.state;

/** The indicator's words: "Online", "Connecting…", "Reconnecting in N s", "Offline" or "Signed out". */
export function connectionLabel(connection: ConnectionState, now: number): string {
  switch (connection.status) {
    case 'online':
      return 'Online';
    case 'connecting':
      return 'Connecting…';
    case 'offline':
      if (connection.nextRetryAt === null) return 'Offline';
      return `Reconnecting in ${Math.max(0, Math.ceil((connection.nextRetryAt - now) / 1000))} s`;
    case 'signed-out':
    case 'auth-failed':
      return 'Signed out';
    case 'version-mismatch':
      return 'Offline';
  }
}
