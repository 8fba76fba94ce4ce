// The Dashboard tab, for team leads and those who may listen in: queues per team, the agents panel, every live chat
// (filtered and sorted; open one to listen in, managers may take over) and today's figures.
import { type KeyboardEvent, useId } from 'react';
import { offerTargetName } from '../../common/domain';
import { confirmationRequested, listenRequested } from '../store/actions';
import { selectDashboardSessions, selectRatingFigures, waitingSinceOf } from '../store/dashboard';
import { useAppDispatch, useAppSelector, useNow } from '../store/hooks';
import { selectAgentNames } from '../store/presence';
import { selectIsManager, selectMe, selectSettings } from '../store/session';
import { selectTeamNames } from '../store/teams';
import { selectError } from '../store/ui';
import { AgentsPanel } from './dashboard/AgentsPanel';
import { DashboardFilterBar } from './dashboard/Filters';
import { QueuesPanel } from './dashboard/QueuesPanel';
import { TodayFigures } from './dashboard/TodayFigures';
import { Waited } from './dashboard/Waited';
import { ErrorNote } from './Dialog';

function LiveChats({ now, targetSeconds }: { now: number; targetSeconds: number }) {
  const dispatch = useAppDispatch();
  const sessions = useAppSelector(selectDashboardSessions);
  const nameOf = useAppSelector(selectAgentNames);
  const teamName = useAppSelector(selectTeamNames);
  const manager = useAppSelector(selectIsManager);
  const me = useAppSelector(selectMe);
  const open = (id: string) => dispatch(listenRequested(id));
  const liveTitle = useId();
  return (
    <div className="panel wide">
      <h3 id={liveTitle}>Live chats</h3>
      <p className="subtitle">Double-click a chat or press Enter to listen in.</p>
      <div className="table-wrap">
        <table aria-label="Live chats" className="live-table">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Team</th>
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
              const since = waitingSinceOf(session);
              return (
                <tr
                  key={session.id}
                  tabIndex={0}
                  className={session.pendingTransfer ? 'pending' : ''}
                  onDoubleClick={() => open(session.id)}
                  onKeyDown={(event: KeyboardEvent) => {
                    if (event.key === 'Enter' && event.target === event.currentTarget) open(session.id);
                  }}
                >
                  <td>
                    <bdi>{session.customerName}</bdi>
                  </td>
                  <td>{session.team ? <bdi>{teamName(session.team)}</bdi> : '—'}</td>
                  <td>{session.ownerId ? <bdi>{nameOf(session.ownerId)}</bdi> : 'Queued'}</td>
                  <td className="num">
                    <Waited ms={since === null ? null : now - since} targetSeconds={targetSeconds} />
                  </td>
                  <td>
                    {session.pendingTransfer ? (
                      <>
                        To <bdi>{offerTargetName(session.pendingTransfer, nameOf)}</bdi>
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
                          onClick={() => dispatch(confirmationRequested({ kind: 'take-over', sessionId: session.id, where: 'dashboard' }))}
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
    </div>
  );
}

export function Dashboard() {
  const titleId = useId();
  const error = useAppSelector((s) => selectError(s, 'dashboard'));
  const target = useAppSelector(selectSettings)?.waitTargetSeconds ?? 60;
  const ratings = useAppSelector(selectRatingFigures);
  const now = useNow(1000);
  return (
    <section className="page dashboard-page" aria-labelledby={titleId}>
      <div className="page-head">
        <h2 id={titleId}>Dashboard</h2>
        <DashboardFilterBar />
      </div>
      <ErrorNote text={error} />
      {ratings ? (
        <p className="figures" role="status" aria-label="Customer satisfaction">
          {ratings.average === null
            ? `No chats rated in the last ${ratings.days} days.`
            : `Customer satisfaction: ${ratings.average.toFixed(1)} out of 5 from ${ratings.count} ${ratings.count === 1 ? 'rating' : 'ratings'} in the last ${ratings.days} days.`}
        </p>
      ) : null}
      <div className="dashboard-grid">
        <QueuesPanel now={now} targetSeconds={target} />
        <AgentsPanel now={now} />
        <LiveChats now={now} targetSeconds={target} />
        <TodayFigures />
      </div>
    </section>
  );
}
