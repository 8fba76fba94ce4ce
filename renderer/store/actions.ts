// The renderer's event vocabulary: past-tense actions that several slices and the effects react to.
import { createAction } from '@reduxjs/toolkit';
import type { AttentionKind, BatonBridge, ClientEvent, SearchHit, Settings } from '../../common/bridge';
import type { AgentId, AgentInfo, RatingFigures, Request, SessionEvent, SessionId, SessionSummary, SettableStatus } from '../../common/domain';
import type { BatonError } from '../../common/result';

/** Every ClientEvent the bridge pushes (and the app:snapshot answer at start, as a `snapshot` event). */
export const eventReceived = createAction<ClientEvent>('bridge/eventReceived');
export const appStarted = createAction('app/started');
/** desktop (Electron preload) or web (the local host's socket): some settings exist on one only */
export const platformDetected = createAction<BatonBridge['platform']>('app/platformDetected');
export const snapshotUnavailable = createAction<BatonError>('app/snapshotUnavailable');

// Calls to the bridge, keyed by where their errors are shown ("signIn", "composer:<session>", ...).
export const invokeStarted = createAction<{ where: string }>('bridge/invokeStarted');
export const invokeSucceeded = createAction<{ where: string }>('bridge/invokeSucceeded');
export const invokeFailed = createAction<{ where: string; error: BatonError }>('bridge/invokeFailed');
export const errorDismissed = createAction<string>('ui/errorDismissed');

// Sign-in and the agent.
export interface SignInForm {
  relayUrl: string;
  user: string;
  password: string;
  remember: boolean;
  /** the agent confirmed signing in over ws:// to another machine */
  allowUnencrypted?: boolean;
}
export const savedCredentialsLoaded = createAction<{ relayUrl: string | null; user: string | null; hasPassword: boolean }>(
  'signIn/savedCredentialsLoaded',
);
export const signInSubmitted = createAction<SignInForm>('signIn/submitted');
export const signInSucceeded = createAction<{ me: AgentInfo }>('signIn/succeeded');
export const signOutClicked = createAction('auth/signOutClicked');
export const statusChosen = createAction<SettableStatus>('agent/statusChosen');

// Chats.
export const sessionOpened = createAction<SessionId>('chat/sessionOpened');
export const transcriptLoaded = createAction<{
  sessionId: SessionId;
  events: SessionEvent[];
  hasMore: boolean;
  older: boolean;
}>('chat/transcriptLoaded');
export const olderEventsRequested = createAction<SessionId>('chat/olderEventsRequested');
export const draftChanged = createAction<{ sessionId: SessionId; text: string }>('chat/draftChanged');
export const messageSubmitted = createAction<{ sessionId: SessionId; text: string }>('chat/messageSubmitted');
export const messageAccepted = createAction<{ sessionId: SessionId; messageId: string }>('chat/messageAccepted');
export const retryClicked = createAction<{ sessionId: SessionId; messageId: string }>('chat/retryClicked');
export const closedChatDismissed = createAction<SessionId>('chat/closedChatDismissed');
export const visibilityChanged = createAction<boolean>('ui/visibilityChanged');
export const adjacentChatRequested = createAction<1 | -1>('chat/adjacentChatRequested');

// Transfers.
export const transferDialogOpened = createAction<SessionId>('transfer/dialogOpened');
export const transferDialogClosed = createAction('transfer/dialogClosed');
export const transferTargetChosen = createAction<AgentId>('transfer/targetChosen');
export const transferNoteChanged = createAction<string>('transfer/noteChanged');
export const offerSubmitted = createAction<{ sessionId: SessionId; to: AgentId; note?: string }>('transfer/offerSubmitted');
export const offerSent = createAction<{ sessionId: SessionId; transferId: string }>('transfer/offerSent');
/** `openAfter`: accepted from the offer bar of another tab, so the chat opens once it is mine */
export const acceptClicked = createAction<{ sessionId: SessionId; transferId: string; openAfter?: boolean }>('transfer/acceptClicked');
export const rejectClicked = createAction<{ sessionId: SessionId; transferId: string; reason?: string }>(
  'transfer/rejectClicked',
);
export const rejectReasonChanged = createAction<{ sessionId: SessionId; reason: string }>('transfer/rejectReasonChanged');
export const cancelTransferClicked = createAction<{ sessionId: SessionId; transferId: string }>('transfer/cancelClicked');

// Session actions from the menu and the dashboard.
export const takeOverClicked = createAction<{ sessionId: SessionId; where: string }>('session/takeOverClicked');
export const listenRequested = createAction<SessionId>('session/listenRequested');
export const closeWindowClicked = createAction<SessionId>('session/closeWindowClicked');
export const closeChatClicked = createAction<SessionId>('session/closeChatClicked');

// Requests.
export const requestDialogOpened = createAction<SessionId>('request/dialogOpened');
export const requestDialogClosed = createAction('request/dialogClosed');
export const requestSubmitted = createAction<{ sessionId: SessionId; title: string; description?: string }>(
  'request/submitted',
);
export const requestCreated = createAction<Request>('request/created');
export const requestsTabOpened = createAction('request/tabOpened');
export const requestsLoaded = createAction<Request[]>('request/listLoaded');
export const ratingFiguresLoaded = createAction<RatingFigures>('dashboard/ratingFiguresLoaded');

// History.
export const historyTabOpened = createAction('history/tabOpened');
export const historyListLoaded = createAction<SessionSummary[]>('history/listLoaded');
export const historyQueryChanged = createAction<string>('history/queryChanged');
export const historySearchCompleted = createAction<{ text: string; hits: SearchHit[] }>('history/searchCompleted');
export const historyChatOpened = createAction<{ sessionId: SessionId; seq?: number }>('history/chatOpened');

// Shell of the workspace.
export type Tab = 'chats' | 'dashboard' | 'history' | 'requests';
/** the tabs, plus Settings (reached from the header, not a tab of the workspace) */
export type View = Tab | 'settings';
export const tabChosen = createAction<View>('ui/tabChosen');
export const chatMenuOpened = createAction<SessionId>('ui/chatMenuOpened');
export const chatMenuClosed = createAction('ui/chatMenuClosed');
export const shortcutsOpened = createAction('ui/shortcutsOpened');
export const shortcutsClosed = createAction('ui/shortcutsClosed');
export type ThemeChoice = 'system' | 'light' | 'dark';
export const themeChosen = createAction<ThemeChoice>('ui/themeChosen');
export const settingsChanged = createAction<Partial<Settings>>('settings/changed');
/** the Play button beside a sound in Settings */
export const soundTested = createAction<AttentionKind>('settings/soundTested');
