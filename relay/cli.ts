// The relay's command line: run the server, or manage accounts (`user add`, `user list`) in its data folder.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AgentIdSchema, defaultAttachmentTypes } from '../common/domain';
import { hashPassword } from './auth';
import { DEMO_PASSWORD, demoAccounts } from './demo';
import { type RelayOptions, startRelay } from './server';
import { sqliteReads } from './embedded/store';
import type { RelayStore } from './ports';
import { openSqliteStore } from './store/sqlite';

const USAGE = `Usage:
  npm run relay -- [--port 7420] [--host 127.0.0.1] [--data ./.baton-data/relay] [--demo]
                   [--transfer-timeout <seconds>] [--offline-grace <seconds>] [--capacity <n>]
                   [--allowed-origin <origin>]... [--attachment-max-mb <n>] [--attachment-type <type>]...
                   [--postgres <url> --redis <url> [--node-id <name>] [--redis-prefix <prefix>]]
                   (with --postgres and --redis the relay is a node of a cluster; --data is then unused)
  npm run relay -- user add <name> --role agent|manager [--can-listen-in] [--display-name "Alice Smith"]
                   [--data <dir> | --postgres <url>]   (the password is read from stdin)
  npm run relay -- user list [--data <dir> | --postgres <url>]`;

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function number(flag: string, text: string | undefined, { min, integer }: { min: number; integer: boolean }) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    fail(`--${flag} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, not "${text}".`);
  }
  return value;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function userCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      'can-listen-in': { type: 'boolean', default: false },
      'display-name': { type: 'string' },
      data: { type: 'string', default: './.baton-data/relay' },
      postgres: { type: 'string' },
    },
  });
  const [action, name, ...extra] = positionals;
  const { store, close } = await openAccounts(values);
  try {
    if (action === 'list') {
      if (name !== undefined) fail('user list takes no name.');
      for (const a of await store.listAccounts()) {
        console.log(`${a.id}\t${a.role}${a.canListenIn ? ', can listen in' : ''}\t${a.name}`);
      }
      return;
    }
    if (action !== 'add') fail(`unknown user action "${action ?? ''}"; use "user add" or "user list".`);
    if (!name || extra.length) fail('user add needs exactly one user name.');
    const id = AgentIdSchema.safeParse(name);
    if (!id.success) fail(`"${name}" is not a valid user name: ${id.error.issues[0]?.message}.`);
    if (values.role !== 'agent' && values.role !== 'manager') fail('--role must be "agent" or "manager".');
    if (await store.getAccount(id.data)) fail(`user "${id.data}" already exists.`);
    const password = await readStdin();
    if (password.length < 4) fail('the password (read from stdin) must be at least 4 characters.');
    await store.createAccount({
      id: id.data,
      name: values['display-name']?.trim() || id.data,
      role: values.role,
      canListenIn: values['can-listen-in'],
      passwordHash: hashPassword(password),
    });
    console.log(`Added ${values.role} "${id.data}"${values['can-listen-in'] ? ' (can listen in)' : ''}.`);
  } finally {
    await close();
  }
}

/** The accounts of the relay's store: the SQLite file in --data, or the cluster's PostgreSQL with --postgres. */
async function openAccounts(values: { data: string; postgres?: string }): Promise<{ store: RelayStore; close: () => Promise<void> }> {
  if (values.postgres) {
    checkUrl('postgres', values.postgres, ['postgres:', 'postgresql:']);
    const { PgEngine } = await import('./cluster/postgres');
    const engine = await PgEngine.connect({
      connectionString: values.postgres,
      clock: { now: () => Date.now() },
      log: () => {},
    });
    return { store: engine, close: () => engine.close() };
  }
  const sqlite = openSqliteStore(path.resolve(values.data));
  return { store: sqliteReads(sqlite), close: async () => sqlite.close() };
}

function checkUrl(flag: string, text: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(`--${flag} must be a URL such as ${protocols[0]}//host:port/..., not "${text}".`);
  }
  if (!protocols.includes(url.protocol)) fail(`--${flag} must start with ${protocols.join(' or ')}//, not "${url.protocol}//".`);
}

