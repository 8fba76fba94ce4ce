// The benchmark's count of a relay's slow store commits (bench/relay/server-stats.ts), fed by the relay's onStoreTiming,
// and its reading of an event loop's stalls.
import { describe, expect, it } from 'vitest';
import { CommitCounter, readLoopDelay, watchLoopDelay } from '../../bench/relay/server-stats';

describe('CommitCounter', () => {
  it('counts every commit, and those over 5, 10 and 25 ms; fsyncs are not commits', () => {
    const counter = new CommitCounter();
    for (const seconds of [0.0002, 0.001, 0.004, 0.005, 0.007, 0.012, 0.03, 0.2]) counter.observe('commit', seconds);
    counter.observe('fsync', 0.5);
    const first = counter.snapshot;
    expect(first).toEqual({ total: 8, over5ms: 4, over10ms: 3, over25ms: 2 });
    // a snapshot is a copy: the phase before stays what it was
    counter.observe('commit', 0.011);
    expect(first.total).toBe(8);
    expect(counter.snapshot).toEqual({ total: 9, over5ms: 5, over10ms: 4, over25ms: 2 });
  });
});

describe('loop delay', () => {
  const stall = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {}
  };
  const turns = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('reads a stall of the loop, in ms, and nothing before a timer was due', async () => {
    const histogram = watchLoopDelay();
    expect(readLoopDelay(histogram)).toEqual({ p99Ms: 0, maxMs: 0 });
    await turns(50);
    stall(80);
    await turns(50);
    const { p99Ms, maxMs } = readLoopDelay(histogram);
    histogram.disable();
    // the timer due during the stall ran up to 80 ms late (less the part of its period already gone)
    expect(maxMs).toBeGreaterThan(60);
    expect(maxMs).toBeLessThan(1000);
    expect(p99Ms).toBeGreaterThan(0);
    expect(p99Ms).toBeLessThanOrEqual(maxMs + 1);
  });
});
