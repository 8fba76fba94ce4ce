// The IPC side of a benchmarked server child: answers the load generator's questions about its memory and CPU.
import fs from 'node:fs';
import { Session } from 'node:inspector';
import {
  constants,
  type IntervalHistogram,
  monitorEventLoopDelay,
  type PerformanceEntry,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';
import v8 from 'node:v8';

export interface ServerStats {
  rss: number;
  peakRss: number;
  /** V8 heap in use and reserved, and memory held outside it (Buffers, native objects such as sockets' read buffers) */
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** CPU seconds used by the server process since it started (user + system) */
  cpuSeconds: number;
  /** event loop utilization since the previous stats request, 0..1 */
  loopUtilization: number;
  /** open file descriptors (each socket is one; the per-process cap is 20,000 on the build machine) */
  openFiles: number;
  /**
   * read- and write-like system calls made by the whole process so far, every thread's (Linux's /proc/self/io
   * `syscr`/`syscw`: socket reads and writes and the store's file reads and writes; fsyncs count in neither), null
   * where the kernel does not say. `storedBytes`: bytes this process's writes gave the storage layer to write (`write_bytes`:
   * counted when a clean page of a file is dirtied, so what reaches the disk, rewrites of a still-dirty page not twice;
   * sockets not at all)
   */
  syscalls: { reads: number; writes: number; storedBytes: number } | null;
  /**
   * the relay's store commits so far (`CommitCounter`): all of them, and those that took over 5, 10 and 25 ms; null
   * for a server without a store (the forwarders)
   */
  commits: SlowCommits | null;
  /** the relay's WAL fsyncs so far, counted the same way (null: a server without a store, or one that never said) */
  fsyncs: SlowCommits | null;
  /** how late the event loop ran a 10 ms timer since the previous stats request (`LoopDelay`) */
  loopDelay: LoopDelay;
  /** the garbage collector's pauses since the previous stats request (`GcPauses`) */
  gc: GcPauses;
  /** wall-clock time of this report (ms since the epoch): a server that lags answers late */
  at: number;
}

/**
 * How late an event loop ran a timer due every `LOOP_DELAY_RESOLUTION_MS` (perf_hooks' `monitorEventLoopDelay`), in
 * ms: the stalls every message in flight waited out. The histogram holds the time between two runs of the timer, its
 * period included (an idle loop reads 10.1 ms); this is what was beyond the period. 0 when no timer was due.
 */
export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

/** 100 timer wake-ups a second: nothing beside 10,000 messages, and fine enough for the stalls of a p99 */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** An event-loop delay histogram, running from now. */
export function watchLoopDelay(): IntervalHistogram {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  histogram.enable();
  return histogram;
}

/** What `histogram` saw so far, in ms beyond the timer's period (its figures are in ns, period included). */
export function readLoopDelay(histogram: IntervalHistogram): LoopDelay {
  if (!histogram.count) return { p99Ms: 0, maxMs: 0 };
  const late = (ns: number) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
  return { p99Ms: late(histogram.percentile(99)), maxMs: late(histogram.max) };
}

/**
 * The collector's pauses of the main thread, in ms: scavenges (the young generation) and mark-compacts (the whole heap;
 * their incremental marking steps and weak callbacks are left out, being short and spread).
 */
export interface GcPauses {
  scavenges: number;
  scavengeMs: number;
  longestScavengeMs: number;
  markCompacts: number;
  markCompactMs: number;
  longestMarkCompactMs: number;
}

const noPauses = (): GcPauses => ({
  scavenges: 0,
  scavengeMs: 0,
  longestScavengeMs: 0,
  markCompacts: 0,
  markCompactMs: 0,
  longestMarkCompactMs: 0,
});

/** a `gc` entry's kind (Node 20 types leave `detail` out of PerformanceEntry) */
const gcKind = (entry: PerformanceEntry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;

/** Adds up this process's GC pauses from now (perf_hooks' `gc` entries) until `stop`. */
export class GcWatch {
  private pauses = noPauses();
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.observe(gcKind(entry), entry.duration);
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** one pause of `kind` (perf_hooks' `NODE_PERFORMANCE_GC_*`) that took `ms` */
  observe(kind: number | undefined, ms: number): void {
    const p = this.pauses;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      p.scavenges += 1;
      p.scavengeMs += ms;
      p.longestScavengeMs = Math.max(p.longestScavengeMs, ms);
    } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      p.markCompacts += 1;
      p.markCompactMs += ms;
      p.longestMarkCompactMs = Math.max(p.longestMarkCompactMs, ms);
    }
  }

  /** the pauses so far, and start over */
  take(): GcPauses {
    // entries still buffered belong to the period that ends now
    for (const entry of this.observer.takeRecords()) this.observe(gcKind(entry), entry.duration);
    const taken = this.pauses;
    this.pauses = noPauses();
    return taken;
  }

  stop(): void {
    this.observer.disconnect();
  }
}

export interface SlowCommits {
  total: number;
  over5ms: number;
  over10ms: number;
  over25ms: number;
}

/**
 * `cpu`: V8's CPU profile. `heap-old`: V8's sampling heap profile of what was allocated and lived past the young
 * generation: objects a scavenge freed are left out, objects a mark-compact freed are kept (what makes the major
 * collections of the paced tail, docs/performance.md round 15), as well as what is still alive at the end.
 * `heap-all`: every allocation sampled, whatever freed it.
 */
export type ProfileKind = 'cpu' | 'heap-old' | 'heap-all';

export type ParentMessage =
  /** `settle`: collect garbage first (children run with --expose-gc), so idle memory is what is still referenced */
  | { type: 'stats'; settle?: boolean }
  | { type: 'stop' }
  /** a profile (ProfileKind, CPU by default) of the measured runs only, written as a .cpuprofile or .heapprofile file */
  | { type: 'profile-start'; kind?: ProfileKind }
  | { type: 'profile-stop'; file: string }
  /** a V8 heap snapshot (after a collection), to see what idle connections keep alive */
  | { type: 'heap-snapshot'; file: string };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'profiled'; file: string | null }
  | { type: 'snapshot'; file: string }
  | { type: 'failed'; error: string };

