// Benchmark child: the real relay (startRelay, SQLite persistence on) in its own process so its RSS and CPU are its own.
// argv: <dataDir> <capacity> <synchronous FULL|NORMAL> [<postgres url> <redis url> <node id> <redis prefix>]
// With the four cluster arguments it is a node of a cluster (PostgreSQL + Redis) instead.
import { startRelay } from '../../relay/server';
import { reportFailure, serveStats } from './server-stats';

const [dataDir, capacity = '4', synchronous = 'FULL', postgresUrl, redisUrl, nodeId, redisPrefix] = process.argv.slice(2);
if (!dataDir) reportFailure('usage: relay-entry <dataDir> [capacity] [FULL|NORMAL]');

try {
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    capacity: Number(capacity),
    synchronous: synchronous === 'NORMAL' ? 'NORMAL' : 'FULL',
    // per-connection and per-chat log lines would go to a pipe nobody reads; the message path logs nothing anyway
    log: () => {},
    // the default 50 frames/s per connection guards against abuse; the saturation run offers more per customer
    // than that on purpose, and dropped frames would measure the rate limiter instead of routing
    rateLimit: { perSecond: 1000, burst: 2000 },
    // every simulated customer comes from 127.0.0.1: the limits per address and the chat-creation rate would
    // measure themselves (bench:flood measures them on purpose)
    addressRateLimit: { perSecond: 1e9, burst: 1e9 },
    maxConnectionsPerAddress: 1e9,
    newChatsPerAddressPerMinute: 1e9,
    newChatsPerSecond: 1e9,
    cluster: postgresUrl && redisUrl ? { postgresUrl, redisUrl, nodeId, redisPrefix } : undefined,
  });
  serveStats(relay.port, () => relay.close());
} catch (error) {
  reportFailure(error);
}
