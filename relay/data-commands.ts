// The CLI's commands on the relay's data: `backup` and `restore` of the embedded SQLite file, and `purge` of closed
// chats (older than some days, or one chat on request) in SQLite or a cluster's PostgreSQL.
import path from 'node:path';
import { SessionIdSchema } from '../common/domain';
import { loadConfig, type RelayConfig } from './config';
import { sqliteReads } from './embedded/store';
import type { RelayStore } from './ports';
import { type Maintenance, type PurgeOutcome, sqliteMaintenance } from './retention';
import { BackupError, backupSqlite, restoreSqlite } from './store/backup';
import { openSqliteStore } from './store/sqlite';

/** A command used wrongly: printed with the usage, exit code 2. */
export class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

/** The relay's store: the SQLite file in `data`, or the cluster's PostgreSQL when `postgresUrl` is set. */
export async function openStore(
  config: Pick<RelayConfig, 'data' | 'postgresUrl'>,
): Promise<{ store: RelayStore; maintenance: Maintenance; dataDir: string | null; close: () => Promise<void> }> {
  if (config.postgresUrl) {
    const { PgEngine } = await import('./cluster/postgres');
    const engine = await PgEngine.connect({ connectionString: config.postgresUrl, clock: { now: () => Date.now() }, log: () => {} });
    return { store: engine, maintenance: engine, dataDir: null, close: () => engine.close() };
  }
  const dataDir = path.resolve(config.data);
  const sqlite = openSqliteStore(dataDir);
  return {
    store: sqliteReads(sqlite),
    maintenance: sqliteMaintenance(sqlite),
    dataDir,
    close: async () => {
      // the WAL may still hold what was deleted: fold it into the file now unless the relay is busy with it
      try {
        sqlite.db.pragma('busy_timeout = 0');
        sqlite.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // the running relay's own checkpoints rewrite it soon
      }
      sqlite.close();
    },
  };
}

function embeddedOnly(config: RelayConfig, command: string): string {
  if (config.postgresUrl) {
    fail(`${command} is for the embedded relay's SQLite file; a cluster keeps its data in PostgreSQL: use pg_dump (docs/relay.md, "Backups").`);
  }
  return path.resolve(config.data);
}

function oneFile(positionals: string[], command: string): string {
  if (positionals.length !== 1) fail(`${command} needs exactly one file name.`);
  return positionals[0]!;
}

const size = (bytes: number) => (bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

export async function backupCommand(args: string[]): Promise<void> {
  const { config, positionals } = loadConfig({ args, flags: ['data'] });
  const dataDir = embeddedOnly(config, 'backup');
  const file = oneFile(positionals, 'backup');
  try {
    const report = await backupSqlite(dataDir, file);
    console.log(
      `Backed up ${path.join(dataDir, 'relay.sqlite')} to ${report.file}: schema ${report.schemaVersion}, ${report.accounts} accounts, ` +
        `${report.chats} chats, ${report.events} events, ${size(report.bytes)}; integrity check ok.`,
    );
  } catch (error) {
    if (error instanceof BackupError) throw new Error(`backup: ${error.message}`);
    throw error;
  }
}

export async function restoreCommand(args: string[]): Promise<void> {
  const { config, positionals } = loadConfig({ args, flags: ['data'] });
  const dataDir = embeddedOnly(config, 'restore');
  const file = oneFile(positionals, 'restore');
  try {
    const report = restoreSqlite(file, dataDir);
    console.log(
      `Restored ${path.resolve(file)} (schema ${report.schemaVersion}, ${report.accounts} accounts, ${report.chats} chats, ` +
        `${report.events} events; integrity check ok) to ${report.file}.` +
        (report.previous ? ` The database it replaced is kept as ${report.previous}.` : ''),
    );
  } catch (error) {
    if (error instanceof BackupError) throw new Error(`restore: ${error.message}`);
    throw error;
  }
}

export async function purgeCommand(args: string[]): Promise<void> {
  const { config, positionals, extra } = loadConfig({
    args,
    flags: ['data', 'postgresUrl'],
    extra: { 'older-than': { type: 'string' }, session: { type: 'string' } },
  });
  if (positionals.length) fail(`unexpected argument "${positionals[0]}".`);
  const olderThan = extra['older-than'] as string | undefined;
  const session = extra.session as string | undefined;
  if ((olderThan === undefined) === (session === undefined)) fail('purge needs either --older-than <days> or --session <id>.');
  let days = 0;
  if (olderThan !== undefined) {
    days = Number(olderThan);
    if (olderThan.trim() === '' || !Number.isFinite(days) || days < 0) fail(`--older-than must be a number of days, 0 or more, not "${olderThan}".`);
  }
  if (session !== undefined && !SessionIdSchema.safeParse(session).success) fail(`--session must be a chat id such as ses_…, not "${session}".`);
  const { maintenance, close } = await openStore(config);
  try {
    if (session !== undefined) {
      const outcome = await maintenance.purgeSession(session);
      if ('refused' in outcome) {
        throw new Error(
          outcome.refused === 'open'
            ? `chat ${session} is still open; it can be deleted once it has ended.`
            : `there is no chat ${session} (it may have been deleted already).`,
        );
      }
      console.log(`Deleted chat ${session}: ${describeRows(outcome)}.`);
      return;
    }
    const before = Date.now() - days * 86_400_000;
    let total = 0;
    for (;;) {
      const ids = await maintenance.purgeClosed(before, 500);
      total += ids.length;
      if (ids.length < 500) break;
    }
    console.log(
      `Deleted ${total} closed chat${total === 1 ? '' : 's'} that ended before ${new Date(before).toISOString()}, ` +
        'with their events, participants, listeners, customer tokens, requests and timers.',
    );
  } finally {
    await close();
  }
}

function describeRows(outcome: Extract<PurgeOutcome, { deleted: unknown }>): string {
  return Object.entries(outcome.deleted)
    .filter(([table]) => table !== 'sessions')
    .map(([table, n]) => `${n} ${table.replace(/_/g, ' ')}`)
    .join(', ');
}
