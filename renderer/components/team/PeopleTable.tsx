// Everyone with an account: role, status, teams and capacity, with the manager's actions on each.
import { useId } from 'react';
import type { AgentInfo } from '../../../common/domain';
import { initials } from '../../lib/format';
import { adminSubmitted } from '../../store/actions';
import { teamDialogOpened } from '../../store/admin';
import { useAppDispatch, useAppSelector } from '../../store/hooks';
import { selectAgents } from '../../store/presence';
import { selectMe } from '../../store/session';
import { selectTeamNames } from '../../store/teams';
import { selectError } from '../../store/ui';
import { statusWords } from '../dashboard/AgentsPanel';
import { ErrorNote } from '../Dialog';

export const roleWords = (a: Pick<AgentInfo, 'role' | 'canListenIn'>) =>
  a.role === 'manager' ? 'Manager' : a.canListenIn ? 'Agent, can listen in' : 'Agent';

export function PeopleTable() {
  const dispatch = useAppDispatch();
  const people = useAppSelector(selectAgents);
  const me = useAppSelector(selectMe);
  const teamName = useAppSelector(selectTeamNames);
  const error = useAppSelector((s) => selectError(s, 'people'));
  const peopleTitle = useId();
  const setDisabled = (person: AgentInfo, disabled: boolean) =>
    dispatch(adminSubmitted({ where: 'people', commands: [{ type: 'user-set-disabled', user: person.id, disabled }] }));
  return (
    <div className="panel wide">
      <div className="panel-head">
        <h3 id={peopleTitle}>People</h3>
        <div className="panel-actions">
          <button type="button" className="primary small" onClick={() => dispatch(teamDialogOpened({ kind: 'add-person' }))}>
            Add person
          </button>
        </div>
      </div>
      <ErrorNote text={error} />
      <table aria-labelledby={peopleTitle} className="people-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Teams</th>
            <th scope="col" className="num">
              Capacity
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {people.map((person) => {
            const self = person.id === me?.id;
            return (
              <tr key={person.id} className={person.disabled ? 'disabled' : ''}>
                <th scope="row">
                  <span className="agent-cell">
                    <span className={`avatar small status-${person.status}`} aria-hidden="true">
                      {initials(person.name)}
                    </span>
                    <span>
                      <bdi>{person.name}</bdi>
                      <span className="hint"> {person.id}</span>
                    </span>
                  </span>
                </th>
                <td>{roleWords(person)}</td>
                <td>{person.disabled ? <span className="tag warn">Disabled</span> : statusWords(person)}</td>
                <td>
                  {(person.teams ?? []).length
                    ? (person.teams ?? []).map((t, i) => (
                        <span key={t}>
                          {i ? ', ' : ''}
                          <bdi>{teamName(t)}</bdi>
                        </span>
                      ))
                    : '—'}
                </td>
                <td className="num">{person.capacity ?? '—'}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="secondary small"
                    aria-label={`Edit ${person.name}`}
                    onClick={() => dispatch(teamDialogOpened({ kind: 'edit', user: person.id }))}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    aria-label={`Set a password for ${person.name}`}
                    onClick={() => dispatch(teamDialogOpened({ kind: 'password', user: person.id }))}
                  >
                    Password
                  </button>
                  {self ? null : (
                    <>
                      <button
                        type="button"
                        className="secondary small"
                        aria-label={`${person.disabled ? 'Enable' : 'Disable'} ${person.name}`}
                        onClick={() => setDisabled(person, !person.disabled)}
                      >
                        {person.disabled ? 'Enable' : 'Disable'}
                      </button>
                      <button
                        type="button"
                        className="ghost small danger"
                        aria-label={`Remove ${person.name}`}
                        onClick={() => dispatch(teamDialogOpened({ kind: 'remove-person', user: person.id }))}
                      >
                        Remove
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
