// User and team administration: the rules both doors share (a manager's relay commands from the Team view, and the
// `relay user …` / `relay team …` CLI on the store), so the same change is refused the same way with the same sentence.
import type { AgentId, AgentRole, Team, TeamId } from '../common/domain';
import { ok, type Result } from '../common/result';
import { refuse } from './core/model';
import type { Account, DirectoryStore } from './ports';

/** Who asks: a manager's account, or null for the CLI (someone with the data folder or the database in hand). */
export type Administrator = AgentId | null;

export interface UserFields {
  id: AgentId;
  name: string;
  role: AgentRole;
  canListenIn: boolean;
  passwordHash: string;
}

export class Directory {
  constructor(private readonly store: DirectoryStore) {}

  async addUser(user: UserFields): Promise<Result<Account>> {
    if (await this.store.getAccount(user.id)) return refuse('already-exists', `There is already a user "${user.id}".`);
    await this.store.createAccount({ ...user, name: user.name.trim() || user.id });
    return ok((await this.store.getAccount(user.id))!);
  }

  async removeUser(by: Administrator, id: AgentId): Promise<Result<undefined>> {
    const found = await this.existing(id);
    if (!found.ok) return found;
    if (by === id) return refuse('forbidden', 'You cannot remove your own account.');
    const last = await this.lastManager(found.value);
    if (last) return last;
    await this.store.removeAccount(id);
    return ok(undefined);
  }

  async setDisabled(by: Administrator, id: AgentId, disabled: boolean): Promise<Result<undefined>> {
    const found = await this.existing(id);
    if (!found.ok) return found;
    if (disabled && by === id) return refuse('forbidden', 'You cannot disable your own account.');
    if (disabled) {
      const last = await this.lastManager(found.value);
      if (last) return last;
    }
    if (found.value.disabled !== disabled) await this.store.updateAccount(id, { disabled });
    return ok(undefined);
  }

  async setPassword(id: AgentId, passwordHash: string): Promise<Result<undefined>> {
    const found = await this.existing(id);
    if (!found.ok) return found;
    await this.store.updateAccount(id, { passwordHash });
    return ok(undefined);
  }

  async setRole(id: AgentId, role: AgentRole, canListenIn: boolean): Promise<Result<undefined>> {
    const found = await this.existing(id);
    if (!found.ok) return found;
    if (role !== 'manager') {
      const last = await this.lastManager(found.value);
      if (last) return last;
    }
    await this.store.updateAccount(id, { role, canListenIn });
    return ok(undefined);
  }

  async setTeams(id: AgentId, teams: readonly TeamId[]): Promise<Result<undefined>> {
    const found = await this.existing(id);
    if (!found.ok) return found;
    const known = new Set((await this.store.listTeams()).map((t) => t.id));
    const unknown = teams.find((t) => !known.has(t));
    if (unknown !== undefined) return refuse('unknown-team', `There is no team "${unknown}". Add it first.`);
    await this.store.updateAccount(id, { teams: [...new Set(teams)].sort() });
    return ok(undefined);
  }

  /** null: the relay's default capacity again */
  async setCapacity(id: AgentId, capacity: number | null): Promise<Result<undefined>> {
    const found = await this.existing(id);
    if (!found.ok) return found;
    await this.store.updateAccount(id, { capacity });
    return ok(undefined);
  }

  async addTeam(team: Team): Promise<Result<undefined>> {
    if ((await this.store.listTeams()).some((t) => t.id === team.id)) {
      return refuse('already-exists', `There is already a team "${team.id}".`);
    }
    await this.store.createTeam({ id: team.id, name: team.name.trim() });
    return ok(undefined);
  }

  async removeTeam(id: TeamId): Promise<Result<undefined>> {
    if (!(await this.store.removeTeam(id))) return refuse('unknown-team', `There is no team "${id}".`);
    return ok(undefined);
  }

  private async existing(id: AgentId): Promise<Result<Account>> {
    const account = await this.store.getAccount(id);
    return account ? ok(account) : refuse('unknown-agent', `There is no user "${id}".`);
  }

  /** Refuses to take away the last enabled manager: nobody could administer the relay from the workspace again. */
  private async lastManager(account: Account): Promise<Result<never> | null> {
    if (account.role !== 'manager' || account.disabled) return null;
    const others = (await this.store.listAccounts()).filter((a) => a.role === 'manager' && !a.disabled && a.id !== account.id);
    return others.length ? null : refuse('last-manager');
  }
}

/** What a running relay last loaded of the directory. */
export interface DirectoryView {
  accounts: ReadonlyMap<AgentId, Account>;
  teams: readonly Team[];
}

/** What a reload found changed, for the relay to act on (close, reconnect, tell everyone). */
export interface DirectoryChanges {
  removed: AgentId[];
  /** disabled since the last load */
  disabled: AgentId[];
  /** role or Can listen in changed: what they may see changed, so their connections start over */
  permissions: AgentId[];
  /** anything another agent is shown changed: new, name, role, teams, capacity, disabled */
  changed: AgentId[];
  teamsChanged: boolean;
}

export function diffDirectory(before: DirectoryView, after: DirectoryView): DirectoryChanges {
  const changes: DirectoryChanges = { removed: [], disabled: [], permissions: [], changed: [], teamsChanged: false };
  for (const id of before.accounts.keys()) if (!after.accounts.has(id)) changes.removed.push(id);
  for (const [id, now] of after.accounts) {
    const was = before.accounts.get(id);
    if (!was) {
      changes.changed.push(id);
      continue;
    }
    if (now.disabled && !was.disabled) changes.disabled.push(id);
    if (now.role !== was.role || now.canListenIn !== was.canListenIn) changes.permissions.push(id);
    if (
      now.name !== was.name ||
      now.role !== was.role ||
      now.canListenIn !== was.canListenIn ||
      now.capacity !== was.capacity ||
      now.disabled !== was.disabled ||
      now.teams.join() !== was.teams.join()
    ) {
      changes.changed.push(id);
    }
  }
  const teamKey = (teams: readonly Team[]) => teams.map((t) => `${t.id}\u0000${t.name}`).join('\u0001');
  changes.teamsChanged = teamKey(before.teams) !== teamKey(after.teams);
  return changes;
}
