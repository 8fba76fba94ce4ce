// Closed chats from the local cache and full-text search over them (the History tab).
import { createSlice } from '@reduxjs/toolkit';
import type { SearchHit } from '../../common/bridge';
import type { SessionId, SessionSummary } from '../../common/domain';
import { eventReceived, historyChatOpened, historyListLoaded, historyQueryChanged, historySearchCompleted } from './actions';
import type { RootState } from './root';

export interface HistorySliceState {
  sessions: SessionSummary[];
  loaded: boolean;
  query: string;
  /** results for `hitsFor`; null when no search has been made for the current query */
  hits: SearchHit[] | null;
  hitsFor: string;
  openSessionId: SessionId | null;
  openSeq: number | null;
}

const initialState: HistorySliceState = {
  sessions: [],
  loaded: false,
  query: '',
  hits: null,
  hitsFor: '',
  openSessionId: null,
  openSeq: null,
};

const slice = createSlice({
  name: 'history',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(historyListLoaded, (s, { payload }) => {
        s.sessions = payload;
        s.loaded = true;
      })
      .addCase(historyQueryChanged, (s, { payload }) => {
        s.query = payload;
        if (!payload.trim()) {
          s.hits = null;
          s.hitsFor = '';
        }
      })
      .addCase(historySearchCompleted, (s, { payload }) => {
        // A slow answer to an older query must not replace the newer one's results.
        if (payload.text.trim() !== s.query.trim()) return;
        s.hits = payload.hits;
        s.hitsFor = payload.text;
      })
      .addCase(historyChatOpened, (s, { payload }) => {
        s.openSessionId = payload.sessionId;
        s.openSeq = payload.seq ?? null;
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'signed-out') return { ...initialState };
        // A chat that just closed belongs in History without waiting for a reload.
        if (event.type === 'session' && event.session.state === 'closed' && s.loaded) {
          s.sessions = [event.session, ...s.sessions.filter((x) => x.id !== event.session.id)];
        }
      });
  },
});

export const historyReducer = slice.reducer;
export const selectHistory = (state: RootState) => state.history;
