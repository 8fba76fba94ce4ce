// Reconnect delays: exponential backoff with full jitter, capped, reset after a connection that stayed good. Shared by
// the client core (RelayLink, Outbox) and the customer chat page; plain TypeScript with no imports, so a page bundles it whole.

export interface BackoffOptions {
  /** first ceiling; attempt n waits a random time in [0, min(cap, base * 2^n)) */
  baseMs?: number;
  capMs?: number;
  /** a connection that lasted this long counts as good and resets the attempt count */
  resetAfterMs?: number;
  random?: () => number;
  now?: () => number;
}

export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly resetAfterMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private attempts = 0;
  private connectedAt: number | null = null;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.capMs = options.capMs ?? 30_000;
    this.resetAfterMs = options.resetAfterMs ?? 10_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    if (!(this.baseMs > 0) || !(this.capMs >= this.baseMs)) throw new RangeError('backoff needs 0 < baseMs <= capMs');
  }

  /** failed attempts since the last good connection */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    // 2^attempts overflows to Infinity eventually; min() keeps it at the cap.
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.attempts);
    this.attempts += 1;
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.floor(r * ceiling);
  }

  connected(): void {
    this.connectedAt = this.now();
  }

  /** Call when a connection ends; a connection that stayed up long enough resets the count. */
  disconnected(): void {
    if (this.connectedAt !== null && this.now() - this.connectedAt >= this.resetAfterMs) this.attempts = 0;
    this.connectedAt = null;
  }

  reset(): void {
    this.attempts = 0;
    this.connectedAt = null;
  }
}

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

/** Wait `ms`, or reject with AbortedError as soon as the signal aborts. */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