const collect = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * Collects until RSS stops falling. Right after a burst of work V8 keeps its young generation grown (tens of MB on the
 * relay after setting up thousands of connections) and gives it back only after a few quiet collections, ~5-10 s:
 * measured sooner, "memory per idle connection" would be the setup's allocation rate, not what connections keep.
 */
async function settle(): Promise<void> {
  const started = Date.now();
  const readings: number[] = [];
  for (;;) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    readings.push(process.memoryUsage().rss);
    const elapsed = Date.now() - started;
    const recent = readings.slice(-4);
    const flat = recent.length === 4 && recent[0]! - recent[3]! < recent[0]! * 0.005;
    if ((flat && elapsed >= 8000) || elapsed >= 30_000) return;
  }
}

function openFiles(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

/** This process's read- and write-like system calls so far, every thread's (see `ServerStats.syscalls`). */
export function syscalls(): ServerStats['syscalls'] {
  try {
    const io = fs.readFileSync('/proc/self/io', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN);
    const reads = field('syscr');
    const writes = field('syscw');
    const storedBytes = field('write_bytes');
    return Number.isFinite(reads) && Number.isFinite(writes) && Number.isFinite(storedBytes)
      ? { reads, writes, storedBytes }
      : null;
  } catch {
    return null;
  }
}

/** no commits (or fsyncs) yet */
export const noneSlow = (): SlowCommits => ({ total: 0, over5ms: 0, over10ms: 0, over25ms: 0 });

/**
 * Counts a relay's store commits and its WAL fsyncs, and those of each over 5, 10 and 25 ms (its `onStoreTiming`). A
 * commit holds the event loop; an fsync does not (it runs in libuv's pool) but every acknowledgement waits for one, and
 * a message that arrives during one waits out the rest of it and then its own.
 */
export class CommitCounter {
  private readonly counts = { commit: noneSlow(), fsync: noneSlow() };

  readonly observe = (what: 'commit' | 'fsync', seconds: number): void => {
    const counts = this.counts[what];
    counts.total++;
    if (seconds > 0.005) counts.over5ms++;
    if (seconds > 0.01) counts.over10ms++;
    if (seconds > 0.025) counts.over25ms++;
  };

  /** the commits so far (a copy) */
  get snapshot(): SlowCommits {
    return { ...this.counts.commit };
  }

  /** the fsyncs so far (a copy) */
  get fsyncSnapshot(): SlowCommits {
    return { ...this.counts.fsync };
  }
}

/**
 * Reports `ready`, then answers `stats` and exits on `stop` or when the parent goes away. `commits`: the server's store
 * commits, where it has a store.
 */
export function serveStats(port: number, stop: () => Promise<void>, commits?: CommitCounter): void {
  const send = (message: ChildMessage) => process.send?.(message);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  sampler.unref();
  let lastElu = performance.eventLoopUtilization();
  const loopDelay = watchLoopDelay();
  const gc = new GcWatch();
  const quit = async () => {
    clearInterval(sampler);
    // a server still chewing on a backlog may take long to close; exit anyway (normally, so --cpu-prof is written)
    await Promise.race([stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000))]);
    process.exit(0);
  };
  const profiler = new Session();
  let profiling: ProfileKind = 'cpu';
  process.on('message', async (message: ParentMessage) => {
    if (message.type === 'stats') {
      if (message.settle) await settle();
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      const delay = readLoopDelay(loopDelay);
      loopDelay.reset();
      const pauses = gc.take();
      send({
        type: 'stats',
        stats: {
          rss: memory.rss,
          peakRss,
          heapUsed: memory.heapUsed,
          heapTotal: memory.heapTotal,
          external: memory.external,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
          loopUtilization: elu.utilization,
          openFiles: openFiles(),
          syscalls: syscalls(),
          commits: commits?.snapshot ?? null,
          fsyncs: commits?.fsyncSnapshot ?? null,
          loopDelay: delay,
          gc: pauses,
          at: Date.now(),
        },
      });
    } else if (message.type === 'stop') {
      void quit();
    } else if (message.type === 'profile-start') {
      profiler.connect();
      profiling = message.kind ?? 'cpu';
      if (profiling !== 'cpu') {
        // every 4 KB allocated on average; the options are V8 11.3's, newer than @types/node's protocol typings
        const all = profiling === 'heap-all';
        const sampling = { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: all };
        profiler.post('HeapProfiler.enable', () => profiler.post('HeapProfiler.startSampling', sampling as { samplingInterval: number }));
      } else {
        profiler.post('Profiler.enable', () => profiler.post('Profiler.start'));
      }
    } else if (message.type === 'profile-stop') {
      const written = (error: Error | null, profile: unknown) => {
        if (!error) fs.writeFileSync(message.file, JSON.stringify(profile));
        profiler.disconnect();
        send({ type: 'profiled', file: error ? null : message.file });
      };
      if (profiling !== 'cpu') profiler.post('HeapProfiler.stopSampling', (error, result) => written(error, result?.profile));
      else profiler.post('Profiler.stop', (error, result) => written(error, result?.profile));
    } else if (message.type === 'heap-snapshot') {
      collect();
      send({ type: 'snapshot', file: v8.writeHeapSnapshot(message.file) });
    }
  });
  process.on('disconnect', () => void quit());
  send({ type: 'ready', port });
}

export function reportFailure(error: unknown): never {
  process.send?.({ type: 'failed', error: String((error as Error)?.stack ?? error) } satisfies ChildMessage);
  process.exit(1);
}
