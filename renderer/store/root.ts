// The combined reducer and the RootState type every selector is written against.
import { combineReducers } from '@reduxjs/toolkit';
import { adminReducer } from './admin';
import { attachmentsReducer } from './attachments';
import { cannedReducer } from './canned';
import { chatReducer } from './chat';
import { composerReducer } from './composer';
import { connectionReducer } from './connection';
import { dashboardReducer } from './dashboard';
import { historyReducer } from './history';
import { noticesReducer } from './notices';
import { presenceReducer } from './presence';
import { requestsReducer } from './requests';
import { sessionReducer } from './session';
import { sessionsReducer } from './sessions';
import { teamsReducer } from './teams';
import { transfersReducer } from './transfers';
import { uiReducer } from './ui';

export const rootReducer = combineReducers({
  connection: connectionReducer,
  session: sessionReducer,
  sessions: sessionsReducer,
  chat: chatReducer,
  transfers: transfersReducer,
  presence: presenceReducer,
  teams: teamsReducer,
  dashboard: dashboardReducer,
  admin: adminReducer,
  history: historyReducer,
  requests: requestsReducer,
  ui: uiReducer,
  composer: composerReducer,
  attachments: attachmentsReducer,
  canned: cannedReducer,
  notices: noticesReducer,
});

export type RootState = ReturnType<typeof rootReducer>;
