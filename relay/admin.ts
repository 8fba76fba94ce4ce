// The administration commands of the wire protocol (the Team view): managers only, each one rule of relay/directory.ts.
import { ok, type Result } from '../common/result';
import { type AdminCommand as ProtocolAdminCommand, AdminCommandSchema, type AgentCommand } from '../common/protocol';
import { hashPasswordAsync } from './auth';
import { refuse } from './core/model';
import { Directory } from './directory';
import type { Account, DirectoryStore } from './ports';

const adminTypes: ReadonlySet<string> = new Set(AdminCommandSchema.options.map((option) => option.shape.type.value));

/** A command of the protocol's administration group, with its id. */
export type AdminCommand = Extract<AgentCommand, { type: ProtocolAdminCommand['type'] }>;

export function isAdminCommand(command: AgentCommand): command is AdminCommand {
  return adminTypes.has(command.type);
}

/** Runs one administration command for `actor`; the caller tells every node that the directory changed. */
export async function runAdminCommand(store: DirectoryStore, actor: Account, command: AdminCommand): Promise<Result<undefined>> {
  if (actor.role !== 'manager') return refuse('not-manager');
  const directory = new Directory(store);
  switch (command.type) {
    case 'user-add': {
      const added = await directory.addUser({
        id: command.user,
        name: command.name ?? command.user,
        role: command.role,
        canListenIn: command.canListenIn,
        passwordHash: await hashPasswordAsync(command.password),
      });
      return added.ok ? ok(undefined) : added;
    }
    case 'user-remove':
      return directory.removeUser(actor.id, command.user);
    case 'user-set-disabled':
      return directory.setDisabled(actor.id, command.user, command.disabled);
    case 'user-set-password':
      return directory.setPassword(command.user, await hashPasswordAsync(command.password));
    case 'user-set-role':
      return directory.setRole(command.user, command.role, command.canListenIn);
    case 'user-set-teams':
      return directory.setTeams(command.user, command.teams);
    case 'user-set-capacity':
      return directory.setCapacity(command.user, command.capacity);
    case 'team-add':
      return directory.addTeam({ id: command.team, name: command.name });
    case 'team-remove':
      return directory.removeTeam(command.team);
  }
}
