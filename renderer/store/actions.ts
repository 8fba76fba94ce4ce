// The renderer's event vocabulary: past-tense actions that several slices and the effects react to.
import { createAction } from '@reduxjs/toolkit';
import type { AttentionKind, BatonBridge, ClientEvent, SearchHit, Settings } from '../../common/bridge';
import type {
  AgentId,
  AgentInfo,
  CannedReplyScope,
  RatingFigures,
  Request,
  RequestStatus,
  SessionEvent,
  SessionId,
  SessionSummary,
  SettableStatus,
  TeamId,
} from '../../common/domain';
import type { Metrics } from '../../common/metrics';
import type { AdminCommand } from '../../common/protocol';
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
export const transferTeamChosen = createAction<TeamId>('transfer/teamChosen');
export const transferNoteChanged = createAction<string>('transfer/noteChanged');
/** to an agent (`to`) or to a team (`team`) */
export const offerSubmitted = createAction<{ sessionId: SessionId; to?: AgentId; team?: TeamId; note?: string }>(
  'transfer/offerSubmitted',
);
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

// Dashboard and the manager's Team view.
export interface DashboardFilters {
  /** 'all', a team id, or '' for chats of no team */
  team: string;
  state: 'all' | 'queued' | 'active' | 'transfer';
  sort: 'waiting' | 'newest';
}
export const dashboardFilterChanged = createAction<Partial<DashboardFilters>>('dashboard/filterChanged');
export const metricsRequested = createAction('dashboard/metricsRequested');
export const metricsLoaded = createAction<Metrics>('dashboard/metricsLoaded');
export const metricsExportClicked = createAction('dashboard/metricsExportClicked');
/** one change in the Team view, as the relay commands that make it (sent in order; errors shown under `where`) */
export const adminSubmitted = createAction<{ where: string; commands: AdminCommand[] }>('team/adminSubmitted');
export const adminDone = createAction<{ where: string }>('team/adminDone');

// Notes, files and canned replies in the composer.
export type ComposerMode = 'message' | 'note';
export const composerModeChosen = createAction<{ sessionId: SessionId; mode: ComposerMode }>('composer/modeChosen');
export const noteDraftChanged = createAction<{ sessionId: SessionId; text: string }>('composer/noteDraftChanged');
export const noteSubmitted = createAction<{ sessionId: SessionId; text: string }>('composer/noteSubmitted');
export const noteAccepted = createAction<{ sessionId: SessionId; messageId: string }>('composer/noteAccepted');
/** a file picked, pasted or dropped: read and sent by the effects (the File itself is not kept in state) */
export const fileChosen = createAction<{ sessionId: SessionId; file: File }>('composer/fileChosen');
export const cannedPickerOpened = createAction<SessionId>('canned/pickerOpened');
export const cannedPickerClosed = createAction('canned/pickerClosed');

// Attachments in transcripts.
export const attachmentNeeded = createAction<{ sessionId: SessionId; attachmentId: string }>('attachment/needed');
export const attachmentLoaded = createAction<{ attachmentId: string; url: string }>('attachment/loaded');
export const attachmentFailed = createAction<{ attachmentId: string; error: string }>('attachment/failed');
/** Download: the file is saved by the browser (or the desktop shell) under its name */
export const attachmentSaveClicked = createAction<{ sessionId: SessionId; attachmentId: string; name: string }>('attachment/saveClicked');

// The Replies view.
export const cannedEditorOpened = createAction<string | null>('canned/editorOpened');
export const cannedEditorClosed = createAction('canned/editorClosed');
export const cannedSaveSubmitted = createAction<{ replyId?: string; scope: CannedReplyScope; title: string; text: string }>('canned/saveSubmitted');
export const cannedSaved = createAction('canned/saved');
export const cannedDeleteConfirmed = createAction<string>('canned/deleteConfirmed');

// Requests with a life of their own.
export const requestUpdateSubmitted = createAction<{
  requestId: string;
  status?: RequestStatus;
  assigneeId?: AgentId | null;
  tellCustomer?: boolean;
}>('request/updateSubmitted');
export const requestFilterChanged = createAction<{ status?: RequestStatus | 'all'; assignee?: string }>('request/filterChanged');
export const requestTranscriptOpened = createAction<string>('request/transcriptOpened');
export const requestTranscriptClosed = createAction('request/transcriptClosed');

// Confirmations for what cannot be undone.
export type Confirmation = { kind: 'take-over' | 'close-chat'; sessionId: SessionId; where: string } | { kind: 'delete-canned'; replyId: string };
export const confirmationRequested = createAction<Confirmation>('confirm/requested');
export const confirmationAnswered = createAction<boolean>('confirm/answered');

/** An offer made to me ended without my answer: the sentence says how (cancelled, timed out, taken over). */
export const offerEndedNoticed = createAction<{ transferId: string; sessionId: SessionId; parts: Array<string | { user: string }> }>(
  'transfer/offerEndedNoticed',
);
export const offerEndedDismissed = createAction<string>('transfer/offerEndedDismissed');

// Shell of the workspace.
export type Tab = 'chats' | 'dashboard' | 'team' | 'history' | 'requests' | 'replies';
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
