// The relay's garbage collection mode (relay/gc-mode.ts): the CPU budget read from affinity and cgroup quotas, the
// mode `auto` picks from it, and the V8 flags of `main-thread` set in a running process that then works under load.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuBudget, resolveGcMode } from '../../relay/gc-mode';
import { removeDir, repoRoot } from './helpers';
import { cli } from './ops-helpers';

/** A /proc and /sys of our own: the files `cpuBudget` reads, by path. */
const files =
  (entries: Record<string, string>) =>
  (file: string): string | null =>
    entries[file] ?? null;

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('the CPU budget', () => {
  it('is the CPUs the process may run on when no cgroup limits it', () => {
    expect(cpuBudget(files({}), 4)).toBe(4);
    expect(cpuBudget(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' }), 2)).toBe(2);
    expect(cpuBudget(files({ '/proc/self/cgroup': '0::/\n' }), 1)).toBe(1);
  });

  it('is the cgroup v2 quota of the group or of any group above it, rounded up, and never more than the CPUs', () => {
    const cgroup = { '/proc/self/cgroup': '0::/system.slice/baton-relay.service\n' };
    const unit = '/sys/fs/cgroup/system.slice/baton-relay.service/cpu.max';
    expect(cpuBudget(files({ ...cgroup, [unit]: '100000 100000\n' }), 8)).toBe(1);
    expect(cpuBudget(files({ ...cgroup, [unit]: '50000 100000\n' }), 8)).toBe(1);
    expect(cpuBudget(files({ ...cgroup, [unit]: '150000 100000\n' }), 8)).toBe(2);
    expect(cpuBudget(files({ ...cgroup, [unit]: '800000 100000\n' }), 2)).toBe(2);
    // the slice above limits it even though the unit does not
    expect(cpuBudget(files({ ...cgroup, [unit]: 'max 100000', '/sys/fs/cgroup/system.slice/cpu.max': '100000 100000' }), 8)).toBe(1);
  });

  it('is the cgroup v1 cfs quota over its period, where the cpu controller is mounted', () => {
    const cgroup = { '/proc/self/cgroup': '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n' };
    const base = '/sys/fs/cgroup/cpu,cpuacct/docker/abc';
    expect(cpuBudget(files({ ...cgroup, [`${base}/cpu.cfs_quota_us`]: '100000', [`${base}/cpu.cfs_period_us`]: '100000' }), 4)).toBe(1);
    expect(cpuBudget(files({ ...cgroup, [`${base}/cpu.cfs_quota_us`]: '-1', [`${base}/cpu.cfs_period_us`]: '100000' }), 4)).toBe(4);
    // inside a container the group is the mount's root
    const root = '/sys/fs/cgroup/cpu,cpuacct';
    expect(cpuBudget(files({ ...cgroup, [`${root}/cpu.cfs_quota_us`]: '200000', [`${root}/cpu.cfs_period_us`]: '100000' }), 4)).toBe(2);
  });

  it('ignores files it cannot make sense of', () => {
    const cgroup = { '/proc/self/cgroup': 'garbage\n0::/a\n' };
    expect(cpuBudget(files({ ...cgroup, '/sys/fs/cgroup/a/cpu.max': 'lots of it' }), 3)).toBe(3);
    expect(cpuBudget(files({ ...cgroup, '/sys/fs/cgroup/a/cpu.max': '0 100000' }), 3)).toBe(3);
    expect(cpuBudget(files({ ...cgroup, '/sys/fs/cgroup/a/cpu.max': '-5 100000' }), 3)).toBe(3);
  });

  it.skipIf(!hasTaskset)('of this machine follows taskset', () => {
    const script = "import { cpuBudget } from './relay/gc-mode.ts'; console.log(cpuBudget());";
    const out = execFileSync('taskset', ['-c', '0', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(Number(out.trim())).toBe(1);
  });
});

describe('the garbage collection mode', () => {
  it('auto is main-thread with one core and concurrent with more; a mode set is kept', () => {
    expect(resolveGcMode('auto', 1)).toBe('main-thread');
    expect(resolveGcMode('auto', 2)).toBe('concurrent');
    expect(resolveGcMode('auto', 64)).toBe('concurrent');
    expect(resolveGcMode('concurrent', 1)).toBe('concurrent');
    expect(resolveGcMode('main-thread', 8)).toBe('main-thread');
  });

  it('main-thread, set in a running process, survives heavy allocation with worker threads and major collections', () => {
    // V8's flags are set after it started: the ones that abort the process then (--single-threaded-gc,
    // --no-parallel-marking) must not be among them; this runs the relay's worker pattern under steady allocation
    const script = `
      import { Worker } from 'node:worker_threads';
      import { applyGcMode } from './relay/gc-mode.ts';
      const applied = applyGcMode('main-thread', 2, []);
      const worker = new Worker("const keep = []; setInterval(() => { for (let i = 0; i < 20000; i++) keep.push({ i, s: 'w' + i }); if (keep.length > 200000) keep.length = 0; }, 2);", { eval: true });
      const kept = new Map();
      let n = 0;
      const started = Date.now();
      const timer = setInterval(() => {
        for (let i = 0; i < 4000; i++) kept.set(n++ % 150000, { n, text: 'message ' + n, list: [n, n + 1] });
        if (n % 40000 < 4000) globalThis.gc();
        if (Date.now() - started > 2500) {
          clearInterval(timer);
          void worker.terminate().then(() => console.log(JSON.stringify({ mode: applied.mode, n })));
        }
      }, 1);
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).not.toContain('Fatal error');
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout.trim()) as { mode: string; n: number };
    expect(out.mode).toBe('main-thread');
    expect(out.n).toBeGreaterThan(100_000);
  }, 40_000);

  it.skipIf(!hasTaskset)('the relay says at start which mode it picked: main-thread on one core, and --gc overrides auto', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-gc-'));
    const startLine = (args: string[], cores: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn('taskset', ['-c', cores, process.execPath, '--import', 'tsx', 'relay/cli.ts', '--port', '0', '--data', dataDir, ...args], {
          cwd: repoRoot,
          env: { ...process.env, BATON_CONFIG: '' },
        });
        let out = '';
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the relay did not start: ${out}`));
        }, 30_000);
        const read = (chunk: Buffer) => {
          out += chunk;
          const line = out.split('\n').find((l) => l.startsWith('Baton relay listening on'));
          if (!line) return;
          clearTimeout(timer);
          child.once('exit', () => resolve(line));
          child.kill('SIGTERM');
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
      });
    try {
      expect(await startLine([], '0')).toContain('garbage collection main-thread (auto, 1 core)');
      expect(await startLine(['--gc', 'concurrent'], '0')).toContain('garbage collection concurrent (set)');
      if (os.availableParallelism() >= 2) expect(await startLine([], '0,1')).toContain('garbage collection concurrent (auto, 2 cores)');
    } finally {
      removeDir(dataDir);
    }
  }, 90_000);

  it('an unknown mode stops the relay with the sentence and exit code 2', async () => {
    const result = await cli(['--gc', 'fast']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--gc must be one of auto, concurrent, main-thread, not "fast"');
  }, 30_000);
});
