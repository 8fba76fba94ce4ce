// Relay benchmark: customers and agents on loopback against the real relay (own process, SQLite on) and against a
// bare ws forwarder baseline, open-loop paced load; prints delivered msgs/s, delivery latency, server RSS and CPU.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { scryptSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';
import pg from 'pg';
import { PgEngine } from '../../relay/cluster/postgres';
import { openSqliteStore } from '../../relay/store/sqlite';
import type { ChildMessage, ServerStats } from './server-stats';

const USAGE = `Usage: npm run bench:relay -- [--customers 1600] [--agents 400] [--rate 10000] [--seconds 10]
       [--saturate-rate <msgs/s, default 4x rate>] [--synchronous FULL|NORMAL] [--only relay|forwarder] [--profile] [--quick]
       [--targets relay,forwarder,cluster-1,cluster-2] [--postgres <url>] [--redis <url>] [--no-pin]
  cluster-1: one cluster node (PostgreSQL + Redis); cluster-2: customers on one node, agents on another.
  npm run bench:cluster runs all four targets at a rate PostgreSQL on this machine can take.`;

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string' },
    agents: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    'saturate-rate': { type: 'string' },
    synchronous: { type: 'string', default: 'FULL' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    targets: { type: 'string' },
    postgres: { type: 'string', default: process.env.BATON_BENCH_POSTGRES_URL ?? 'postgres://baton:baton@127.0.0.1:5432/postgres' },
    redis: { type: 'string', default: process.env.BATON_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'no-pin': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number, not "${text}".\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

const quick = args.quick;
const customers = Math.round(positive('customers', args.customers, quick ? 160 : 1600));
const agentCount = Math.round(positive('agents', args.agents, quick ? 40 : 400));
const rate = positive('rate', args.rate, quick ? 2000 : 10_000);
const seconds = positive('seconds', args.seconds, quick ? 2 : 10);
/**
 * Offered well above the paced rate so a server that kept up with it shows its limit; bounded (4x the paced rate) so a
 * slow server is not buried under a backlog that takes minutes to drain.
 */
const saturateRate = positive('saturate-rate', args['saturate-rate'], rate * 4);
const saturateSeconds = Math.min(seconds, quick ? 2 : 5);
const synchronous = args.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL';
const capacity = Math.ceil(customers / agentCount);
const connections = customers + agentCount;
if (connections > 9000) {
  console.error('Each side opens one file per connection and files are capped at 20,000 per process: keep customers + agents under 9,000.');
  process.exit(2);
}
if (rate / customers > 900 || saturateRate / customers > 900) {
  console.error(`The benchmark relay admits 1,000 frames/s per customer: raise --customers or lower the rates.`);
  process.exit(2);
}

const FILLER = 'Hello, I ordered a blue kettle last week and it still has not arrived. Order 48213.';
const here = path.dirname(new URL(import.meta.url).pathname);

// ---------------------------------------------------------------------------------------------
// Server children

type TargetName = 'relay' | 'forwarder' | 'cluster-1' | 'cluster-2';

interface Target {
  name: TargetName;
  port: number;
  /** where agents connect: another node than the customers' in cluster-2 */
  agentPort: number;
  child: ChildProcess;
  dataDir: string | null;
  stats(): Promise<ServerStats>;
  /** CPU profile of the server; `stop` resolves with the .cpuprofile file written */
  profile(action: 'start' | 'stop'): Promise<string | null>;
  stop(): Promise<void>;
}

/**
 * With two or more cores, the load generator (this process) runs on core 0 and the servers on core 1, so neither
 * steals the other's time and figures repeat (taskset, from util-linux); --no-pin turns it off.
 */
const cores = os.cpus().length;
const pinning = !args['no-pin'] && cores >= 2 && hasTaskset();
function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
function pin(pid: number, core: number): void {
  // -a: every thread (the server's fsync thread pool and checkpoint worker included)
  if (pinning) execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}
pin(process.pid, 0);

async function startChild(name: TargetName, entry: string, argv: string[], dataDir: string | null): Promise<Target> {
  const execArgv = ['--import', 'tsx'];
  const child = fork(path.join(here, entry), argv, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid) pin(child.pid, 1);
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
  if (child.pid) pin(child.pid, 1);
  return {
    name,
    port,
    agentPort: port,
    child,
    dataDir,
    stats: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not report its stats within 5 minutes`)), 300_000);
        const onMessage = (message: ChildMessage) => {
          if (message.type !== 'stats') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.stats);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      }),
    profile: async (action) => {
      if (action === 'start') {
        child.send({ type: 'profile-start' });
        return null;
      }
      const file = path.join(os.tmpdir(), `baton-bench-${name}-${Date.now()}.cpuprofile`);
      return new Promise((resolve) => {
        const onMessage = (message: ChildMessage) => {
          if (message.type !== 'profiled') return;
          child.off('message', onMessage);
          resolve(message.file);
        };
        child.on('message', onMessage);
        child.send({ type: 'profile-stop', file });
      });
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const agentName = (i: number) => `bench${String(i).padStart(4, '0')}`;

/** scrypt at a low cost for the benchmark's accounts: sign-in is paid once per connection and is not measured here */
function cheapHash(password: string): string {
  const salt = Buffer.from('bench-salt-16byt');
  const hash = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

async function startRelayTarget(): Promise<Target> {
  const dataDir = fs.mkdtempSync(`${os.tmpdir()}/baton-bench-`);
  const store = openSqliteStore(dataDir);
  const passwordHash = cheapHash('bench');
  store.transaction(() => {
    for (let i = 0; i < agentCount; i++) {
      store.createAccount({ id: agentName(i), name: `Agent ${i}`, role: 'agent', canListenIn: false, passwordHash });
    }
  });
  store.close();
  return startChild('relay', 'relay-entry.ts', [dataDir, String(capacity), synchronous], dataDir);
}

/** One or two cluster nodes on a fresh PostgreSQL database and Redis prefix; their figures are summed. */
async function startClusterTarget(name: 'cluster-1' | 'cluster-2'): Promise<Target> {
  const database = `baton_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: args.postgres });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(args.postgres!);
  url.pathname = `/${database}`;
  const engine = await PgEngine.connect({ connectionString: url.toString(), clock: { now: () => Date.now() }, log: () => {} });
  const passwordHash = cheapHash('bench');
  for (let i = 0; i < agentCount; i++) {
    await engine.createAccount({ id: agentName(i), name: `Agent ${i}`, role: 'agent', canListenIn: false, passwordHash });
  }
  await engine.close();
  const dataDir = fs.mkdtempSync(`${os.tmpdir()}/baton-bench-`);
  const prefix = `baton-bench-${database}`;
  const node = (id: string) =>
    startChild(name, 'relay-entry.ts', [dataDir, String(capacity), synchronous, url.toString(), args.redis!, id, prefix], null);
  const first = await node('a');
  const second = name === 'cluster-2' ? await node('b') : null;
  const nodes = second ? [first, second] : [first];
  return {
    ...first,
    agentPort: (second ?? first).port,
    stats: async () => {
      const all = await Promise.all(nodes.map((n) => n.stats()));
      return {
        rss: all.reduce((sum, s) => sum + s.rss, 0),
        peakRss: all.reduce((sum, s) => sum + s.peakRss, 0),
        cpuSeconds: all.reduce((sum, s) => sum + s.cpuSeconds, 0),
        loopUtilization: Math.max(...all.map((s) => s.loopUtilization)),
        at: Math.max(...all.map((s) => s.at)),
      };
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      fs.rmSync(dataDir, { recursive: true, force: true });
      const cleanup = new pg.Client({ connectionString: args.postgres });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Load generator

interface Phase {
  name: string;
  /** messages received in this phase, and their latencies from the moment each was due to be sent */
  received: number;
  latencies: Float64Array;
  lastReceivedAt: number;
}

let phase: Phase | null = null;
let errorFrames = 0;
let firstError = '';
let unexpectedCloses = 0;

function onDelivered(text: string) {
  const bar = text.indexOf('|');
  const tag = text.slice(0, bar);
  if (!phase || tag !== phase.name) return;
  const due = Number.parseFloat(text.slice(bar + 1));
  const now = performance.now();
  if (phase.received < phase.latencies.length) phase.latencies[phase.received] = now - due;
  phase.received += 1;
  phase.lastReceivedAt = now;
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`connecting to ${url} timed out`));
    }, 60_000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Resolves with the first text frame that satisfies `match`. */
function waitFrame(ws: WebSocket, match: (text: string) => boolean, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 60_000);
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (!match(text)) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(text);
    };
    ws.on('message', onMessage);
  });
}

