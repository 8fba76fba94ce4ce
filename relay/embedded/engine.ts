// The embedded engine: SQLite in the data folder (group commit, fsync off the event loop), timers and presence in
// memory, fan-out by function call.
import type { Engine, EngineContext } from '../engine';
import { openSqliteStore } from '../store/sqlite';
import { LocalFanout, MemoryPresence, MemoryScheduler } from './memory';
import { SqliteRunner } from './runner';
import { sqliteAttachments, sqliteReads } from './store';
import { sqliteMaintenance } from '../retention';

export interface EmbeddedOptions {
  dataDir: string;
  synchronous?: 'FULL' | 'NORMAL';
  minSyncIntervalMs?: number;
  checkpointEveryMs?: number;
  nativeBinding?: string;
  checkpointThreadPath?: string;
}

export function openEmbeddedEngine(options: EmbeddedOptions, { clock, log, onStoreTiming }: EngineContext): Engine {
  const sqlite = openSqliteStore(options.dataDir, {
    synchronous: options.synchronous ?? 'FULL',
    groupCommit: true,
    checkpointWorker: true,
    minSyncIntervalMs: options.minSyncIntervalMs,
    checkpointEveryMs: options.checkpointEveryMs,
    nativeBinding: options.nativeBinding,
    checkpointThreadPath: options.checkpointThreadPath,
    onTiming: onStoreTiming,
  });
  const scheduler = new MemoryScheduler(clock, log);
  let mustResume: ((reason: string) => void) | null = null;
  sqlite.onCommitFailed = (error) => {
    // what this batch would have acknowledged was never sent; clients resume and resend on reconnect
    log({ event: 'commit-failed', error: String((error as Error)?.stack ?? error) });
    mustResume?.('the relay could not save; reconnect');
  };
  return {
    kind: 'embedded',
    nodeId: 'embedded',
    store: sqliteReads(sqlite),
    runner: new SqliteRunner(sqlite, clock, scheduler),
    scheduler,
    presence: new MemoryPresence(),
    fanout: new LocalFanout(),
    attachments: sqliteAttachments(sqlite),
    maintenance: sqliteMaintenance(sqlite),
    health: async () => ({ ok: sqlite.db.open, parts: { store: { ok: sqlite.db.open, engine: 'sqlite' } } }),
    onClientsMustResume: (handler) => {
      mustResume = handler;
    },
    flush: () => sqlite.flush(),
    reconcileEveryMs: null,
    close: async () => sqlite.close(),
  };
}
