// Backups of the embedded relay's SQLite file: a consistent copy taken while the relay runs (SQLite's online backup API,
// on a connection of its own, in one step so concurrent commits cannot make it start over), a check of a backup
// (opens, is a relay database of a schema this relay knows, passes integrity_check), and a restore that checks first
// and refuses while a relay holds the file.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_VERSION } from './migrations';

export const DATABASE_FILE = 'relay.sqlite';

/** A backup that cannot be made, checked or restored; the message says why in words a person can act on. */
export class BackupError extends Error {}

export interface BackupReport {
  file: string;
  schemaVersion: number;
  accounts: number;
  chats: number;
  events: number;
  bytes: number;
}

/** Every page in one step: a copy interrupted by a commit of the running relay would otherwise start over. */
const ALL_PAGES = 0x7fffffff;
const REQUIRED_TABLES = ['accounts', 'sessions', 'events', 'participants', 'customer_tokens', 'requests'];

/** Copies the relay database in `dataDir` to `destination` (a new file), consistent as of one moment. */
export async function backupSqlite(dataDir: string, destination: string): Promise<BackupReport> {
  const source = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(source)) throw new BackupError(`there is no relay database in ${dataDir} (no ${DATABASE_FILE}); check --data.`);
  const target = path.resolve(destination);
  if (fs.existsSync(target)) throw new BackupError(`${target} exists already; a backup never overwrites: choose a new name.`);
  if (!fs.existsSync(path.dirname(target))) throw new BackupError(`the folder ${path.dirname(target)} does not exist.`);
  const partial = `${target}.partial-${process.pid}`;
  // read-write, though it only reads: a read-only connection to a WAL database cannot start when no -shm file exists
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: () => ALL_PAGES });
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw new BackupError(`the copy of ${source} failed: ${(error as Error).message}.`);
  } finally {
    db.close();
  }
  try {
    // a self-contained file: the copy keeps the source's WAL mode, which would want -wal and -shm files beside it
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const report = checkSqliteBackup(partial);
    syncFile(partial);
    fs.renameSync(partial, target);
    syncFile(path.dirname(target));
    return { ...report, file: target };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** Opens a backup read-only and checks it is a whole relay database this relay can run on. */
export function checkSqliteBackup(file: string): BackupReport {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) throw new BackupError(`${resolved} does not exist.`);
  let db: Database.Database;
  try {
    db = new Database(resolved, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${resolved} cannot be opened as a database: ${(error as Error).message}.`);
  }
  try {
    let version: number;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (error) {
      throw new BackupError(`${resolved} is not a SQLite database (${(error as Error).message}).`);
    }
    const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
    const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
    if (version === 0 || missing.length) {
      throw new BackupError(`${resolved} is not a Baton relay database${missing.length ? ` (no ${missing.join(', ')} table)` : ' (no schema version)'}.`);
    }
    if (version > LATEST_VERSION) {
      throw new BackupError(
        `${resolved} was written by a newer relay (schema version ${version}; this relay knows up to ${LATEST_VERSION}): restore it with that relay or a newer one.`,
      );
    }
    const problems = (db.pragma('integrity_check(20)') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new BackupError(`${resolved} failed its integrity check: ${problems.slice(0, 3).join('; ')}.`);
    }
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      file: resolved,
      schemaVersion: version,
      accounts: count('accounts'),
      chats: count('sessions'),
      events: count('events'),
      bytes: fs.statSync(resolved).size,
    };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${resolved} cannot be read as a relay database: ${(error as Error).message}.`);
  } finally {
    db.close();
  }
}

export interface RestoreReport extends BackupReport {
  /** where the database it replaced was moved, if there was one */
  previous: string | null;
}

/**
 * Checks the backup, then puts a copy of it in place as the relay database of `dataDir`. The database it replaces is
 * kept beside it (relay.sqlite.before-restore-<time>). Refused while a relay (or anything else) has the file open.
 */
export function restoreSqlite(file: string, dataDir: string, now = new Date()): RestoreReport {
  const report = checkSqliteBackup(file);
  fs.mkdirSync(dataDir, { recursive: true });
  const target = path.join(dataDir, DATABASE_FILE);
  const incoming = `${target}.restoring-${process.pid}`;
  fs.copyFileSync(report.file, incoming);
  syncFile(incoming);
  let previous: string | null = null;
  let guard: Database.Database | null = null;
  try {
    if (fs.existsSync(target)) {
      guard = lockExclusively(target);
      // the replaced database becomes one self-contained file (its WAL folded in, -wal and -shm removed)
      guard.pragma('wal_checkpoint(TRUNCATE)');
      guard.pragma('journal_mode = DELETE');
      previous = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(target, previous);
    }
    fs.renameSync(incoming, target);
    syncFile(dataDir);
  } catch (error) {
    fs.rmSync(incoming, { force: true });
    throw error;
  } finally {
    guard?.close();
  }
  return { ...report, file: target, previous };
}

/** A connection holding the database's exclusive lock; a relay that has the file open makes this fail at once. */
function lockExclusively(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new BackupError(`${file} is in use (is the relay running on ${path.dirname(file)}?): stop the relay first, then restore.`);
    }
    throw new BackupError(`${file} cannot be replaced: ${(error as Error).message}.`);
  }
}

function syncFile(file: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some file systems cannot fsync a folder; the rename is still atomic
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
