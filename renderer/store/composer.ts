// The composer beyond the message draft: whether it writes to the customer or an internal note, note drafts, the
// canned-reply picker, and how far each file waiting in the outbox has been uploaded.
import { createSlice } from '@reduxjs/toolkit';
import type { SessionId } from '../../common/domain';
import {
  cannedPickerClosed,
  cannedPickerOpened,
  type ComposerMode,
  composerModeChosen,
  eventReceived,
  noteAccepted,
  noteDraftChanged,
  sessionOpened,
} from './actions';
import type { RootState } from './root';

export interface ComposerSliceState {
  modes: Record<SessionId, ComposerMode>;
  noteDrafts: Record<SessionId, string>;
  /** the chat whose canned-reply picker is open */
  pickerFor: SessionId | null;
  /** outbox items with a file: bytes uploaded so far, of how many */
  uploads: Record<string, { sent: number; total: number }>;
  /** my notes just handed to the outbox, to clear their draft once the outbox confirms */
  acceptedNotes: Record<string, SessionId>;
}

const initialState: ComposerSliceState = { modes: {}, noteDrafts: {}, pickerFor: null, uploads: {}, acceptedNotes: {} };

const slice = createSlice({
  name: 'composer',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(composerModeChosen, (s, { payload }) => {
        s.modes[payload.sessionId] = payload.mode;
      })
      .addCase(noteDraftChanged, (s, { payload }) => {
        if (payload.text) s.noteDrafts[payload.sessionId] = payload.text;
        else delete s.noteDrafts[payload.sessionId];
      })
      .addCase(noteAccepted, (s, { payload }) => {
        delete s.noteDrafts[payload.sessionId];
      })
      .addCase(cannedPickerOpened, (s, { payload }) => {
        s.pickerFor = payload;
      })
      .addCase(cannedPickerClosed, (s) => {
        s.pickerFor = null;
      })
      .addCase(sessionOpened, (s) => {
        s.pickerFor = null;
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'upload-progress') s.uploads[event.messageId] = { sent: event.sent, total: event.total };
        else if (event.type === 'outbox' && event.item.state !== 'pending') delete s.uploads[event.item.messageId];
        else if (event.type === 'signed-out') return { ...initialState };
      });
  },
});

export const composerReducer = slice.reducer;
export const selectComposerMode = (state: RootState, id: SessionId): ComposerMode => state.composer.modes[id] ?? 'message';
export const selectNoteDraft = (state: RootState, id: SessionId) => state.composer.noteDrafts[id] ?? '';
export const selectPickerFor = (state: RootState) => state.composer.pickerFor;
export const selectUpload = (state: RootState, messageId: string) => state.composer.uploads[messageId];
