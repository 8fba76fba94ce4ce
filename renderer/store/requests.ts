// Requests created from chats (the Requests tab) and the Create request dialog.
import { createEntityAdapter, createSlice, type EntityState } from '@reduxjs/toolkit';
import { createSelector } from '@reduxjs/toolkit';
import type { Request, RequestStatus, SessionId } from '../../common/domain';
import {
  eventReceived,
  requestCreated,
  requestDialogClosed,
  requestDialogOpened,
  requestFilterChanged,
  requestsLoaded,
  requestTranscriptClosed,
  requestTranscriptOpened,
} from './actions';
import type { RootState } from './root';

const adapter = createEntityAdapter<Request>({ sortComparer: (a, b) => b.createdAt - a.createdAt });

/** 'anyone', 'me', 'unassigned', or an agent id */
export type AssigneeFilter = string;

export interface RequestsSliceState extends EntityState<Request, string> {
  dialogSessionId: SessionId | null;
  filter: { status: RequestStatus | 'all'; assignee: AssigneeFilter };
  /** the request whose transcript is open */
  transcriptFor: string | null;
}

const initialState: RequestsSliceState = adapter.getInitialState({
  dialogSessionId: null,
  filter: { status: 'all' as const, assignee: 'anyone' },
  transcriptFor: null,
});

const slice = createSlice({
  name: 'requests',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'snapshot') adapter.setAll(s, event.snapshot.requests);
        else if (event.type === 'request') adapter.setOne(s, event.request);
        else if (event.type === 'signed-out') return { ...initialState };
      })
      .addCase(requestsLoaded, (s, { payload }) => {
        adapter.setAll(s, payload);
      })
      .addCase(requestCreated, (s, { payload }) => {
        adapter.setOne(s, payload);
        s.dialogSessionId = null;
      })
      .addCase(requestDialogOpened, (s, { payload }) => {
        s.dialogSessionId = payload;
      })
      .addCase(requestDialogClosed, (s) => {
        s.dialogSessionId = null;
      })
      .addCase(requestFilterChanged, (s, { payload }) => {
        s.filter = { ...s.filter, ...payload };
      })
      .addCase(requestTranscriptOpened, (s, { payload }) => {
        s.transcriptFor = payload;
      })
      .addCase(requestTranscriptClosed, (s) => {
        s.transcriptFor = null;
      });
  },
});

export const requestsReducer = slice.reducer;
const selectors = adapter.getSelectors((state: RootState) => state.requests);
export const selectRequests = selectors.selectAll;
export const selectRequestDialogSessionId = (state: RootState) => state.requests.dialogSessionId;
export const selectRequestFilter = (state: RootState) => state.requests.filter;
export const selectRequestTranscriptFor = (state: RootState) =>
  state.requests.transcriptFor ? (state.requests.entities[state.requests.transcriptFor] ?? null) : null;

/** The requests the filters let through: by status, and by assignee (me, nobody, or one agent). */
export const selectFilteredRequests = createSelector(
  [selectRequests, selectRequestFilter, (state: RootState) => state.session.me?.id ?? null],
  (requests, filter, me) =>
    requests.filter((r) => {
      if (filter.status !== 'all' && r.status !== filter.status) return false;
      if (filter.assignee === 'anyone') return true;
      if (filter.assignee === 'unassigned') return r.assigneeId === null;
      return r.assigneeId === (filter.assignee === 'me' ? me : filter.assignee);
    }),
);
