// Today's figures per agent and per team, as the relay computed them from its event log; refreshed on demand and
// after each chat that closes; exportable as CSV.
import { useId } from 'react';
import type { Figures } from '../../../common/metrics';
import { formatClock, formatDuration } from '../../lib/format';
import { metricsExportClicked, metricsRequested } from '../../store/actions';
import { selectDashboardFilters, selectMetrics } from '../../store/dashboard';
import { useAppDispatch, useAppSelector } from '../../store/hooks';
import { selectAgentEntities } from '../../store/presence';
import { selectBusy, selectError } from '../../store/ui';
import { ErrorNote } from '../Dialog';

const time = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

function FigureCells({ f }: { f: Figures }) {
  return (
    <>
      <td className="num">{f.chatsHandled}</td>
      <td className="num">{time(f.firstResponseMs)}</td>
      <td className="num">{time(f.handleMs)}</td>
      <td className="num">{f.transfersMade}</td>
      <td className="num">{f.transfersAccepted}</td>
      <td className="num">{f.transfersRejected}</td>
      <td className="num">{f.transfersTimedOut}</td>
    </>
  );
}

function FigureHead({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col" className="num">
          Chats handled
        </th>
        <th scope="col" className="num">
          First response
        </th>
        <th scope="col" className="num">
          Avg. handle time
        </th>
        <th scope="col" className="num">
          Transfers made
        </th>
        <th scope="col" className="num">
          Accepted
        </th>
        <th scope="col" className="num">
          Rejected
        </th>
        <th scope="col" className="num">
          Timed out
        </th>
      </tr>
    </thead>
  );
}

export function TodayFigures() {
  const dispatch = useAppDispatch();
  const metrics = useAppSelector(selectMetrics);
  const filters = useAppSelector(selectDashboardFilters);
  const agents = useAppSelector(selectAgentEntities);
  const busy = useAppSelector((s) => selectBusy(s, 'metrics'));
  const error = useAppSelector((s) => selectError(s, 'metrics'));
  const todayTitle = useId();
  const inTeam = (agentId: string) => {
    if (filters.team === 'all') return true;
    const teams = agents[agentId]?.teams ?? [];
    return filters.team === '' ? teams.length === 0 : teams.includes(filters.team);
  };
  const agentRows = (metrics?.agents ?? []).filter((a) => inTeam(a.agentId));
  const teamRows = (metrics?.teams ?? []).filter((t) => filters.team === 'all' || t.teamId === filters.team);
  return (
    <div className="panel figures">
      <div className="panel-head">
        <h3 id={todayTitle}>Today</h3>
        {metrics ? <span className="subtitle">As of {formatClock(Date.now())}</span> : null}
        <div className="panel-actions">
          <button type="button" className="secondary small" disabled={busy} aria-busy={busy} onClick={() => dispatch(metricsRequested())}>
            Refresh
          </button>
          <button type="button" className="secondary small" disabled={!metrics} onClick={() => dispatch(metricsExportClicked())}>
            Export CSV
          </button>
        </div>
      </div>
      <ErrorNote text={error} />
      <table aria-label="Today per agent" className="figures-table">
        <FigureHead first="Agent" />
        <tbody>
          {agentRows.map((a) => (
            <tr key={a.agentId}>
              <th scope="row">
                <bdi>{a.name}</bdi>
              </th>
              <FigureCells f={a} />
            </tr>
          ))}
        </tbody>
      </table>
      {teamRows.length ? (
        <table aria-label="Today per team" className="figures-table">
          <FigureHead first="Team" />
          <tbody>
            {teamRows.map((t) => (
              <tr key={t.teamId}>
                <th scope="row">
                  <bdi>{t.name}</bdi>
                </th>
                <FigureCells f={t} />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {!metrics && !error ? <p className="empty">Loading today’s figures…</p> : null}
    </div>
  );
}
