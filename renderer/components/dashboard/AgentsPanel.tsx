// The agents panel: each agent's status, open chats against capacity, teams and time in status, live.
import { useId } from 'react';
import type { AgentInfo } from '../../../common/domain';
import { formatDuration, initials } from '../../lib/format';
import { selectAgentsPanel } from '../../store/dashboard';
import { useAppSelector } from '../../store/hooks';
import { selectTeamNames } from '../../store/teams';

export const statusWords = (agent: Pick<AgentInfo, 'status' | 'idle'>): string =>
  agent.status === 'away' && agent.idle ? 'Away (idle)' : { present: 'Present', busy: 'Busy', away: 'Away', offline: 'Offline' }[agent.status];

export function AgentsPanel({ now }: { now: number }) {
  const agents = useAppSelector(selectAgentsPanel);
  const teamName = useAppSelector(selectTeamNames);
  const agentsTitle = useId();
  return (
    <div className="panel">
      <h3 id={agentsTitle}>Agents</h3>
      <table aria-labelledby={agentsTitle} className="agents-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Chats
            </th>
            <th scope="col">Teams</th>
            <th scope="col" className="num">
              In status
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr key={agent.id} data-agent={agent.id}>
              <th scope="row">
                <span className="agent-cell">
                  <span className={`avatar small status-${agent.status}`} aria-hidden="true">
                    {initials(agent.name)}
                  </span>
                  <bdi>{agent.name}</bdi>
                  {agent.role === 'manager' ? <span className="tag">Manager</span> : null}
                </span>
              </th>
              <td>
                <span className={`status-word status-${agent.status}`}>{statusWords(agent)}</span>
              </td>
              <td className="num">
                {agent.openChats}
                {agent.capacity ? ` / ${agent.capacity}` : ''}
              </td>
              <td>
                {(agent.teams ?? []).length
                  ? (agent.teams ?? []).map((t, i) => (
                      <span key={t}>
                        {i ? ', ' : ''}
                        <bdi>{teamName(t)}</bdi>
                      </span>
                    ))
                  : '—'}
              </td>
              <td className="num">{agent.statusSince ? formatDuration(now - agent.statusSince) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {agents.length === 0 ? <p className="empty">Nobody in this team.</p> : null}
    </div>
  );
}
