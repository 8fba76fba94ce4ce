// Transfers offered to me, shown wherever I am (Dashboard, History, Requests, Settings, another chat): a bar under
// the header with Accept transfer / Reject transfer, so an offer never waits unseen behind another tab.
import type { SessionSummary } from '../../common/domain';
import { sessionOpened } from '../store/actions';
import { selectSelectedId } from '../store/chat';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectAgentNames } from '../store/presence';
import { selectOffersToMe } from '../store/sessions';
import { selectError, selectTab } from '../store/ui';
import { ErrorNote } from './Dialog';
import { OfferButtons, OfferNote } from './OfferAnswer';

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
          {offer.toTeam ? (
            <>
              your team <bdi>{offer.toTeam.name}</bdi>.
            </>
          ) : (
            'you.'
          )}
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

export function OfferBars() {
  const offers = useAppSelector(selectOffersToMe);
  const tab = useAppSelector(selectTab);
  const selectedId = useAppSelector(selectSelectedId);
  // the chat panel already shows the offer it has open, with its own Accept/Reject and a reason field
  const elsewhere = offers.filter((s) => !(tab === 'chats' && s.id === selectedId));
  // the live region stays mounted (empty when nothing waits), so a new offer is announced when it appears
  return (
    <div className="offer-live" aria-live="polite">
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
