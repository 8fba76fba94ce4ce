// Scale figure 1: many idle connections on one server process. How long they take to set up, and how much memory each
// one costs once idle (RSS after a garbage collection, less the RSS of the same server with none), and what each one
// past the first tenth costs (less the RSS with that tenth connected: the code compiled, the pools and caches filled on
// first use are not any one connection's, and the first tenth pays for all of them). The relay's chats
// are seeded in its data folder (seed.ts), one per customer, assigned; its customers come back to them by token. Then
// a few new chats, one at a time, show what opening and routing one costs on a relay this full.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { closeAll, Load, openCustomer, percentile } from './load';
import { type SeededChat, seedChats } from './seed';
import type { ServerStats } from './server-stats';
import { type Pinning, startForwarderTarget, startRelayTarget, type Target } from './targets';

export interface ConnectionsOptions {
  customers: number;
  agents: number;
  synchronous: 'FULL' | 'NORMAL';
  pinning: Pinning;
  /** setup that takes longer than this is stopped, and the figures are those of the connections made by then */
  setupTimeoutSeconds: number;
  /** also write a heap snapshot of the idle relay (its file name is printed) */
  heapSnapshot: boolean;
  /** a CPU profile of the server while the connections are set up */
  profile: boolean;
  /** connections opened at once while setting up */
  concurrency: number;
  /** new chats opened one after another once the relay is full (routing and presence at this scale) */
  newChats: number;
}

export interface NewChatFigure {
  count: number;
  /** customer-hello -> assigned, one at a time */
  p50: number;
  p99: number;
  /** relay CPU per new chat */
  cpuMs: number;
}

export interface ConnectionsResult {
  target: 'relay' | 'forwarder';
  /** connections asked for, and made before the setup deadline */
  wanted: number;
  connected: number;
  setupSeconds: number;
  baseRssMb: number;
  idleRssMb: number;
  peakRssMb: number;
  /** per idle connection, in KB: RSS, V8 heap in use and reserved, memory outside the heap */
  rssKb: number;
  heapKb: number;
  heapTotalKb: number;
  externalKb: number;
  /**
   * the same per connection past the first tenth (from the RSS with a tenth of the agents and of the customers idle to
   * the RSS with all of them), null when fewer than all connected; `firstTenth` how many that tenth was
   */
  marginal: { firstTenth: number; rssKb: number; heapKb: number; heapTotalKb: number } | null;
  serverOpenFiles: number;
  generatorOpenFiles: number;
  /** server CPU seconds spent setting the connections up */
  setupCpuSeconds: number;
  heapSnapshot: string | null;
  /** the .cpuprofile of the set-up, when asked for */
  setupProfile: string | null;
  newChats: NewChatFigure | null;
  problems: string | null;
}

