// Notices that wait to be read: an offer made to me that ended without my answer (cancelled, timed out, the chat
// taken over or closed), and confirmations asked for before what cannot be undone.
import { createSlice } from '@reduxjs/toolkit';
import type { SessionId } from '../../common/domain';
import {
  type Confirmation,
  confirmationAnswered,
  confirmationRequested,
  eventReceived,
  offerEndedDismissed,
  offerEndedNoticed,
} from './actions';
import type { RootState } from './root';

export interface NoticesSliceState {
  endedOffers: Array<{ transferId: string; sessionId: SessionId; parts: Array<string | { user: string }> }>;
  confirmation: Confirmation | null;
}

const initialState: NoticesSliceState = { endedOffers: [], confirmation: null };

const slice = createSlice({
  name: 'notices',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(offerEndedNoticed, (s, { payload }) => {
        if (!s.endedOffers.some((o) => o.transferId === payload.transferId)) s.endedOffers.push(payload);
      })
      .addCase(offerEndedDismissed, (s, { payload }) => {
        s.endedOffers = s.endedOffers.filter((o) => o.transferId !== payload);
      })
      .addCase(confirmationRequested, (s, { payload }) => {
        s.confirmation = payload;
      })
      .addCase(confirmationAnswered, (s) => {
        s.confirmation = null;
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'signed-out') return { ...initialState };
        // a new offer of the same chat replaces the notice that the last one ended
        if (event.type === 'session' && event.session.pendingTransfer) {
          s.endedOffers = s.endedOffers.filter((o) => o.sessionId !== event.session.id);
        }
      });
  },
});

export const noticesReducer = slice.reducer;
export const selectEndedOffers = (state: RootState) => state.notices.endedOffers;
export const selectConfirmation = (state: RootState) => state.notices.confirmation;
