// The signed-in agent (`me`), the sign-in form's saved values and whether the first snapshot has arrived.
import { createSlice } from '@reduxjs/toolkit';
import type { Settings } from '../../common/bridge';
import type { AgentInfo } from '../../common/domain';
import { eventReceived, savedCredentialsLoaded, signInSucceeded, snapshotUnavailable } from './actions';
import type { RootState } from './root';

export interface SessionSliceState {
  me: AgentInfo | null;
  /** false until the first snapshot (or its failure) tells us whether someone is signed in */
  ready: boolean;
  saved: { relayUrl: string | null; user: string | null; hasPassword: boolean } | null;
  settings: Settings | null;
}

const initialState: SessionSliceState = { me: null, ready: false, saved: null, settings: null };

const slice = createSlice({
  name: 'session',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(eventReceived, (s, { payload: event }) => {
        switch (event.type) {
          case 'snapshot':
            s.me = event.snapshot.me;
            s.settings = event.snapshot.settings;
            s.ready = true;
            break;
          case 'presence':
            if (s.me && event.agent.id === s.me.id) s.me = event.agent;
            break;
          case 'settings':
            s.settings = event.settings;
            break;
          case 'signed-out':
            s.me = null;
            s.ready = true;
            break;
        }
      })
      .addCase(snapshotUnavailable, (s) => {
        s.ready = true;
      })
      .addCase(signInSucceeded, (s, { payload }) => {
        s.me = payload.me;
        s.ready = true;
      })
      .addCase(savedCredentialsLoaded, (s, { payload }) => {
        s.saved = payload;
      });
  },
});

export const sessionReducer = slice.reducer;
export const selectMe = (state: RootState) => state.session.me;
export const selectSettings = (state: RootState) => state.session.settings;
export const selectReady = (state: RootState) => state.session.ready;
export const selectSaved = (state: RootState) => state.session.saved;
/**
 * The sign-in screen shows while nobody is signed in or the core says we are signed out, and for as long as a
 * sign-in is under way: the form must not give way to the last account's workspace halfway (and lose what was
 * typed when the attempt fails).
 */
export const selectShowSignIn = (state: RootState) =>
  state.ui.busy.signIn === true ||
  state.session.me === null ||
  state.connection.state.status === 'signed-out' ||
  state.connection.state.status === 'auth-failed';
/** Dashboard is for agents with Can listen in, and for managers. */
export const selectCanSeeDashboard = (state: RootState) =>
  !!state.session.me && (state.session.me.canListenIn || state.session.me.role === 'manager');
export const selectIsManager = (state: RootState) => state.session.me?.role === 'manager';