async function inBatches<T>(count: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    out.push(...(await Promise.all(Array.from({ length: end - start }, (_, k) => make(start + k)))));
  }
  return out;
}

function watch(ws: WebSocket) {
  ws.on('close', (code) => {
    if (!stopping) {
      unexpectedCloses += 1;
      if (!firstError) firstError = `connection closed with code ${code}`;
    }
  });
  ws.on('error', () => {});
}
let stopping = false;

async function connectRelay(target: Target): Promise<WebSocket[]> {
  const base = `ws://127.0.0.1:${target.port}`;
  await inBatches(agentCount, 50, async (i) => {
    const ws = await open(`ws://127.0.0.1:${target.agentPort}${AGENT_PATH}`, { Authorization: basicAuthHeader(agentName(i), 'bench') });
    watch(ws);
    const welcome = waitFrame(ws, (t) => t.startsWith('{"type":"welcome"') || t.startsWith('{"type":"error"'), 'welcome');
    ws.send(JSON.stringify({ type: 'hello', id: 'h', protocol: PROTOCOL_VERSION, resume: {} }));
    const answer = await welcome;
    if (!answer.startsWith('{"type":"welcome"')) throw new Error(`hello refused: ${answer}`);
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.startsWith('{"type":"event"')) return;
      const { event } = JSON.parse(text);
      if (event.kind === 'message') onDelivered(event.text);
    });
    return ws;
  });
  return inBatches(customers, 50, async (i) => {
    const ws = await open(`${base}${CUSTOMER_PATH}`);
    watch(ws);
    const assigned = waitFrame(ws, (t) => t.includes('"kind":"assigned"'), `customer ${i} to be assigned an agent`);
    ws.send(JSON.stringify({ type: 'customer-hello', id: 'h', protocol: PROTOCOL_VERSION, name: `Customer ${i}` }));
    await assigned;
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"error"')) {
        errorFrames += 1;
        firstError ||= text;
      }
    });
    return ws;
  });
}

