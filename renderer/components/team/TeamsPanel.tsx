// The teams of the relay: each with its members, a way to add one, and (confirmed in a dialog) to remove one.
import { type FormEvent, useId, useState } from 'react';
import { TeamIdSchema } from '../../../common/domain';
import { adminSubmitted } from '../../store/actions';
import { teamDialogOpened } from '../../store/admin';
import { useAppDispatch, useAppSelector } from '../../store/hooks';
import { selectAgents } from '../../store/presence';
import { selectTeams } from '../../store/teams';
import { selectBusy, selectError } from '../../store/ui';
import { ErrorNote } from '../Dialog';

/** A team id from its name: "Billing & Refunds" → "billing-refunds". */
export const teamIdFrom = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32);

export function TeamsPanel() {
  const dispatch = useAppDispatch();
  const teams = useAppSelector(selectTeams);
  const agents = useAppSelector(selectAgents);
  const busy = useAppSelector((s) => selectBusy(s, 'teamAdd'));
  const error = useAppSelector((s) => selectError(s, 'teamAdd'));
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const nameId = useId();
  const teamsTitle = useId();
  const add = (event: FormEvent) => {
    event.preventDefault();
    const id = teamIdFrom(name);
    if (!name.trim() || !TeamIdSchema.safeParse(id).success) {
      setProblem('Give the team a name that starts with a letter.');
      return;
    }
    setProblem(null);
    dispatch(adminSubmitted({ where: 'teamAdd', commands: [{ type: 'team-add', team: id, name: name.trim() }] }));
    setName('');
  };
  return (
    <div className="panel">
      <h3 id={teamsTitle}>Teams</h3>
      <ul aria-labelledby={teamsTitle} className="team-list">
        {teams.map((team) => {
          const members = agents.filter((a) => (a.teams ?? []).includes(team.id));
          return (
            <li key={team.id}>
              <span className="team-name">
                <bdi>{team.name}</bdi>
              </span>
              <span className="hint">
                {members.length === 0 ? 'No members' : members.length === 1 ? '1 member' : `${members.length} members`}
              </span>
              <button
                type="button"
                className="ghost small"
                aria-label={`Remove team ${team.name}`}
                onClick={() => dispatch(teamDialogOpened({ kind: 'remove-team', team: team.id }))}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      {teams.length === 0 ? <p className="empty">No teams yet. Chats then go to any Present agent.</p> : null}
      <form className="inline-form" onSubmit={add}>
        <label htmlFor={nameId}>New team</label>
        <input id={nameId} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="secondary" disabled={busy} aria-busy={busy}>
          Add team
        </button>
      </form>
      <ErrorNote text={problem ?? error} />
    </div>
  );
}
