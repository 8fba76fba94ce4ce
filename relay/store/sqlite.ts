// The relay's durable state in one SQLite file (better-sqlite3, WAL): the RelayStore the hub runs on.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  type AgentId,
  AgentRoleSchema,
  type CannedReply,
  CannedReplySchema,
  type Request,
  RequestSchema,
  type SessionEvent,
  type SessionEventOf,
  SessionEventSchema,
  type SessionId,
  type SessionSummary,
  SessionSummarySchema,
  type SettableStatus,
  SettableStatusSchema,
  type Team,
  type TeamId,
  TeamSchema,
  type TransferOffer,
  TransferOfferSchema,
} from '../../common/domain';
import { clientIdOf, type Derived, fold, inAudience } from '../core/model';
import type { Account, AccountPatch, NewAccount } from '../ports';
import { eventJson } from '../wire';
import { SqliteAttachments } from './attachments';
import { migrate } from './migrations';

interface SessionRow {
  id: string;
  customer_name: string;
  state: string;
  owner_id: string | null;
  pending_transfer: string | null;
  created_at: number;
  closed_at: number | null;
  last_seq: number;
  last_message: string | null;
  waiting_since: number | null;
  team: string | null;
}

interface AccountRow {
  id: string;
  name: string;
  role: string;
  can_listen_in: number;
  password_hash: string;
  chosen_status: string;
  online: number;
  capacity: number | null;
  disabled: number;
  idle: number;
  status_since: number | null;
}

const LastMessageSchema = SessionSummarySchema.shape.lastMessage;
const noop = () => {};

/** A group-commit batch is committed after this many commands or this long, whichever comes first. */
const MAX_BATCH_COMMANDS = 256;
const MAX_BATCH_MS = 5;

export interface SqliteStoreOptions {
  /**
   * FULL (default): an acknowledged change survives power loss, not only a crash. With group commit it is done
   * without blocking the event loop: SQLite commits without syncing (NORMAL), then the WAL file is fsynced on libuv's
   * thread pool, and what a batch acknowledges waits for the fsync that covers it (see `afterCommit`).
   * NORMAL: acknowledged on commit; survives a crash or kill -9 (WAL mode), not a power loss.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * Group commit: the writes of one event-loop turn share one transaction (each command in its own
   * savepoint) committed by setImmediate, so one fsync covers every command read in that turn. Callers must
   * hold back what they acknowledge until `afterCommit` runs it (the server does).
   */
  groupCommit?: boolean;
  /**
   * Copy the WAL back into the database file from a worker thread with its own connection, instead of on the thread
   * that commits (SQLite's automatic checkpoint ran in the middle of a COMMIT every ~1,000 pages, ~25 times a second
   * under load). The automatic checkpoint stays on as a backstop with a higher threshold.
   */
  checkpointWorker?: boolean;
  /** better-sqlite3's compiled addon to load instead of the one in node_modules (an Electron-ABI build) */
  nativeBinding?: string;
  /** the checkpoint worker's file (default: relay/store/checkpoint-thread.cjs) */
  checkpointThreadPath?: string;
  /** how long each group-commit COMMIT and each off-thread fsync of the WAL took (for /metrics) */
  onTiming?: (what: 'commit' | 'fsync', seconds: number) => void;
  /**
   * With group commit under FULL: while commits keep coming, the next fsync of the WAL starts at least this long after
   * the previous one started (default `MIN_SYNC_INTERVAL_MS`; 0: at once). A commit that finds the disk idle is synced
   * at once, so this costs a quiet relay nothing.
   */
  minSyncIntervalMs?: number;
  /** with the checkpoint worker: the least time between two of its checkpoints (default `CHECKPOINT_EVERY_MS`) */
  checkpointEveryMs?: number;
}

/**
 * Off by default. On a disk that syncs in well under a millisecond, back-to-back fsyncs each cover a few messages at
 * 10,000 msgs/s (~1,400 fsync-and-COMMIT cycles a second, ~45 µs of the relay's core each), so holding the next one
 * back (PostgreSQL's `commit_delay` trade) looked like a saving; measured in alternated pairs it saved ~1% of CPU per
 * message (noise) and doubled the paced p50 (1.3 → 2.9 ms), so it stays a knob to measure with (docs/performance.md,
 * round 12; bench:relay --sync-interval). Durability does not depend on it: every acknowledgement waits for the fsync
 * that covers its commit either way.
 */
const MIN_SYNC_INTERVAL_MS = 0;

/**
 * Pages in the WAL before a commit checkpoints by itself: SQLite's default with no worker, a backstop with one (the WAL
 * only starts over from its beginning once a checkpoint has caught up, which under steady writes only the backstop's
 * does).
 * Measured under load (2026-11-24, fsync still on the event loop): a 100 ms period left ~20 commits a run stalled
 * 8-17 ms; 10 ms left 4, at most 7 ms. Since the fsync went off the loop (2026-12-02, docs/performance.md round 10):
 * 50 ms leaves as few commits over 5 ms as 10 ms did (3-10 a run against 4-5), and a page a message dirties again
 * within the period is copied once: saturation +7% over six alternated pairs, paced CPU per message -3%.
 * Round 17 (a machine that keeps up with 10,000 msgs/s; bench:relay --checkpoint-every, which also prints the commits
 * over 5, 10 and 25 ms): under steady writes the worker never quite catches up, so the WAL only starts over at the
 * backstop, where the writer's COMMIT first copies what the worker has not (up to a period's worth). 250 ms wrote 17%
 * fewer bytes per message, cost 2-3% less CPU and saturated ~5% higher, but doubled the paced commits over 5 ms and
 * made saturated ones of 25 ms and more; checkpointing every 10 ms near the backstop took the long commits away but
 * wrote 9% more bytes and saved nothing measurable at 50 ms. So the period stays 50 ms.
 */
const AUTOCHECKPOINT_PAGES = 1000;
const BACKSTOP_CHECKPOINT_PAGES = 16_000;
const CHECKPOINT_EVERY_MS = 50;

/** The checkpoint worker's file, beside this module when run from source (the desktop app passes its unpacked copy). */
export const CHECKPOINT_THREAD_FILE = 'checkpoint-thread.cjs';
const defaultCheckpointThread = () => fileURLToPath(new URL(`./${CHECKPOINT_THREAD_FILE}`, import.meta.url));
/** how long close() waits for the checkpointer to let go of the files */
const CHECKPOINTER_STOP_MS = 2000;

