// The benchmarked servers, each a child process of its own (so its RSS and CPU are its own): the real relay (SQLite,
// or nodes of a cluster) and the bare ws forwarder baseline; pinning them and the generator to different cores.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { scryptSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgEngine } from '../../relay/cluster/postgres';
import { openSqliteStore } from '../../relay/store/sqlite';
import { buildRelay } from '../../scripts/build-relay';
import type { RelayEntryOptions } from './relay-entry';
import { type ChildMessage, noneSlow, type ParentMessage, type ProfileKind, type ServerStats, type SlowCommits } from './server-stats';

export type TargetName = 'relay' | 'forwarder' | 'durable-forwarder' | 'cluster-1' | 'cluster-2';

export interface Target {
  name: TargetName;
  port: number;
  /** where agents connect: another node than the customers' in cluster-2 */
  agentPort: number;
  child: ChildProcess;
  dataDir: string | null;
  /** `settle`: after a garbage collection, for memory that is still referenced */
  stats(settle?: boolean): Promise<ServerStats>;
  /** CPU (or heap, server-stats.ts) profile of the server; `stop` resolves with the .cpuprofile / .heapprofile written */
  profile(action: 'start' | 'stop', kind?: ProfileKind): Promise<string | null>;
  heapSnapshot(): Promise<string>;
  /** kill -9: no close frames, no last commit; resolves once the process is gone */
  kill(): Promise<void>;
  /** a clean stop; removes the data folder unless `keepData` */
  stop(keepData?: boolean): Promise<void>;
}

/**
 * With two or more cores, the load generator (this process) runs on core 0 and the servers on core 1, so neither
 * steals the other's time and figures repeat (taskset, from util-linux); `noPin` turns it off.
 */
