// A real cluster for a test: several relay nodes in this process sharing a fresh PostgreSQL database and a Redis key
// prefix of their own. Connections are spread across the nodes in turn, so parties of one chat sit on different nodes.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { PgEngine } from '../../relay/cluster/postgres';
import type { NewAccount } from '../../relay/ports';
import type { RelayOptions, RunningRelay } from '../../relay/server';
import { startRelay } from '../../relay/server';
import { type Frame, type TestRelay, tempDir, removeDir } from '../relay/helpers';

export const postgresUrl = process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://baton:baton@127.0.0.1:5432/postgres';
export const redisUrl = process.env.BATON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string, fallbackPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || fallbackPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Why the cluster tests cannot run here, or null when PostgreSQL and Redis answer. */
export async function clusterUnavailable(): Promise<string | null> {
  const [pgUp, redisUp] = await Promise.all([reachable(postgresUrl, 5432), reachable(redisUrl, 6379)]);
  const missing = [pgUp ? null : `PostgreSQL at ${postgresUrl}`, redisUp ? null : `Redis at ${redisUrl}`].filter(Boolean);
  if (!missing.length) return null;
  return `cluster tests NOT RUN: ${missing.join(' and ')} did not answer (bash .ci/run installs and starts both; or set BATON_TEST_POSTGRES_URL / BATON_TEST_REDIS_URL)`;
}

/** Creates an empty database for one test; resolves with its URL and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `baton_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestCluster extends TestRelay {
  nodes: Array<RunningRelay & { nodeId: string }>;
  databaseUrl: string;
  redisPrefix: string;
  /** the next connection goes to this node (0-based) instead of the next in turn */
  pin(index: number | null): void;
  /** starts another node on the same database and Redis */
  addNode(options?: Partial<RelayOptions>): Promise<RunningRelay & { nodeId: string }>;
}

/** Starts `nodes` relays (default 3) as one cluster, with the demo accounts; `wsUrl` names each node in turn. */
export async function startTestCluster(
  options: Partial<RelayOptions> = {},
  { nodes: count = 3, accounts }: { nodes?: number; accounts?: NewAccount[] } = {},
): Promise<TestCluster> {
  const database = await freshDatabase();
  if (accounts) {
    // instead of the demo accounts: created before any node starts, as `relay user add --postgres` would
    const engine = await PgEngine.connect({ connectionString: database.url, clock: { now: () => Date.now() }, log: () => {} });
    for (const account of accounts) await engine.createAccount(account);
    await engine.close();
  }
  const redisPrefix = `baton-test-${randomBytes(5).toString('hex')}`;
  const logs: Frame[] = [];
  const dataDir = tempDir();
  const nodes: Array<RunningRelay & { nodeId: string }> = [];
  const start = async (index: number, extra: Partial<RelayOptions> = {}) => {
    const nodeId = `n${index + 1}`;
    const relay = await startRelay({
      synchronous: 'NORMAL',
      offlineGraceMs: 200,
      ...options,
      ...extra,
      // the first node creates the demo accounts; the others find them
      demo: index === 0 && !accounts,
      dataDir,
      cluster: { postgresUrl: database.url, redisUrl, nodeId, redisPrefix, heartbeatMs: 200 },
      log: (entry) => logs.push({ node: nodeId, ...(entry as Frame) }),
    });
    const node = Object.assign(relay, { nodeId });
    nodes.push(node);
    return node;
  };
  try {
    for (let i = 0; i < count; i++) await start(i);
  } catch (error) {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await database.drop();
    throw error;
  }
  let turn = 0;
  let pinned: number | null = null;
  let closed: Promise<void> | null = null;
  const cluster: TestCluster = {
    nodeId: 'cluster',
    nodes,
    logs,
    dataDir,
    databaseUrl: database.url,
    redisPrefix,
    get port() {
      return nodes[0]!.port;
    },
    get httpUrl() {
      return nodes[0]!.httpUrl;
    },
    get wsUrl() {
      const live = nodes.filter((n) => !(n as { stopped?: boolean }).stopped);
      const node = pinned !== null ? nodes[pinned]! : live[turn++ % live.length]!;
      return node.wsUrl;
    },
    pin(index) {
      pinned = index;
    },
    addNode: (extra) => start(nodes.length, extra),
    close() {
      closed ??= (async () => {
        await Promise.allSettled(nodes.map((n) => n.close()));
        await database.drop().catch(() => {});
        removeDir(dataDir);
      })();
      return closed;
    },
  };
  return cluster;
}
