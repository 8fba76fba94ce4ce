// Side effects of the renderer: every bridge invoke happens here, in reaction to past-tense UI and bridge events.
import { createListenerMiddleware } from '@reduxjs/toolkit';
import type { BatonBridge, BridgeArgs, BridgeChannel, BridgeResult } from '../../common/bridge';
import type { SessionId } from '../../common/domain';
import { metricsCsv } from '../../common/metrics';
import type { Result } from '../../common/result';
import { dayKey } from '../lib/format';
import {
  acceptClicked,
  adminDone,
  adminSubmitted,
  adjacentChatRequested,
  appStarted,
  cancelTransferClicked,
  closeChatClicked,
  closedChatDismissed,
  closeWindowClicked,
  draftChanged,
  eventReceived,
  historyChatOpened,
  historyListLoaded,
  historyQueryChanged,
  historySearchCompleted,
  invokeFailed,
  invokeStarted,
  invokeSucceeded,
  listenRequested,
  messageAccepted,
  messageSubmitted,
  metricsExportClicked,
  metricsLoaded,
  metricsRequested,
  offerSent,
  offerSubmitted,
  olderEventsRequested,
  rejectClicked,
  requestCreated,
  requestSubmitted,
  ratingFiguresLoaded,
  requestsLoaded,
  requestsTabOpened,
  retryClicked,
  savedCredentialsLoaded,
  sessionOpened,
  signInSubmitted,
  signInSucceeded,
  signOutClicked,
  snapshotUnavailable,
  statusChosen,
  tabChosen,
  takeOverClicked,
  settingsChanged,
  soundTested,
  themeChosen,
  transcriptLoaded,
} from './actions';
import { offerAutoSelected, selectionCleared } from './chat';
import type { RootState } from './root';
import type { SoundPlayer } from '../lib/sounds';
import { selectAttention, selectMySessionIds, selectOffersToMe, selectRoleIn } from './sessions';
import { registerToolEffects } from './tools-effects';

export interface EffectsOptions {
  /** where the document title and theme are applied; absent in plain Node */
  document?: Document;
  /** delay before a history search runs while the agent is still typing */
  searchDebounceMs?: number;
  /** how long after the last keystroke "typing" is switched off */
  typingIdleMs?: number;
  /** plays the attention sounds; absent in plain Node */
  sounds?: SoundPlayer;
  /** how long after a chat closes the Dashboard's figures are asked again */
  metricsRefreshDelayMs?: number;
}

/** Today in local time, [midnight, next midnight): what "today's figures" cover. */
export function today(now: number): { since: number; until: number } {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { since: start.getTime(), until: end.getTime() };
}

