// Requests created from chats (the Requests tab) and the Create request dialog.
import { createEntityAdapter, createSlice, type EntityState } from '@reduxjs/toolkit';
import type { Request, SessionId } from '../../common/domain';
import {
  eventReceived,
  requestCreated,
  requestDialogClosed,
  requestDialogOpened,
  requestsLoaded,
} from './actions';
import type { RootState } from './root';

const adapter = createEntityAdapter<Request>({ sortComparer: (a, b) => b.createdAt - a.createdAt });

export interface RequestsSliceState extends EntityState<Request, string> {
  dialogSessionId: SessionId | null;
}

const initialState: RequestsSliceState = adapter.getInitialState({ dialogSessionId: null });

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
      });
  },
});

export const requestsReducer = slice.reducer;
const selectors = adapter.getSelectors((state: RootState) => state.requests);
export const selectRequests = selectors.selectAll;
export const selectRequestDialogSessionId = (state: RootState) => state.requests.dialogSessionId;
