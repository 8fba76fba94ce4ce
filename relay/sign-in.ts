// What a sign-in costs the relay, bounded: scrypt runs on a few threads of its own at low priority (never on libuv's
// pool, which the WAL fsync needs), sign-ins wait in a bounded queue where the most trusted go first, and failures
// are throttled per user name and per address (a growing delay, then a lockout).
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseHash } from './auth';

export interface SignInLimits {
  /** scrypt checks running at once, each on a thread of its own */
  concurrent: number;
  /** sign-ins waiting for a check; when full, the least trusted waiting one is answered "busy" */
  waiting: number;
  /** failures per user name or address before each further one adds a delay (1 s, 2 s, 4 s, …) */
  freeFailures: number;
  /** failures per user name or address that lock it out */
  lockoutAfter: number;
  /** how long a lockout lasts; failures are forgotten after this long without one */
  lockoutMs: number;
}

/** The defaults that do not depend on the machine. */
export const SIGN_IN_DEFAULTS = { waiting: 64, freeFailures: 3, lockoutAfter: 10, lockoutMs: 15 * 60_000 } as const;

export const defaultSignInLimits = (): SignInLimits => ({
  // at least two: the threads run at nice 10, so they never take the event loop's core, and when every agent of a
  // restarted node signs in again at once on another (cold cache there), one thread made them queue past the grace
  concurrent: Math.max(2, Math.min(4, os.availableParallelism() - 1)),
  ...SIGN_IN_DEFAULTS,
});

/** Lower goes first: a user back from an address they signed in from before, then anyone clean, then suspects. */
export type Trust = 0 | 1 | 2;

export type CheckOutcome = 'match' | 'mismatch' | 'busy';

