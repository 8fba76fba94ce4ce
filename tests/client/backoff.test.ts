// Reconnect backoff: growth, jitter, cap, reset, cancellation.
import { describe, expect, it } from 'vitest';
import { AbortedError, Backoff, wait } from '../../main/client/backoff';

describe('backoff', () => {
  it('grows the ceiling exponentially and jitters across the whole range below it', () => {
    const top = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => top.next())).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999]);
    const bottom = new Backoff({ random: () => 0 });
    expect([bottom.next(), bottom.next(), bottom.next()]).toEqual([0, 0, 0]);
    expect(bottom.attempt).toBe(3);
  });

  it('stays at the cap however many attempts fail', () => {
    const b = new Backoff({ baseMs: 500, capMs: 30_000, random: () => 0.5 });
    for (let i = 0; i < 2000; i++) b.next();
    expect(b.next()).toBe(15_000);
  });

  it('resets after a connection that stayed up long enough, not after a short one', () => {
    let now = 0;
    const b = new Backoff({ random: () => 0.999, resetAfterMs: 10_000, now: () => now });
    b.next();
    b.next();
    b.next();
    b.connected();
    now += 2_000;
    b.disconnected();
    expect(b.attempt).toBe(3);
    b.connected();
    now += 10_000;
    b.disconnected();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(499);
  });

  it('rejects impossible settings', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 1000, capMs: 10 })).toThrow(RangeError);
  });

  it('a wait is cancelled at once by its AbortController', async () => {
    const controller = new AbortController();
    const pending = wait(60_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(wait(10, controller.signal)).rejects.toBeInstanceOf(AbortedError);
    await expect(wait(1)).resolves.toBeUndefined();
  });
});
