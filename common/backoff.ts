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

  /**
   * The delay before the next attempt when the other side said to wait `retryAfterMs` (Retry-After): a random time
   * in [retryAfterMs, 2 × retryAfterMs), at most the cap. The attempt count (the ceiling of the next unexplained
   * failure) is left as it was, so a client told "in 2 s" several times running keeps coming back every few seconds
   * instead of every 30.
   */
  told(retryAfterMs: number): number {
    const wait = Math.min(Math.max(0, retryAfterMs), this.capMs);
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.min(this.capMs, Math.floor(wait + r * wait));
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

/** An HTTP Retry-After header in milliseconds: whole seconds (an HTTP date is not used by the relay); null otherwise. */
export function retryAfterHeaderMs(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*\d{1,6}\s*$/.test(value)) return null;
  return Number(value) * 1000;
}
