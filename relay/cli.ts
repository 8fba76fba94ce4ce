// The relay's command line: run the server, or manage accounts (`user add`, `user list`) in its data folder.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AgentIdSchema } from '../common/domain';
import { hashPassword } from './auth';
import { DEMO_PASSWORD, demoAccounts } from './demo';
import { type RelayOptions, startRelay } from './server';
import { sqliteReads } from './embedded/store';
import type { RelayStore } from './ports';
import { openSqliteStore } from './store/sqlite';

const USAGE = `Usage:
  npm run relay -- [--port 7420] [--host 127.0.0.1] [--data ./.baton-data/relay] [--demo]
                   [--transfer-timeout <seconds>] [--offline-grace <seconds>] [--capacity <n>]
                   [--allowed-origin <origin>]... [--tls-cert <file> --tls-key <file>]
                   [--postgres <url> --redis <url> [--node-id <name>] [--redis-prefix <prefix>]]
                   (with --postgres and --redis the relay is a node of a cluster; --data is then unused)
                   limits (docs/relay.md): [--rate-limit <frames/s>] [--address-rate-limit <frames/s>]
                   [--chats-per-address <per minute>] [--chats-per-second <n>] [--max-queued-chats <n>] [--max-connections <n>]
                   [--max-connections-per-address <n>] [--max-connections-per-agent <n>] [--hello-timeout <s>]
                   [--trust-proxy-header <name>] [--sign-in-threads <n>] [--sign-in-queue <n>]
                   [--sign-in-free-failures <n>] [--sign-in-lockout-after <n>] [--sign-in-lockout <s>]
                   [--slow-consumer-bytes <n>] [--slow-consumer-after <s>] [--max-frame-bytes <n>] [--page-bytes <n>]
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
    const engine = await PgEngine.open({
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

/** The flags of the relay's limits (docs/relay.md has each with its default). */
const limitFlags = {
  'rate-limit': { type: 'string' },
  'address-rate-limit': { type: 'string' },
  'chats-per-address': { type: 'string' },
  'chats-per-second': { type: 'string' },
  'max-queued-chats': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  'max-connections-per-agent': { type: 'string' },
  'hello-timeout': { type: 'string' },
  'trust-proxy-header': { type: 'string' },
  'sign-in-threads': { type: 'string' },
  'sign-in-queue': { type: 'string' },
  'sign-in-free-failures': { type: 'string' },
  'sign-in-lockout-after': { type: 'string' },
  'sign-in-lockout': { type: 'string' },
  'slow-consumer-bytes': { type: 'string' },
  'slow-consumer-after': { type: 'string' },
  'max-frame-bytes': { type: 'string' },
  'page-bytes': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
} as const;

type LimitValues = { [K in keyof typeof limitFlags]?: string };

function limitOptions(values: LimitValues): Partial<RelayOptions> {
  const whole = (flag: keyof LimitValues, min = 1) => number(flag, values[flag], { min, integer: true });
  const seconds = (flag: keyof LimitValues, min: number) => {
    const value = number(flag, values[flag], { min, integer: false });
    return value === undefined ? undefined : value * 1000;
  };
  // a party may send twice its per-second rate in a burst
  const rate = (flag: keyof LimitValues) => {
    const perSecond = whole(flag);
    return perSecond === undefined ? undefined : { perSecond, burst: perSecond * 2 };
  };
  const header = values['trust-proxy-header'];
  if (header !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(header)) {
    fail(`--trust-proxy-header must be a header name such as x-forwarded-for, not "${header}".`);
  }
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together: give both files, or neither.');
  const signIn = {
    concurrent: whole('sign-in-threads'),
    waiting: whole('sign-in-queue'),
    freeFailures: whole('sign-in-free-failures', 0),
    lockoutAfter: whole('sign-in-lockout-after'),
    lockoutMs: seconds('sign-in-lockout', 1),
  };
  const maxFrameBytes = whole('max-frame-bytes', 1024);
  const pageBytes = whole('page-bytes', 1024);
  if (pageBytes !== undefined && pageBytes > 16 * 1024 * 1024) fail(`--page-bytes must be at most 16777216, not ${pageBytes}.`);
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return defined({
    rateLimit: rate('rate-limit'),
    addressRateLimit: rate('address-rate-limit'),
    newChatsPerAddressPerMinute: whole('chats-per-address'),
    newChatsPerSecond: whole('chats-per-second'),
    maxQueuedChats: whole('max-queued-chats'),
    maxConnections: whole('max-connections'),
    maxConnectionsPerAddress: whole('max-connections-per-address'),
    maxConnectionsPerAgent: whole('max-connections-per-agent'),
    helloTimeoutMs: seconds('hello-timeout', 0.1),
    trustedProxyHeader: header,
    signIn: defined(signIn),
    maxBufferedBytes: whole('slow-consumer-bytes', 1024),
    slowConsumerMs: seconds('slow-consumer-after', 0.1),
    maxFrameBytes,
    pageBytes,
    tls: values['tls-cert'] && values['tls-key'] ? { certFile: path.resolve(values['tls-cert']), keyFile: path.resolve(values['tls-key']) } : undefined,
  });
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
      postgres: { type: 'string' },
      redis: { type: 'string' },
      'node-id': { type: 'string' },
      'redis-prefix': { type: 'string' },
      ...limitFlags,
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
  const options: RelayOptions = {
    host: values.host,
    port,
    dataDir: path.resolve(values.data),
    demo: values.demo,
    transferTimeoutMs: timeout === undefined ? null : timeout * 1000,
    offlineGraceMs: grace === undefined ? undefined : grace * 1000,
    capacity: number('capacity', values.capacity, { min: 1, integer: true }),
    allowedOrigins: values['allowed-origin'],
    ...limitOptions(values),
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