async function connectForwarder(target: Target): Promise<WebSocket[]> {
  const base = `ws://127.0.0.1:${target.port}`;
  await inBatches(agentCount, 50, async (i) => {
    const ws = await open(`${base}/agent?i=${i}`);
    watch(ws);
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      onDelivered(frame.text);
    });
    return ws;
  });
  return inBatches(customers, 50, async (i) => {
    const ws = await open(`${base}/customer?i=${i}`);
    watch(ws);
    return ws;
  });
}

interface PhaseResult {
  offered: number;
  sent: number;
  received: number;
  deliveredPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** how far behind schedule the generator itself got (it shares the 2 cores with the server) */
  maxSendLagMs: number;
  serverCpu: number;
  generatorCpu: number;
  serverLoop: number;
  /** server CPU time per delivered message */
  cpuMicrosPerMessage: number;
  rssMb: number;
  peakRssMb: number;
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;

/** Open-loop: message k is due at start + k/rate whatever happened to earlier ones; latency counts from that moment. */
async function runPhase(target: Target, sockets: WebSocket[], name: string, offered: number, secs: number, drainMs: number) {
  const total = Math.round(offered * secs);
  phase = { name, received: 0, latencies: new Float64Array(total), lastReceivedAt: 0 };
  const current = phase;
  const before = await target.stats();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  let maxSendLagMs = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * offered) / 1000) + 1);
      if (sent < due) maxSendLagMs = Math.max(maxSendLagMs, now - (start + (sent * 1000) / offered));
      while (sent < due) {
        const dueAt = start + (sent * 1000) / offered;
        const ws = sockets[sent % sockets.length]!;
        if (ws.readyState === WebSocket.OPEN) {
          ws.send(
            `{"type":"customer-send","id":"s${sent}","messageId":"${name}-${sent}-msg","text":"${name}|${dueAt.toFixed(3)}|${FILLER}"}`,
          );
        }
        sent += 1;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendEnd = performance.now();
  await new Promise<void>((resolve) => {
    const check = () => {
      if (current.received >= total || performance.now() - sendEnd > drainMs) resolve();
      else setTimeout(check, 5);
    };
    check();
  });
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await target.stats();
  phase = null;
  const sorted = current.latencies.slice(0, Math.min(current.received, total)).sort();
  const activeSeconds = ((current.lastReceivedAt || sendEnd) - start) / 1000;
  return {
    offered,
    sent: total,
    received: current.received,
    deliveredPerSecond: current.received / activeSeconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    maxSendLagMs,
    serverCpu: (after.cpuSeconds - before.cpuSeconds) / ((after.at - before.at) / 1000),
    cpuMicrosPerMessage: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / Math.max(1, current.received),
    generatorCpu: (cpu.user + cpu.system) / 1e6 / wall,
    serverLoop: after.loopUtilization,
    rssMb: after.rss / 2 ** 20,
    peakRssMb: after.peakRss / 2 ** 20,
  } satisfies PhaseResult;
}