export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): SqliteRelayStore {
  fs.mkdirSync(dataDir, { recursive: true });
  return new SqliteRelayStore(path.join(dataDir, 'relay.sqlite'), options);
}

/** The embedded relay's durable state: synchronous, one connection, wrapped by relay/embedded for the ports. */
export class SqliteRelayStore {
  readonly db: Database.Database;
  /** uploads: rows in this database, bytes in the data folder */
  readonly attachments: SqliteAttachments;
  private readonly stmt: ReturnType<typeof prepareStatements>;
  private readonly grouping: boolean;
  private batchOpen = false;
  private batchCommands = 0;
  private batchOpenedAt = 0;
  private readonly accounts = new Map<AgentId, Account>();
  /**
   * Every account, as `listAccounts` last read them: routing reads them for each new chat and every agent's hello
   * reads them, and 400 rows with their teams cost more than the rest of a hello. Dropped with any account's change
   * (`forgetAccount`) and when another process moves the directory version, as the single accounts are.
   */
  private accountList: readonly Account[] | null = null;
  /**
   * Open (active) chats per owner: routing reads them for each new chat, and a GROUP BY over every session per chat
   * grew with the number of live chats. Kept up to date by `putSession` once read; dropped with the other caches.
   */
  private openCounts: Map<AgentId, number> | null = null;
  /** the directory version last read: when another process (the CLI) moves it, cached accounts are dropped */
  private seenDirectoryVersion = -1;
  /**
   * Write-through copy of live sessions: every command reads its session, and SQL plus a zod parse per read cost
   * more than the write itself. Only this connection writes sessions, so it is exact while nothing rolls back;
   * any rollback clears it (see `forgetCached`). Closed sessions are dropped: they are read rarely.
   */
  private readonly sessions = new Map<SessionId, SessionSummary>();
  /**
   * For each cached session, its summary folded over the events appended since it was last put. A put whose only
   * change is exactly this fold skips the row write: the row stays behind and `toSession` replays the same fold from
   * the event log, so a message costs one INSERT instead of an INSERT and an upsert (docs/performance.md).
   */
  private readonly folded = new Map<SessionId, Derived>();
  /**
   * The client ids (message and note ids, `clientIdOf`) of the events of each chat a resend was looked for in, as
   * 30-bit hashes: read from the log once per chat, then kept with every append. A client id not among them is new, so
   * the events table needs no index for resends (migration 12: that index cost a random page write per message); a
   * hash that is among them is checked against the log, so a collision never loses a message. Dropped with the chat
   * from the cache (closed, purged) and on any rollback.
   */
  private readonly clientIds = new Map<SessionId, Set<number>>();
  private committed: Array<() => void> = [];
  /** FULL with group commit: commits are made durable by an fsync of the WAL off the event loop */
  private readonly syncOffThread: boolean;
  private walFd: number | null = null;
  /** what committed batches acknowledge, waiting for the next fsync of the WAL */
  private unsynced: Array<() => void> = [];
  /** what the fsync in flight will release */
  private syncing: Array<() => void> | null = null;
  /** the open batch waits for the fsync in flight, or for the end of `holding` (see `flushUnlessSyncing`) */
  private flushAfterSync = false;
  /** between an fsync's return and the next one's start, while commits keep coming (`minSyncIntervalMs`) */
  private holding: NodeJS.Timeout | null = null;
  private readonly minSyncIntervalMs: number;
  private closed = false;
  /** the batch could not be committed: nothing in it was acknowledged, and it is rolled back */
  onCommitFailed: ((error: unknown) => void) | null = null;
  private checkpointer: Worker | null = null;
  /** set to 1 by the checkpointer once its connection is closed */
  private readonly checkpointerDone = new Int32Array(new SharedArrayBuffer(4));
  /** [0] commits so far, which wake the checkpointer; [1] set to 1 to stop it (which also ends its pause) */
  private readonly checkpointControl = new Int32Array(new SharedArrayBuffer(8));
  /** made once: better-sqlite3 builds four wrapper functions per `db.transaction()` call */
  private readonly runInTransaction: <T>(fn: () => T) => T;
  private readonly beginBatch: Database.Statement;
  private readonly commitBatch: Database.Statement;
  private readonly onTiming: SqliteStoreOptions['onTiming'];
  /** tables with a session_id column, found once (see `deleteChats`) */
  private chatTables: string[] | null = null;
  /** attachment contents a purge left unnamed: their files are deleted after its commit (`takeOrphanFiles`) */
  private orphanFiles: string[] = [];

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.db.pragma('journal_mode = WAL');
    this.syncOffThread = (options.synchronous ?? 'FULL') === 'FULL' && (options.groupCommit ?? false);
    this.db.pragma(`synchronous = ${this.syncOffThread ? 'NORMAL' : (options.synchronous ?? 'FULL')}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.stmt = prepareStatements(this.db);
    this.attachments = new SqliteAttachments(this.db, path.dirname(file));
    this.runInTransaction = this.db.transaction(<T>(fn: () => T): T => fn()) as <T>(fn: () => T) => T;
    this.beginBatch = this.db.prepare('BEGIN IMMEDIATE');
    this.commitBatch = this.db.prepare('COMMIT');
    this.grouping = options.groupCommit ?? false;
    this.onTiming = options.onTiming;
    this.minSyncIntervalMs = options.minSyncIntervalMs ?? MIN_SYNC_INTERVAL_MS;
    this.db.pragma('temp_store = MEMORY');
    if (options.checkpointWorker) {
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      this.checkpointer = new Worker(options.checkpointThreadPath ?? defaultCheckpointThread(), {
        workerData: {
          file,
          nativeBinding: options.nativeBinding ?? null,
          everyMs: options.checkpointEveryMs ?? CHECKPOINT_EVERY_MS,
          done: this.checkpointerDone.buffer,
          control: this.checkpointControl.buffer,
        },
      });
      // a failed checkpointer only means the commit thread checkpoints again (at the backstop threshold)
      this.checkpointer.on('error', () => {
        Atomics.store(this.checkpointerDone, 0, 1);
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      });
      this.checkpointer.on('exit', () => Atomics.store(this.checkpointerDone, 0, 1));
      this.checkpointer.unref();
    }
  }

  transaction<T>(fn: () => T): T {
    // inside an open batch better-sqlite3 runs this as a savepoint: a failed command rolls back alone
    return this.inBatch(() => this.runInTransaction(fn));
  }

  /**
   * Like `transaction`, for a function that runs exactly one writing statement: a statement is atomic by itself, so
   * it needs no savepoint (two statements fewer per message).
   */
  single<T>(fn: () => T): T {
    return this.inBatch(fn);
  }

  private inBatch<T>(fn: () => T): T {
    if (this.grouping && !this.db.inTransaction) this.openBatch();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.forgetCached(); // it may hold what was just rolled back
      throw error;
    }
    if (!this.batchOpen) this.committedOne(); // committed on its own, outside a batch
    // a bounded batch keeps latency bounded when a turn of the event loop reads more than can be handled
    if (this.batchOpen && (++this.batchCommands >= MAX_BATCH_COMMANDS || Date.now() - this.batchOpenedAt >= MAX_BATCH_MS)) {
      this.flush();
    }
    return result;
  }

  /** Tells the checkpointer there is something new in the WAL. */
  private committedOne(): void {
    if (!this.checkpointer) return;
    Atomics.add(this.checkpointControl, 0, 1);
    Atomics.notify(this.checkpointControl, 0);
  }

  /** Runs `task` once everything written so far is committed and durable (at once when nothing is pending). */
  afterCommit(task: () => void): void {
    if (this.batchOpen) this.committed.push(task);
    else if (this.syncing || this.unsynced.length) this.unsynced.push(task); // keeps the order of what goes out
    else task();
  }

  /** Commits the open batch now (also called on close). */
  flush(): void {
    if (!this.batchOpen) return;
    this.batchOpen = false;
    const tasks = this.committed;
    this.committed = [];
    const started = this.onTiming ? performance.now() : 0;
    try {
      this.commitBatch.run();
      this.onTiming?.('commit', (performance.now() - started) / 1000);
      this.committedOne();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.forgetCached();
      this.onCommitFailed?.(error);
      return;
    }
    if (!this.syncOffThread) {
      for (const task of tasks) task();
      return;
    }
    // even a batch that acknowledges nothing is synced, so a later answer that reads it (a duplicate send) is not early
    // one by one: a batch can hold more waiting tasks (a sign-in storm's greetings) than a call has room for arguments
    for (const task of tasks) this.unsynced.push(task);
    this.unsynced.push(noop);
    this.startSync();
  }

  /** Group fsync: one in flight at a time; it releases every batch committed before it began. */
  private startSync(): void {
    if (this.syncing || this.holding || !this.unsynced.length || this.closed) return;
    const fd = this.openWal();
    const covered = this.unsynced;
    this.unsynced = [];
    if (fd === null) {
      for (const task of covered) task();
      return;
    }
    this.syncing = covered;
    const started = performance.now();
    fs.fsync(fd, (error) => {
      this.syncing = null;
      const deferred = this.flushAfterSync;
      this.flushAfterSync = false;
      if (!error) this.onTiming?.('fsync', (performance.now() - started) / 1000);
      if (this.closed) {
        this.closeWal();
        return;
      }
      if (error) {
        // committed but perhaps not on disk: acknowledge none of it; clients resume and resend (idempotent ids)
        this.unsynced = [];
        this.onCommitFailed?.(error);
        if (deferred) this.flush();
        return;
      }
      for (const task of covered) task();
      // more commits are waiting: the next fsync starts `minSyncIntervalMs` after this one did, so it covers more
      const rest = this.minSyncIntervalMs - (performance.now() - started);
      if (rest > 0 && (deferred || this.batchOpen || this.unsynced.length)) {
        this.flushAfterSync = deferred;
        this.holding = setTimeout(this.endHolding, Math.max(1, Math.round(rest)));
        return;
      }
      // the batch that waited for this fsync is committed now, and its own fsync starts (flush starts it)
      if (deferred) this.flush();
      this.startSync();
    });
  }

  private readonly endHolding = () => {
    this.holding = null;
    const deferred = this.flushAfterSync;
    this.flushAfterSync = false;
    if (deferred) this.flush();
    this.startSync();
  };

  private openWal(): number | null {
    if (this.walFd === null) {
      try {
        // r+: Windows needs write access to flush a file
        this.walFd = fs.openSync(`${this.db.name}-wal`, 'r+');
      } catch {
        // not expected after a commit in WAL mode; if it happens, sync the database file here and let SQLite sync
        // every commit itself from now on
        const dbFd = fs.openSync(this.db.name, 'r+');
        try {
          fs.fsyncSync(dbFd);
        } finally {
          fs.closeSync(dbFd);
        }
        this.db.pragma('synchronous = FULL');
        return null;
      }
    }
    return this.walFd;
  }

  private closeWal(): void {
    if (this.walFd === null) return;
    fs.closeSync(this.walFd);
    this.walFd = null;
  }

  private forgetCached(): void {
    this.forgetAccount(null);
    this.openCounts = null;
    this.sessions.clear();
    this.folded.clear();
    this.clientIds.clear();
  }

  private openBatch(): void {
    this.beginBatch.run();
    this.batchOpen = true;
    this.batchCommands = 0;
    this.batchOpenedAt = Date.now();
    setImmediate(() => this.flushUnlessSyncing());
  }

  /**
   * The turn's batch is committed now, unless an fsync is in flight (or held back, `holding`): what it holds could not
   * be acknowledged before that fsync returns and the next one runs anyway, so it stays open (within the batch's
   * bounds) and is committed when the next fsync starts. One COMMIT per fsync instead of one per turn: each COMMIT
   * writes every page it touched.
   */
  private flushUnlessSyncing(): void {
    if ((this.syncing || this.holding) && this.batchOpen) this.flushAfterSync = true;
    else this.flush();
  }

  getAccount(id: AgentId): Account | null {
    // read on every event (names, roles): parsed once, then served from memory; a miss reads the file, so an
    // account added by `relay user add` from another process is found at its first sign-in (and a change made there
    // is seen once `directoryVersion` notices it)
    const cached = this.accounts.get(id);
    if (cached) return cached;
    const row = this.stmt.getAccount.get(id);
    const account = row ? toAccount(row, this.stmt.teamsOf.all(id).map((t) => t.team_id)) : null;
    if (account) this.accounts.set(id, account);
    return account;
  }

  listAccounts(): Account[] {
    if (!this.accountList) {
      const teams = new Map<AgentId, TeamId[]>();
      for (const { agent_id, team_id } of this.stmt.allMemberships.all()) {
        const of = teams.get(agent_id);
        if (of) of.push(team_id);
        else teams.set(agent_id, [team_id]);
      }
      this.accountList = this.stmt.listAccounts.all().map((row) => toAccount(row, teams.get(row.id) ?? []));
    }
    // a copy of the list: callers may sort or filter it
    return [...this.accountList];
  }

  createAccount(account: NewAccount): void {
    this.stmt.createAccount.run({
      id: account.id,
      name: account.name,
      role: account.role,
      canListenIn: account.canListenIn ? 1 : 0,
      passwordHash: account.passwordHash,
      capacity: account.capacity ?? null,
      createdAt: Date.now(),
    });
    for (const team of account.teams ?? []) this.stmt.addMember.run(team, account.id);
    this.directoryChanged(account.id);
  }

  updateAccount(id: AgentId, patch: AccountPatch): void {
    const columns: Record<string, unknown> = {};
    if (patch.name !== undefined) columns.name = patch.name;
    if (patch.role !== undefined) columns.role = patch.role;
    if (patch.canListenIn !== undefined) columns.can_listen_in = patch.canListenIn ? 1 : 0;
    if (patch.passwordHash !== undefined) columns.password_hash = patch.passwordHash;
    if (patch.capacity !== undefined) columns.capacity = patch.capacity;
    if (patch.disabled !== undefined) {
      columns.disabled = patch.disabled ? 1 : 0;
      columns.status_since = Date.now();
    }
    const names = Object.keys(columns);
    if (names.length) {
      // column names come from the fixed list above, never from the caller
      this.db.prepare(`UPDATE accounts SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`).run({ ...columns, id });
    }
    if (patch.teams !== undefined) {
      this.stmt.clearMemberships.run(id);
      for (const team of patch.teams) this.stmt.addMember.run(team, id);
    }
    // a new password or a disabled account: connections signed in before come back with the password, or not at all
    if (patch.passwordHash !== undefined || patch.disabled === true) this.stmt.dropAgentTokens.run(id);
    this.directoryChanged(id);
  }

  removeAccount(id: AgentId): boolean {
    const removed = this.stmt.removeAccount.run(id).changes > 0;
    this.stmt.dropAgentTokens.run(id);
    if (removed) this.directoryChanged(id);
    return removed;
  }

  /** Keeps a sign-in token's hash for the agent until `expiresAt` (and forgets the expired ones). */
  issueAgentToken(tokenHash: string, agentId: AgentId, now: number, expiresAt: number): void {
    this.stmt.dropExpiredTokens.run(now);
    this.stmt.issueAgentToken.run(tokenHash, agentId, now, expiresAt);
  }

  /** The agent a sign-in token was issued to, while it has not expired. */
  agentForToken(tokenHash: string, now: number): AgentId | null {
    return this.stmt.agentForToken.get(tokenHash, now)?.agent_id ?? null;
  }

  listTeams(): Team[] {
    return this.stmt.listTeams.all().map((row) => TeamSchema.parse(row));
  }

  createTeam(team: Team): void {
    this.stmt.createTeam.run(team.id, team.name, Date.now());
    this.directoryChanged(null);
  }

  removeTeam(id: TeamId): boolean {
    const removed = this.stmt.removeTeam.run(id).changes > 0;
    if (removed) this.directoryChanged(null);
    return removed;
  }

  /** The directory's version; when it moved since the last look (another process wrote), cached accounts are dropped. */
  directoryVersion(): number {
    const version = this.stmt.directoryVersion.get()?.version ?? 0;
    if (version !== this.seenDirectoryVersion) {
      this.seenDirectoryVersion = version;
      this.forgetAccount(null);
    }
    return version;
  }

  /** One account (or, null, every account: a team's members changed) is stale; the version tells other processes. */
  private directoryChanged(id: AgentId | null): void {
    this.stmt.bumpDirectory.run();
    this.forgetAccount(id);
  }

  /** One cached account (null: all of them) is stale, and with it the cached list. */
  private forgetAccount(id: AgentId | null): void {
    if (id === null) this.accounts.clear();
    else this.accounts.delete(id);
    this.accountList = null;
  }

  /** One account's presence moved: read it again, in the cached list too (every agent's arrival moves one). */
  private presenceChanged(id: AgentId): void {
    this.accounts.delete(id);
    if (!this.accountList) return;
    const fresh = this.getAccount(id);
    const at = this.accountList.findIndex((a) => a.id === id);
    if (!fresh || at < 0) this.accountList = null;
    else this.accountList = this.accountList.with(at, fresh);
  }

  setChosenStatus(id: AgentId, status: SettableStatus): void {
    this.stmt.setStatus.run({ id, status, at: Date.now() });
    this.presenceChanged(id);
  }

  setOnline(id: AgentId, online: boolean): void {
    this.stmt.setOnline.run({ id, online: online ? 1 : 0, at: Date.now() });
    this.presenceChanged(id);
  }

  setIdle(id: AgentId, idle: boolean): void {
    this.stmt.setIdle.run({ id, idle: idle ? 1 : 0, at: Date.now() });
    this.presenceChanged(id);
  }

  getSession(id: SessionId): SessionSummary | null {
    const cached = this.sessions.get(id);
    if (cached) return cached;
    const row = this.stmt.getSession.get(id);
    return row ? this.remember(this.toSession(row)) : null;
  }

  listLiveSessions(): SessionSummary[] {
    return this.stmt.liveSessions.all().map((row) => this.cached(row));
  }

  /** The live chats whose audience the agent is in (owner, listener, or named by the offer), oldest first. */
  listLiveSessionsOf(agentId: AgentId): SessionSummary[] {
    // read through indexes (owner, listener, any pending offer), so a welcome does not read every live chat
    return this.stmt.liveSessionsOf
      .all(agentId, agentId)
      .map((row) => this.cached(row))
      .filter((session) => inAudience(session, agentId));
  }

  /** The queued chats, oldest first, at most `limit` of them. */
  listQueuedSessions(limit: number): SessionSummary[] {
    return this.stmt.queuedSessions.all(limit).map((row) => this.cached(row));
  }

  countQueued(): number {
    return this.stmt.countQueued.get()!.n;
  }

  private cached(row: SessionRow): SessionSummary {
    return this.sessions.get(row.id) ?? this.remember(this.toSession(row));
  }

  /** The chat at the head of each queue (one per team, and one for chats of no team), oldest first. */
  queueHeads(): SessionSummary[] {
    return this.stmt.queueHeads.all().map((row) => this.cached(row));
  }

  logsInWindow(since: number, until: number): SessionEvent[] {
    return this.stmt.logsInWindow.all(until, since).map((row) => SessionEventSchema.parse(JSON.parse(row.body)));
  }

  putSession(session: SessionSummary): void {
    const before = this.sessions.get(session.id);
    const folded = this.folded.get(session.id);
    this.folded.delete(session.id);
    if (before && folded && sameDerived(folded, session) && sameStored(before, session)) {
      this.remember(session);
      return;
    }
    if (this.openCounts) this.countOpen(this.openOwner(session.id, before), session.state === 'active' ? session.ownerId : null);
    this.stmt.putSession.run({
      id: session.id,
      customerName: session.customerName,
      state: session.state,
      ownerId: session.ownerId,
      pendingTransfer: session.pendingTransfer ? JSON.stringify(session.pendingTransfer) : null,
      createdAt: session.createdAt,
      closedAt: session.closedAt,
      lastSeq: session.lastSeq,
      lastMessage: session.lastMessage ? JSON.stringify(session.lastMessage) : null,
      waitingSince: session.waitingSince,
      team: session.team ?? null,
    });
    // most writes are messages, which leave the listeners as they were; without the previous version, rewrite
    if (!before || !sameList(before.listeners, session.listeners)) {
      this.stmt.clearListeners.run(session.id);
      session.listeners.forEach((agentId, position) => {
        this.stmt.addListener.run(session.id, agentId, position);
      });
    }
    this.remember(session);
  }

  openChatCounts(): Map<AgentId, number> {
    this.openCounts ??= new Map(this.stmt.openCounts.all().map((row) => [row.owner_id, row.n]));
    // a copy: routing counts the chats it hands out in it
    return new Map(this.openCounts);
  }

  /** Whose open chat the session's row counts as now (null: nobody's), from the cached copy or, uncached, the row. */
  private openOwner(id: SessionId, cached: SessionSummary | undefined): AgentId | null {
    if (cached) return cached.state === 'active' ? cached.ownerId : null;
    const row = this.stmt.ownerAndState.get(id);
    return row?.state === 'active' ? row.owner_id : null;
  }

  /** Moves one chat in the open-chat counts from owner `was` to owner `is` (null: not an open chat). */
  private countOpen(was: AgentId | null, is: AgentId | null): void {
    const counts = this.openCounts;
    if (!counts || was === is) return;
    if (was !== null) {
      const n = (counts.get(was) ?? 0) - 1;
      if (n > 0) counts.set(was, n);
      else counts.delete(was);
    }
    if (is !== null) counts.set(is, (counts.get(is) ?? 0) + 1);
  }

  listPendingTransfers(): TransferOffer[] {
    return this.stmt.pendingTransfers.all().map((row) => TransferOfferSchema.parse(JSON.parse(row.pending_transfer)));
  }

  appendEvent(event: SessionEvent): void {
    const clientId = clientIdOf(event);
    if (clientId === null) this.stmt.appendEvent.run(event.sessionId, event.seq, event.kind, null, eventJson(event));
    else {
      // a client id is stored once per chat, as the unique index before migration 12 made sure
      const ids = this.clientIdsOf(event.sessionId);
      const hash = clientIdHash(clientId);
      if (ids.has(hash) && this.stmt.findMessage.get(event.sessionId, clientId)) {
        throw new Error(`UNIQUE constraint failed: chat ${event.sessionId} has an event with client id ${clientId} already`);
      }
      this.stmt.appendEvent.run(event.sessionId, event.seq, event.kind, clientId, eventJson(event));
      ids.add(hash);
    }
    const cached = this.sessions.get(event.sessionId);
    if (cached) {
      const from = this.folded.get(event.sessionId) ?? {
        lastSeq: cached.lastSeq,
        lastMessage: cached.lastMessage,
        waitingSince: cached.waitingSince,
      };
      this.folded.set(event.sessionId, fold(from, event));
    }
  }

  /**
   * A message that changes nothing but what follows from it (the common case): one INSERT, after a resend (same
   * message id) was looked for in memory (`clientIds`); `after` is the cached session folded over it. False for a resend.
   */
  appendMessage(event: SessionEventOf<'message'>, after: SessionSummary): boolean {
    const ids = this.clientIdsOf(event.sessionId);
    const hash = clientIdHash(event.messageId);
    if (ids.has(hash) && this.stmt.findMessage.get(event.sessionId, event.messageId)) return false;
    this.stmt.appendMessage.run(event.sessionId, event.seq, event.messageId, eventJson(event));
    ids.add(hash);
    // as putSession does when only the derived fields changed: the row lags, the log is the truth (see `folded`)
    this.folded.delete(event.sessionId);
    // `after` is the runner's own fold of the cached copy (its listeners that copy's frozen list): frozen as it is
    // rather than copied, once per message
    if (after.state !== 'closed' && Object.isFrozen(after.listeners)) this.sessions.set(after.id, Object.freeze(after));
    else this.remember(after);
    return true;
  }

  eventsAfter(sessionId: SessionId, afterSeq: number, limit?: number): SessionEvent[] {
    // a negative LIMIT is no limit in SQLite
    return this.stmt.eventsPage.all(sessionId, afterSeq, limit ?? -1).map((row) => SessionEventSchema.parse(JSON.parse(row.body)));
  }

  findMessageSeq(sessionId: SessionId, messageId: string): number | null {
    if (!this.clientIdsOf(sessionId).has(clientIdHash(messageId))) return null;
    return this.stmt.findMessage.get(sessionId, messageId)?.seq ?? null;
  }

  /**
   * The chat's client-id hashes, read from its log the first time they are asked for; kept while the chat is in the
   * cache of live chats (a closed chat's are read again each time: nothing drops them otherwise).
   */
  private clientIdsOf(sessionId: SessionId): Set<number> {
    let ids = this.clientIds.get(sessionId);
    if (!ids) {
      ids = new Set();
      for (const row of this.stmt.clientIdsOf.iterate(sessionId)) ids.add(clientIdHash(row.message_id));
      if (this.sessions.has(sessionId)) this.clientIds.set(sessionId, ids);
    }
    return ids;
  }

  addParticipant(sessionId: SessionId, agentId: AgentId): void {
    this.stmt.addParticipant.run(sessionId, agentId);
  }

  isParticipant(sessionId: SessionId, agentId: AgentId): boolean {
    return this.stmt.isParticipant.get(sessionId, agentId) !== undefined;
  }

  putCustomerToken(tokenHash: string, sessionId: SessionId): void {
    this.stmt.putToken.run(tokenHash, sessionId);
  }

  sessionForToken(tokenHash: string): SessionId | null {
    return this.stmt.sessionForToken.get(tokenHash)?.session_id ?? null;
  }

  addRating(sessionId: SessionId, score: number, comment: string | null, at: number): void {
    this.stmt.addRating.run(sessionId, score, comment, at);
  }

  ratingsSince(since: number): { count: number; average: number | null } {
    const row = this.stmt.ratingsSince.get(since);
    return { count: row?.count ?? 0, average: row?.average ?? null };
  }

  addRequest(request: Request): void {
    this.stmt.addRequest.run(
      request.id,
      request.sessionId,
      // the customer's own (offline form) have no creator: '' matches no agent's list
      request.createdBy ?? '',
      request.createdAt,
      JSON.stringify(request),
      request.assigneeId,
    );
  }

  /** Stores a request's new status and assignee (the row keeps the whole request as its body). */
  putRequest(request: Request): void {
    this.stmt.putRequest.run(JSON.stringify(request), request.assigneeId, request.id);
  }

  getRequest(id: string): Request | null {
    const row = this.stmt.getRequest.get(id);
    return row ? RequestSchema.parse(JSON.parse(row.body)) : null;
  }

  listRequests(agentId: AgentId | null): Request[] {
    const rows = agentId === null ? this.stmt.allRequests.all() : this.stmt.requestsOf.all(agentId, agentId);
    return rows.map((row) => RequestSchema.parse(JSON.parse(row.body)));
  }

  listCannedReplies(agentId: AgentId): CannedReply[] {
    return this.stmt.cannedFor.all(agentId).map((row) => CannedReplySchema.parse(JSON.parse(row.body)));
  }

  getCannedReply(id: string): CannedReply | null {
    const row = this.stmt.getCanned.get(id);
    return row ? CannedReplySchema.parse(JSON.parse(row.body)) : null;
  }

  putCannedReply(reply: CannedReply): void {
    this.stmt.putCanned.run(reply.id, reply.ownerId, reply.title, JSON.stringify(reply));
  }

  deleteCannedReply(id: string): void {
    this.stmt.deleteCanned.run(id);
  }

  // -------------------------------------------------------------------------------------------
  // Retention and erasure (the retention sweep, `relay purge`)

  /** Deletes up to `limit` chats that closed before `before`, oldest first, with every row kept for them. */
  purgeClosedBefore(before: number, limit: number): SessionId[] {
    const ids = this.db
      .prepare<[number, number], { id: string }>(
        "SELECT id FROM sessions WHERE state = 'closed' AND closed_at < ? ORDER BY closed_at LIMIT ?",
      )
      .all(before, limit)
      .map((row) => row.id);
    if (ids.length) this.deleteChats(ids);
    return ids;
  }

  /** Deletes one closed chat everywhere this store keeps it; rows deleted per table, or why not. */
  purgeSession(id: SessionId): { deleted: Record<string, number> } | { refused: 'not-found' | 'open' } {
    const row = this.stmt.getSession.get(id);
    if (!row) return { refused: 'not-found' };
    if (row.state !== 'closed') return { refused: 'open' };
    return { deleted: this.deleteChats([id]) };
  }

  /**
   * Every table with a session_id column loses the chats' rows, then `sessions` does: a table another change adds
   * for chats is purged without being listed here. Deleted content is overwritten (secure_delete), not left in free
   * pages of the file.
   */
  private deleteChats(ids: SessionId[]): Record<string, number> {
    this.chatTables ??= this.db
      .prepare<[], { name: string }>(
        `SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND m.name != 'sessions'
           AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'session_id') ORDER BY m.name`,
      )
      .all()
      .map((row) => row.name);
    const list = JSON.stringify(ids);
    const secure = this.db.pragma('secure_delete', { simple: true }) as number;
    this.db.pragma('secure_delete = ON');
    try {
      const deleted: Record<string, number> = {};
      // attachments first, to learn which contents no other chat names: their files go once this commit is on disk
      const { removed, orphans } = this.attachments.purgeSessions(ids);
      deleted.attachments = removed;
      for (const file of orphans) this.orphanFiles.push(file);
      for (const table of this.chatTables) {
        const quoted = `"${table.replace(/"/g, '""')}"`;
        const changes = this.db.prepare(`DELETE FROM ${quoted} WHERE session_id IN (SELECT value FROM json_each(?))`).run(list).changes;
        deleted[table] = (deleted[table] ?? 0) + changes;
      }
      deleted.sessions = this.db.prepare('DELETE FROM sessions WHERE id IN (SELECT value FROM json_each(?))').run(list).changes;
      for (const id of ids) {
        this.sessions.delete(id);
        this.folded.delete(id);
        this.clientIds.delete(id);
      }
      this.openCounts = null;
      return deleted;
    } finally {
      this.db.pragma(`secure_delete = ${secure}`);
    }
  }

  /** The contents purged chats left unnamed (SHA-256s), once: the caller deletes their files after the commit. */
  takeOrphanFiles(): string[] {
    return this.orphanFiles.splice(0);
  }

  close(): void {
    if (this.checkpointer) {
      // its connection must be gone before ours closes (the last one out removes the WAL) and before the caller
      // may delete the folder; it answers at once unless a checkpoint is running, so this wait is short
      Atomics.store(this.checkpointControl, 1, 1);
      Atomics.notify(this.checkpointControl, 0);
      Atomics.notify(this.checkpointControl, 1);
      Atomics.wait(this.checkpointerDone, 0, 0, CHECKPOINTER_STOP_MS);
      this.checkpointer = null;
    }
    if (this.holding) {
      clearTimeout(this.holding);
      this.holding = null;
    }
    if (this.db.open) this.flush();
    if (this.syncOffThread && (this.syncing || this.unsynced.length)) {
      // closing: make the last batches durable here, then release what they acknowledged
      const fd = this.openWal();
      if (fd !== null) fs.fsyncSync(fd);
      const pending = [...(this.syncing ?? []), ...this.unsynced];
      this.unsynced = [];
      for (const task of pending) task();
    }
    this.closed = true;
    if (!this.syncing) this.closeWal(); // else the fsync in flight closes it when it returns
    if (this.db.open) this.db.close();
  }

  /** Caches a frozen copy, so a caller changing what it passed or got cannot change the cache. */
  private remember(session: SessionSummary): SessionSummary {
    if (session.state === 'closed') {
      this.sessions.delete(session.id);
      this.clientIds.delete(session.id);
      return session;
    }
    const copy = Object.freeze({ ...session, listeners: Object.freeze([...session.listeners]) as AgentId[] });
    this.sessions.set(session.id, copy);
    return copy;
  }

  private toSession(row: SessionRow): SessionSummary {
    // the row may lag its events (see `folded`): replay those after it, as the writer did before skipping the row
    let derived: Derived = {
      lastSeq: row.last_seq,
      lastMessage: row.last_message ? LastMessageSchema.parse(JSON.parse(row.last_message)) : null,
      waitingSince: row.waiting_since,
    };
    for (const later of this.stmt.eventsAfter.all(row.id, row.last_seq)) {
      derived = fold(derived, SessionEventSchema.parse(JSON.parse(later.body)));
    }
    return SessionSummarySchema.parse({
      id: row.id,
      customerName: row.customer_name,
      state: row.state,
      ownerId: row.owner_id,
      listeners: this.stmt.listeners.all(row.id).map((l) => l.agent_id),
      pendingTransfer: row.pending_transfer ? JSON.parse(row.pending_transfer) : null,
      createdAt: row.created_at,
      closedAt: row.closed_at,
      lastSeq: derived.lastSeq,
      lastMessage: derived.lastMessage,
      waitingSince: derived.waitingSince,
      team: row.team,
    });
  }
}

