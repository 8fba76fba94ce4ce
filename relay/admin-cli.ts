// The relay CLI's administration subcommands: `user remove|disable|enable|passwd|set-role|set-teams|set-capacity` and
// `team add|list|remove`, on the SQLite file in --data or the cluster's PostgreSQL (--postgres). The rules are
// relay/directory.ts, the same a manager's Team view goes through. A running relay notices the change without a
// restart: every write bumps the directory version its poller reads (and --redis tells a cluster's nodes at once).
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { AgentIdSchema, AgentRoleSchema, CapacitySchema, type TeamId, TeamIdSchema, TeamSchema } from '../common/domain';
import { PasswordSchema } from '../common/protocol';
import type { Result } from '../common/result';
import { hashPassword } from './auth';
import { Directory } from './directory';
import type { RelayStore } from './ports';

export const ADMIN_USAGE = `  npm run relay -- user remove|disable|enable <name> [store]
  npm run relay -- user passwd <name> [store]                 (the new password is read from stdin)
  npm run relay -- user set-role <name> --role agent|manager [--can-listen-in] [store]
  npm run relay -- user set-teams <name> [--teams billing,technical] [store]   (no --teams: in no team)
  npm run relay -- user set-capacity <name> <n>|default [store]
  npm run relay -- team add <id> --name "Billing" [store]
  npm run relay -- team list [store]
  npm run relay -- team remove <id> [store]
                   store: --data <dir> | --postgres <url> [--redis <url> [--redis-prefix <prefix>]]`;

const USER_ACTIONS = new Set(['remove', 'disable', 'enable', 'passwd', 'set-role', 'set-teams', 'set-capacity']);

/** Whether `relay <argv>` is one of these subcommands (the others stay with cli.ts). */
export function isAdminCommand(argv: readonly string[]): boolean {
  return argv[0] === 'team' || (argv[0] === 'user' && USER_ACTIONS.has(argv[1] ?? ''));
}

/** What cli.ts lends: how it reads a password, opens the store of --data / --postgres, and reports a usage error. */
export interface CliTools {
  readStdin(): Promise<string>;
  openAccounts(values: { data: string; postgres?: string }): Promise<{ store: RelayStore; close: () => Promise<void> }>;
  fail(message: string): never;
}

