// Per-session event logs kept by seq (deduplicated), the selected chat, drafts, typing and the outbox.
import { createSelector, createSlice } from '@reduxjs/toolkit';
import type { OutboxItem } from '../../common/bridge';
import type { SessionEvent, SessionId } from '../../common/domain';
import { dayKey, dayLabel } from '../lib/format';
import { type LinePart, partText, systemLineParts } from '../lib/eventText';
import {
  closedChatDismissed,
  draftChanged,
  eventReceived,
  messageAccepted,
  sessionOpened,
  transcriptLoaded,
} from './actions';
import { selectAgentNames } from './presence';
import type { RootState } from './root';

export interface SessionLog {
  /** ascending by seq, one per seq; an array (not a map) so appending to a 10,000-line log stays cheap */
  events: SessionEvent[];
  /** the latest page came from chat:transcript */
  loaded: boolean;
  /** older events exist before events[0] */
  hasMore: boolean;
}

export interface ChatSliceState {
  selectedId: SessionId | null;
  logs: Record<SessionId, SessionLog>;
  drafts: Record<SessionId, string>;
  typing: Record<SessionId, { who: 'customer' | 'agent'; name: string } | undefined>;
  outbox: Record<string, OutboxItem>;
}

const initialState: ChatSliceState = { selectedId: null, logs: {}, drafts: {}, typing: {}, outbox: {} };

const emptyLog = (): SessionLog => ({ events: [], loaded: false, hasMore: false });