export function generatorOpenFiles(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

/** Connects in `concurrency` parallel lanes until done or the deadline; resolves with how many connected. */
async function connectUntil(count: number, concurrency: number, deadline: number, make: (i: number) => Promise<unknown>) {
  let next = 0;
  let made = 0;
  const lane = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      await make(i);
      made += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return made;
}

export async function measureConnections(kind: 'relay' | 'forwarder', options: ConnectionsOptions): Promise<ConnectionsResult> {
  const { customers, agents, pinning } = options;
  const perAgent = Math.ceil(customers / agents);
  let chats: SeededChat[] = [];
  // room for one more chat per agent, so the new chats at the end are routed (and tell every agent)
  const target: Target =
    kind === 'relay'
      ? await startRelayTarget({ agents, capacity: perAgent + 1, synchronous: options.synchronous, pinning }, (dataDir) => {
          chats = seedChats(dataDir, agents, customers);
        })
      : await startForwarderTarget(perAgent, pinning);
  const load = new Load();
  try {
    // the same server with no connection: what is left after it is the connections' share
    await new Promise((resolve) => setTimeout(resolve, 500));
    const base = await target.stats(true);
    const wanted = customers + agents;
    if (options.profile) await target.profile('start');
    const start = performance.now();
    const deadline = start + options.setupTimeoutSeconds * 1000;
    const progress = setInterval(() => {
      process.stderr.write(`${kind}: ${load.sockets.length} of ${wanted} connected after ${((performance.now() - start) / 1000).toFixed(0)} s\n`);
    }, 30_000);
    let connected = 0;
    let tenth: { connected: number; stats: ServerStats; settleSeconds: number; settleCpuSeconds: number } | null = null;
    const agentsInTenth = Math.ceil(agents / 10);
    const customersInTenth = Math.ceil(customers / 10);
    try {
      // a tenth of each, then the rest; in each step agents first, so that every customer is routed as it arrives
      for (const [fromAgent, toAgent, fromCustomer, toCustomer] of [
        [0, agentsInTenth, 0, customersInTenth],
        [agentsInTenth, agents, customersInTenth, customers],
      ] as const) {
        connected += await connectUntil(toAgent - fromAgent, options.concurrency, deadline, (i) =>
          kind === 'relay' ? load.connectRelayAgent(target, fromAgent + i) : load.connectForwarderAgent(target, fromAgent + i),
        );
        connected += await connectUntil(toCustomer - fromCustomer, options.concurrency, deadline, (i) =>
          kind === 'relay'
            ? load.connectResumedCustomer(target, chats[fromCustomer + i]!.token)
            : load.connectForwarderCustomer(target, fromCustomer + i),
        );
        if (tenth || connected < agentsInTenth + customersInTenth) break;
        // idle, collected and settled as the final reading is; its time is not set-up time
        const settleStarted = performance.now();
        const unsettled = await target.stats();
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const stats = await target.stats(true);
        tenth = {
          connected,
          stats,
          settleSeconds: (performance.now() - settleStarted) / 1000,
          settleCpuSeconds: stats.cpuSeconds - unsettled.cpuSeconds,
        };
      }
    } finally {
      clearInterval(progress);
    }
    const setupSeconds = (performance.now() - start) / 1000 - (tenth?.settleSeconds ?? 0);
    const setupProfile = options.profile ? await target.profile('stop') : null;
    const generatorFiles = generatorOpenFiles();
    // idle: let pending writes, timers and the checkpoint worker settle before measuring
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = await target.stats(true);
    const heapSnapshot = options.heapSnapshot ? await target.heapSnapshot() : null;
    const newChats = kind === 'relay' && options.newChats > 0 ? await openNewChats(target, options.newChats) : null;
    const per = (bytes: number) => bytes / Math.max(1, connected) / 1024;
    /** KB per connection from the reading with the first tenth connected to the idle one with all of them */
    const marginal = (from: number, at: ServerStats) => {
      const each = (bytes: number) => bytes / (connected - from) / 1024;
      return {
        firstTenth: from,
        rssKb: each(idle.rss - at.rss),
        heapKb: each(idle.heapUsed - at.heapUsed),
        heapTotalKb: each(idle.heapTotal - at.heapTotal),
      };
    };
    return {
      target: kind,
      wanted,
      connected,
      setupSeconds,
      baseRssMb: base.rss / 2 ** 20,
      idleRssMb: idle.rss / 2 ** 20,
      peakRssMb: idle.peakRss / 2 ** 20,
      rssKb: per(idle.rss - base.rss),
      heapKb: per(idle.heapUsed - base.heapUsed),
      heapTotalKb: per(idle.heapTotal - base.heapTotal),
      externalKb: per(idle.external - base.external),
      marginal: tenth && connected === wanted ? marginal(tenth.connected, tenth.stats) : null,
      serverOpenFiles: idle.openFiles,
      generatorOpenFiles: generatorFiles,
      setupCpuSeconds: idle.cpuSeconds - base.cpuSeconds - (tenth?.settleCpuSeconds ?? 0),
      heapSnapshot,
      setupProfile,
      newChats,
      problems: load.problems(),
    };
  } finally {
    await load.close();
    await target.stop();
  }
}

async function openNewChats(target: Target, count: number): Promise<NewChatFigure> {
  const before = await target.stats();
  const times: number[] = [];
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    sockets.push((await openCustomer(target.port, `New customer ${i}`)).ws);
    times.push(performance.now() - start);
  }
  const after = await target.stats();
  await closeAll(sockets);
  const sorted = Float64Array.from(times).sort();
  return { count, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpuMs: ((after.cpuSeconds - before.cpuSeconds) * 1000) / count };
}
