// The IPC side of a benchmarked server child: answers the load generator's questions about its memory and CPU.
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';

export interface ServerStats {
  rss: number;
  peakRss: number;
  /** CPU seconds used by the server process since it started (user + system) */
  cpuSeconds: number;
  /** event loop utilization since the previous stats request, 0..1 */
  loopUtilization: number;
  /** wall-clock time of this report (ms since the epoch): a server that lags answers late */
  at: number;
}

export type ParentMessage =
  | { type: 'stats' }
  | { type: 'stop' }
  /** CPU profile of the measured runs only (connection setup excluded), written as a .cpuprofile file */
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'profiled'; file: string | null }
  | { type: 'failed'; error: string };

/** Reports `ready`, then answers `stats` and exits on `stop` or when the parent goes away. */
export function serveStats(port: number, stop: () => Promise<void>): void {
  const send = (message: ChildMessage) => process.send?.(message);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  sampler.unref();
  let lastElu = performance.eventLoopUtilization();
  const quit = async () => {
    clearInterval(sampler);
    // a server still chewing on a backlog may take long to close; exit anyway (normally, so --cpu-prof is written)
    await Promise.race([stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000))]);
    process.exit(0);
  };
  const profiler = new Session();
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      send({ type: 'stats', stats: { rss, peakRss, cpuSeconds: (cpu.user + cpu.system) / 1e6, loopUtilization: elu.utilization, at: Date.now() } });
    } else if (message.type === 'stop') {
      void quit();
    } else if (message.type === 'profile-start') {
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler.post('Profiler.start'));
    } else if (message.type === 'profile-stop') {
      profiler.post('Profiler.stop', (error, result) => {
        if (!error) fs.writeFileSync(message.file, JSON.stringify(result.profile));
        profiler.disconnect();
        send({ type: 'profiled', file: error ? null : message.file });
      });
    }
  });
  process.on('disconnect', () => void quit());
  send({ type: 'ready', port });
}

export function reportFailure(error: unknown): never {
  process.send?.({ type: 'failed', error: String((error as Error)?.stack ?? error) } satisfies ChildMessage);
  process.exit(1);
}
