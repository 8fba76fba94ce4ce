// The workspace shell: current view, open menu and overlays, theme, window visibility, errors and calls in flight.
import { createSlice } from '@reduxjs/toolkit';
import { errorText } from '../lib/format';
import {
  chatMenuClosed,
  chatMenuOpened,
  errorDismissed,
  eventReceived,
  invokeFailed,
  invokeStarted,
  invokeSucceeded,
  platformDetected,
  sessionOpened,
  shortcutsClosed,
  shortcutsOpened,
  type ThemeChoice,
  type View,
  tabChosen,
  themeChosen,
  visibilityChanged,
} from './actions';
import type { RootState } from './root';

export interface UiSliceState {
  tab: View;
  platform: 'desktop' | 'web';
  /** web mode: the page's link no longer opens the bridge (the host was restarted); what to do, as a sentence */
  linkExpired: string | null;
  menuFor: string | null;
  shortcutsOpen: boolean;
  theme: ThemeChoice;
  visible: boolean;
  /** sentences keyed by where they are shown */
  errors: Record<string, string>;
  busy: Record<string, true>;
}

const initialState: UiSliceState = {
  tab: 'chats',
  platform: 'web',
  linkExpired: null,
  menuFor: null,
  shortcutsOpen: false,
  theme: 'system',
  visible: true,
  errors: {},
  busy: {},
};

const slice = createSlice({
  name: 'ui',
  initialState,
  reducers: {},
  extraReducers: (builder) => {
    builder
      .addCase(invokeStarted, (s, { payload }) => {
        s.busy[payload.where] = true;
        delete s.errors[payload.where];
      })
      .addCase(invokeSucceeded, (s, { payload }) => {
        delete s.busy[payload.where];
      })
      .addCase(invokeFailed, (s, { payload }) => {
        delete s.busy[payload.where];
        s.errors[payload.where] = errorText(payload.error);
      })
      .addCase(errorDismissed, (s, { payload }) => {
        delete s.errors[payload];
      })
      .addCase(tabChosen, (s, { payload }) => {
        s.tab = payload;
        s.menuFor = null;
      })
      .addCase(sessionOpened, (s) => {
        s.tab = 'chats';
        s.menuFor = null;
      })
      .addCase(chatMenuOpened, (s, { payload }) => {
        s.menuFor = payload;
      })
      .addCase(chatMenuClosed, (s) => {
        s.menuFor = null;
      })
      .addCase(shortcutsOpened, (s) => {
        s.shortcutsOpen = true;
      })
      .addCase(shortcutsClosed, (s) => {
        s.shortcutsOpen = false;
      })
      .addCase(themeChosen, (s, { payload }) => {
        s.theme = payload;
      })
      .addCase(visibilityChanged, (s, { payload }) => {
        s.visible = payload;
      })
      .addCase(platformDetected, (s, { payload }) => {
        s.platform = payload;
      })
      .addCase(eventReceived, (s, { payload: event }) => {
        if (event.type === 'focus-session') s.tab = 'chats';
        if (event.type === 'link-expired') s.linkExpired = event.message;
        if (event.type === 'signed-out') return { ...initialState, theme: s.theme, visible: s.visible, platform: s.platform, linkExpired: s.linkExpired };
      });
  },
});

export const uiReducer = slice.reducer;
export const selectTab = (state: RootState) => state.ui.tab;
export const selectMenuFor = (state: RootState) => state.ui.menuFor;
export const selectShortcutsOpen = (state: RootState) => state.ui.shortcutsOpen;
export const selectTheme = (state: RootState) => state.ui.theme;
export const selectError = (state: RootState, where: string) => state.ui.errors[where];
export const selectBusy = (state: RootState, where: string) => state.ui.busy[where] === true;
export const selectPlatform = (state: RootState) => state.ui.platform;
export const selectLinkExpired = (state: RootState) => state.ui.linkExpired;
