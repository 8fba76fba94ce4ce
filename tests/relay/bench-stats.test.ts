// The benchmark's count of a relay's slow store commits (bench/relay/server-stats.ts), fed by the relay's onStoreTiming,
// and its reading of an event loop's stalls.
import { describe, expect, it } from 'vitest';
import { constants } from 'node:perf_hooks';
import { CommitCounter, GcWatch, readLoopDelay, watchLoopDelay } from '../../bench/relay/server-stats';

describe('CommitCounter', () => {
  it('counts every commit, and those over 5, 10 and 25 ms; fsyncs are counted apart', () => {
    const counter = new CommitCounter();
    for (const seconds of [0.0002, 0.001, 0.004, 0.005, 0.007, 0.012, 0.03, 0.2]) counter.observe('commit', seconds);
    counter.observe('fsync', 0.5);
    const first = counter.snapshot;
    expect(first).toEqual({ total: 8, over5ms: 4, over10ms: 3, over25ms: 2 });
    // a snapshot is a copy: the phase before stays what it was
    counter.observe('commit', 0.011);
    expect(first.total).toBe(8);
    expect(counter.snapshot).toEqual({ total: 9, over5ms: 5, over10ms: 4, over25ms: 2 });
    expect(counter.fsyncSnapshot).toEqual({ total: 1, over5ms: 1, over10ms: 1, over25ms: 1 });
    counter.observe('fsync', 0.003);
    counter.observe('fsync', 0.006);
    expect(counter.fsyncSnapshot).toEqual({ total: 3, over5ms: 2, over10ms: 1, over25ms: 1 });
    expect(counter.snapshot.total).toBe(9);
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
    expect(maxMs).toBeGreaterThan(55);
    expect(maxMs).toBeLessThan(1000);
    expect(p99Ms).toBeGreaterThan(0);
    expect(p99Ms).toBeLessThanOrEqual(maxMs + 1);
  });

  it('reads a loop as late by what went beyond the timer period, not by the period itself', async () => {
    const histogram = watchLoopDelay();
    await turns(200);
    const { p99Ms, maxMs } = readLoopDelay(histogram);
    histogram.disable();
    // the histogram holds the time between two runs of the timer, its 10 ms period included (a run can come a little
    // early, the loop's clock being read once a turn)
    expect(histogram.percentile(50) / 1e6).toBeGreaterThanOrEqual(9);
    expect(maxMs).toBeCloseTo(Math.max(0, histogram.max / 1e6 - 10), 6);
    expect(p99Ms).toBeCloseTo(Math.max(0, histogram.percentile(99) / 1e6 - 10), 6);
  });
});

describe('GcWatch', () => {
  it('adds up scavenges and mark-compacts apart, leaves other kinds out, and starts over at each take', () => {
    const watch = new GcWatch();
    watch.stop();
    watch.observe(constants.NODE_PERFORMANCE_GC_MINOR, 1.5);
    watch.observe(constants.NODE_PERFORMANCE_GC_MINOR, 0.5);
    watch.observe(constants.NODE_PERFORMANCE_GC_MAJOR, 30);
    watch.observe(constants.NODE_PERFORMANCE_GC_INCREMENTAL, 2);
    watch.observe(undefined, 9);
    expect(watch.take()).toEqual({
      scavenges: 2,
      scavengeMs: 2,
      longestScavengeMs: 1.5,
      markCompacts: 1,
      markCompactMs: 30,
      longestMarkCompactMs: 30,
    });
    expect(watch.take().scavenges).toBe(0);
  });

  it("sees this process's own scavenges", async () => {
    const watch = new GcWatch();
    let kept: unknown[] = [];
    for (let i = 0; i < 2_000_000; i += 1) {
      kept.push({ i });
      if (kept.length > 1000) kept = [];
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const pauses = watch.take();
    watch.stop();
    expect(pauses.scavenges).toBeGreaterThan(0);
    expect(pauses.scavengeMs).toBeGreaterThan(0);
    expect(pauses.longestScavengeMs).toBeLessThanOrEqual(pauses.scavengeMs);
  });
});