export function createEffects(bridge: BatonBridge, options: EffectsOptions = {}) {
  const listener = createListenerMiddleware();
  const start = listener.startListening.withTypes<RootState>();
  const doc = options.document;

  /** One bridge call: marks it busy under `where`, and turns any failure into an error shown there. */
  async function call<C extends BridgeChannel>(
    dispatch: (action: unknown) => unknown,
    where: string,
    channel: C,
    args: BridgeArgs<C>,
  ): Promise<{ value: BridgeResult<C> } | undefined> {
    dispatch(invokeStarted({ where }));
    let result: Result<BridgeResult<C>>;
    try {
      result = await bridge.invoke(channel, args);
      if (!result || typeof result !== 'object' || typeof result.ok !== 'boolean') throw new Error('malformed answer');
    } catch (err) {
      result = {
        ok: false,
        error: { code: 'internal', message: `Baton could not reach its core (${err instanceof Error ? err.message : String(err)}).` },
      };
    }
    if (result.ok) {
      dispatch(invokeSucceeded({ where }));
      return { value: result.value };
    }
    dispatch(invokeFailed({ where, error: result.error }));
    return undefined;
  }

  async function loadSaved(dispatch: (action: unknown) => unknown) {
    const saved = await call(dispatch, 'signIn', 'auth:saved', {});
    if (saved) dispatch(savedCredentialsLoaded(saved.value));
  }

  async function loadSnapshot(dispatch: (action: unknown) => unknown) {
    dispatch(invokeStarted({ where: 'app' }));
    const result = await bridge.invoke('app:snapshot', {}).catch(
      (err: unknown) => ({ ok: false, error: { code: 'internal', message: String(err) } }) as const,
    );
    if (result.ok) {
      dispatch(invokeSucceeded({ where: 'app' }));
      dispatch(eventReceived({ type: 'snapshot', snapshot: result.value }));
      return result.value;
    }
    dispatch(invokeFailed({ where: 'signIn', error: result.error }));
    dispatch(invokeSucceeded({ where: 'app' }));
    dispatch(snapshotUnavailable(result.error));
    return undefined;
  }

  async function ensureTranscript(dispatch: (action: unknown) => unknown, state: RootState, sessionId: SessionId) {
    const where = `transcript:${sessionId}`;
    if (state.chat.logs[sessionId]?.loaded || state.ui.busy[where]) return;
    const page = (await call(dispatch, where, 'chat:transcript', { sessionId, limit: 200 }))?.value;
    if (page) dispatch(transcriptLoaded({ sessionId, events: page.events, hasMore: page.hasMore, older: false }));
  }

  start({
    actionCreator: appStarted,
    effect: async (_action, api) => {
      const snapshot = await loadSnapshot(api.dispatch);
      // the sign-in form is prefilled from the last account whenever it shows (a cached agent may be signed out)
      const status = snapshot?.connection.status;
      if (!snapshot?.me || status === 'signed-out' || status === 'auth-failed') await loadSaved(api.dispatch);
      applyTitle(api.getState());
    },
  });

  start({
    actionCreator: signInSubmitted,
    effect: async ({ payload }, api) => {
      const answer = await call(api.dispatch, 'signIn', 'auth:signIn', payload);
      if (!answer) return;
      api.dispatch(signInSucceeded(answer.value));
      await loadSnapshot(api.dispatch);
    },
  });

  start({
    actionCreator: signOutClicked,
    effect: async (_action, api) => {
      if (await call(api.dispatch, 'signOut', 'auth:signOut', {})) {
        if (api.getState().session.me) api.dispatch(eventReceived({ type: 'signed-out' }));
      }
    },
  });

  start({
    predicate: (action) => eventReceived.match(action) && action.payload.type === 'signed-out',
    effect: async (_action, api) => {
      await loadSaved(api.dispatch);
    },
  });

  start({
    actionCreator: statusChosen,
    effect: async ({ payload }, api) => {
      await call(api.dispatch, 'status', 'agent:setStatus', { status: payload });
    },
  });

  // Opening a chat (from the list, a notification, or after a snapshot dropped the logs) loads its transcript.
  start({
    predicate: (action) =>
      sessionOpened.match(action) ||
      offerAutoSelected.match(action) ||
      (eventReceived.match(action) && (action.payload.type === 'focus-session' || action.payload.type === 'snapshot')),
    effect: async (_action, api) => {
      const state = api.getState();
      if (state.chat.selectedId) await ensureTranscript(api.dispatch, state, state.chat.selectedId);
    },
  });

  start({
    actionCreator: historyChatOpened,
    effect: async ({ payload }, api) => {
      await ensureTranscript(api.dispatch, api.getState(), payload.sessionId);
    },
  });

  start({
    actionCreator: olderEventsRequested,
    effect: async ({ payload: sessionId }, api) => {
      const state = api.getState();
      const log = state.chat.logs[sessionId];
      const where = `transcript:${sessionId}`;
      const first = log?.events[0]?.seq;
      if (!log?.hasMore || first === undefined || first <= 1 || state.ui.busy[where]) return;
      const page = (await call(api.dispatch, where, 'chat:transcript', { sessionId, beforeSeq: first, limit: 200 }))?.value;
      if (page) api.dispatch(transcriptLoaded({ sessionId, events: page.events, hasMore: page.hasMore, older: true }));
    },
  });

  start({
    actionCreator: messageSubmitted,
    effect: async ({ payload }, api) => {
      const text = payload.text.trim();
      if (!text) return;
      const value = (await call(api.dispatch, `composer:${payload.sessionId}`, 'chat:send', { sessionId: payload.sessionId, text }))?.value;
      if (value) api.dispatch(messageAccepted({ sessionId: payload.sessionId, messageId: value.messageId }));
    },
  });

  start({
    actionCreator: retryClicked,
    effect: async ({ payload }, api) => {
      await call(api.dispatch, `composer:${payload.sessionId}`, 'chat:retry', { messageId: payload.messageId });
    },
  });

  // Typing: on with the first keystroke, off after a quiet spell or when the draft is emptied or sent.
  const typingOn = new Set<SessionId>();
  const sendTyping = async (sessionId: SessionId, active: boolean) => {
    if (active === typingOn.has(sessionId)) return;
    if (active) typingOn.add(sessionId);
    else typingOn.delete(sessionId);
    // Typing is a courtesy signal: a failure is not worth an alert, the next keystroke tries again.
    await Promise.resolve(bridge.invoke('chat:typing', { sessionId, active })).catch(() => undefined);
  };
  start({
    predicate: (action) => draftChanged.match(action) || messageSubmitted.match(action),
    effect: async (action, api) => {
      const { sessionId, text } = (action as ReturnType<typeof draftChanged>).payload;
      api.cancelActiveListeners();
      const state = api.getState();
      if (messageSubmitted.match(action) || !text.trim() || selectRoleIn(state, sessionId) !== 'owner') {
        await sendTyping(sessionId, false);
        return;
      }
      await sendTyping(sessionId, true);
      await api.delay(options.typingIdleMs ?? 3000);
      await sendTyping(sessionId, false);
    },
  });

  start({
    actionCreator: offerSubmitted,
    effect: async ({ payload }, api) => {
      const note = payload.note?.trim();
      const value = (await call(api.dispatch, 'transferDialog', 'transfer:offer', {
        sessionId: payload.sessionId,
        ...(payload.team !== undefined ? { team: payload.team } : { to: payload.to }),
        ...(note ? { note } : {}),
      }))?.value;
      if (value) api.dispatch(offerSent({ sessionId: payload.sessionId, transferId: value.transferId }));
    },
  });

  start({
    actionCreator: acceptClicked,
    effect: async ({ payload }, api) => {
      const { sessionId, transferId } = payload;
      const accepted = await call(api.dispatch, `offer:${sessionId}`, 'transfer:accept', { sessionId, transferId });
      // accepted from another tab: the customer is now waiting for me, so their chat opens
      if (accepted && payload.openAfter) api.dispatch(sessionOpened(sessionId));
    },
  });

  start({
    actionCreator: rejectClicked,
    effect: async ({ payload }, api) => {
      const reason = payload.reason?.trim();
      await call(api.dispatch, `offer:${payload.sessionId}`, 'transfer:reject', {
        sessionId: payload.sessionId,
        transferId: payload.transferId,
        ...(reason ? { reason } : {}),
      });
    },
  });

  start({
    actionCreator: cancelTransferClicked,
    effect: async ({ payload }, api) => {
      await call(api.dispatch, `waiting:${payload.sessionId}`, 'transfer:cancel', payload);
    },
  });

  start({
    actionCreator: takeOverClicked,
    effect: async ({ payload }, api) => {
      if (await call(api.dispatch, payload.where, 'session:takeOver', { sessionId: payload.sessionId })) {
        api.dispatch(sessionOpened(payload.sessionId));
      }
    },
  });

  start({
    actionCreator: listenRequested,
    effect: async ({ payload: sessionId }, api) => {
      const role = selectRoleIn(api.getState(), sessionId);
      if (role !== 'none' || (await call(api.dispatch, 'dashboard', 'session:listen', { sessionId }))) {
        api.dispatch(sessionOpened(sessionId));
      }
    },
  });

  start({
    actionCreator: closeWindowClicked,
    effect: async ({ payload: sessionId }, api) => {
      const session = api.getState().sessions.entities[sessionId];
      // A closed chat has nobody to tell: Close window only puts it away locally.
      if (!session || session.state === 'closed') {
        api.dispatch(closedChatDismissed(sessionId));
        return;
      }
      await call(api.dispatch, `chat:${sessionId}`, 'session:closeWindow', { sessionId });
    },
  });

  start({
    actionCreator: closeChatClicked,
    effect: async ({ payload: sessionId }, api) => {
      await call(api.dispatch, `chat:${sessionId}`, 'session:closeChat', { sessionId });
    },
  });

  start({
    actionCreator: requestSubmitted,
    effect: async ({ payload }, api) => {
      const description = payload.description?.trim();
      const value = (await call(api.dispatch, 'requestDialog', 'request:create', {
        sessionId: payload.sessionId,
        title: payload.title,
        ...(description ? { description } : {}),
      }))?.value;
      if (value) api.dispatch(requestCreated(value.request));
    },
  });

  start({
    predicate: (action) => requestsTabOpened.match(action) || (tabChosen.match(action) && action.payload === 'requests'),
    effect: async (_action, api) => {
      const value = (await call(api.dispatch, 'requests', 'request:list', {}))?.value;
      if (value) api.dispatch(requestsLoaded(value.requests));
    },
  });

  start({
    predicate: (action) => tabChosen.match(action) && action.payload === 'dashboard',
    effect: async (_action, api) => {
      const value = (await call(api.dispatch, 'dashboard', 'dashboard:ratings', {}))?.value;
      if (value) api.dispatch(ratingFiguresLoaded(value));
    },
  });

  start({
    predicate: (action) => tabChosen.match(action) && action.payload === 'history',
    effect: async (_action, api) => {
      const value = (await call(api.dispatch, 'history', 'history:list', { limit: 100 }))?.value;
      if (value) api.dispatch(historyListLoaded(value.sessions));
    },
  });

  start({
    actionCreator: historyQueryChanged,
    effect: async ({ payload: text }, api) => {
      api.cancelActiveListeners();
      if (!text.trim()) return;
      await api.delay(options.searchDebounceMs ?? 250);
      const value = (await call(api.dispatch, 'historySearch', 'history:search', { text: text.trim(), limit: 50 }))?.value;
      if (value) api.dispatch(historySearchCompleted({ text, hits: value.hits }));
    },
  });

  // An incoming offer is shown at once when nothing else is open; a chat that left my list is closed in the panel.
  start({
    predicate: (action) =>
      eventReceived.match(action) && (action.payload.type === 'session' || action.payload.type === 'snapshot'),
    effect: async (_action, api) => {
      const state = api.getState();
      const selected = state.chat.selectedId;
      const mine = selectMySessionIds(state);
      if (selected && !mine.includes(selected) && state.sessions.entities[selected]?.state !== 'closed') {
        api.dispatch(selectionCleared());
      }
      const after = api.getState();
      if (!after.chat.selectedId) {
        const offer = selectOffersToMe(after)[0];
        if (offer) api.dispatch(offerAutoSelected(offer.id));
      }
    },
  });

  start({
    actionCreator: adjacentChatRequested,
    effect: async ({ payload: step }, api) => {
      const state = api.getState();
      const ids = selectMySessionIds(state);
      if (!ids.length) return;
      const at = state.chat.selectedId ? ids.indexOf(state.chat.selectedId) : -1;
      const next = at < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + step));
      const id = ids[next];
      if (id && id !== state.chat.selectedId) api.dispatch(sessionOpened(id));
    },
  });

  // Mark read whenever the open chat is visible and has unread lines newer than what was last marked.
  const marked = new Map<SessionId, number>();
  start({
    predicate: (_action, current, previous) =>
      current.chat.selectedId !== previous.chat.selectedId ||
      current.sessions.unread !== previous.sessions.unread ||
      current.chat.logs !== previous.chat.logs ||
      current.ui.visible !== previous.ui.visible ||
      current.ui.tab !== previous.ui.tab,
    effect: async (_action, api) => {
      const state = api.getState();
      const sessionId = state.chat.selectedId;
      if (!sessionId || !state.ui.visible || state.ui.tab !== 'chats') return;
      if (!(state.sessions.unread[sessionId] ?? 0)) return;
      const log = state.chat.logs[sessionId];
      const seq = Math.max(state.sessions.entities[sessionId]?.lastSeq ?? 0, log?.events[log.events.length - 1]?.seq ?? 0);
      if ((marked.get(sessionId) ?? -1) >= seq) return;
      marked.set(sessionId, seq);
      if (!(await call(api.dispatch, `chat:${sessionId}`, 'chat:markRead', { sessionId, seq }))) marked.delete(sessionId);
    },
  });

  function applyTitle(state: RootState) {
    if (!doc) return;
    const { total } = selectAttention(state);
    const title = total > 0 ? `(${total}) Baton` : 'Baton';
    if (doc.title !== title) doc.title = title;
  }
  start({
    predicate: (_action, current, previous) => current.sessions !== previous.sessions || current.session.me !== previous.session.me,
    effect: (_action, api) => applyTitle(api.getState()),
  });

  start({
    actionCreator: settingsChanged,
    // the core answers with a `settings` event, which the session slice reduces
    effect: async ({ payload }, api) => {
      await call(api.dispatch, 'settings', 'settings:set', payload);
    },
  });

  // Sounds: the core says when something needs the agent; the agent's settings say whether and how loud.
  start({
    predicate: (action) => eventReceived.match(action) && action.payload.type === 'attention',
    effect: (action, api) => {
      const event = (action as ReturnType<typeof eventReceived>).payload;
      if (event.type !== 'attention') return;
      const state = api.getState();
      const sound = state.session.settings?.sounds[event.kind];
      if (!sound?.on || !options.sounds) return;
      // a new line in the chat the agent is reading needs no bell
      const reading = state.ui.visible && state.ui.tab === 'chats' && state.chat.selectedId === event.sessionId;
      if (event.kind === 'message' && reading) return;
      options.sounds.play(event.kind, sound.volume);
    },
  });
  start({
    actionCreator: soundTested,
    effect: ({ payload: kind }, api) => {
      const sound = api.getState().session.settings?.sounds[kind];
      options.sounds?.play(kind, sound?.volume ?? 1);
    },
  });

  // Today's figures: asked when the Dashboard opens, on Refresh, and again a moment after a chat closes while it shows.
  start({
    predicate: (action) => metricsRequested.match(action) || (tabChosen.match(action) && action.payload === 'dashboard'),
    effect: async (_action, api) => {
      const { since, until } = today(Date.now());
      const value = (await call(api.dispatch, 'metrics', 'metrics:get', { since, until }))?.value;
      if (value) api.dispatch(metricsLoaded(value));
    },
  });
  start({
    predicate: (action, state) =>
      eventReceived.match(action) &&
      action.payload.type === 'session' &&
      action.payload.session.state === 'closed' &&
      (state as RootState).ui.tab === 'dashboard',
    effect: async (_action, api) => {
      api.cancelActiveListeners();
      await api.delay(options.metricsRefreshDelayMs ?? 1000);
      api.dispatch(metricsRequested());
    },
  });
  start({
    actionCreator: metricsExportClicked,
    effect: (_action, api) => {
      const metrics = api.getState().dashboard.metrics;
      if (!metrics || !doc) return;
      const url = URL.createObjectURL(new Blob([metricsCsv(metrics)], { type: 'text/csv;charset=utf-8' }));
      const link = doc.createElement('a');
      link.href = url;
      link.download = `baton-today-${dayKey(metrics.since)}.csv`;
      doc.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });

  // The Team view: one change is one or more relay commands, sent in order; the first refusal stops and is shown.
  start({
    actionCreator: adminSubmitted,
    effect: async ({ payload }, api) => {
      for (const command of payload.commands) {
        if (!(await call(api.dispatch, payload.where, 'admin:command', command))) return;
      }
      api.dispatch(adminDone({ where: payload.where }));
    },
  });

  start({
    actionCreator: themeChosen,
    effect: ({ payload }) => {
      if (!doc) return;
      if (payload === 'system') delete doc.documentElement.dataset.theme;
      else doc.documentElement.dataset.theme = payload;
    },
  });

  registerToolEffects(start, call, doc);

  return listener;
}
