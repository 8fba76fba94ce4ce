// The cluster engine: PostgreSQL holds everything durable (and the timers), Redis carries fan-out and presence.
import type { Engine, EngineContext } from '../engine';
import { PgEngine } from './postgres';
import { RedisBus } from './redis';

export interface ClusterOptions {
  postgresUrl: string;
  redisUrl: string;
  nodeId: string;
  /** Redis key and channel prefix (default "baton") */
  redisPrefix?: string;
  /** Redis heartbeat of this node (default 1000 ms) */
  heartbeatMs?: number;
  poolSize?: number;
}

export async function openClusterEngine(options: ClusterOptions, { clock, log, onStoreTiming }: EngineContext): Promise<Engine> {
  const pg = await PgEngine.connect({
    connectionString: options.postgresUrl,
    clock,
    log,
    poolSize: options.poolSize,
    onTiming: onStoreTiming,
  });
  const bus = new RedisBus({
    url: options.redisUrl,
    nodeId: options.nodeId,
    prefix: options.redisPrefix,
    heartbeatMs: options.heartbeatMs,
    log,
    readGap: (sessionId, afterSeq) => pg.eventsAfter(sessionId, afterSeq),
  });
  await bus.start();
  return {
    kind: 'cluster',
    nodeId: options.nodeId,
    store: pg,
    runner: pg,
    scheduler: pg,
    presence: bus,
    fanout: bus,
    attachments: pg.attachments,
    maintenance: pg,
    health: async () => {
      const store = await pg.check();
      const busHealth = bus.health();
      return {
        ok: store.ok && busHealth.connected && busHealth.subscribed,
        parts: {
          store: { ok: store.ok, engine: 'postgresql', error: store.error },
          bus: { ok: busHealth.connected, engine: 'redis' },
          subscription: { ok: busHealth.subscribed, lastCanaryMs: busHealth.lastCanaryMs },
        },
      };
    },
    onClientsMustResume: (handler) => {
      bus.onResync = () => handler('the relay lost messages on its bus; reconnect and resume');
    },
    flush: () => {},
    reconcileEveryMs: Math.max(2000, (options.heartbeatMs ?? 1000) * 3),
    close: async () => {
      await bus.close();
      await pg.close();
    },
  };
}
