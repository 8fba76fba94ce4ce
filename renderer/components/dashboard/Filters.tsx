// The Dashboard's filters: by team (or no team) and by the state of a chat, and how live chats are sorted.
import { useId } from 'react';
import { type DashboardFilters, dashboardFilterChanged } from '../../store/actions';
import { selectDashboardFilters } from '../../store/dashboard';
import { useAppDispatch, useAppSelector } from '../../store/hooks';
import { selectTeams } from '../../store/teams';

const states: Array<[DashboardFilters['state'], string]> = [
  ['all', 'All chats'],
  ['queued', 'Waiting in a queue'],
  ['active', 'Active'],
  ['transfer', 'Transfer pending'],
];

export function DashboardFilterBar() {
  const dispatch = useAppDispatch();
  const filters = useAppSelector(selectDashboardFilters);
  const teams = useAppSelector(selectTeams);
  const teamId = useId();
  const stateId = useId();
  const sortId = useId();
  return (
    <div role="group" aria-label="Filters" className="filter-bar">
      <label htmlFor={teamId}>Team</label>
      <select id={teamId} value={filters.team} onChange={(e) => dispatch(dashboardFilterChanged({ team: e.target.value }))}>
        <option value="all">All teams</option>
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
        <option value="">No team</option>
      </select>
      <label htmlFor={stateId}>State</label>
      <select
        id={stateId}
        value={filters.state}
        onChange={(e) => dispatch(dashboardFilterChanged({ state: e.target.value as DashboardFilters['state'] }))}
      >
        {states.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <label htmlFor={sortId}>Sort chats by</label>
      <select
        id={sortId}
        value={filters.sort}
        onChange={(e) => dispatch(dashboardFilterChanged({ sort: e.target.value as DashboardFilters['sort'] }))}
      >
        <option value="waiting">Waiting time, longest first</option>
        <option value="newest">Newest first</option>
      </select>
    </div>
  );
}
