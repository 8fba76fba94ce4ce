// The banner under the header while the relay is out of reach: why, what still works offline, and when the next
// try is. In web mode, losing the local Baton host itself is said apart (then nothing works until it is back).
import { useId } from 'react';
import { LOST_HOST_REASON } from '../bridge/web';
import { selectPendingOutboxCount } from '../store/chat';
import { secondsUntil, selectConnection, selectConnectionProblem } from '../store/connection';
import { useAppSelector, useNow } from '../store/hooks';
import { selectMe } from '../store/session';

export function OfflineBanner() {
  const connection = useAppSelector(selectConnection);
  const problem = useAppSelector(selectConnectionProblem);
  const pending = useAppSelector(selectPendingOutboxCount);
  const me = useAppSelector(selectMe);
  const titleId = useId();
  const retrying = connection.status === 'offline' && connection.nextRetryAt !== null;
  const now = useNow(retrying ? 1000 : 60_000);
  const shown =
    connection.status === 'offline' || connection.status === 'version-mismatch' || (connection.status === 'connecting' && connection.attempt > 0);
  if (!me || !shown) return null;

  const lostHost = connection.status === 'offline' && connection.reason === LOST_HOST_REASON;
  const next =
    connection.status === 'version-mismatch'
      ? 'Baton will not retry until it or the relay is updated.'
      : connection.status === 'connecting'
        ? 'Trying again now…'
        : connection.nextRetryAt === null
          ? 'Baton tries again when this computer is back on a network.'
          : `Next try in ${secondsUntil(connection.nextRetryAt, now)} s.`;
  return (
    <section className="offline-banner" aria-labelledby={titleId}>
      <h2 id={titleId}>{lostHost ? 'Baton on this computer is not answering' : 'You are offline'}</h2>
      <p className="offline-why">{lostHost ? 'This page lost contact with the Baton host that serves it.' : (problem ?? 'The relay is out of reach.')}</p>
      {lostHost ? null : (
        <p className="offline-works">
          {'Your chats, History and search still work, and messages you write are kept and sent as soon as the relay answers. '}
          {pending > 0 ? `${pending === 1 ? '1 message is' : `${pending} messages are`} waiting to be sent. ` : ''}
          Transfers, status changes and new chats need the relay.
        </p>
      )}
      <p className="offline-next">{next}</p>
    </section>
  );
}
