// The manager's Team view: which of its dialogs is open. A dialog closes once the relay accepted all of its change.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { AgentId, TeamId } from '../../common/domain';
import { adminDone, eventReceived, tabChosen } from './actions';
import type { RootState } from './root';

export type TeamDialog =
  | { kind: 'add-person' }
  | { kind: 'edit'; user: AgentId }
  | { kind: 'password'; user: AgentId }
  | { kind: 'remove-person'; user: AgentId }
  | { kind: 'remove-team'; team: TeamId };

/** where the open dialog's calls are marked busy and its errors shown */
export const TEAM_DIALOG = 'teamDialog';

const slice = createSlice({
  name: 'admin',
  initialState: { dialog: null as TeamDialog | null },
  reducers: {
    teamDialogOpened: (s, action: PayloadAction<TeamDialog>) => {
      s.dialog = action.payload;
    },
    teamDialogClosed: (s) => {
      s.dialog = null;
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(adminDone, (s, { payload }) => {
        if (payload.where === TEAM_DIALOG) s.dialog = null;
      })
      .addCase(tabChosen, (s) => {
        s.dialog = null;
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'signed-out') s.dialog = null;
        // the person the dialog is about was removed meanwhile (by another manager, or the CLI)
        if (event.type === 'agent-removed' && s.dialog && 'user' in s.dialog && s.dialog.user === event.agentId) s.dialog = null;
      });
  },
});

export const adminReducer = slice.reducer;
export const { teamDialogOpened, teamDialogClosed } = slice.actions;
export const selectTeamDialog = (state: RootState) => state.admin.dialog;
