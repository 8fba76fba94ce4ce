// The combined reducer and the RootState type every selector is written against.
import { combineReducers } from '@reduxjs/toolkit';
import { chatReducer } from './chat';
import { connectionReducer } from './connection';
import { dashboardReducer } from './dashboard';
import { historyReducer } from './history';
import { presenceReducer } from './presence';
import { requestsReducer } from './requests';
import { sessionReducer } from './session';
import { sessionsReducer } from './sessions';
import { transfersReducer } from './transfers';
import { uiReducer } from './ui';

export const rootReducer = combineReducers({
  connection: connectionReducer,
  session: sessionReducer,
  sessions: sessionsReducer,
  chat: chatReducer,
  transfers: transfersReducer,
  presence: presenceReducer,
  history: historyReducer,
  requests: requestsReducer,
  dashboard: dashboardReducer,
  ui: uiReducer,
});

export type RootState = ReturnType<typeof rootReducer>;
