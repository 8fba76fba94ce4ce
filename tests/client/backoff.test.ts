// Reconnect backoff: growth, jitter, cap, reset, cancellation. Clocks start where real ones are, far from 0, so a
// duration computed from the wrong end of it cannot pass.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbortedError, Backoff, retryAfterHeaderMs, wait } from '../../main/client/backoff';

const epoch = 1_700_000_000_000;

afterEach(() => {
  vi.useRealTimers();
});

/** A backoff (reset after 10 s up) on a clock that starts where real ones are; `elapse` moves the clock. */
function onClock(random: number) {
  let now = epoch;
  const backoff = new Backoff({ random: () => random, resetAfterMs: 10_000, now: () => now });
  const elapse = (ms: number) => {
    now += ms;
  };
  /** a connection that got through and stayed up `ms` */
  const upFor = (ms: number) => {
    backoff.connected();
    elapse(ms);
    backoff.disconnected();
  };
  return { backoff, elapse, upFor };
}

function fail(backoff: Backoff, attempts: number) {
  for (let i = 0; i < attempts; i++) backoff.next();
}

describe('backoff', () => {
  it('grows the ceiling exponentially and jitters across the whole range below it', () => {
    const top = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => top.next())).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999]);
    const bottom = new Backoff({ random: () => 0 });
    expect([bottom.next(), bottom.next(), bottom.next()]).toEqual([0, 0, 0]);
    expect(bottom.attempt).toBe(3);
  });

  it('keeps a random source that strays outside [0, 1] inside the range', () => {
    const high = new Backoff({ baseMs: 500, random: () => 1.5 });
    expect([high.next(), high.next()]).toEqual([500, 1000]);
    const low = new Backoff({ baseMs: 500, random: () => -0.5 });
    expect(low.next()).toBe(0);
  });

  it('stays at the cap however many attempts fail', () => {
    const b = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0.5 });
    for (let i = 0; i < 2000; i++) b.next();
    expect(b.next()).toBe(15_000);
  });

  it('defaults to a 500 ms base, a 30 s cap and a reset after 10 s, with real randomness and the real clock', () => {
    const b = new Backoff();
    expect([b.baseMs, b.capMs, b.resetAfterMs]).toEqual([500, 30_000, 10_000]);
    const delays = Array.from({ length: 20 }, () => b.next());
    expect(delays.every((d, i) => Number.isInteger(d) && d >= 0 && d < Math.min(30_000, 500 * 2 ** i))).toBe(true);
    // twenty draws of full jitter are not all the same
    expect(new Set(delays).size).toBeGreaterThan(1);
    b.connected();
    b.disconnected();
    expect(b.attempt).toBe(20);
  });

  it('resets after a connection that stayed up long enough, not after a short one', () => {
    const { backoff: b, upFor } = onClock(0.999);
    fail(b, 3);
    upFor(2_000);
    expect(b.attempt).toBe(3);
    upFor(9_999);
    expect(b.attempt).toBe(3);
    upFor(10_000);
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(499);
  });

  it('a connection that never got through leaves the backoff alone', () => {
    const { backoff: b, elapse, upFor } = onClock(0.5);
    fail(b, 2);
    elapse(60_000);
    b.disconnected();
    expect(b.attempt).toBe(2);
    // a good connection ends; a second end without a new connection in between counts for nothing
    upFor(1_000);
    elapse(60_000);
    b.disconnected();
    expect(b.attempt).toBe(2);
    expect(b.next()).toBe(1_000);
  });

  it('reset() starts over and forgets the connection in progress', () => {
    const { backoff: b, elapse } = onClock(0.5);
    fail(b, 2);
    b.connected();
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(250);
    elapse(60_000);
    b.disconnected();
    expect(b.attempt).toBe(1);
  });

  it('rejects impossible settings and takes a base equal to the cap', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(new RangeError('backoff needs 0 < baseMs <= capMs'));
    expect(() => new Backoff({ baseMs: Number.NaN })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 1000, capMs: 10 })).toThrow(RangeError);
    const flat = new Backoff({ baseMs: 100, capMs: 100, random: () => 0.999 });
    expect([flat.next(), flat.next()]).toEqual([99, 99]);
  });
});

describe('wait', () => {
  it('resolves after its time and not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let done = false;
    const pending = wait(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(done).toBe(true);
  });

  it('is cancelled at once by its AbortController, and leaves no timer or listener behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const pending = wait(60_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    await expect(pending).rejects.toEqual(expect.objectContaining({ name: 'AbortError', message: 'aborted' }));
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

    // already aborted: refused without starting a timer
    await expect(wait(10, controller.signal)).rejects.toBeInstanceOf(AbortedError);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a wait that ran its course stops listening to the signal, so one controller can serve many waits', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) await wait(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(wait(1)).resolves.toBeUndefined();
  });
});

describe('a wait the other side asked for (Retry-After)', () => {
  it('is waited out, up to twice as long at random, at most the cap, and leaves the growth where it was', () => {
    const low = new Backoff({ random: () => 0, baseMs: 500, capMs: 30_000 });
    const high = new Backoff({ random: () => 0.999, baseMs: 500, capMs: 30_000 });
    expect(low.told(2000)).toBe(2000);
    expect(high.told(2000)).toBe(3998);
    expect(high.told(25_000)).toBe(30_000);
    expect(high.told(60_000)).toBe(30_000);
    expect(low.told(-5)).toBe(0);
    // three unexplained failures, then the relay says when: the next unexplained one waits as the fourth would
    const counted = new Backoff({ random: () => 0.999, baseMs: 500, capMs: 30_000 });
    for (let i = 0; i < 3; i++) counted.next();
    expect(counted.attempt).toBe(3);
    counted.told(2000);
    counted.told(2000);
    expect(counted.attempt).toBe(3);
    expect(counted.next()).toBe(Math.floor(0.999 * 4000));
  });

  it('reads Retry-After as whole seconds, and anything else as not said', () => {
    expect(retryAfterHeaderMs('2')).toBe(2000);
    expect(retryAfterHeaderMs(' 10 ')).toBe(10_000);
    expect(retryAfterHeaderMs(['3', '9'])).toBe(3000);
    expect(retryAfterHeaderMs(undefined)).toBeNull();
    expect(retryAfterHeaderMs('')).toBeNull();
    expect(retryAfterHeaderMs('-1')).toBeNull();
    expect(retryAfterHeaderMs('1.5')).toBeNull();
    expect(retryAfterHeaderMs('Wed, 21 Oct 2015 07:28:00 GMT')).toBeNull();
    expect(retryAfterHeaderMs('9999999')).toBeNull();
  });
});
