// The Team view, for managers: people and teams, administered through relay commands only managers may call (the
// CLI's `relay user …` and `relay team …` do the same on the store). Every change reaches the agents at once.
import { useId } from 'react';
import { PeopleTable } from './PeopleTable';
import { TeamDialogs } from './TeamDialogs';
import { TeamsPanel } from './TeamsPanel';

export function TeamView() {
  const titleId = useId();
  return (
    <section className="page team-page" aria-labelledby={titleId}>
      <div className="page-head">
        <h2 id={titleId}>Team</h2>
        <p className="subtitle">People, their roles, teams and capacity. Changes take effect at once.</p>
      </div>
      <div className="team-grid">
        <PeopleTable />
        <TeamsPanel />
      </div>
      <TeamDialogs />
    </section>
  );
}
