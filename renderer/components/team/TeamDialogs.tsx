// The Team view's dialogs: add a person, edit one (role, Can listen in, teams, capacity), set a password, and the
// confirmations before removing a person or a team. Each sends its change as relay commands and closes once they
// are all accepted; a refusal stays in the dialog as a sentence.
import { type FormEvent, useId, useState } from 'react';
import type { AgentInfo, AgentRole } from '../../../common/domain';
import type { AdminCommand } from '../../../common/protocol';
import { adminSubmitted } from '../../store/actions';
import { selectTeamDialog, TEAM_DIALOG, teamDialogClosed } from '../../store/admin';
import { useAppDispatch, useAppSelector } from '../../store/hooks';
import { selectAgentById } from '../../store/presence';
import { selectTeams } from '../../store/teams';
import { selectBusy, selectError } from '../../store/ui';
import { Dialog, ErrorNote } from '../Dialog';

const capacityChoices = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20];

function useDialogState() {
  const dispatch = useAppDispatch();
  const busy = useAppSelector((s) => selectBusy(s, TEAM_DIALOG));
  const error = useAppSelector((s) => selectError(s, TEAM_DIALOG));
  return {
    busy,
    error,
    close: () => dispatch(teamDialogClosed()),
    send: (commands: AdminCommand[]) => dispatch(adminSubmitted({ where: TEAM_DIALOG, commands })),
  };
}

function Actions({ busy, close, label, danger }: { busy: boolean; close: () => void; label: string; danger?: boolean }) {
  return (
    <div className="dialog-actions">
      <button type="button" className="secondary" onClick={close}>
        Cancel
      </button>
      <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy} aria-busy={busy}>
        {label}
      </button>
    </div>
  );
}

function TeamChecks({ chosen, onChange }: { chosen: string[]; onChange: (teams: string[]) => void }) {
  const teams = useAppSelector(selectTeams);
  if (!teams.length) return <p className="hint">There are no teams yet; add one in the Teams panel.</p>;
  return (
    <fieldset className="checks">
      <legend>Teams</legend>
      {teams.map((team) => (
        <label key={team.id} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(team.id)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, team.id].sort() : chosen.filter((t) => t !== team.id))}
          />
          <bdi>{team.name}</bdi>
        </label>
      ))}
    </fieldset>
  );
}

function RoleFields(props: { role: AgentRole; canListenIn: boolean; onRole: (r: AgentRole) => void; onListen: (on: boolean) => void }) {
  const roleId = useId();
  return (
    <>
      <label className="field" htmlFor={roleId}>
        <span>Role</span>
      </label>
      <select id={roleId} value={props.role} onChange={(e) => props.onRole(e.target.value === 'manager' ? 'manager' : 'agent')}>
        <option value="agent">Agent</option>
        <option value="manager">Manager</option>
      </select>
      <label className="check">
        <input type="checkbox" checked={props.role === 'manager' || props.canListenIn} disabled={props.role === 'manager'} onChange={(e) => props.onListen(e.target.checked)} />
        <span>Can listen in (sees the Dashboard){props.role === 'manager' ? ' — managers always can' : ''}</span>
      </label>
    </>
  );
}

function EditPerson({ person }: { person: AgentInfo }) {
  const { busy, error, close, send } = useDialogState();
  const [role, setRole] = useState<AgentRole>(person.role);
  const [canListenIn, setCanListenIn] = useState(person.canListenIn);
  const [teams, setTeams] = useState<string[]>(person.teams ?? []);
  const [capacity, setCapacity] = useState<string>('same');
  const capacityId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const commands: AdminCommand[] = [];
    if (role !== person.role || canListenIn !== person.canListenIn) commands.push({ type: 'user-set-role', user: person.id, role, canListenIn });
    if (teams.join() !== (person.teams ?? []).join()) commands.push({ type: 'user-set-teams', user: person.id, teams });
    if (capacity !== 'same') commands.push({ type: 'user-set-capacity', user: person.id, capacity: capacity === 'default' ? null : Number(capacity) });
    if (commands.length) send(commands);
    else close();
  };
  return (
    <Dialog title={`Edit ${person.name}`} onClose={close}>
      <form className="stack" onSubmit={submit}>
        <RoleFields role={role} canListenIn={canListenIn} onRole={setRole} onListen={setCanListenIn} />
        <TeamChecks chosen={teams} onChange={setTeams} />
        <label className="field" htmlFor={capacityId}>
          <span>Capacity (open chats before routing passes them by)</span>
        </label>
        <select id={capacityId} value={capacity} onChange={(e) => setCapacity(e.target.value)} data-autofocus>
          <option value="same">Keep {person.capacity ?? 'as it is'}</option>
          <option value="default">The relay’s default</option>
          {capacityChoices.map((n) => (
            <option key={n} value={String(n)}>
              {n === 1 ? '1 chat' : `${n} chats`}
            </option>
          ))}
        </select>
        <ErrorNote text={error} />
        <Actions busy={busy} close={close} label="Save" />
      </form>
    </Dialog>
  );
}

