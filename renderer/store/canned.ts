// Canned replies: the shared ones and mine, as the core last told them (they work offline), and the Replies view's
// editor.
import { createSelector, createSlice } from '@reduxjs/toolkit';
import type { CannedReply } from '../../common/domain';
import { cannedEditorClosed, cannedEditorOpened, cannedSaved, eventReceived } from './actions';
import type { RootState } from './root';

export interface CannedSliceState {
  replies: CannedReply[];
  /** the reply being edited: its id, 'new' for a new one, null when the editor is closed */
  editing: string | 'new' | null;
}

const initialState: CannedSliceState = { replies: [], editing: null };

const slice = createSlice({
  name: 'canned',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'snapshot') s.replies = event.snapshot.cannedReplies;
        else if (event.type === 'canned-replies') {
          s.replies = event.replies;
          if (s.editing && s.editing !== 'new' && !event.replies.some((r) => r.id === s.editing)) s.editing = null;
        } else if (event.type === 'signed-out') return { ...initialState };
      })
      .addCase(cannedEditorOpened, (s, { payload }) => {
        s.editing = payload ?? 'new';
      })
      .addCase(cannedEditorClosed, (s) => {
        s.editing = null;
      })
      .addCase(cannedSaved, (s) => {
        s.editing = null;
      });
  },
});

export const cannedReducer = slice.reducer;
export const selectCannedReplies = (state: RootState) => state.canned.replies;
export const selectCannedEditing = (state: RootState) => state.canned.editing;

/** Folds case and accents, so "cafe" finds "Café". */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();

/** Replies whose title or text holds every word of the query, titles matching first. */
export function filterCanned(replies: readonly CannedReply[], query: string): CannedReply[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [...replies];
  const matches = replies.filter((r) => {
    const haystack = fold(`${r.title} ${r.text}`);
    return words.every((w) => haystack.includes(w));
  });
  const inTitle = (r: CannedReply) => words.every((w) => fold(r.title).includes(w));
  return matches.sort((a, b) => Number(inTitle(b)) - Number(inTitle(a)));
}

export const selectSharedAndMine = createSelector([selectCannedReplies], (replies) => ({
  shared: replies.filter((r) => r.scope === 'shared'),
  mine: replies.filter((r) => r.scope === 'personal'),
}));