export class Pinning {
  readonly enabled: boolean;
  constructor(noPin: boolean) {
    this.enabled = !noPin && os.cpus().length >= 2 && hasTaskset();
  }
  pin(pid: number, core: number): void {
    // -a: every thread (the server's fsync thread pool, checkpoint worker and sign-in threads included)
    if (this.enabled) execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
  }
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const here = path.dirname(new URL(import.meta.url).pathname);

/**
 * How the server children run: `bundle` (the default) as the relay ships, one esbuild bundle run by plain node
 * (scripts/build-relay.ts); `source` under tsx, as the tests run it (tsx names every function it creates, which
 * costs the relay ~6% of its CPU per message). Set once, by the bench's `--from-source`.
 */
export const childBuild: { fromSource: boolean; gc: BenchGcMode } = { fromSource: false, gc: 'main-thread' };

/**
 * The servers' garbage collection mode (relay/gc-mode.ts), the same for every target: `main-thread` by default, what a
 * relay started with one core picks (the children are pinned to one core only once they run, so they would see two
 * and pick `concurrent` themselves); `single-threaded-gc` is V8's own flag on the command line, for comparison.
 */
export const BENCH_GC_MODES = ['concurrent', 'main-thread', 'single-threaded-gc'] as const;
export type BenchGcMode = (typeof BENCH_GC_MODES)[number];

/** Sets the children's build and GC mode from the bench's flags; an unknown `--gc` is an error (null). */
export function chooseChildBuild(fromSource: boolean, gc: string | undefined): string | null {
  childBuild.fromSource = fromSource;
  if (gc === undefined) return null;
  if (!(BENCH_GC_MODES as readonly string[]).includes(gc)) return `--gc must be one of ${BENCH_GC_MODES.join(', ')}, not "${gc}".`;
  childBuild.gc = gc as BenchGcMode;
  return null;
}

/** How the servers run, for the benchmark's header. */
export function describeChildBuild(): string {
  const how = childBuild.fromSource ? 'from source under tsx' : 'as bundles built like dist/relay';
  return `servers run ${how}, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '1'}, GC ${childBuild.gc}`;
}
const bundles = new Map<string, Promise<string>>();

/** The child's entry as a bundle in node_modules/.cache/baton-bench, built once per benchmark run, removed at exit. */
function bundled(entry: string): Promise<string> {
  let file = bundles.get(entry);
  if (!file) {
    // inside the checkout, so that the packages left outside the bundle (better-sqlite3) resolve from node_modules
    const cache = path.resolve(here, '../../node_modules/.cache/baton-bench');
    fs.mkdirSync(cache, { recursive: true });
    const outDir = fs.mkdtempSync(path.join(cache, `${path.basename(entry, '.ts')}-`));
    file = buildRelay(outDir, path.relative(path.resolve(here, '../..'), path.join(here, entry)), `${path.basename(entry, '.ts')}.mjs`).then(
      (built) => {
        process.once('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));
        return built.file;
      },
    );
    bundles.set(entry, file);
  }
  return file;
}

export async function startChild(
  name: TargetName,
  entry: string,
  argv: string[],
  dataDir: string | null,
  pinning: Pinning,
): Promise<Target> {
  // --expose-gc: `stats(true)` collects before measuring idle memory
  const execArgv = childBuild.fromSource ? ['--import', 'tsx', '--expose-gc'] : ['--expose-gc'];
  if (childBuild.gc === 'single-threaded-gc') execArgv.push('--single-threaded-gc');
  const file = childBuild.fromSource ? path.join(here, entry) : await bundled(entry);
  // one malloc arena, as docs/cluster.md's unit runs the relay: glibc's arena per thread (fsync pool, checkpoint,
  // sign-in) kept ~4 KB per idle connection of freed memory in the relay's RSS (docs/performance.md, round 6)
  const env = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '1', BATON_BENCH_GC: childBuild.gc };
  const child = fork(file, argv, { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid) pinning.pin(child.pid, 1);
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'ready') resolve(message.port);
      if (message.type === 'failed') reject(new Error(`${name} failed to start: ${message.error}`));
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  child.removeAllListeners('exit');
  // threads the server started while it came up (thread pool, checkpoint worker) get the same core
  if (child.pid) pinning.pin(child.pid, 1);
  const ask = <T extends ChildMessage['type']>(message: ParentMessage, answer: T, timeoutMs = 300_000) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not answer ${message.type} within ${timeoutMs / 1000} s`)), timeoutMs);
      const onMessage = (reply: ChildMessage) => {
        if (reply.type !== answer) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(reply as Extract<ChildMessage, { type: T }>);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r())));
  return {
    name,
    port,
    agentPort: port,
    child,
    dataDir,
    stats: async (settle = false) => (await ask({ type: 'stats', settle }, 'stats')).stats,
    profile: async (action, kind = 'cpu') => {
      if (action === 'start') {
        child.send({ type: 'profile-start', kind } satisfies ParentMessage);
        return null;
      }
      const file = path.join(os.tmpdir(), `baton-bench-${name}-${Date.now()}.${kind === 'cpu' ? 'cpu' : 'heap'}profile`);
      return (await ask({ type: 'profile-stop', file }, 'profiled')).file;
    },
    heapSnapshot: async () => {
      const file = path.join(os.tmpdir(), `baton-bench-${name}-${Date.now()}.heapsnapshot`);
      return (await ask({ type: 'heap-snapshot', file }, 'snapshot')).file;
    },
    kill: async () => {
      const gone = exited();
      child.kill('SIGKILL');
      await gone;
    },
    stop: async (keepData = false) => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = exited();
        child.send({ type: 'stop' } satisfies ParentMessage);
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await gone;
        clearTimeout(timer);
      }
      if (dataDir && !keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const agentName = (i: number) => `bench${String(i).padStart(5, '0')}`;
/** what customers are told of agent `i` (they never see login ids) */
export const agentDisplayName = (i: number) => `Agent ${i}`;
export const AGENT_PASSWORD = 'bench';

/** scrypt at a low cost for the benchmark's accounts: sign-in is paid once per connection and is not measured here */
export function cheapHash(password: string): string {
  const salt = Buffer.from('bench-salt-16byt');
  const hash = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export interface RelayTargetOptions {
  agents: number;
  capacity: number;
  synchronous: 'FULL' | 'NORMAL';
  /** the relay's minSyncIntervalMs (its default when absent) */
  minSyncIntervalMs?: number;
  /** the relay's checkpointEveryMs (its default when absent) */
  checkpointEveryMs?: number;
  pinning: Pinning;
}

/** A fresh data folder with the benchmark's agent accounts (and what `prepare` writes there), and the relay on it. */
export async function startRelayTarget(options: RelayTargetOptions, prepare?: (dataDir: string) => void): Promise<Target> {
  const dataDir = fs.mkdtempSync(`${os.tmpdir()}/baton-bench-`);
  const store = openSqliteStore(dataDir);
  const passwordHash = cheapHash(AGENT_PASSWORD);
  store.transaction(() => {
    for (let i = 0; i < options.agents; i++) {
      store.createAccount({ id: agentName(i), name: agentDisplayName(i), role: 'agent', canListenIn: false, passwordHash });
    }
  });
  store.close();
  prepare?.(dataDir);
  return restartRelay(dataDir, 0, options);
}

/** The relay on an existing data folder (after a kill -9, on the port its clients know). */
export function restartRelay(dataDir: string, port: number, options: Omit<RelayTargetOptions, 'agents'>): Promise<Target> {
  const { capacity, synchronous, minSyncIntervalMs, checkpointEveryMs } = options;
  const entry: RelayEntryOptions = { dataDir, capacity, synchronous, port, minSyncIntervalMs, checkpointEveryMs };
  return startChild('relay', 'relay-entry.ts', [JSON.stringify(entry)], dataDir, options.pinning);
}

export function startForwarderTarget(customersPerAgent: number, pinning: Pinning): Promise<Target> {
  return startChild('forwarder', 'forwarder-entry.ts', [String(customersPerAgent)], null, pinning);
}

/** The forwarder that appends each turn's frames to a file and forwards them after its fsync (forwarder-entry.ts). */
export function startDurableForwarderTarget(customersPerAgent: number, pinning: Pinning): Promise<Target> {
  const dataDir = fs.mkdtempSync(`${os.tmpdir()}/baton-bench-`);
  return startChild('durable-forwarder', 'forwarder-entry.ts', [String(customersPerAgent), dataDir], dataDir, pinning);
}

export interface ClusterTargetOptions extends RelayTargetOptions {
  postgres: string;
  redis: string;
}

/** One or two cluster nodes on a fresh PostgreSQL database and Redis prefix; their figures are summed. */
export async function startClusterTarget(name: 'cluster-1' | 'cluster-2', options: ClusterTargetOptions): Promise<Target> {
  const database = `baton_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: options.postgres });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(options.postgres);
  url.pathname = `/${database}`;
  const engine = await PgEngine.connect({ connectionString: url.toString(), clock: { now: () => Date.now() }, log: () => {} });
  const passwordHash = cheapHash(AGENT_PASSWORD);
  for (let i = 0; i < options.agents; i++) {
    await engine.createAccount({ id: agentName(i), name: agentDisplayName(i), role: 'agent', canListenIn: false, passwordHash });
  }
  await engine.close();
  const dataDir = fs.mkdtempSync(`${os.tmpdir()}/baton-bench-`);
  const redisPrefix = `baton-bench-${database}`;
  const node = (nodeId: string) => {
    const entry: RelayEntryOptions = {
      dataDir,
      capacity: options.capacity,
      synchronous: options.synchronous,
      port: 0,
      cluster: { postgresUrl: url.toString(), redisUrl: options.redis, nodeId, redisPrefix },
    };
    return startChild(name, 'relay-entry.ts', [JSON.stringify(entry)], null, options.pinning);
  };
  const first = await node('a');
  const second = name === 'cluster-2' ? await node('b') : null;
  const nodes = second ? [first, second] : [first];
  return {
    ...first,
    agentPort: (second ?? first).port,
    stats: async (settle) => {
      const all = await Promise.all(nodes.map((n) => n.stats(settle)));
      const sum = (pick: (s: ServerStats) => number) => all.reduce((total, s) => total + pick(s), 0);
      // the nodes' commits (or fsyncs) together; not known when one node does not say
      const sumSlow = (each: Array<SlowCommits | null>): SlowCommits | null =>
        each.every((c) => c)
          ? (each as SlowCommits[]).reduce(
              (t, c) => ({
                total: t.total + c.total,
                over5ms: t.over5ms + c.over5ms,
                over10ms: t.over10ms + c.over10ms,
                over25ms: t.over25ms + c.over25ms,
              }),
              noneSlow(),
            )
          : null;
      return {
        rss: sum((s) => s.rss),
        peakRss: sum((s) => s.peakRss),
        heapUsed: sum((s) => s.heapUsed),
        heapTotal: sum((s) => s.heapTotal),
        external: sum((s) => s.external),
        cpuSeconds: sum((s) => s.cpuSeconds),
        openFiles: sum((s) => s.openFiles),
        loopUtilization: Math.max(...all.map((s) => s.loopUtilization)),
        syscalls: all.every((s) => s.syscalls)
          ? {
              reads: sum((s) => s.syscalls!.reads),
              writes: sum((s) => s.syscalls!.writes),
              storedBytes: sum((s) => s.syscalls!.storedBytes),
            }
          : null,
        commits: sumSlow(all.map((s) => s.commits)),
        fsyncs: sumSlow(all.map((s) => s.fsyncs)),
        // the node that stalled most: every message through it waited
        loopDelay: {
          p99Ms: Math.max(...all.map((s) => s.loopDelay.p99Ms)),
          maxMs: Math.max(...all.map((s) => s.loopDelay.maxMs)),
        },
        gc: {
          scavenges: sum((s) => s.gc.scavenges),
          scavengeMs: sum((s) => s.gc.scavengeMs),
          longestScavengeMs: Math.max(...all.map((s) => s.gc.longestScavengeMs)),
          markCompacts: sum((s) => s.gc.markCompacts),
          markCompactMs: sum((s) => s.gc.markCompactMs),
          longestMarkCompactMs: Math.max(...all.map((s) => s.gc.longestMarkCompactMs)),
        },
        at: Math.max(...all.map((s) => s.at)),
      };
    },
    kill: async () => {
      await Promise.all(nodes.map((n) => n.kill()));
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      fs.rmSync(dataDir, { recursive: true, force: true });
      const cleanup = new pg.Client({ connectionString: options.postgres });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