/** Index of the first event with seq >= the given one. */
function lowerBound(events: readonly SessionEvent[], seq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((events[mid]?.seq ?? 0) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds events to their session's log, ignoring seqs it already holds; returns how many were new. */
export function addEvents(state: ChatSliceState, events: readonly SessionEvent[]): number {
  let added = 0;
  for (const event of events) {
    let log = state.logs[event.sessionId];
    if (!log) {
      log = emptyLog();
      state.logs[event.sessionId] = log;
    }
    const last = log.events[log.events.length - 1];
    if (!last || event.seq > last.seq) log.events.push(event);
    else {
      const at = lowerBound(log.events, event.seq);
      if (log.events[at]?.seq === event.seq) continue;
      log.events.splice(at, 0, event);
    }
    if (event.kind === 'message') {
      const typing = state.typing[event.sessionId];
      if (typing && typing.who === event.author.kind) state.typing[event.sessionId] = undefined;
    }
    added++;
  }
  return added;
}

const slice = createSlice({
  name: 'chat',
  initialState,
  reducers: {
    selectionCleared(s) {
      s.selectedId = null;
    },
    /** an incoming offer shown because nothing else was open (does not switch tabs) */
    offerAutoSelected(s, action: { payload: SessionId }) {
      s.selectedId = action.payload;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(eventReceived, (s, { payload: event }) => {
        switch (event.type) {
          case 'snapshot': {
            // A snapshot means the core may have skipped events: drop the logs and load again when opened.
            s.logs = {};
            s.typing = {};
            s.outbox = Object.fromEntries(event.snapshot.outbox.map((item) => [item.messageId, item]));
            if (!event.snapshot.me || !event.snapshot.sessions.some((x) => x.id === s.selectedId)) s.selectedId = null;
            break;
          }
          case 'events':
            addEvents(
              s,
              event.events.filter((e) => e.sessionId === event.sessionId),
            );
            break;
          case 'typing':
            s.typing[event.sessionId] = event.active ? { who: event.who, name: event.name } : undefined;
            break;
          case 'outbox':
            s.outbox[event.item.messageId] = event.item;
            break;
          case 'focus-session':
            s.selectedId = event.sessionId;
            break;
          case 'signed-out':
            return { ...initialState };
        }
      })
      .addCase(sessionOpened, (s, { payload: id }) => {
        s.selectedId = id;
      })
      .addCase(transcriptLoaded, (s, { payload }) => {
        const before = s.logs[payload.sessionId]?.events[0]?.seq;
        addEvents(
          s,
          payload.events.filter((e) => e.sessionId === payload.sessionId),
        );
        const log = s.logs[payload.sessionId] ?? emptyLog();
        s.logs[payload.sessionId] = log;
        if (payload.older) log.hasMore = payload.hasMore;
        else {
          // The newest page: older pages exist if the core says so, or if we already held events before it.
          const first = payload.events[0]?.seq;
          log.hasMore = payload.hasMore || (before !== undefined && first !== undefined && before < first && log.hasMore);
          log.loaded = true;
        }
      })
      .addCase(draftChanged, (s, { payload }) => {
        if (payload.text) s.drafts[payload.sessionId] = payload.text;
        else delete s.drafts[payload.sessionId];
      })
      .addCase(messageAccepted, (s, { payload }) => {
        const item = s.outbox[payload.messageId];
        if (item && s.drafts[payload.sessionId]?.trim() === item.text.trim()) delete s.drafts[payload.sessionId];
      })
      .addCase(closedChatDismissed, (s, { payload: id }) => {
        if (s.selectedId === id) s.selectedId = null;
      });
  },
});

export const chatReducer = slice.reducer;
export const { selectionCleared, offerAutoSelected } = slice.actions;

export const selectSelectedId = (state: RootState) => state.chat.selectedId;
export const selectLog = (state: RootState, id: SessionId | null | undefined) => (id ? state.chat.logs[id] : undefined);
export const selectDraft = (state: RootState, id: SessionId) => state.chat.drafts[id] ?? '';
export const selectTyping = (state: RootState, id: SessionId) => state.chat.typing[id];
const selectOutbox = (state: RootState) => state.chat.outbox;

export const selectPendingOutboxCount = createSelector([selectOutbox], (outbox) =>
  Object.values(outbox).reduce((n, item) => n + (item.state === 'pending' ? 1 : 0), 0),
);

/** The newest seq held for a session (for chat:markRead), or 0. */
export const selectLastHeldSeq = (state: RootState, id: SessionId) => {
  const log = state.chat.logs[id];
  return log?.events[log.events.length - 1]?.seq ?? 0;
};

export type TranscriptRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; event: Extract<SessionEvent, { kind: 'message' }>; own: boolean }
  /** an internal note: agents only */
  | { kind: 'note'; key: string; event: Extract<SessionEvent, { kind: 'note' }>; own: boolean }
  | { kind: 'system'; key: string; at: number; text: string; parts: LinePart[]; tone: 'info' | 'transfer' | 'closed' }
  | { kind: 'outbox'; key: string; item: OutboxItem; authorName: string };

const toneOf = (kind: SessionEvent['kind']): 'info' | 'transfer' | 'closed' =>
  kind.startsWith('transfer') || kind === 'taken-over' ? 'transfer' : kind === 'closed' ? 'closed' : 'info';

/** Builds the lines of one transcript: day separators, messages, system lines, then my unsent messages. */
export function buildTranscriptRows(
  log: SessionLog | undefined,
  outbox: Record<string, OutboxItem>,
  sessionId: SessionId,
  meId: string | null,
  meName: string,
  nameOf: (id: string | null | undefined) => string,
  now: number,
): TranscriptRow[] {
  const rows: TranscriptRow[] = [];
  let day = '';
  const addDay = (at: number) => {
    const key = dayKey(at);
    if (key !== day) {
      day = key;
      rows.push({ kind: 'day', key: `day-${key}`, label: dayLabel(at, now) });
    }
  };
  const delivered = new Set<string>();
  for (const event of log?.events ?? []) {
    const seq = event.seq;
    addDay(event.at);
    if (event.kind === 'message') {
      delivered.add(event.messageId);
      rows.push({ kind: 'message', key: `e${seq}`, event, own: event.author.kind === 'agent' && event.author.id === meId });
    } else if (event.kind === 'note') {
      delivered.add(event.noteId);
      rows.push({ kind: 'note', key: `e${seq}`, event, own: event.author.id === meId });
    } else {
      const parts = systemLineParts(event, nameOf);
      const text = parts.map(partText).join('');
      rows.push({ kind: 'system', key: `e${seq}`, at: event.at, text, parts, tone: toneOf(event.kind) });
    }
  }
  const unsent = Object.values(outbox)
    .filter((item) => item.sessionId === sessionId && !delivered.has(item.messageId))
    .sort((a, b) => a.createdAt - b.createdAt);
  for (const item of unsent) {
    addDay(item.createdAt);
    rows.push({ kind: 'outbox', key: `o${item.messageId}`, item, authorName: meName });
  }
  return rows;
}

/** A memoized selector per mounted transcript (each one keeps its own cache). */
export const makeSelectTranscriptRows = () =>
  createSelector(
    [
      (state: RootState, id: SessionId) => state.chat.logs[id],
      selectOutbox,
      (_: RootState, id: SessionId) => id,
      (state: RootState) => state.session.me,
      selectAgentNames,
    ],
    (log, outbox, id, me, nameOf) => buildTranscriptRows(log, outbox, id, me?.id ?? null, me?.name ?? 'You', nameOf, Date.now()),
  );
