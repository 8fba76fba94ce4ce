// The open chat: header with the Chat menu, the transcript, and below it the composer or the bar my role calls for.
import { useId } from 'react';
import { type AgentInfo, offerTargetName, roleIn, type SessionSummary } from '../../common/domain';
import { cancelTransferClicked, closeWindowClicked, rejectReasonChanged } from '../store/actions';
import { selectSelectedId, selectTyping } from '../store/chat';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectAgentNames } from '../store/presence';
import { selectIsManager, selectMe } from '../store/session';
import { selectMySessions, selectSessionById } from '../store/sessions';
import { selectRejectReason } from '../store/transfers';
import { selectBusy, selectError } from '../store/ui';
import { ChatMenu } from './ChatMenu';
import { ErrorNote } from './Dialog';
import { LineParts } from './LineParts';
import { OfferButtons, OfferNote, OfferRecipient } from './OfferAnswer';
import type { LinePart } from '../lib/eventText';
import { initials } from '../lib/format';
import { Composer } from './Composer';
import { Transcript } from './Transcript';

export function OfferBar({ session }: { session: SessionSummary }) {
  const dispatch = useAppDispatch();
  const nameOf = useAppSelector(selectAgentNames);
  const reason = useAppSelector((s) => selectRejectReason(s, session.id));
  const error = useAppSelector((s) => selectError(s, `offer:${session.id}`));
  const reasonId = useId();
  const offer = session.pendingTransfer;
  if (!offer) return null;
  return (
    <div className="offer-bar">
      <div className="offer-text">
        <p className="offer-title">
          <bdi>{nameOf(offer.offeredBy)}</bdi> wants to transfer this chat to{' '}
          <OfferRecipient offer={offer} nameOf={nameOf} />
          {offer.toTeam ? '; the first to accept gets it.' : '.'}
        </p>
        <OfferNote offer={offer} />
      </div>
      <div className="offer-actions">
        <label className="field inline" htmlFor={reasonId}>
          <span>Reason (optional)</span>
        </label>
        <input
          id={reasonId}
          className="reason"
          value={reason}
          maxLength={1000}
          onChange={(e) => dispatch(rejectReasonChanged({ sessionId: session.id, reason: e.target.value }))}
        />
        <OfferButtons session={session} offer={offer} />
      </div>
      <ErrorNote text={error} />
    </div>
  );
}

export function WaitingBar({ session, me }: { session: SessionSummary; me: AgentInfo }) {
  const dispatch = useAppDispatch();
  const nameOf = useAppSelector(selectAgentNames);
  const manager = useAppSelector(selectIsManager);
  const where = `waiting:${session.id}`;
  const busy = useAppSelector((s) => selectBusy(s, where));
  const error = useAppSelector((s) => selectError(s, where));
  const offer = session.pendingTransfer;
  if (!offer) return null;
  const canCancel = offer.offeredBy === me.id || manager;
  return (
    <div className="waiting-bar">
      <span className="spinner" aria-hidden="true" />
      <p>
        Waiting for <bdi>{offerTargetName(offer, nameOf)}</bdi> to accept the transfer
      </p>
      {canCancel ? (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => dispatch(cancelTransferClicked({ sessionId: session.id, transferId: offer.id }))}
        >
          Cancel transfer
        </button>
      ) : null}
      <ErrorNote text={error} />
    </div>
  );
}

function TypingLine({ sessionId }: { sessionId: string }) {
  const typing = useAppSelector((s) => selectTyping(s, sessionId));
  return (
    <div className="typing" aria-live="polite">
      {typing ? (
        <>
          <bdi>{typing.name}</bdi> is typing…
        </>
      ) : (
        ''
      )}
    </div>
  );
}

function Footer({ session, me }: { session: SessionSummary; me: AgentInfo }) {
  const dispatch = useAppDispatch();
  const role = roleIn(session, me.id);
  const pending = session.pendingTransfer;
  const iOffered = !!pending && (pending.offeredBy === me.id || pending.fromId === me.id);
  if (session.state === 'closed') {
    return (
      <div className="mode-bar closed-bar">
        <p>This chat is closed. It stays readable in History.</p>
        <button type="button" className="secondary" onClick={() => dispatch(closeWindowClicked(session.id))}>
          Close window
        </button>
      </div>
    );
  }
  if (role === 'offered') return <OfferBar session={session} />;
  return (
    <>
      {iOffered ? <WaitingBar session={session} me={me} /> : null}
      {role === 'owner' ? <Composer session={session} /> : null}
      {role === 'listener' ? (
        <>
          <div className="mode-bar listening-bar">
            <p>You are listening to this chat. You cannot write.</p>
            <button type="button" className="secondary" onClick={() => dispatch(closeWindowClicked(session.id))}>
              Close window
            </button>
          </div>
          {/* the customer composer stays closed; notes reach the owner (and the chat's other agents) only */}
          <Composer session={session} notesOnly />
        </>
      ) : null}
      {role === 'none' && !iOffered ? (
        <div className="mode-bar">
          <p>You are not in this chat.</p>
        </div>
      ) : null}
    </>
  );
}

export function ChatPanel() {
  const selectedId = useAppSelector(selectSelectedId);
  const session = useAppSelector((s) => selectSessionById(s, selectedId));
  const me = useAppSelector(selectMe);
  const nameOf = useAppSelector(selectAgentNames);
  const chatError = useAppSelector((s) => selectError(s, `chat:${selectedId ?? ''}`));
  const anyChats = useAppSelector(selectMySessions).length > 0;
  if (!session || !me) {
    return (
      <section className="chat chat-empty" aria-label="Conversation">
        <div className="empty-state">
          <div className="empty-mark" aria-hidden="true">
            ✉
          </div>
          {/* with nothing in the list, pointing at it would send the agent looking for what is not there */}
          <p>{anyChats ? 'Select a chat from the list to see the conversation.' : 'No chats yet. When a customer writes, the chat appears in the list.'}</p>
        </div>
      </section>
    );
  }
  const role = roleIn(session, me.id);
  const owner = session.ownerId ? nameOf(session.ownerId) : null;
  const subtitle: LinePart[] =
    session.state === 'closed'
      ? ['Closed']
      : role === 'listener'
        ? owner
          ? ['Listening · ', { user: owner }, ' owns this chat']
          : ['Listening · no owner owns this chat']
        : role === 'offered'
          ? ['Offered to you by ', { user: nameOf(session.pendingTransfer?.offeredBy) }]
          : owner
            ? ['Owner: ', { user: owner }]
            : ['Waiting for an agent'];
  return (
    <section
      aria-label={`Conversation with ${session.customerName}`}
      className={`chat ${session.pendingTransfer ? 'has-pending' : ''} ${session.state === 'closed' ? 'is-closed' : ''}`}
    >
      <div className="chat-header">
        <span className="avatar customer-avatar large" aria-hidden="true">
          {initials(session.customerName)}
        </span>
        <div className="chat-title">
          <h2>
            <bdi>{session.customerName}</bdi>
          </h2>
          <p className="subtitle">
            <LineParts parts={subtitle} />
          </p>
        </div>
        <ChatMenu session={session} me={me} />
      </div>
      <ErrorNote text={chatError} className="chat-error" />
      <Transcript sessionId={session.id} label={`Messages with ${session.customerName}`} />
      <TypingLine sessionId={session.id} />
      <Footer session={session} me={me} />
    </section>
  );
}