// CommonJS, evaluated: no file to ship beside the bundle, the same in the desktop app's demo relay. The thread lowers
// its own priority (Linux nice values are per thread), so a flood of guesses never takes CPU from the event loop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { scryptSync, timingSafeEqual } = require('node:crypto');
try { require('node:os').setPriority(0, workerData.nice); } catch {}
parentPort.on('message', (job) => {
  let match = false;
  try {
    const expected = Buffer.from(job.hash);
    const derived = scryptSync(job.password, Buffer.from(job.salt), expected.length,
      { N: job.n, r: job.r, p: job.p, maxmem: 64 * 1024 * 1024 });
    match = timingSafeEqual(derived, expected);
  } catch {}
  parentPort.postMessage(match);
});
`;

interface Job {
  password: string;
  stored: string;
  trust: Trust;
  resolve: (outcome: CheckOutcome) => void;
}

interface Thread {
  worker: Worker;
  job: Job | null;
}

/** Checks passwords against stored hashes on `concurrent` low-priority threads, in order of trust. */
export class PasswordChecker {
  private readonly threads: Thread[] = [];
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(
    private readonly limits: Pick<SignInLimits, 'concurrent' | 'waiting'>,
    private readonly nice = 10,
  ) {
    // one thread is ready before anyone signs in, so the first sign-in after a start does not wait for it to boot
    this.spawn();
  }

  check(password: string, stored: string, trust: Trust): Promise<CheckOutcome> {
    if (this.closed) return Promise.resolve('busy');
    return new Promise((resolve) => {
      const job: Job = { password, stored, trust, resolve };
      if (this.queue.length >= this.limits.waiting) {
        // the least trusted, latest arrival leaves the queue if the newcomer is more trusted; otherwise the newcomer
        let worst = -1;
        for (let i = 0; i < this.queue.length; i++) if (worst < 0 || this.queue[i]!.trust >= this.queue[worst]!.trust) worst = i;
        if (worst < 0 || this.queue[worst]!.trust <= trust) return resolve('busy');
        this.queue.splice(worst, 1)[0]!.resolve('busy');
      }
      const at = this.queue.findIndex((queued) => queued.trust > trust);
      this.queue.splice(at < 0 ? this.queue.length : at, 0, job);
      this.pump();
    });
  }

  /** Sign-ins waiting for a thread. */
  get waiting(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve('busy');
    for (const thread of this.threads.splice(0)) {
      thread.job?.resolve('busy');
      void thread.worker.terminate();
    }
  }

  private pump(): void {
    while (this.queue.length) {
      const thread = this.threads.find((t) => !t.job) ?? this.spawn();
      if (!thread) return;
      const job = this.queue.shift()!;
      const hash = parseHash(job.stored);
      if (!hash) {
        job.resolve('mismatch');
        continue;
      }
      thread.job = job;
      thread.worker.postMessage({ password: job.password, salt: hash.salt, hash: hash.hash, n: hash.n, r: hash.r, p: hash.p });
    }
  }

  private spawn(): Thread | null {
    if (this.closed || this.threads.length >= this.limits.concurrent) return null;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { nice: this.nice } });
    worker.unref();
    const thread: Thread = { worker, job: null };
    worker.on('message', (match: boolean) => {
      const job = thread.job;
      thread.job = null;
      job?.resolve(match ? 'match' : 'mismatch');
      this.pump();
    });
    const lost = () => {
      // a thread that died takes its check with it: that sign-in is asked to try again, and a new thread is made
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      thread.job?.resolve('busy');
      thread.job = null;
      this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.threads.push(thread);
    return thread;
  }
}

interface FailureRecord {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  /** checks running for this key now */
  inFlight: number;
}

export type ThrottleVerdict = { ok: true; trust: Trust } | { ok: false; retryAfterMs: number; locked: boolean };

/**
 * Failed sign-ins per user name and per address. The first few are free; each further one makes the next attempt wait
 * twice as long; then the key is locked out for a while. A user name is throttled the same whether or not such an
 * account exists. An attempt from an address the user signed in from before passes the user's throttle (not the
 * address's), so guessing a manager's password from elsewhere does not lock the manager out of their own desk.
 */
export class SignInThrottle {
  private readonly records = new Map<string, FailureRecord>();
  /** user → addresses they signed in from (in memory; forgotten at a restart) */
  private readonly knownAddresses = new Map<string, Set<string>>();

  constructor(
    private readonly limits: Pick<SignInLimits, 'freeFailures' | 'lockoutAfter' | 'lockoutMs'>,
    private readonly now: () => number = Date.now,
  ) {}

  check(user: string, address: string): ThrottleVerdict {
    const known = this.knownAddresses.get(user)?.has(address) ?? false;
    const byAddress = this.records.get(`a:${address}`);
    const byUser = known ? undefined : this.records.get(`u:${user}`);
    const wait = Math.max(this.waitFor(byAddress), this.waitFor(byUser));
    if (wait > 0) {
      const locked = [byAddress, byUser].some((r) => r && r.lockedUntil > this.now());
      return { ok: false, retryAfterMs: wait, locked };
    }
    const trust: Trust = known ? 0 : byAddress?.failures || this.records.get(`u:${user}`)?.failures ? 2 : 1;
    return { ok: true, trust };
  }

  /** A check starts: until it ends, a key that has failed before gets no second one. */
  begin(user: string, address: string): void {
    for (const key of [`u:${user}`, `a:${address}`]) {
      const record = this.records.get(key);
      if (record) record.inFlight += 1;
      else this.records.set(key, { failures: 0, lastFailureAt: 0, lockedUntil: 0, inFlight: 1 });
    }
  }

  /** The check ended; on a failure, says whether it locked the user name or the address out. */
  end(user: string, address: string, outcome: 'success' | 'failure' | 'not-checked'): { locked: Array<'user' | 'address'> } {
    const now = this.now();
    const locked: Array<'user' | 'address'> = [];
    for (const [key, kind] of [
      [`u:${user}`, 'user'],
      [`a:${address}`, 'address'],
    ] as const) {
      const record = this.records.get(key);
      if (!record) continue;
      record.inFlight = Math.max(0, record.inFlight - 1);
      if (outcome !== 'failure') continue;
      record.failures += 1;
      record.lastFailureAt = now;
      if (record.failures >= this.limits.lockoutAfter && record.lockedUntil <= now) {
        record.lockedUntil = now + this.limits.lockoutMs;
        locked.push(kind);
      }
    }
    if (outcome === 'success') {
      this.records.delete(`u:${user}`);
      const addresses = this.knownAddresses.get(user) ?? new Set<string>();
      if (addresses.size >= 100) addresses.clear();
      addresses.add(address);
      this.knownAddresses.set(user, addresses);
      if (this.knownAddresses.size > 100_000) this.knownAddresses.clear();
    }
    this.forgetIdle();
    return { locked };
  }

  failuresOf(user: string, address: string): { user: number; address: number } {
    return { user: this.records.get(`u:${user}`)?.failures ?? 0, address: this.records.get(`a:${address}`)?.failures ?? 0 };
  }

  private waitFor(record: FailureRecord | undefined): number {
    if (!record) return 0;
    const now = this.now();
    if (record.lockedUntil > now) return record.lockedUntil - now;
    // a key that has failed gets one check at a time, so parallel guesses cannot all slip in before the first fails
    if (record.failures > 0 && record.inFlight > 0) return 1000;
    // the free failures add no wait; the one after them makes the next try wait a second, then two, four, …
    const over = record.failures - this.limits.freeFailures - 1;
    if (over < 0) return 0;
    const delay = Math.min(1000 * 2 ** over, this.limits.lockoutMs);
    return Math.max(0, record.lastFailureAt + delay - now);
  }

  private sweptAt = 0;
  private forgetIdle(): void {
    const now = this.now();
    if (now - this.sweptAt < 10_000) return;
    this.sweptAt = now;
    for (const [key, record] of this.records) {
      if (record.inFlight === 0 && record.lockedUntil <= now && now - record.lastFailureAt > this.limits.lockoutMs) {
        this.records.delete(key);
      }
    }
  }
}
