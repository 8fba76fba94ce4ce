// The answer to a transfer offered to me, one component wherever the offer shows (below the chat, or in the bar
// on another view): the note, and Accept transfer / Reject transfer with the reason typed so far.
import type { SessionSummary, TransferOffer } from '../../common/domain';
import { acceptClicked, rejectClicked } from '../store/actions';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectRejectReason } from '../store/transfers';
import { selectBusy } from '../store/ui';

/** Whom an offer is for, as the offer's sentence ends: "you" or "your team Billing", and "on behalf of" the owner. */
export function OfferRecipient({ offer, nameOf }: { offer: TransferOffer; nameOf: (id: string) => string }) {
  return (
    <>
      {offer.toTeam ? (
        <>
          your team <bdi>{offer.toTeam.name}</bdi>
        </>
      ) : (
        'you'
      )}
      {offer.offeredBy !== offer.fromId ? (
        <>
          {' '}
          on behalf of <bdi>{nameOf(offer.fromId)}</bdi>
        </>
      ) : null}
    </>
  );
}

export function OfferNote({ offer }: { offer: TransferOffer }) {
  if (!offer.note) return null;
  return (
    <p className="offer-note">
      Note: <bdi>{offer.note}</bdi>
    </p>
  );
}

/** `openAfter`: the chat opens once accepted (the bar on another view) */
export function OfferButtons({ session, offer, openAfter = false }: { session: SessionSummary; offer: TransferOffer; openAfter?: boolean }) {
  const dispatch = useAppDispatch();
  const reason = useAppSelector((s) => selectRejectReason(s, session.id)).trim();
  const busy = useAppSelector((s) => selectBusy(s, `offer:${session.id}`));
  return (
    <>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => dispatch(acceptClicked({ sessionId: session.id, transferId: offer.id, ...(openAfter ? { openAfter } : {}) }))}
      >
        Accept transfer
      </button>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={() => dispatch(rejectClicked({ sessionId: session.id, transferId: offer.id, ...(reason ? { reason } : {}) }))}
      >
        Reject transfer
      </button>
    </>
  );
}