function AddPerson() {
  const { busy, error, close, send } = useDialogState();
  const [user, setUser] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<AgentRole>('agent');
  const [canListenIn, setCanListenIn] = useState(false);
  const [teams, setTeams] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { user: useId(), name: useId(), password: useId() };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = user.trim().toLowerCase();
    if (!/^[a-z][a-z0-9._-]{0,31}$/.test(id)) return setProblem('A user name is 1-32 lower-case letters, digits, ".", "_" or "-", starting with a letter.');
    if (password.length < 4) return setProblem('A password has at least 4 characters.');
    setProblem(null);
    const commands: AdminCommand[] = [{ type: 'user-add', user: id, name: name.trim() || id, role, canListenIn, password }];
    if (teams.length) commands.push({ type: 'user-set-teams', user: id, teams });
    send(commands);
  };
  return (
    <Dialog title="Add person" onClose={close}>
      <form className="stack" onSubmit={submit}>
        <label className="field" htmlFor={ids.user}>
          <span>User name</span>
        </label>
        <input id={ids.user} value={user} maxLength={32} autoComplete="off" onChange={(e) => setUser(e.target.value)} data-autofocus />
        <label className="field" htmlFor={ids.name}>
          <span>Display name</span>
        </label>
        <input id={ids.name} value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
        <label className="field" htmlFor={ids.password}>
          <span>Password</span>
        </label>
        <input id={ids.password} type="password" value={password} maxLength={256} autoComplete="new-password" onChange={(e) => setPassword(e.target.value)} />
        <RoleFields role={role} canListenIn={canListenIn} onRole={setRole} onListen={setCanListenIn} />
        <TeamChecks chosen={teams} onChange={setTeams} />
        <ErrorNote text={problem ?? error} />
        <Actions busy={busy} close={close} label="Add person" />
      </form>
    </Dialog>
  );
}

function SetPassword({ person }: { person: AgentInfo }) {
  const { busy, error, close, send } = useDialogState();
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password.length < 4) return setProblem('A password has at least 4 characters.');
    setProblem(null);
    send([{ type: 'user-set-password', user: person.id, password }]);
  };
  return (
    <Dialog title={`Set a password for ${person.name}`} onClose={close}>
      <form className="stack" onSubmit={submit}>
        <label className="field" htmlFor={id}>
          <span>New password</span>
        </label>
        <input id={id} type="password" value={password} maxLength={256} autoComplete="new-password" onChange={(e) => setPassword(e.target.value)} data-autofocus />
        <p className="hint">Their connections stay open; the new password is needed at their next sign-in.</p>
        <ErrorNote text={problem ?? error} />
        <Actions busy={busy} close={close} label="Set password" />
      </form>
    </Dialog>
  );
}

function Confirm({ title, lead, label, commands }: { title: string; lead: string; label: string; commands: AdminCommand[] }) {
  const { busy, error, close, send } = useDialogState();
  return (
    <Dialog title={title} onClose={close}>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          send(commands);
        }}
      >
        <p className="dialog-lead">{lead}</p>
        <ErrorNote text={error} />
        <Actions busy={busy} close={close} label={label} danger />
      </form>
    </Dialog>
  );
}

export function TeamDialogs() {
  const dialog = useAppSelector(selectTeamDialog);
  const person = useAppSelector((s) => (dialog && 'user' in dialog ? selectAgentById(s, dialog.user) : undefined));
  const team = useAppSelector((s) => (dialog?.kind === 'remove-team' ? s.teams.list.find((t) => t.id === dialog.team) : undefined));
  if (!dialog) return null;
  if (dialog.kind === 'add-person') return <AddPerson />;
  if (dialog.kind === 'remove-team') {
    if (!team) return null;
    return (
      <Confirm
        title={`Remove the team ${team.name}?`}
        lead="Its members leave it. Chats waiting in its queue go to any Present agent."
        label="Remove team"
        commands={[{ type: 'team-remove', team: team.id }]}
      />
    );
  }
  if (!person) return null;
  if (dialog.kind === 'edit') return <EditPerson key={person.id} person={person} />;
  if (dialog.kind === 'password') return <SetPassword key={person.id} person={person} />;
  return (
    <Confirm
      title={`Remove ${person.name}?`}
      lead="They are signed out at once and can no longer sign in. Chats they own stay with them until a manager takes them over."
      label="Remove"
      commands={[{ type: 'user-remove', user: person.id }]}
    />
  );
}
