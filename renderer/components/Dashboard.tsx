// The Dashboard tab: every live chat with its owner, waiting time and transfer state; open one to listen in.
import { type KeyboardEvent, useId } from 'react';
import { formatDuration } from '../lib/format';
import { listenRequested, takeOverClicked } from '../store/actions';
import { useAppDispatch, useAppSelector, useNow } from '../store/hooks';
import { selectAgentNames } from '../store/presence';
import { selectIsManager, selectMe } from '../store/session';
import { selectRatingFigures } from '../store/dashboard';
import { selectLiveSessions } from '../store/sessions';
import { selectError } from '../store/ui';
import { ErrorNote } from './Dialog';

export function Dashboard() {
  const titleId = useId();
  const dispatch = useAppDispatch();
  const sessions = useAppSelector(selectLiveSessions);
  const nameOf = useAppSelector(selectAgentNames);
  const manager = useAppSelector(selectIsManager);
  const me = useAppSelector(selectMe);
  const error = useAppSelector((s) => selectError(s, 'dashboard'));
  const ratings = useAppSelector(selectRatingFigures);
  const now = useNow(1000);
  const open = (id: string) => dispatch(listenRequested(id));
  return (
    <section className="page" aria-labelledby={titleId}>
      <div className="page-head">
        <h2 id={titleId}>Dashboard</h2>
        <p className="subtitle">Double-click a chat or press Enter to listen in.</p>
      </div>
      {ratings ? (
        <p className="figures" role="status" aria-label="Customer satisfaction">
          {ratings.average === null
            ? `No chats rated in the last ${ratings.days} days.`
            : `Customer satisfaction: ${ratings.average.toFixed(1)} out of 5 from ${ratings.count} ${ratings.count === 1 ? 'rating' : 'ratings'} in the last ${ratings.days} days.`}
        </p>
      ) : null}
      <ErrorNote text={error} />
      <div className="table-wrap">
        <table aria-label="Live chats" className="live-table">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Owner</th>
              <th scope="col">Waiting</th>
              <th scope="col">Transfer</th>
              {manager ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => {
              const waiting = session.waitingSince === null ? null : now - session.waitingSince;
              return (
                <tr
                  key={session.id}
                  tabIndex={0}
                  className={`${session.pendingTransfer ? 'pending' : ''} ${waiting !== null && waiting > 120_000 ? 'late' : ''}`}
                  onDoubleClick={() => open(session.id)}
                  onKeyDown={(event: KeyboardEvent) => {
                    if (event.key === 'Enter' && event.target === event.currentTarget) open(session.id);
                  }}
                >
                  <td>
                    <bdi>{session.customerName}</bdi>
                  </td>
                  <td>{session.ownerId ? <bdi>{nameOf(session.ownerId)}</bdi> : 'Queued'}</td>
                  <td className="num">{waiting === null ? '—' : formatDuration(waiting)}</td>
                  <td>
                    {session.pendingTransfer ? (
                      <>
                        To <bdi>{nameOf(session.pendingTransfer.toId)}</bdi>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  {manager ? (
                    <td className="actions">
                      {session.ownerId !== me?.id ? (
                        <button
                          type="button"
                          className="secondary small"
                          onDoubleClick={(e) => e.stopPropagation()}
                          onKeyDown={(e) => e.stopPropagation()}
                          onClick={() => dispatch(takeOverClicked({ sessionId: session.id, where: 'dashboard' }))}
                        >
                          Take over
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
        {sessions.length === 0 ? <p className="empty">No live chats right now.</p> : null}
      </div>
    </section>
  );
}
