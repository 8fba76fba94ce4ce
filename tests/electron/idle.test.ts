// Auto-away on the desktop: the machine's idle time is reported to the core on a timer, a locked screen or a
// suspend counts as away at once, and coming back is reported at once.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchSystemIdle } from '../../main/electron/idle';

class FakePowerMonitor extends EventEmitter {
  idleSeconds = 0;
  getSystemIdleTime() {
    return this.idleSeconds;
  }
}

afterEach(() => vi.useRealTimers());

describe('desktop idle watch', () => {
  it('reports the system idle time every period, and a lock or suspend as away until unlock or resume', () => {
    vi.useFakeTimers();
    const monitor = new FakePowerMonitor();
    const reports: number[] = [];
    const stop = watchSystemIdle({ powerMonitor: monitor, report: (s) => reports.push(s), everyMs: 1000 });
    monitor.idleSeconds = 42;
    vi.advanceTimersByTime(1000);
    expect(reports).toEqual([42]);
    monitor.emit('lock-screen');
    expect(reports.at(-1)).toBeGreaterThanOrEqual(1e9);
    vi.advanceTimersByTime(1000);
    expect(reports.at(-1)).toBeGreaterThanOrEqual(1e9);
    monitor.idleSeconds = 0;
    monitor.emit('unlock-screen');
    expect(reports.at(-1)).toBe(0);
    monitor.emit('suspend');
    monitor.emit('resume');
    expect(reports.slice(-2)).toEqual([1e9, 0]);
    stop();
    const before = reports.length;
    vi.advanceTimersByTime(5000);
    monitor.emit('lock-screen');
    expect(reports).toHaveLength(before);
    expect(monitor.listenerCount('resume')).toBe(0);
  });
});