interface TargetResult {
  name: string;
  setupSeconds: number;
  idleRssMb: number;
  paced: PhaseResult;
  saturated: PhaseResult;
}

async function measure(kind: TargetName): Promise<TargetResult> {
  process.stderr.write(`${kind}: starting, connecting ${agentCount} agents and ${customers} customers...\n`);
  const target =
    kind === 'relay'
      ? await startRelayTarget()
      : kind === 'forwarder'
        ? await startChild('forwarder', 'forwarder-entry.ts', [String(capacity)], null)
        : await startClusterTarget(kind);
  stopping = false;
  errorFrames = 0;
  unexpectedCloses = 0;
  firstError = '';
  const setupStart = performance.now();
  let sockets: WebSocket[] = [];
  try {
    sockets = kind === 'forwarder' ? await connectForwarder(target) : await connectRelay(target);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const idle = await target.stats();
    process.stderr.write(`${kind}: connected in ${setupSeconds.toFixed(1)} s; paced run at ${rate} msgs/s for ${seconds} s...\n`);
    if (args.profile) await target.profile('start');
    const paced = await runPhase(target, sockets, 'paced', rate, seconds, 10_000);
    if (args.profile) process.stderr.write(`${kind}: CPU profile of the paced run: ${await target.profile('stop')}\n`);
    // a server that could not keep up with the paced rate was already at its limit: its delivered rate there is its
    // throughput, and offering it six times more would only pile up a backlog that takes minutes to drain
    const keptUp = paced.received >= paced.sent * 0.99;
    let saturated = paced;
    if (keptUp) {
      process.stderr.write(`${kind}: saturation run at ${saturateRate} msgs/s offered for ${saturateSeconds} s...\n`);
      saturated = await runPhase(target, sockets, 'saturated', saturateRate, saturateSeconds, 20_000);
    } else {
      process.stderr.write(`${kind}: did not keep up with ${rate} msgs/s; its paced run is its saturation figure\n`);
    }
    if (errorFrames || unexpectedCloses) {
      process.stderr.write(`${kind}: ${errorFrames} error frames, ${unexpectedCloses} connections closed by the server; first: ${firstError.slice(0, 300)}\n`);
    }
    return { name: kind, setupSeconds, idleRssMb: idle.rss / 2 ** 20, paced, saturated };
  } finally {
    stopping = true;
    for (const ws of sockets) ws.terminate();
    await target.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const pct = (n: number) => `${Math.round(n * 100)}%`;

function table(results: TargetResult[]): string {
  const header =
    '| target | run | offered msg/s | delivered msg/s | not delivered by drain end | p50 ms | p99 ms | max ms | gen. lag max ms | server CPU | server CPU µs/msg | gen. CPU | RSS MB (peak) |';
  const rows = [header, '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of results) {
    for (const [label, p] of [
      ['paced', r.paced],
      ['saturation', r.saturated],
    ] as const) {
      if (label === 'saturation' && p === r.paced) {
        rows.push(`| ${r.name} | saturation | (not run: already saturated at ${r.paced.offered} msgs/s, see the paced row) | | | | | | | | | | |`);
        continue;
      }
      rows.push(
        `| ${r.name} | ${label} | ${p.offered} | ${Math.round(p.deliveredPerSecond)} | ${p.sent - p.received} | ${f2(p.p50)} | ${f2(p.p99)} | ${f1(p.max)} | ${f1(p.maxSendLagMs)} | ${pct(p.serverCpu)} | ${f1(p.cpuMicrosPerMessage)} | ${pct(p.generatorCpu)} | ${f1(p.rssMb)} (${f1(p.peakRssMb)}) |`,
      );
    }
  }
  return rows.join('\n');
}

const started = new Date();
const known: TargetName[] = ['relay', 'forwarder', 'cluster-1', 'cluster-2'];
const targets: TargetName[] = args.targets
  ? args.targets.split(',').map((t) => {
      if (!known.includes(t as TargetName)) {
        console.error(`--targets takes ${known.join(', ')}; not "${t}".\n${USAGE}`);
        process.exit(2);
      }
      return t as TargetName;
    })
  : args.only === 'relay' || args.only === 'forwarder'
    ? [args.only]
    : ['relay', 'forwarder'];
const results: TargetResult[] = [];
try {
  for (const kind of targets) results.push(await measure(kind));
} catch (error) {
  console.error(`benchmark failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
}

console.log(`\nRelay benchmark, ${started.toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
console.log(
  `${customers} customers + ${agentCount} agents = ${connections} connections per target (agent capacity ${capacity}), ` +
    `paced ${rate} msgs/s for ${seconds} s, saturation ${saturateRate} msgs/s offered for ${saturateSeconds} s; relay SQLite synchronous=${synchronous}`,
);
console.log(
  pinning
    ? 'Load generator pinned to core 0, servers to core 1 (taskset); PostgreSQL and Redis, when used, are not pinned. Latency is measured from when each message was due (open loop).\n'
    : 'Load generator and server share the same cores (not pinned); latency is measured from when each message was due (open loop).\n',
);
console.log(table(results));
for (const r of results) console.log(`${r.name}: connection setup ${f1(r.setupSeconds)} s, RSS with all connections idle ${f1(r.idleRssMb)} MB`);
const relay = results.find((r) => r.name === 'relay');
const forwarder = results.find((r) => r.name === 'forwarder');
if (relay && forwarder) {
  const ratio = relay.saturated.deliveredPerSecond / forwarder.saturated.deliveredPerSecond;
  const p99Ratio = relay.paced.p99 / forwarder.paced.p99;
  console.log(`\nRatios relay / forwarder:`);
  console.log(`  throughput at saturation: ${f2(ratio)} (aim >= 0.8: ${ratio >= 0.8 ? 'met' : 'MISSED'})`);
  if (forwarder.saturated.deliveredPerSecond >= forwarder.saturated.offered * 0.95) {
    console.log(
      `  (the forwarder delivered all ${forwarder.saturated.offered} msgs/s offered: its real limit is higher, so this ratio flatters the relay)`,
    );
  }
  console.log(`  throughput at ${rate} msgs/s offered: ${f2(relay.paced.deliveredPerSecond / forwarder.paced.deliveredPerSecond)}`);
  console.log(`  paced p50 latency: ${f1(relay.paced.p50 / forwarder.paced.p50)}x; paced p99 latency: ${f1(p99Ratio)}x (aim <= 2: ${p99Ratio <= 2 ? 'met' : 'MISSED'})`);
  console.log(
    `  CPU per delivered message: ${f1(relay.paced.cpuMicrosPerMessage)} µs vs ${f1(forwarder.paced.cpuMicrosPerMessage)} µs = ${f1(relay.paced.cpuMicrosPerMessage / forwarder.paced.cpuMicrosPerMessage)}x`,
  );
  console.log(`  RSS: ${f1(relay.paced.peakRssMb / forwarder.paced.peakRssMb)}x`);
}
const one = results.find((r) => r.name === 'cluster-1');
const two = results.find((r) => r.name === 'cluster-2');
if (two && relay) {
  const p99 = two.paced.p99 / relay.paced.p99;
  console.log(`\nCluster: cross-node (customers on one node, agents on another) vs the embedded relay`);
  console.log(`  paced p50 ${f2(two.paced.p50)} ms vs ${f2(relay.paced.p50)} ms; p99 ${f2(two.paced.p99)} ms vs ${f2(relay.paced.p99)} ms = ${f1(p99)}x (aim <= 2: ${p99 <= 2 ? 'met' : 'MISSED'})`);
}
if (one && two) {
  const scale = two.saturated.deliveredPerSecond / one.saturated.deliveredPerSecond;
  console.log(
    `  throughput, 2 nodes / 1 node: ${f2(scale)} (aim >= 1.5: ${scale >= 1.5 ? 'met' : 'MISSED'}; ${pinning ? 'both nodes share core 1 here, and PostgreSQL the machine' : 'all share the same cores'}, so this measures overhead, not scale-out)`,
  );
}
process.exit(0);
