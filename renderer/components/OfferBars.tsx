// Transfers offered to me, shown wherever I am (Dashboard, History, Requests, Settings, another chat): a bar under
// the header with Accept transfer / Reject transfer, so an offer never waits unseen behind another tab.
import type { SessionSummary } from '../../common/domain';
import { offerEndedDismissed, sessionOpened } from '../store/actions';
import { selectSelectedId } from '../store/chat';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectEndedOffers } from '../store/notices';
import { selectAgentNames } from '../store/presence';
import { selectOffersToMe } from '../store/sessions';
import { selectError, selectTab } from '../store/ui';
import { ErrorNote } from './Dialog';
import { LineParts } from './LineParts';
import { OfferButtons, OfferNote, OfferRecipient } from './OfferAnswer';

function OfferBarItem({ session }: { session: SessionSummary }) {
  const dispatch = useAppDispatch();
  const nameOf = useAppSelector(selectAgentNames);
  const error = useAppSelector((s) => selectError(s, `offer:${session.id}`));
  const offer = session.pendingTransfer;
  if (!offer) return null;
  const from = nameOf(offer.offeredBy);
  return (
    <div className="offer-toast" role="group" aria-label={`Transfer from ${from}: chat with ${session.customerName}`}>
      <span className="state-icon" aria-hidden="true">
        ⇄
      </span>
      <div className="offer-toast-text">
        <p className="offer-title">
          <bdi>{from}</bdi> wants to transfer the chat with <bdi>{session.customerName}</bdi> to{' '}
          <OfferRecipient offer={offer} nameOf={nameOf} />
          .
        </p>
        <OfferNote offer={offer} />
        <ErrorNote text={error} />
      </div>
      <div className="offer-actions">
        <button type="button" className="ghost" onClick={() => dispatch(sessionOpened(session.id))}>
          Open chat
        </button>
        <OfferButtons session={session} offer={offer} openAfter />
      </div>
    </div>
  );
}

/** An offer to me ended before I answered it: said once, until dismissed, wherever I am. */
function EndedOffers() {
  const dispatch = useAppDispatch();
  const ended = useAppSelector(selectEndedOffers);
  if (!ended.length) return null;
  return (
    <section className="offer-toasts" aria-label="Transfers that ended">
      {ended.map((notice) => (
        <div key={notice.transferId} className="offer-toast ended">
          <span className="state-icon" aria-hidden="true">
            ⇄
          </span>
          <p className="offer-toast-text">
            <LineParts parts={notice.parts} />
          </p>
          <button type="button" className="ghost" onClick={() => dispatch(offerEndedDismissed(notice.transferId))}>
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}

export function OfferBars() {
  const offers = useAppSelector(selectOffersToMe);
  const tab = useAppSelector(selectTab);
  const selectedId = useAppSelector(selectSelectedId);
  // the chat panel already shows the offer it has open, with its own Accept/Reject and a reason field
  const elsewhere = offers.filter((s) => !(tab === 'chats' && s.id === selectedId));
  // the live region stays mounted (empty when nothing waits), so a new offer is announced when it appears
  return (
    <div className="offer-live" aria-live="polite">
      <EndedOffers />
      {elsewhere.length > 0 ? (
        <section className="offer-toasts" aria-label="Transfers offered to you">
          {elsewhere.map((session) => (
            <OfferBarItem key={session.id} session={session} />
          ))}
        </section>
      ) : null}
    </div>
  );
}
