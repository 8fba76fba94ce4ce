// Retention and erasure: deleting closed chats with everything the relay keeps for them (events, participants,
// listeners, customer tokens, requests, timers, attachments and their files), on a schedule (one node at a
// time in a cluster) and on demand (`relay purge`).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SessionId } from '../common/domain';
import type { Clock, Log } from './ports';
import type { SqliteRelayStore } from './store/sqlite';

/** Rows deleted per table, or why the chat was not deleted. */
export type PurgeOutcome = { deleted: Record<string, number> } | { refused: 'not-found' | 'open' };

/** What each store does for retention (SQLite: relay/store/sqlite.ts; PostgreSQL: relay/cluster/postgres.ts). */
export interface Maintenance {
  /** deletes up to `limit` chats that closed before `before` (ms since 1970), oldest first; their ids */
  purgeClosed(before: number, limit: number): Promise<SessionId[]>;
  /** deletes one closed chat everywhere; an open chat is refused (it has connected parties and timers) */
  purgeSession(id: SessionId): Promise<PurgeOutcome>;
  /** runs `task` unless another node is running it now (then null) */
  exclusively<T>(task: () => Promise<T>): Promise<T | null>;
}

/** The embedded store's maintenance: its writes join the relay's group commit like every other write. */
export function sqliteMaintenance(store: SqliteRelayStore): Maintenance {
  return {
    purgeClosed: async (before, limit) => afterCommit(store, store.transaction(() => store.purgeClosedBefore(before, limit))),
    purgeSession: async (id) => afterCommit(store, store.transaction(() => store.purgeSession(id))),
    // one process holds the file: nobody else sweeps it
    exclusively: (task) => task(),
  };
}

/**
 * Waits for the purge's commit to be on disk, then deletes the attachment files no remaining row names (a crash in
 * between leaves files nobody names, never a row without its file).
 */
function afterCommit<T>(store: SqliteRelayStore, value: T): Promise<T> {
  return new Promise((resolve) =>
    store.afterCommit(() => {
      store.attachments.removeFiles(store.takeOrphanFiles());
      resolve(value);
    }),
  );
}

/** Chats deleted per transaction: small enough that the relay's one thread is never held for long. */
const BATCH = 200;

export interface RetentionOptions {
  /** closed chats older than this are deleted */
  maxAgeMs: number;
  /** how often the sweep runs (default hourly); the first runs a minute after start */
  everyMs?: number;
  firstAfterMs?: number;
}

export interface SweeperDeps {
  maintenance: Maintenance;
  clock: Clock;
  log: Log;
  dataDir: string | null;
  onPurged?: (chats: number) => void;
}

/** Deletes every closed chat older than the retention age, batch by batch, then sleeps until the next sweep. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number | null> | null = null;
  private stopped = false;

  constructor(
    private readonly options: RetentionOptions,
    private readonly deps: SweeperDeps,
  ) {}

  start(): void {
    this.schedule(this.options.firstAfterMs ?? 60_000);
  }

  /** Stops the schedule and waits for a sweep under way to finish its batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One sweep now: the number of chats deleted, or null when another node was sweeping. */
  sweep(): Promise<number | null> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweep()
        .catch((error: unknown) => this.deps.log({ event: 'retention-failed', error: String((error as Error)?.message ?? error) }))
        .finally(() => this.schedule(this.options.everyMs ?? 3_600_000));
    }, delayMs);
    this.timer.unref();
  }

  private async sweepOnce(): Promise<number | null> {
    const { maintenance, clock, log } = this.deps;
    const before = clock.now() - this.options.maxAgeMs;
    return maintenance.exclusively(async () => {
      let total = 0;
      for (;;) {
        const ids = await maintenance.purgeClosed(before, BATCH);
        total += ids.length;
        if (ids.length < BATCH || this.stopped) break;
        await nextTurn();
      }
      if (total) {
        log({ event: 'retention-purged', chats: total, closedBefore: new Date(before).toISOString() });
        this.deps.onPurged?.(total);
      }
      return total;
    });
  }
}
