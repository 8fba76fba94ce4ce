// The relay's command line: run the server (settings from flags, BATON_* variables and a config file), manage accounts
// (`user add`, `user list`), and look after its data (`backup`, `restore`, `purge`: relay/data-commands.ts).
import { AgentIdSchema } from '../common/domain';
import { hashPassword } from './auth';
import { ADMIN_USAGE, adminCommand, isAdminCommand } from './admin-cli';
import { ConfigError, describeConfig, loadConfig, settingsUsage, toRelayOptions } from './config';
import { applyGcMode } from './gc-mode';
import { backupCommand, openStore, purgeCommand, restoreCommand, UsageError } from './data-commands';
import { DEMO_PASSWORD, demoAccounts } from './demo';
import type { RelayStore } from './ports';
import { RELAY_DEFAULTS, startRelay } from './server';

const INDENT = '                   ';
const USAGE = `Usage:
  npm run relay -- ${settingsUsage(INDENT)}
${INDENT}(with --postgres and --redis the relay is a node of a cluster; --data is then unused)
${INDENT}Every setting can also come from a BATON_* variable or the --config file; docs/relay.md lists them.
  npm run relay -- user add <name> --role agent|manager [--can-listen-in] [--display-name "Alice Smith"]
                   [--data <dir> | --postgres <url>]   (the password is read from stdin)
  npm run relay -- user list [--data <dir> | --postgres <url>]
${ADMIN_USAGE}
  npm run relay -- backup <file> [--data <dir>]    (a consistent copy of relay.sqlite, taken while the relay runs)
  npm run relay -- restore <file> [--data <dir>]   (checks the backup, then puts it in place; stop the relay first)
  npm run relay -- purge --older-than <days> [--data <dir> | --postgres <url>]   (closed chats that ended before)
  npm run relay -- purge --session <id> [--data <dir> | --postgres <url>]        (one closed chat, everywhere)`;

function fail(message: string): never {
  throw new UsageError(message);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The store of --data or --postgres, for the administration commands (relay/admin-cli.ts). */
async function openAccounts(values: { data: string; postgres?: string }): Promise<{ store: RelayStore; close: () => Promise<void> }> {
  const { store, close } = await openStore({ data: values.data, postgresUrl: values.postgres });
  return { store, close };
}

async function userCommand(args: string[]): Promise<void> {
  const { config, positionals, extra } = loadConfig({
    args,
    flags: ['data', 'postgresUrl'],
    extra: { role: { type: 'string' }, 'can-listen-in': { type: 'boolean' }, 'display-name': { type: 'string' } },
  });
  const [action, name, ...rest] = positionals;
  const role = extra.role as string | undefined;
  const canListenIn = extra['can-listen-in'] === true;
  const displayName = extra['display-name'] as string | undefined;
  if (action !== 'add' && action !== 'list') fail(`unknown user action "${action ?? ''}"; see the usage below.`);
  if (action === 'list' && name !== undefined) fail('user list takes no name.');
  if (action === 'add') {
    if (!name || rest.length) fail('user add needs exactly one user name.');
    const id = AgentIdSchema.safeParse(name);
    if (!id.success) fail(`"${name}" is not a valid user name: ${id.error.issues[0]?.message}.`);
    if (role !== 'agent' && role !== 'manager') fail('--role must be "agent" or "manager".');
  }
  const { store, close } = await openStore(config);
  try {
    if (action === 'list') {
      for (const a of await store.listAccounts()) {
        console.log(`${a.id}\t${a.role}${a.canListenIn ? ', can listen in' : ''}\t${a.name}`);
      }
      return;
    }
    const id = name!;
    if (await store.getAccount(id)) fail(`user "${id}" already exists.`);
    const password = await readStdin();
    if (password.length < 4) fail('the password (read from stdin) must be at least 4 characters.');
    await store.createAccount({
      id,
      name: displayName?.trim() || id,
      role: role as 'agent' | 'manager',
      canListenIn,
      passwordHash: hashPassword(password),
    });
    console.log(`Added ${role} "${id}"${canListenIn ? ' (can listen in)' : ''}.`);
  } finally {
    await close();
  }
}

async function serve(args: string[]): Promise<void> {
  const loaded = loadConfig({ args, serving: true });
  if (loaded.positionals.length) fail(`unexpected argument "${loaded.positionals[0]}".`);
  const options = toRelayOptions(loaded.config);
  console.log(describeConfig(loaded));
  // before the relay's threads start and its heap grows: V8's flags are the process's
  const gc = applyGcMode(loaded.config.gc);
  let createdDemo = false;
  const relay = await startRelay({
    ...options,
    log: (entry) => {
      if ((entry as { event?: string }).event === 'demo-accounts-created') createdDemo = true;
      process.stdout.write(`${JSON.stringify(entry)}\n`);
    },
  });
  const where = `${options.cluster ? `cluster node ${relay.nodeId} on PostgreSQL and Redis` : `data in ${options.dataDir}`}; garbage collection ${gc.describe}`;
  console.log(
    `Baton relay listening on ${relay.httpUrl} (agents: ${relay.wsUrl}/agent, customers: ${relay.wsUrl}/customer, chat page: ${relay.httpUrl}/chat); ${where}`,
  );
  if (relay.metricsUrl) console.log(`Metrics on ${relay.metricsUrl}/metrics (and /health, /ready)`);
  if (createdDemo) {
    const who = demoAccounts.map((a) => `${a.id} (${a.role}${a.canListenIn ? ', can listen in' : ''})`).join(', ');
    console.log(`Demo accounts created: ${who}; password "${DEMO_PASSWORD}" for all.`);
  }
  const drainMs = options.drainTimeoutMs ?? RELAY_DEFAULTS.drainTimeoutMs;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.log(`Received ${signal} again; exiting without finishing the drain.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`Received ${signal}; draining: no new connections, clients told to reconnect elsewhere (at most ${drainMs / 1000} s).`);
    // the drain is bounded itself; this is for a store that hangs while closing
    setTimeout(() => {
      console.error(`baton relay: the drain took longer than ${drainMs / 1000 + 5} s; exiting.`);
      process.exit(1);
    }, drainMs + 5000).unref();
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`baton relay: closing failed: ${(error as Error)?.message ?? error}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  try {
    const [command, ...rest] = argv;
    if (isAdminCommand(argv)) await adminCommand(argv, { readStdin, openAccounts, fail });
    else if (command === 'user') await userCommand(rest);
    else if (command === 'backup') await backupCommand(rest);
    else if (command === 'restore') await restoreCommand(rest);
    else if (command === 'purge') await purgeCommand(rest);
    else await serve(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const isUsage = error instanceof UsageError || error instanceof ConfigError || code?.startsWith('ERR_PARSE_ARGS') === true;
    if (isUsage) {
      const raw = (error as Error).message;
      const unknown = /Unknown option '([^']+)'/.exec(raw);
      const message = unknown ? `unknown option ${unknown[1]}.` : error instanceof ConfigError ? raw : raw.replace(/\s+/g, ' ').trim();
      process.stderr.write(`baton relay: ${message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`baton relay: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

await main(process.argv.slice(2));
