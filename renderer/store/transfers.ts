// The transfer dialog's state, reject reasons being typed, and the transfer facts derived from session summaries.
import { createSelector, createSlice } from '@reduxjs/toolkit';
import type { AgentId, SessionId, TeamId } from '../../common/domain';
import {
  eventReceived,
  offerSent,
  rejectReasonChanged,
  transferDialogClosed,
  transferDialogOpened,
  transferNoteChanged,
  transferTargetChosen,
  transferTeamChosen,
} from './actions';
import { selectOnline } from './connection';
import { selectAgents } from './presence';
import type { RootState } from './root';
import { selectSessionById } from './sessions';
import { selectTeams } from './teams';

export interface TransfersSliceState {
  /** the chosen target: an agent (targetId) or a team (teamId), never both */
  dialog: { sessionId: SessionId; targetId: AgentId | null; teamId?: TeamId | null; note: string } | null;
  rejectReasons: Record<SessionId, string>;
}

const initialState: TransfersSliceState = { dialog: null, rejectReasons: {} };

const slice = createSlice({
  name: 'transfers',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(transferDialogOpened, (s, { payload }) => {
        s.dialog = { sessionId: payload, targetId: null, teamId: null, note: '' };
      })
      .addCase(transferDialogClosed, (s) => {
        s.dialog = null;
      })
      .addCase(offerSent, (s) => {
        s.dialog = null;
      })
      .addCase(transferTargetChosen, (s, { payload }) => {
        if (s.dialog) {
          s.dialog.targetId = payload;
          s.dialog.teamId = null;
        }
      })
      .addCase(transferTeamChosen, (s, { payload }) => {
        if (s.dialog) {
          s.dialog.teamId = payload;
          s.dialog.targetId = null;
        }
      })
      .addCase(transferNoteChanged, (s, { payload }) => {
        if (s.dialog) s.dialog.note = payload;
      })
      .addCase(rejectReasonChanged, (s, { payload }) => {
        s.rejectReasons[payload.sessionId] = payload.reason;
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'signed-out') return { ...initialState };
        // An answered offer no longer needs its half-typed reason.
        if (event.type === 'session' && !event.session.pendingTransfer) delete s.rejectReasons[event.session.id];
        if (event.type === 'session' && s.dialog?.sessionId === event.session.id && event.session.state === 'closed') s.dialog = null;
      });
  },
});

export const transfersReducer = slice.reducer;
export const selectTransferDialog = (state: RootState) => state.transfers.dialog;
export const selectRejectReason = (state: RootState, id: SessionId) => state.transfers.rejectReasons[id] ?? '';
export const selectPendingTransfer = (state: RootState, id: SessionId | null | undefined) =>
  selectSessionById(state, id)?.pendingTransfer ?? null;

const selectDialogSessionOwner = (state: RootState) =>
  state.transfers.dialog ? (selectSessionById(state, state.transfers.dialog.sessionId)?.ownerId ?? null) : null;
const selectMeId = (state: RootState) => state.session.me?.id ?? null;

/**
 * Who a chat can be transferred to: agents who are Present or Busy (Busy agents take transfers), other than its owner
 * and me. Offline, nobody: the statuses we hold are from before the link dropped, and a transfer needs the relay
 * anyway.
 */
export const selectTransferTargets = createSelector(
  [selectAgents, selectDialogSessionOwner, selectMeId, selectOnline],
  (agents, ownerId, meId, online) =>
    online ? agents.filter((a) => (a.status === 'present' || a.status === 'busy') && a.id !== ownerId && a.id !== meId) : [],
);

/** The chosen target, only while it is still a valid target (an agent going Away drops out). */
export const selectChosenTarget = createSelector([selectTransferDialog, selectTransferTargets], (dialog, targets) =>
  dialog?.targetId ? (targets.find((a) => a.id === dialog.targetId) ?? null) : null,
);

/** Whether an agent already has as many open chats as their capacity: they may still accept, the sender is warned. */
export const atCapacity = (agent: { openChats: number; capacity?: number }) =>
  agent.capacity !== undefined && agent.capacity > 0 && agent.openChats >= agent.capacity;

/**
 * The teams a chat can be offered to, each with how many of its members would see the offer now (Present, below
 * capacity, not the owner or me). A team with nobody is listed but cannot be chosen.
 */
export const selectTransferTeams = createSelector(
  [selectTeams, selectAgents, selectDialogSessionOwner, selectMeId, selectOnline],
  (teams, agents, ownerId, meId, online) =>
    online
      ? teams.map((team) => ({
          team,
          ready: agents.filter(
            (a) => (a.teams ?? []).includes(team.id) && a.status === 'present' && !atCapacity(a) && a.id !== ownerId && a.id !== meId,
          ).length,
        }))
      : [],
);

export const selectChosenTeam = createSelector([selectTransferDialog, selectTransferTeams], (dialog, teams) =>
  dialog?.teamId ? (teams.find((t) => t.team.id === dialog.teamId && t.ready > 0)?.team ?? null) : null,
);