function prepareStatements(db: Database.Database) {
  return {
    getAccount: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
    listAccounts: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY id'),
    createAccount: db.prepare(
      `INSERT INTO accounts (id, name, role, can_listen_in, password_hash, capacity, created_at)
       VALUES (@id, @name, @role, @canListenIn, @passwordHash, @capacity, @createdAt)`,
    ),
    removeAccount: db.prepare('DELETE FROM accounts WHERE id = ?'),
    dropAgentTokens: db.prepare('DELETE FROM agent_tokens WHERE agent_id = ?'),
    dropExpiredTokens: db.prepare('DELETE FROM agent_tokens WHERE expires_at <= ?'),
    issueAgentToken: db.prepare('INSERT INTO agent_tokens (token_hash, agent_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
    agentForToken: db.prepare<[string, number], { agent_id: string }>(
      'SELECT agent_id FROM agent_tokens WHERE token_hash = ? AND expires_at > ?',
    ),
    teamsOf: db.prepare<[string], { team_id: string }>('SELECT team_id FROM team_members WHERE agent_id = ? ORDER BY team_id'),
    allMemberships: db.prepare<[], { agent_id: string; team_id: string }>(
      'SELECT agent_id, team_id FROM team_members ORDER BY agent_id, team_id',
    ),
    clearMemberships: db.prepare('DELETE FROM team_members WHERE agent_id = ?'),
    addMember: db.prepare('INSERT OR IGNORE INTO team_members (team_id, agent_id) VALUES (?, ?)'),
    listTeams: db.prepare<[], { id: string; name: string }>('SELECT id, name FROM teams ORDER BY name, id'),
    createTeam: db.prepare('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)'),
    removeTeam: db.prepare('DELETE FROM teams WHERE id = ?'),
    directoryVersion: db.prepare<[], { version: number }>('SELECT version FROM directory_version WHERE one = 1'),
    bumpDirectory: db.prepare('UPDATE directory_version SET version = version + 1 WHERE one = 1'),
    // the shown status changed (or may have): its time is kept, unless the value written is the one already there
    setStatus: db.prepare(
      `UPDATE accounts SET status_since = CASE WHEN chosen_status = @status THEN status_since ELSE @at END,
         chosen_status = @status WHERE id = @id`,
    ),
    setOnline: db.prepare(
      'UPDATE accounts SET status_since = CASE WHEN online = @online THEN status_since ELSE @at END, online = @online WHERE id = @id',
    ),
    setIdle: db.prepare(
      'UPDATE accounts SET status_since = CASE WHEN idle = @idle THEN status_since ELSE @at END, idle = @idle WHERE id = @id',
    ),
    getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    liveSessions: db.prepare<[], SessionRow>(
      "SELECT * FROM sessions WHERE state != 'closed' ORDER BY created_at, rowid",
    ),
    liveSessionsOf: db.prepare<[string, string], SessionRow>(
      `SELECT * FROM sessions WHERE state != 'closed' AND id IN (
         SELECT id FROM sessions WHERE owner_id = ? AND state != 'closed'
         UNION ALL SELECT session_id FROM listeners WHERE agent_id = ?
         UNION ALL SELECT id FROM sessions WHERE pending_transfer IS NOT NULL AND state != 'closed'
       ) ORDER BY created_at, rowid`,
    ),
    queuedSessions: db.prepare<[number], SessionRow>(
      "SELECT * FROM sessions WHERE state = 'queued' ORDER BY created_at, rowid LIMIT ?",
    ),
    countQueued: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sessions WHERE state = 'queued'"),
    queueHeads: db.prepare<[], SessionRow>(
      `SELECT * FROM (
         SELECT *, rowid AS arrival, row_number() OVER (PARTITION BY team ORDER BY created_at, rowid) AS place
         FROM sessions WHERE state = 'queued'
       ) WHERE place = 1 ORDER BY created_at, arrival`,
    ),
    logsInWindow: db.prepare<[number, number], { body: string }>(
      `SELECT body FROM events WHERE session_id IN (
         SELECT id FROM sessions WHERE created_at < ? AND (closed_at IS NULL OR closed_at >= ?)
       ) ORDER BY session_id, seq`,
    ),
    pendingTransfers: db.prepare<[], { pending_transfer: string }>(
      "SELECT pending_transfer FROM sessions WHERE state != 'closed' AND pending_transfer IS NOT NULL",
    ),
    putSession: db.prepare(
      `INSERT INTO sessions (id, customer_name, state, owner_id, pending_transfer, created_at, closed_at, last_seq,
         last_message, waiting_since, team)
       VALUES (@id, @customerName, @state, @ownerId, @pendingTransfer, @createdAt, @closedAt, @lastSeq, @lastMessage,
         @waitingSince, @team)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, owner_id = excluded.owner_id,
         pending_transfer = excluded.pending_transfer, closed_at = excluded.closed_at, last_seq = excluded.last_seq,
         last_message = excluded.last_message, waiting_since = excluded.waiting_since, team = excluded.team`,
    ),
    listeners: db.prepare<[string], { agent_id: string }>(
      'SELECT agent_id FROM listeners WHERE session_id = ? ORDER BY position',
    ),
    clearListeners: db.prepare('DELETE FROM listeners WHERE session_id = ?'),
    addListener: db.prepare('INSERT INTO listeners (session_id, agent_id, position) VALUES (?, ?, ?)'),
    ownerAndState: db.prepare<[string], { state: string; owner_id: string | null }>('SELECT state, owner_id FROM sessions WHERE id = ?'),
    openCounts: db.prepare<[], { owner_id: string; n: number }>(
      "SELECT owner_id, count(*) AS n FROM sessions WHERE state = 'active' GROUP BY owner_id",
    ),
    appendEvent: db.prepare('INSERT INTO events (session_id, seq, kind, message_id, body) VALUES (?, ?, ?, ?, ?)'),
    // a (session, seq) clash is an error; a resend was looked for before (`clientIds`)
    appendMessage: db.prepare("INSERT INTO events (session_id, seq, kind, message_id, body) VALUES (?, ?, 'message', ?, ?)"),
    clientIdsOf: db.prepare<[string], { message_id: string }>(
      'SELECT message_id FROM events WHERE session_id = ? AND message_id IS NOT NULL',
    ),
    eventsAfter: db.prepare<[string, number], { body: string }>(
      'SELECT body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq',
    ),
    eventsPage: db.prepare<[string, number, number], { body: string }>(
      'SELECT body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    findMessage: db.prepare<[string, string], { seq: number }>(
      'SELECT seq FROM events WHERE session_id = ? AND message_id = ?',
    ),
    addParticipant: db.prepare('INSERT OR IGNORE INTO participants (session_id, agent_id) VALUES (?, ?)'),
    isParticipant: db.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM participants WHERE session_id = ? AND agent_id = ?',
    ),
    putToken: db.prepare('INSERT INTO customer_tokens (token_hash, session_id) VALUES (?, ?)'),
    sessionForToken: db.prepare<[string], { session_id: string }>(
      'SELECT session_id FROM customer_tokens WHERE token_hash = ?',
    ),
    addRequest: db.prepare(
      'INSERT INTO requests (id, session_id, created_by, created_at, body, assignee_id) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    addRating: db.prepare('INSERT INTO ratings (session_id, score, comment, rated_at) VALUES (?, ?, ?, ?)'),
    ratingsSince: db.prepare<[number], { count: number; average: number | null }>(
      'SELECT count(*) AS count, avg(score) AS average FROM ratings WHERE rated_at >= ?',
    ),
    putRequest: db.prepare('UPDATE requests SET body = ?, assignee_id = ? WHERE id = ?'),
    getRequest: db.prepare<[string], { body: string }>('SELECT body FROM requests WHERE id = ?'),
    allRequests: db.prepare<[], { body: string }>('SELECT body FROM requests ORDER BY created_at DESC, rowid DESC'),
    requestsOf: db.prepare<[string, string], { body: string }>(
      'SELECT body FROM requests WHERE created_by = ? OR assignee_id = ? ORDER BY created_at DESC, rowid DESC',
    ),
    cannedFor: db.prepare<[string], { body: string }>(
      'SELECT body FROM canned_replies WHERE owner_id IS NULL OR owner_id = ? ORDER BY title COLLATE NOCASE, id',
    ),
    getCanned: db.prepare<[string], { body: string }>('SELECT body FROM canned_replies WHERE id = ?'),
    putCanned: db.prepare(
      `INSERT INTO canned_replies (id, owner_id, title, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, title = excluded.title, body = excluded.body`,
    ),
    deleteCanned: db.prepare('DELETE FROM canned_replies WHERE id = ?'),
  };
}

function sameDerived(a: Derived, b: Derived): boolean {
  const m = a.lastMessage;
  const n = b.lastMessage;
  const sameMessage =
    m === n ||
    (m !== null && n !== null && m.text === n.text && m.at === n.at && m.authorKind === n.authorKind && m.authorName === n.authorName);
  return a.lastSeq === b.lastSeq && a.waitingSince === b.waitingSince && sameMessage;
}

/** Whether the fields kept only in the session row (and listeners table) are unchanged. */
function sameStored(a: SessionSummary, b: SessionSummary): boolean {
  return (
    a.customerName === b.customerName &&
    a.state === b.state &&
    a.ownerId === b.ownerId &&
    a.createdAt === b.createdAt &&
    a.closedAt === b.closedAt &&
    (a.team ?? null) === (b.team ?? null) &&
    (a.pendingTransfer === b.pendingTransfer || JSON.stringify(a.pendingTransfer) === JSON.stringify(b.pendingTransfer)) &&
    sameList(a.listeners, b.listeners)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const AccountRowSchema = z.object({ role: AgentRoleSchema, chosen_status: SettableStatusSchema });

function toAccount(row: AccountRow, teams: TeamId[]): Account {
  const checked = AccountRowSchema.parse(row);
  return {
    id: row.id,
    name: row.name,
    role: checked.role,
    canListenIn: row.can_listen_in === 1,
    passwordHash: row.password_hash,
    chosenStatus: checked.chosen_status,
    online: row.online === 1,
    teams,
    capacity: row.capacity,
    disabled: row.disabled === 1,
    idle: row.idle === 1,
    statusSince: row.status_since,
  };
}

/** FNV-1a over the id's UTF-16 code units, to 30 bits (a small integer in V8: a Set of them allocates no numbers). */
export function clientIdHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash & 0x3fffffff;
}
