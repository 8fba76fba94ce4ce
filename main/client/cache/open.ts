// Opening the cache file: WAL, numbered migrations in one transaction, refusing newer files, moving corrupt ones aside.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { errorSentences } from '../../../common/errors';
import { LATEST_VERSION, type Migration, migrations as allMigrations } from './migrations';

export const CACHE_FILE = 'cache.sqlite';

export class CacheError extends Error {
  constructor(
    readonly code: 'cache-newer-version' | 'cache-unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'CacheError';
  }
}

/** Applies every migration above the file's user_version, all in one transaction. */
export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new CacheError(
      'cache-newer-version',
      `${errorSentences['cache-newer-version']} (the file is at schema version ${from}; this Baton knows up to ${latest})`,
    );
  }
  const todo = migrations.filter((m) => m.version > from);
  if (todo.length === 0) return { from, to: from };
  db.transaction(() => {
    for (const m of todo) {
      m.up(db);
      // user_version is part of the database header, so it commits or rolls back with the schema change
      db.pragma(`user_version = ${m.version}`);
    }
  })();
  return { from, to: todo.at(-1)!.version };
}

const corruptCodes = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && [...corruptCodes].some((c) => code === c || code.startsWith(`${c}_`));
}

export interface OpenOptions {
  now?: () => number;
  log?: (entry: Record<string, unknown>) => void;
  migrations?: readonly Migration[];
  /**
   * better-sqlite3's `nativeBinding`: the path of the addon to load. The Electron shell passes its own build (see
   * main/electron/native-sqlite.ts); absent, better-sqlite3 loads the Node build from node_modules.
   */
  nativeBinding?: string;
}

function openOnce(file: string, migrations: readonly Migration[], nativeBinding: string | undefined): Db {
  const db = new Database(file, nativeBinding ? { nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    migrate(db, migrations);
    // touches every table's root page, so a file whose header survived but whose schema did not is caught here
    db.prepare('SELECT name FROM sqlite_master').all();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Opens (creating if needed) `dataDir/cache.sqlite`. A newer file is refused; a corrupt one is renamed to
 * `cache.sqlite.corrupt-<timestamp>` (kept for inspection, never silently emptied) and a fresh cache is built.
 */
export function openCacheDatabase(dataDir: string, options: OpenOptions = {}): Db {
  const now = options.now ?? Date.now;
  const migrations = options.migrations ?? allMigrations;
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, CACHE_FILE);
  try {
    return openOnce(file, migrations, options.nativeBinding);
  } catch (error) {
    if (error instanceof CacheError) throw error;
    if (!isCorruptionError(error)) {
      throw new CacheError('cache-unavailable', `${errorSentences['cache-unavailable']} (${(error as Error).message})`);
    }
    const aside = `${file}.corrupt-${now()}`;
    fs.renameSync(file, aside);
    for (const suffix of ['-wal', '-shm']) {
      if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
    }
    options.log?.({ level: 'warn', event: 'cache-corrupt', movedTo: aside, error: (error as Error).message });
    return openOnce(file, migrations, options.nativeBinding);
  }
}

export { LATEST_VERSION };
