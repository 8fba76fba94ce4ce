// Side effects of the conversation tools: notes and files handed to the core, previews and downloads of files,
// canned replies saved, requests changed, confirmations answered, and the notice that an offer to me ended.
import type { TypedStartListening } from '@reduxjs/toolkit';
import { offerEndedParts } from '../../common/attention';
import { type BridgeArgs, type BridgeChannel, type BridgeResult, MAX_FILE_BYTES } from '../../common/bridge';
import { DEFAULT_ATTACHMENT_MAX_BYTES } from '../../common/domain';
import { tooLargeSentence } from '../../common/errors';
import {
  attachmentFailed,
  attachmentLoaded,
  attachmentNeeded,
  attachmentSaveClicked,
  cannedDeleteConfirmed,
  cannedSaved,
  cannedSaveSubmitted,
  closeChatClicked,
  confirmationAnswered,
  eventReceived,
  fileChosen,
  invokeFailed,
  noteAccepted,
  noteSubmitted,
  offerEndedNoticed,
  requestUpdateSubmitted,
  takeOverClicked,
} from './actions';
import type { RootState } from './root';

type Dispatch = (action: unknown) => unknown;
export type Call = <C extends BridgeChannel>(
  dispatch: Dispatch,
  where: string,
  channel: C,
  args: BridgeArgs<C>,
) => Promise<{ value: BridgeResult<C> } | undefined>;

/** Base64 of a file's bytes, in slices (a 10 MB file as one string argument would overflow the call stack). */
async function base64Of(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const slice = 0x8000;
  for (let i = 0; i < bytes.length; i += slice) binary += String.fromCharCode(...bytes.subarray(i, i + slice));
  return btoa(binary);
}

export function registerToolEffects(start: TypedStartListening<RootState>, call: Call, doc: Document | undefined): void {
  start({
    actionCreator: noteSubmitted,
    effect: async ({ payload }, api) => {
      const text = payload.text.trim();
      if (!text) return;
      const value = (await call(api.dispatch, `composer:${payload.sessionId}`, 'chat:note', { sessionId: payload.sessionId, text }))?.value;
      if (value) api.dispatch(noteAccepted({ sessionId: payload.sessionId, messageId: value.messageId }));
    },
  });

  start({
    actionCreator: fileChosen,
    effect: async ({ payload: { sessionId, file } }, api) => {
      const where = `composer:${sessionId}`;
      // the relay's limit when known, and never more than the bridge carries
      const max = Math.min(api.getState().attachments.limits?.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES, MAX_FILE_BYTES);
      if (file.size > max) {
        api.dispatch(invokeFailed({ where, error: { code: 'too-large', message: tooLargeSentence(file.size, max) } }));
        return;
      }
      const data = await base64Of(file);
      await call(api.dispatch, where, 'chat:sendFile', { sessionId, name: file.name || 'file', data });
    },
  });

  const read = async (dispatch: Dispatch, sessionId: string, attachmentId: string) =>
    (await call(dispatch, `attachment:${attachmentId}`, 'attachment:read', { sessionId, attachmentId }))?.value;

  start({
    actionCreator: attachmentNeeded,
    effect: async ({ payload }, api) => {
      // the reducer marked it loading if it was not loaded (or had failed): only then is it fetched
      const before = api.getOriginalState().attachments.previews[payload.attachmentId];
      if (before && before.status !== 'failed') return;
      const file = await read(api.dispatch, payload.sessionId, payload.attachmentId);
      if (file) api.dispatch(attachmentLoaded({ attachmentId: payload.attachmentId, url: `data:${file.type};base64,${file.data}` }));
      else {
        const error = api.getState().ui.errors[`attachment:${payload.attachmentId}`] ?? 'The file could not be opened.';
        api.dispatch(attachmentFailed({ attachmentId: payload.attachmentId, error }));
      }
    },
  });

  start({
    actionCreator: attachmentSaveClicked,
    effect: async ({ payload }, api) => {
      if (!doc) return;
      const preview = api.getState().attachments.previews[payload.attachmentId];
      let url = preview?.status === 'ready' ? preview.url : null;
      if (!url) {
        const file = await read(api.dispatch, payload.sessionId, payload.attachmentId);
        if (!file) return;
        url = `data:${file.type};base64,${file.data}`;
      }
      // a download, never a navigation: the file is saved under its name, not opened in the app's window
      const link = doc.createElement('a');
      link.href = url;
      link.download = payload.name;
      link.rel = 'noopener';
      doc.body.append(link);
      link.click();
      link.remove();
    },
  });

  start({
    actionCreator: cannedSaveSubmitted,
    effect: async ({ payload }, api) => {
      if (await call(api.dispatch, 'cannedEditor', 'canned:save', payload)) api.dispatch(cannedSaved());
    },
  });

  start({
    actionCreator: cannedDeleteConfirmed,
    effect: async ({ payload: replyId }, api) => {
      await call(api.dispatch, 'canned', 'canned:delete', { replyId });
    },
  });

  start({
    actionCreator: requestUpdateSubmitted,
    effect: async ({ payload }, api) => {
      // the core answers with a `request` event, which the requests slice reduces
      await call(api.dispatch, `request:${payload.requestId}`, 'request:update', payload);
    },
  });

  start({
    actionCreator: confirmationAnswered,
    effect: ({ payload: yes }, api) => {
      const asked = api.getOriginalState().notices.confirmation;
      if (!yes || !asked) return;
      if (asked.kind === 'delete-canned') api.dispatch(cannedDeleteConfirmed(asked.replyId));
      else if (asked.kind === 'take-over') api.dispatch(takeOverClicked({ sessionId: asked.sessionId, where: asked.where }));
      else api.dispatch(closeChatClicked(asked.sessionId));
    },
  });

  // An offer to me ended without my answer: read against the summary before this change, which still shows it.
  start({
    predicate: (action) => eventReceived.match(action) && action.payload.type === 'events',
    effect: (action, api) => {
      const event = (action as ReturnType<typeof eventReceived>).payload;
      if (event.type !== 'events') return;
      const before = api.getOriginalState();
      const me = before.session.me?.id;
      const session = before.sessions.entities[event.sessionId];
      const offer = session?.pendingTransfer;
      if (!me || !session || !offer || offer.toId !== me) return;
      for (const e of event.events) {
        if (e.kind !== 'transfer-cancelled' || e.transferId !== offer.id) continue;
        const by = e.byId ? (before.presence.entities[e.byId]?.name ?? e.byId) : '';
        const parts = offerEndedParts(e.reason, by, session.customerName);
        if (parts) api.dispatch(offerEndedNoticed({ transferId: offer.id, sessionId: session.id, parts }));
      }
    },
  });
}