async function serve(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string', default: '7420' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string', default: './.baton-data/relay' },
      demo: { type: 'boolean', default: false },
      'transfer-timeout': { type: 'string' },
      'offline-grace': { type: 'string' },
      capacity: { type: 'string' },
      'allowed-origin': { type: 'string', multiple: true },
      'attachment-max-mb': { type: 'string' },
      'attachment-type': { type: 'string', multiple: true },
      postgres: { type: 'string' },
      redis: { type: 'string' },
      'node-id': { type: 'string' },
      'redis-prefix': { type: 'string' },
    },
  });
  if (positionals.length) fail(`unexpected argument "${positionals[0]}".`);
  if (Boolean(values.postgres) !== Boolean(values.redis)) {
    fail('--postgres and --redis go together: a cluster node needs both (or neither, for the embedded relay).');
  }
  if (values.postgres) checkUrl('postgres', values.postgres, ['postgres:', 'postgresql:']);
  if (values.redis) checkUrl('redis', values.redis, ['redis:', 'rediss:']);
  if (!values.postgres && (values['node-id'] || values['redis-prefix'])) fail('--node-id and --redis-prefix need --postgres and --redis.');
  if (values['node-id'] !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(values['node-id'])) {
    fail(`--node-id must be 1-64 letters, digits, ".", "_" or "-", not "${values['node-id']}".`);
  }
  const port = number('port', values.port, { min: 0, integer: true })!;
  if (port > 65535) fail(`--port must be at most 65535, not ${port}.`);
  const timeout = number('transfer-timeout', values['transfer-timeout'], { min: 1, integer: false });
  const grace = number('offline-grace', values['offline-grace'], { min: 0, integer: false });
  for (const origin of values['allowed-origin'] ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) fail(`--allowed-origin must look like https://example.com, not "${origin}".`);
  }
  const maxMb = number('attachment-max-mb', values['attachment-max-mb'], { min: 0.001, integer: false });
  const known: readonly string[] = defaultAttachmentTypes;
  for (const type of values['attachment-type'] ?? []) {
    if (!known.includes(type)) fail(`--attachment-type must be one of ${known.join(', ')}, not "${type}".`);
  }
  const options: RelayOptions = {
    host: values.host,
    port,
    dataDir: path.resolve(values.data),
    demo: values.demo,
    transferTimeoutMs: timeout === undefined ? null : timeout * 1000,
    offlineGraceMs: grace === undefined ? undefined : grace * 1000,
    capacity: number('capacity', values.capacity, { min: 1, integer: true }),
    allowedOrigins: values['allowed-origin'],
    attachments: {
      maxBytes: maxMb === undefined ? undefined : Math.round(maxMb * 1024 * 1024),
      types: values['attachment-type'],
    },
    cluster:
      values.postgres && values.redis
        ? {
            postgresUrl: values.postgres,
            redisUrl: values.redis,
            nodeId: values['node-id'],
            redisPrefix: values['redis-prefix'],
          }
        : undefined,
  };
  let createdDemo = false;
  const relay = await startRelay({
    ...options,
    log: (entry) => {
      if ((entry as { event?: string }).event === 'demo-accounts-created') createdDemo = true;
      process.stdout.write(`${JSON.stringify(entry)}\n`);
    },
  });
  const where = options.cluster ? `cluster node ${relay.nodeId} on PostgreSQL and Redis` : `data in ${options.dataDir}`;
  console.log(
    `Baton relay listening on ${relay.httpUrl} (agents: ${relay.wsUrl}/agent, customers: ${relay.wsUrl}/customer, chat page: ${relay.httpUrl}/chat); ${where}`,
  );
  if (createdDemo) {
    const who = demoAccounts.map((a) => `${a.id} (${a.role}${a.canListenIn ? ', can listen in' : ''})`).join(', ');
    console.log(`Demo accounts created: ${who}; password "${DEMO_PASSWORD}" for all.`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}; closing the relay.`);
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
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
    if (argv[0] === 'user') await userCommand(argv.slice(1));
    else await serve(argv);
  } catch (error) {
    const isUsage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    if (isUsage) {
      const raw = (error as Error).message;
      const unknown = /Unknown option '([^']+)'/.exec(raw);
      const message = unknown ? `unknown option ${unknown[1]}.` : raw.replace(/\s+/g, ' ').trim();
      process.stderr.write(`baton relay: ${message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`baton relay: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

await main(process.argv.slice(2));
