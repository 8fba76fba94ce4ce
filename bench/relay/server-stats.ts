// The IPC side of a benchmarked server child: answers the load generator's questions about its memory and CPU.
import { performance } from 'node:perf_hooks';

export interface ServerStats {
  rss: number;
  peakRss: number;
  /** CPU seconds used by the server process since it started (user + system) */
  cpuSeconds: number;
  /** event loop utilization since the previous stats request, 0..1 */
  loopUtilization: number;
}

export type ParentMessage = { type: 'stats' } | { type: 'stop' };
export type ChildMessage = { type: 'ready'; port: number } | { type: 'stats'; stats: ServerStats } | { type: 'failed'; error: string };

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
    await stop().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      send({ type: 'stats', stats: { rss, peakRss, cpuSeconds: (cpu.user + cpu.system) / 1e6, loopUtilization: elu.utilization } });
    } else if (message.type === 'stop') {
      void quit();
    }
  });
  process.on('disconnect', () => void quit());
  send({ type: 'ready', port });
}

export function reportFailure(error: unknown): never {
  process.send?.({ type: 'failed', error: String((error as Error)?.stack ?? error) } satisfies ChildMessage);
  process.exit(1);
}