export async function adminCommand(argv: string[], tools: CliTools): Promise<void> {
  const fail: CliTools['fail'] = tools.fail;
  const { values, positionals } = parseArgs({
    args: argv.slice(1),
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      'can-listen-in': { type: 'boolean', default: false },
      teams: { type: 'string' },
      name: { type: 'string' },
      data: { type: 'string', default: './.baton-data/relay' },
      postgres: { type: 'string' },
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
    },
  });
  if (values.postgres && !/^postgres(ql)?:\/\//.test(values.postgres)) fail(`--postgres must start with postgres:// or postgresql://, not "${values.postgres}".`);
  if (values.redis && !values.postgres) fail('--redis tells a cluster about the change; it needs --postgres.');
  if (values.redis && !/^rediss?:\/\//.test(values.redis)) fail(`--redis must start with redis:// or rediss://, not "${values.redis}".`);
  const [action, subject, ...rest] = positionals;
  const word = <T>(schema: z.ZodType<T>, text: unknown, what: string): T => {
    if (text === undefined) fail(`${argv[0]} ${action} needs a ${what}.`);
    const parsed = schema.safeParse(text);
    if (!parsed.success) fail(`"${String(text)}" is not a valid ${what}: ${parsed.error.issues[0]?.message}.`);
    return parsed.data;
  };
  const noMore = (allowed: number) => {
    if (rest.length > allowed) fail(`unexpected argument "${rest[allowed]}".`);
  };

  const { store, close } = await tools.openAccounts(values);
  const directory = new Directory(store);
  /** a change the rules refused is said in their words, exit code 1 (a usage error is 2) */
  const done = async (result: Result<unknown>, sentence: string) => {
    if (!result.ok) throw new Error(result.error.message);
    if (values.redis) {
      const { announceDirectoryChange } = await import('./cluster/redis');
      await announceDirectoryChange(values.redis, values['redis-prefix']).catch((error: Error) =>
        process.stderr.write(`baton relay: the change is saved, but Redis did not take the announcement (${error.message}); nodes notice within a second anyway.\n`),
      );
    }
    console.log(sentence);
  };
  try {
    if (argv[0] === 'team') {
      if (action === 'list') {
        if (subject !== undefined) fail('team list takes no name.');
        const members = new Map<TeamId, string[]>();
        for (const a of await store.listAccounts()) for (const t of a.teams) members.set(t, [...(members.get(t) ?? []), a.id]);
        for (const team of await store.listTeams()) console.log(`${team.id}\t${team.name}\t${(members.get(team.id) ?? []).join(', ')}`);
        return;
      }
      if (action === 'add') {
        const id = word(TeamIdSchema, subject, 'team id');
        noMore(0);
        const name = word(TeamSchema.shape.name, values.name ?? id, 'team name');
        return await done(await directory.addTeam({ id, name }), `Added team "${id}" (${name}).`);
      }
      if (action === 'remove') {
        const id = word(TeamIdSchema, subject, 'team id');
        noMore(0);
        return await done(await directory.removeTeam(id), `Removed team "${id}"; its members are in it no more.`);
      }
      fail(`unknown team action "${action ?? ''}"; use "team add", "team list" or "team remove".`);
    }
    const user = word(AgentIdSchema, subject, 'user name');
    switch (action) {
      case 'remove':
        noMore(0);
        return await done(await directory.removeUser(null, user), `Removed "${user}"; their connections are closed.`);
      case 'disable':
      case 'enable': {
        noMore(0);
        const disabled = action === 'disable';
        const sentence = disabled ? `Disabled "${user}"; their connections are closed.` : `Enabled "${user}"; they can sign in again.`;
        return await done(await directory.setDisabled(null, user, disabled), sentence);
      }
      case 'passwd': {
        noMore(0);
        const password = PasswordSchema.safeParse(await tools.readStdin());
        if (!password.success) fail(`the password (read from stdin): ${password.error.issues[0]?.message}.`);
        return await done(await directory.setPassword(user, hashPassword(password.data)), `Changed the password of "${user}".`);
      }
      case 'set-role': {
        noMore(0);
        const role = AgentRoleSchema.safeParse(values.role);
        if (!role.success) fail('--role must be "agent" or "manager".');
        const listen = values['can-listen-in'];
        return await done(
          await directory.setRole(user, role.data, listen),
          `"${user}" is now ${role.data === 'manager' ? 'a manager' : 'an agent'}${listen ? ' who can listen in' : ''}.`,
        );
      }
      case 'set-teams': {
        noMore(0);
        const teams = (values.teams ?? '').split(',').map((t) => t.trim()).filter(Boolean).map((t) => word(TeamIdSchema, t, 'team id'));
        const sentence = teams.length ? `"${user}" is in ${teams.join(', ')}.` : `"${user}" is in no team.`;
        return await done(await directory.setTeams(user, teams), sentence);
      }
      case 'set-capacity': {
        const text = rest[0];
        noMore(1);
        if (text === undefined) fail('user set-capacity needs a number of chats, or "default".');
        if (text !== 'default' && !/^\d{1,3}$/.test(text)) fail(`capacity is a whole number of chats (1-100) or "default", not "${text}".`);
        const capacity = text === 'default' ? null : word(CapacitySchema, Number(text), 'capacity');
        const sentence =
          capacity === null ? `"${user}" takes the relay's default capacity again.` : `"${user}" takes up to ${capacity} chats at once.`;
        return await done(await directory.setCapacity(user, capacity), sentence);
      }
    }
  } finally {
    await close();
  }
}
