// Benchmark child: the real relay (startRelay, SQLite persistence on) in its own process so its RSS and CPU are its own.
// argv: one JSON object, RelayEntryOptions. With `cluster` it is a node of a cluster (PostgreSQL + Redis) instead.
import './child-gc';
import { startRelay } from '../../relay/server';
import { CommitCounter, reportFailure, serveStats } from './server-stats';

export interface RelayEntryOptions {
  dataDir: string;
  capacity: number;
  synchronous: 'FULL' | 'NORMAL';
  /** the relay's minSyncIntervalMs (its default when absent) */
  minSyncIntervalMs?: number;
  /** the relay's checkpointEveryMs (its default when absent) */
  checkpointEveryMs?: number;
  /** 0 picks a free one; a restarted relay takes the port its clients knew */
  port: number;
  cluster?: { postgresUrl: string; redisUrl: string; nodeId: string; redisPrefix: string };
}

let options: RelayEntryOptions;
try {
  options = JSON.parse(process.argv[2] ?? '') as RelayEntryOptions;
} catch {
  reportFailure('usage: relay-entry \'{"dataDir":"…","capacity":4,"synchronous":"FULL","port":0}\'');
}

const commits = new CommitCounter();
try {
  const relay = await startRelay({
    host: '127.0.0.1',
    port: options.port,
    dataDir: options.dataDir,
    capacity: options.capacity,
    synchronous: options.synchronous,
    minSyncIntervalMs: options.minSyncIntervalMs,
    checkpointEveryMs: options.checkpointEveryMs,
    // per-connection and per-chat log lines would go to a pipe nobody reads; the message path logs nothing anyway
    log: () => {},
    // the default 50 frames/s per connection guards against abuse; the saturation run offers more per customer
    // than that on purpose, and dropped frames would measure the rate limiter instead of routing
    rateLimit: { perSecond: 1000, burst: 2000 },
    // every simulated customer comes from 127.0.0.1: the limits per address and the chat-creation rate would
    // measure themselves (bench:flood measures them on purpose), and the scale runs open 15,000 connections
    addressRateLimit: { perSecond: 1e9, burst: 1e9 },
    maxConnections: 1e9,
    maxConnectionsPerAddress: 1e9,
    newChatsPerAddressPerMinute: 1e9,
    newChatsPerSecond: 1e9,
    cluster: options.cluster,
    // counted without a /metrics scrape, whose garbage and default process metrics would land in the phase measured
    onStoreTiming: commits.observe,
  });
  serveStats(relay.port, () => relay.close(), commits);
} catch (error) {
  reportFailure(error);
}
