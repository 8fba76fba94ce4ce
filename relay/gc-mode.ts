// How V8 collects garbage in a relay process, picked once at start from the CPU it may use (docs/performance.md,
// rounds 14 and 15). With one core, V8's concurrent marking and sweeping threads compete with the main thread for that
// core, and a major collection then held a turn for 12-15 ms (paced p99 at 10,000 msgs/s: 14-64 ms); marking and
// sweeping on the main thread alone, in small incremental steps, keeps it at 9-14 ms for the same CPU per message, at
// ~2.5 KB more RSS per idle connection. With two cores or more the helper threads run beside the main thread and
// V8's defaults stay.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

export const GC_MODES = ['auto', 'concurrent', 'main-thread'] as const;
export type GcModeSetting = (typeof GC_MODES)[number];
export type GcMode = Exclude<GcModeSetting, 'auto'>;

/**
 * The V8 flags of `main-thread`, each one safe to set after V8 has started (checked one by one under load on Node 20's
 * V8 11.3): `--single-threaded-gc` itself and `--no-parallel-marking` abort the process when set at run time, so they
 * are left out; `--single-threaded-gc` on node's command line does the same job and is honoured as it is.
 */
export const MAIN_THREAD_GC_FLAGS = [
  '--no-concurrent-marking',
  '--no-concurrent-sweeping',
  '--no-parallel-scavenge',
  '--no-parallel-compaction',
  '--no-parallel-pointer-update',
] as const;

type ReadFile = (file: string) => string | null;

const readOrNull: ReadFile = (file) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Cores from a cgroup v2 `cpu.max` ("150000 100000", "max 100000"), or null for no limit or an unreadable file. */
function quotaV2(text: string | null): number | null {
  const [quota, period] = (text ?? '').trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period);
  return quota !== 'max' && q > 0 && p > 0 ? q / p : null;
}

/** Cores from cgroup v1's cpu.cfs_quota_us / cpu.cfs_period_us (quota -1: no limit). */
function quotaV1(quota: string | null, period: string | null): number | null {
  const q = Number((quota ?? '').trim());
  const p = Number((period ?? '').trim());
  return q > 0 && p > 0 ? q / p : null;
}

/**
 * The cores this process may use: the CPUs it is allowed to run on (affinity, `taskset`, a cpuset) and the CPU quota
 * of its cgroup (systemd's CPUQuota=, a container's --cpus), whichever is smaller, rounded up (1.5 cores is 2).
 */
export function cpuBudget(read: ReadFile = readOrNull, parallelism = os.availableParallelism()): number {
  const quotas: number[] = [];
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const [, controllers, where] = line.match(/^\d+:([^:]*):(\/.*)$/) ?? [];
    if (where === undefined || controllers === undefined) continue;
    if (controllers === '') {
      // cgroup v2: the limit of this group or of any group above it
      for (let dir = where; ; dir = path.posix.dirname(dir)) {
        const cores = quotaV2(read(path.posix.join('/sys/fs/cgroup', dir, 'cpu.max')));
        if (cores !== null) quotas.push(cores);
        if (dir === '/') break;
      }
    } else if (controllers.split(',').includes('cpu')) {
      // cgroup v1: the cpu controller's own mount (cpu,cpuacct or cpu); in a container the group is its root
      for (const mount of ['cpu,cpuacct', 'cpu']) {
        for (const dir of new Set([where, '/'])) {
          const base = path.posix.join('/sys/fs/cgroup', mount, dir);
          const cores = quotaV1(read(path.posix.join(base, 'cpu.cfs_quota_us')), read(path.posix.join(base, 'cpu.cfs_period_us')));
          if (cores !== null) quotas.push(cores);
        }
      }
    }
  }
  return Math.max(1, Math.ceil(Math.min(parallelism, ...quotas) - 1e-9));
}

/** `auto`: `main-thread` with one core to run on, `concurrent` (V8's default) with more. */
export function resolveGcMode(setting: GcModeSetting, cores: number): GcMode {
  if (setting !== 'auto') return setting;
  return cores < 2 ? 'main-thread' : 'concurrent';
}

export interface AppliedGcMode {
  mode: GcMode;
  cores: number;
  /** how the start line says it: "main-thread (auto, 1 core)" */
  describe: string;
}

/**
 * Picks and applies the garbage collection mode. Call it first thing in a process that runs a relay, before
 * worker threads start and before the heap grows (V8's flags are the process's; the embedded relay inside the desktop
 * app leaves them to the app). `--single-threaded-gc` on node's own command line already is `main-thread`.
 */
export function applyGcMode(setting: GcModeSetting, cores = cpuBudget(), execArgv = process.execArgv): AppliedGcMode {
  const already = execArgv.includes('--single-threaded-gc');
  const mode = already ? 'main-thread' : resolveGcMode(setting, cores);
  if (mode === 'main-thread' && !already) for (const flag of MAIN_THREAD_GC_FLAGS) v8.setFlagsFromString(flag);
  const how = setting === 'auto' ? `auto, ${cores} ${cores === 1 ? 'core' : 'cores'}` : 'set';
  return { mode, cores, describe: `${mode} (${how}${already ? ', --single-threaded-gc' : ''})` };
}
