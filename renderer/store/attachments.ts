// Files in transcripts: previews of images (as data: URLs, the only image source the page's CSP allows besides its
// own files) and what the relay takes in uploads.
import { createSlice } from '@reduxjs/toolkit';
import type { AttachmentLimits } from '../../common/domain';
import { attachmentFailed, attachmentLoaded, attachmentNeeded, eventReceived } from './actions';
import type { RootState } from './root';

export type Preview = { status: 'loading' } | { status: 'ready'; url: string } | { status: 'failed'; error: string };

export interface AttachmentsSliceState {
  previews: Record<string, Preview>;
  limits: AttachmentLimits | null;
}

const initialState: AttachmentsSliceState = { previews: {}, limits: null };

const slice = createSlice({
  name: 'attachments',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(attachmentNeeded, (s, { payload }) => {
        const known = s.previews[payload.attachmentId];
        // a failed one is tried again when it is shown again (the relay may be back)
        if (!known || known.status === 'failed') s.previews[payload.attachmentId] = { status: 'loading' };
      })
      .addCase(attachmentLoaded, (s, { payload }) => {
        s.previews[payload.attachmentId] = { status: 'ready', url: payload.url };
      })
      .addCase(attachmentFailed, (s, { payload }) => {
        s.previews[payload.attachmentId] = { status: 'failed', error: payload.error };
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'snapshot') s.limits = event.snapshot.attachmentLimits;
        else if (event.type === 'signed-out') return { ...initialState };
      });
  },
});

export const attachmentsReducer = slice.reducer;
export const selectPreview = (state: RootState, id: string): Preview | undefined => state.attachments.previews[id];
export const selectAttachmentLimits = (state: RootState) => state.attachments.limits;
