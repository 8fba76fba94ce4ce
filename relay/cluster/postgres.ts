// The cluster's durable state in PostgreSQL: the RelayStore, the CommandRunner (one transaction per command with the
// session row locked FOR UPDATE, seqs allocated inside it) and the Scheduler (a timers table whose due rows are claimed
// FOR UPDATE SKIP LOCKED, so each fires on one node). Everything here survives the death of any node.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  type AgentId,
  AgentRoleSchema,
  applyRequestUpdate,
  type CannedReply,
  CannedReplySchema,
  type Request,
  RequestSchema,
  type SessionEvent,
  SessionEventSchema,
  type SessionId,
  type SessionSummary,
  SessionStateSchema,
  SessionSummarySchema,
  type SettableStatus,
  SettableStatusSchema,
  type Team,
  type TeamId,
  TeamSchema,
  type TransferOffer,
  TransferOfferSchema,
} from '../../common/domain';
import { ok, type Result } from '../../common/result';
import {
  audience,
  type Change,
  clientIdOf,
  type Decision,
  type Effect,
  inAudience,
  type Loaded,
  loadedOnly,
  type NewEvent,
  refuse,
  sequence,
  type TimerKey,
} from '../core/model';
import type {
  Account,
  AccountPatch,
  Applied,
  Clock,
  CommandRunner,
  Log,
  NewAccount,
  RelayStore,
  RoutingSnapshot,
  Scheduler,
  SessionCommand,
} from '../ports';
import { StoreUnavailable } from '../ports';
import { JOINER_LOG_EVENTS } from '../paging';
import type { Maintenance, PurgeOutcome } from '../retention';
import { eventJson } from '../wire';
import { attachmentsOfSession, markAttachmentsSent, PgAttachments, purgeAttachmentRows, purgeUnnamedBlobs } from './attachments';
import { migratePg } from './migrations';

/** Error codes of a lost or refused connection (class 08, shutdown, too many clients) and of Node's sockets. */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailable) return true;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('08'))) return true;
  const message = String((error as Error)?.message ?? '');
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message);
}

/** Transient conflicts between concurrent transactions: the command is retried from the start. */
const RETRYABLE = new Set(['40001', '40P01']);

/** an arbitrary constant: the advisory lock that serialises routing across the cluster */
const ROUTING_LOCK = 7_420_002;

interface SessionRow {
  id: string;
  customer_name: string;
  state: string;
  owner_id: string | null;
  listeners: string[];
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
  can_listen_in: boolean;
  password_hash: string;
  chosen_status: string;
  online: boolean;
  capacity: number | null;
  disabled: boolean;
  idle: boolean;
  status_since: number | null;
  teams: string[];
}

/** An account row with its teams (in id order), for `SELECT ${ACCOUNT} FROM accounts a`. */
const ACCOUNT = `a.*, coalesce((SELECT array_agg(m.team_id ORDER BY m.team_id) FROM team_members m WHERE m.agent_id = a.id), '{}') AS teams`;

export interface PgOptions {
  connectionString: string;
  /** connections per node (default 10) */
  poolSize?: number;
  clock: Clock;
  log: Log;
  /** how long each transaction took from BEGIN to COMMIT (for /metrics) */
  onTiming?: (what: 'commit', seconds: number) => void;
}

/** an arbitrary constant: the advisory lock held by the node running the retention sweep */
const RETENTION_LOCK = 7_420_003;

export class PgEngine implements RelayStore, CommandRunner, Scheduler, Maintenance {
  readonly pool: pg.Pool;
  readonly attachments: PgAttachments;
  private readonly clock: Clock;
  private readonly log: Log;
  /** commands on one session from this node run one after the other, in arrival order */
  private readonly queues = new Map<SessionId, Promise<unknown>>();
  private onDue: ((key: TimerKey) => Promise<void>) | null = null;
  private poller: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  /** the last time a query succeeded or failed, for /health */
  private lastError: string | null = null;
  private readonly onTiming: PgOptions['onTiming'];
  /** tables with a session_id column, found once (see `deleteChats`) */
  private chatTables: string[] | null = null;

  private constructor(options: PgOptions) {
    const types = new pg.TypeOverrides();
    // BIGINT columns hold milliseconds since 1970: well inside a double
    types.setTypeParser(20, (value: string) => Number(value));
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      types,
      connectionTimeoutMillis: 5000,
    });
    // an idle connection that breaks must not take the node down; the next query reconnects
    this.pool.on('error', (error) => {
      this.lastError = error.message;
      this.log({ event: 'store-error', error: error.message });
    });
    this.clock = options.clock;
    this.log = options.log;
    this.attachments = new PgAttachments((text, values) => this.query(text, values), (body) => this.transaction(body));
    this.onTiming = options.onTiming;
  }

  static async connect(options: PgOptions): Promise<PgEngine> {
    const engine = new PgEngine(options);
    const client = await engine.pool.connect();
    try {
      await migratePg(client);
    } catch (error) {
      client.release();
      await engine.pool.end();
      throw error;
    }
    client.release();
    return engine;
  }

  /** Whether PostgreSQL answers now (for /health and /ready). */
  async check(): Promise<{ ok: boolean; error: string | null }> {
    try {
      await this.pool.query('SELECT 1');
      this.lastError = null;
      return { ok: true, error: null };
    } catch (error) {
      this.lastError = (error as Error).message;
      return { ok: false, error: this.lastError };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await Promise.allSettled([...this.queues.values()]);
    await this.pool.end();
  }

  // -------------------------------------------------------------------------------------------
  // CommandRunner

  run<R>(command: SessionCommand<R>): Promise<Result<Applied<R>>> {
    return this.answered(this.serialised(command.sessionId, () =>
      this.transaction(async (db) => {
        const before = await this.lockSession(db, command.sessionId);
        if (!before) return refuse('not-found');
        if (command.requireOpen && before.state === 'closed') return refuse('session-closed');
        const spec = command.load;
        const request = spec?.request ? await this.requestIn(db, spec.request) : null;
        const loaded: Loaded = {
          session: before,
          // optimistic: a message id repeats only when a client resends, and the insert of the message finds that itself
          duplicateSeq: null,
          transcript: spec?.transcript ? await this.events(db, before.id, 0) : null,
          attachments: spec?.attachments ? await attachmentsOfSession(db, before.id, spec.attachments) : [],
          request: request?.sessionId === before.id ? request : null,
          accounts: spec?.agents?.length ? await this.accountsIn(db, spec.agents) : new Map(),
        };
        let decision = command.decide(loaded);
        if (!decision.ok) return decision;
        if (spec?.messageId) {
          const sent = await this.appendMessageOnly(db, before, decision.value);
          if (sent) return ok(sent);
          // a resend, or a decision that is more than one message: decide again knowing what is stored
          loaded.duplicateSeq = await this.messageSeq(db, before.id, spec.messageId);
          decision = command.decide(loaded);
          if (!decision.ok) return decision;
        }
        return ok(await this.apply(db, before, decision.value));
      }),
    ));
  }

  /** A command that could not reach PostgreSQL is answered `unavailable`: the client may safely send it again. */
  private answered<T>(running: Promise<Result<T>>): Promise<Result<T>> {
    return running.catch((error: unknown) => {
      if (isUnavailable(error)) return refuse('unavailable');
      throw error;
    });
  }

  open(session: SessionSummary, events: NewEvent[], tokenHash: string): Promise<Result<Applied>> {
    return this.answered(this.transaction(async (db) => {
      await db.query(
        `INSERT INTO sessions (id, customer_name, state, owner_id, listeners, pending_transfer, created_at, closed_at,
           last_seq, last_message, waiting_since, team) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL, NULL, $9)`,
        [
          session.id,
          session.customerName,
          session.state,
          session.ownerId,
          session.listeners,
          session.pendingTransfer ? JSON.stringify(session.pendingTransfer) : null,
          session.createdAt,
          session.closedAt,
          session.team ?? null,
        ],
      );
      await db.query('INSERT INTO customer_tokens (token_hash, session_id) VALUES ($1, $2)', [tokenHash, session.id]);
      const written = await this.write(db, session, session, events);
      return ok({ before: session, ...written, effects: [], value: undefined });
    }));
  }

  routeOldest(decide: (loaded: Loaded, snapshot: RoutingSnapshot) => Decision): Promise<Result<Applied> | null> {
    return this.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [ROUTING_LOCK]);
      // the head of each team's queue (and of the queue of chats with no team), oldest first
      const { rows } = await db.query<SessionRow>(
        `SELECT * FROM sessions WHERE state = 'queued' AND id IN (
           SELECT DISTINCT ON (coalesce(team, '')) id FROM sessions WHERE state = 'queued'
           ORDER BY coalesce(team, ''), created_at, id
         ) ORDER BY created_at, id FOR UPDATE SKIP LOCKED`,
      );
      if (!rows.length) return null;
      const counts = await db.query<{ owner_id: string; n: number }>(
        `SELECT owner_id, count(*)::int AS n FROM sessions WHERE state = 'active' GROUP BY owner_id`,
      );
      const accounts = await db.query<AccountRow & { last_assigned: number }>(
        `SELECT ${ACCOUNT} FROM accounts a
         WHERE role = 'agent' AND online AND chosen_status = 'present' AND NOT disabled AND NOT idle`,
      );
      const snapshot: RoutingSnapshot = {
        accounts: new Map(accounts.rows.map((r) => [r.id, toAccount(r)])),
        openChats: new Map(counts.rows.map((r) => [r.owner_id, r.n])),
        lastAssignedAt: new Map(accounts.rows.map((r) => [r.id, r.last_assigned])),
      };
      let unassigned: Result<Applied> | null = null;
      for (const row of rows) {
        const session = toSession(row);
        const decision = decide(loadedOnly(session), snapshot);
        if (!decision.ok) return decision;
        const applied = await this.apply(db, session, decision.value);
        if (!applied.events.length) {
          unassigned = ok(applied);
          continue;
        }
        const owner = applied.after.ownerId;
        if (owner && owner !== session.ownerId) {
          await db.query(`UPDATE accounts SET last_assigned = nextval('assignments') WHERE id = $1`, [owner]);
        }
        return ok(applied);
      }
      return unassigned;
    });
  }

  /** Everything this runner reports is committed before it is reported. */
  afterCommit(task: () => void): void {
    task();
  }

  private async apply<R>(db: pg.ClientBase, before: SessionSummary, decided: Change<R>): Promise<Applied<R>> {
    const { session: next, events: drafts, effects, value } = decided;
    if (!drafts.length) return { before, after: before, events: [], effects, value, log: null };
    const written = await this.write(db, before, next, drafts);
    await this.applyTimers(db, effects);
    return { before, ...written, effects, value };
  }

  /** One message and no other change: the insert finds a resend itself (null then), and the row gets its new seq. */
  private async appendMessageOnly<R>(db: pg.ClientBase, before: SessionSummary, decided: Change<R>): Promise<Applied<R> | null> {
    const [draft, ...more] = decided.events;
    if (!draft || more.length || draft.kind !== 'message' || decided.session !== before || decided.effects.length) return null;
    // attachments are marked sent as the message is written (apply)
    if (draft.attachments?.length) return null;
    const { session, events } = sequence(before, before, [draft], this.clock.now());
    const event = events[0]!;
    const inserted = await db.query(
      `INSERT INTO events (session_id, seq, kind, message_id, body) VALUES ($1, $2, 'message', $3, $4)
       ON CONFLICT (session_id, message_id) WHERE message_id IS NOT NULL DO NOTHING`,
      [event.sessionId, event.seq, draft.messageId, eventJson(event)],
    );
    if (inserted.rowCount === 0) return null;
    await db.query('UPDATE sessions SET last_seq = $2, last_message = $3, waiting_since = $4 WHERE id = $1', [
      session.id,
      session.lastSeq,
      session.lastMessage ? JSON.stringify(session.lastMessage) : null,
      session.waitingSince,
    ]);
    return { before, after: session, events, effects: [], value: decided.value, log: null };
  }

  private async write(db: pg.ClientBase, before: SessionSummary, next: SessionSummary, drafts: NewEvent[]) {
    const { session, events } = sequence(before, next, drafts, this.clock.now());
    const values: unknown[] = [];
    const tuples = events.map((event, i) => {
      values.push(event.sessionId, event.seq, event.kind, clientIdOf(event), eventJson(event));
      const o = i * 5;
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5})`;
    });
    await db.query(`INSERT INTO events (session_id, seq, kind, message_id, body) VALUES ${tuples.join(', ')}`, values);
    for (const event of events) {
      if (event.kind === 'rated') {
        await db.query('INSERT INTO ratings (session_id, score, comment, rated_at) VALUES ($1, $2, $3, $4)', [
          event.sessionId,
          event.score,
          event.comment,
          event.at,
        ]);
      }
      if (event.kind === 'request-created') {
        const { request } = event;
        await db.query(
          'INSERT INTO requests (id, session_id, created_by, created_at, body, assignee_id) VALUES ($1, $2, $3, $4, $5, $6)',
          // the customer's own (offline form) have no creator: '' matches no agent's list
          [request.id, request.sessionId, request.createdBy ?? '', request.createdAt, JSON.stringify(request), request.assigneeId],
        );
      } else if (event.kind === 'request-updated') {
        const request = await this.requestIn(db, event.requestId);
        if (!request) continue;
        const updated = applyRequestUpdate(request, event);
        await db.query('UPDATE requests SET body = $2, assignee_id = $3 WHERE id = $1', [
          updated.id,
          JSON.stringify(updated),
          updated.assigneeId,
        ]);
      } else if (event.kind === 'message' && event.attachments) {
        await markAttachmentsSent(db, event.sessionId, event.attachments.map((a) => a.id), event.seq);
      }
    }
    await db.query(
      `UPDATE sessions SET state = $2, owner_id = $3, listeners = $4, pending_transfer = $5, closed_at = $6,
         last_seq = $7, last_message = $8, waiting_since = $9, team = $10 WHERE id = $1`,
      [
        session.id,
        session.state,
        session.ownerId,
        session.listeners,
        session.pendingTransfer ? JSON.stringify(session.pendingTransfer) : null,
        session.closedAt,
        session.lastSeq,
        session.lastMessage ? JSON.stringify(session.lastMessage) : null,
        session.waitingSince,
        session.team ?? null,
      ],
    );
    const joined = audience(session).filter((agentId) => !inAudience(before, agentId));
    for (const agentId of joined) {
      await db.query('INSERT INTO participants (session_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        session.id,
        agentId,
      ]);
    }
    // the first page of the log: the joiner follows its cursor for the rest (relay/paging.ts)
    const log = joined.length ? await this.events(db, session.id, 0, JOINER_LOG_EVENTS) : null;
    return { after: session, events, log };
  }

  private async applyTimers(db: pg.ClientBase, effects: Effect[]): Promise<void> {
    for (const effect of effects) {
      if (effect.type === 'arm-timer') await this.armWith(db, effect.key, effect.at);
      else if (effect.type === 'disarm-timer') await db.query('DELETE FROM timers WHERE key = $1', [effect.key]);
    }
  }

  private async lockSession(db: pg.ClientBase, id: SessionId): Promise<SessionSummary | null> {
    const { rows } = await db.query<SessionRow>('SELECT * FROM sessions WHERE id = $1 FOR UPDATE', [id]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  private async requestIn(db: pg.ClientBase | pg.Pool, id: string): Promise<Request | null> {
    const { rows } = await db.query<{ body: string }>('SELECT body FROM requests WHERE id = $1', [id]);
    return rows[0] ? RequestSchema.parse(JSON.parse(rows[0].body)) : null;
  }

  private async accountsIn(db: pg.ClientBase, ids: AgentId[]): Promise<Map<AgentId, Account>> {
    const { rows } = await db.query<AccountRow>(`SELECT ${ACCOUNT} FROM accounts a WHERE a.id = ANY($1)`, [ids]);
    return new Map(rows.map((row) => [row.id, toAccount(row)]));
  }

  private async messageSeq(db: pg.ClientBase, sessionId: SessionId, messageId: string): Promise<number | null> {
    const { rows } = await db.query<{ seq: number }>('SELECT seq FROM events WHERE session_id = $1 AND message_id = $2', [
      sessionId,
      messageId,
    ]);
    return rows[0]?.seq ?? null;
  }

  private async events(db: pg.ClientBase | pg.Pool, sessionId: SessionId, afterSeq: number, limit?: number): Promise<SessionEvent[]> {
    // LIMIT NULL is no limit in PostgreSQL
    const { rows } = await db.query<{ body: string }>(
      'SELECT body FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [sessionId, afterSeq, limit ?? null],
    );
    return rows.map((row) => SessionEventSchema.parse(JSON.parse(row.body)));
  }

  private serialised<T>(sessionId: SessionId, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    // closing: a command still waiting its turn is not started (answered unavailable; its client sends it again)
    const start = () => (this.closed ? Promise.reject(new StoreUnavailable('the relay is shutting down')) : task());
    const run = previous.then(start, start);
    const settled = run.catch(() => {});
    this.queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.queues.get(sessionId) === settled) this.queues.delete(sessionId);
    });
    return run;
  }

  /** One transaction on one pooled connection; conflicts are retried, a lost connection becomes StoreUnavailable. */
  async transaction<T>(body: (db: pg.ClientBase) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.unavailable(error);
      }
      let broken = false;
      // a connection that breaks between two queries of ours reports it here, not to a query: without a listener that
      // error would take the node down
      const onError = (error: Error) => {
        broken = true;
        this.lastError = error.message;
      };
      client.on('error', onError);
      const started = this.onTiming ? performance.now() : 0;
      try {
        await client.query('BEGIN');
        const result = await body(client);
        await client.query('COMMIT');
        this.onTiming?.('commit', (performance.now() - started) / 1000);
        this.lastError = null;
        return result;
      } catch (error) {
        broken = isUnavailable(error);
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        const code = (error as { code?: string }).code;
        if (!broken && code && RETRYABLE.has(code) && attempt < 5) continue;
        if (broken) throw this.unavailable(error);
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  private unavailable(error: unknown): StoreUnavailable {
    this.lastError = (error as Error)?.message ?? String(error);
    return error instanceof StoreUnavailable ? error : new StoreUnavailable(this.lastError);
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      if (isUnavailable(error)) throw this.unavailable(error);
      throw error;
    }
  }

  // -------------------------------------------------------------------------------------------
  // RelayStore

  async listAccounts(): Promise<Account[]> {
    return (await this.query<AccountRow>(`SELECT ${ACCOUNT} FROM accounts a ORDER BY id`)).map(toAccount);
  }

  async getAccount(id: AgentId): Promise<Account | null> {
    const [row] = await this.query<AccountRow>(`SELECT ${ACCOUNT} FROM accounts a WHERE id = $1`, [id]);
    return row ? toAccount(row) : null;
  }

  async createAccount(account: NewAccount): Promise<void> {
    await this.directoryWrite(async (db) => {
      await db.query(
        `INSERT INTO accounts (id, name, role, can_listen_in, password_hash, capacity, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [account.id, account.name, account.role, account.canListenIn, account.passwordHash, account.capacity ?? null, this.clock.now()],
      );
      for (const team of account.teams ?? []) {
        await db.query('INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [team, account.id]);
      }
    });
  }

  async updateAccount(id: AgentId, patch: AccountPatch): Promise<void> {
    const columns: Array<[string, unknown]> = [];
    if (patch.name !== undefined) columns.push(['name', patch.name]);
    if (patch.role !== undefined) columns.push(['role', patch.role]);
    if (patch.canListenIn !== undefined) columns.push(['can_listen_in', patch.canListenIn]);
    if (patch.passwordHash !== undefined) columns.push(['password_hash', patch.passwordHash]);
    if (patch.capacity !== undefined) columns.push(['capacity', patch.capacity]);
    if (patch.disabled !== undefined) columns.push(['disabled', patch.disabled], ['status_since', this.clock.now()]);
    await this.directoryWrite(async (db) => {
      if (columns.length) {
        // column names come from the fixed list above, never from the caller
        const sets = columns.map(([name], i) => `${name} = $${i + 2}`).join(', ');
        await db.query(`UPDATE accounts SET ${sets} WHERE id = $1`, [id, ...columns.map(([, value]) => value)]);
      }
      if (patch.teams !== undefined) {
        await db.query('DELETE FROM team_members WHERE agent_id = $1', [id]);
        for (const team of patch.teams) {
          await db.query('INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [team, id]);
        }
      }
      // a new password or a disabled account: connections signed in before come back with the password, or not at all
      if (patch.passwordHash !== undefined || patch.disabled === true) await db.query('DELETE FROM agent_tokens WHERE agent_id = $1', [id]);
    });
  }

  async removeAccount(id: AgentId): Promise<boolean> {
    return this.directoryWrite(async (db) => {
      await db.query('DELETE FROM agent_tokens WHERE agent_id = $1', [id]);
      return ((await db.query('DELETE FROM accounts WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  async issueAgentToken(tokenHash: string, agentId: AgentId, now: number, expiresAt: number): Promise<void> {
    // one round trip: the expired ones are forgotten in the same statement
    await this.query(
      `WITH expired AS (DELETE FROM agent_tokens WHERE expires_at <= $3)
       INSERT INTO agent_tokens (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
      [tokenHash, agentId, now, expiresAt],
    );
  }

  async agentForToken(tokenHash: string, now: number): Promise<AgentId | null> {
    const [row] = await this.query<{ agent_id: string }>('SELECT agent_id FROM agent_tokens WHERE token_hash = $1 AND expires_at > $2', [
      tokenHash,
      now,
    ]);
    return row?.agent_id ?? null;
  }

  async listTeams(): Promise<Team[]> {
    return (await this.query<{ id: string; name: string }>('SELECT id, name FROM teams ORDER BY name, id')).map((row) =>
      TeamSchema.parse(row),
    );
  }

  async createTeam(team: Team): Promise<void> {
    await this.directoryWrite(async (db) => {
      await db.query('INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)', [team.id, team.name, this.clock.now()]);
    });
  }

  async removeTeam(id: TeamId): Promise<boolean> {
    return this.directoryWrite(async (db) => ((await db.query('DELETE FROM teams WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }

  async directoryVersion(): Promise<number> {
    const [row] = await this.query<{ version: number }>('SELECT version FROM directory_version WHERE one = 1');
    return row?.version ?? 0;
  }

  /** An administrative write and the bump of the directory version that tells every node, in one transaction. */
  private directoryWrite<T>(body: (db: pg.ClientBase) => Promise<T>): Promise<T> {
    return this.transaction(async (db) => {
      const result = await body(db);
      await db.query('UPDATE directory_version SET version = version + 1 WHERE one = 1');
      return result;
    });
  }

  async setChosenStatus(id: AgentId, status: SettableStatus): Promise<void> {
    await this.query(
      `UPDATE accounts SET status_since = CASE WHEN chosen_status = $2 THEN status_since ELSE $3 END, chosen_status = $2
       WHERE id = $1`,
      [id, status, this.clock.now()],
    );
  }

  async setOnline(id: AgentId, online: boolean): Promise<void> {
    await this.query('UPDATE accounts SET status_since = CASE WHEN online = $2 THEN status_since ELSE $3 END, online = $2 WHERE id = $1', [
      id,
      online,
      this.clock.now(),
    ]);
  }

  async setIdle(id: AgentId, idle: boolean): Promise<void> {
    await this.query('UPDATE accounts SET status_since = CASE WHEN idle = $2 THEN status_since ELSE $3 END, idle = $2 WHERE id = $1', [
      id,
      idle,
      this.clock.now(),
    ]);
  }

  async getSession(id: SessionId): Promise<SessionSummary | null> {
    const [row] = await this.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
    return row ? toSession(row) : null;
  }

  async listLiveSessions(): Promise<SessionSummary[]> {
    return (await this.query<SessionRow>(`SELECT * FROM sessions WHERE state <> 'closed' ORDER BY created_at, id`)).map(
      toSession,
    );
  }

  async listLiveSessionsOf(agentId: AgentId): Promise<SessionSummary[]> {
    // each arm has its index (migration 8); any pending offer is read and checked here, there are few
    const rows = await this.query<SessionRow>(
      `SELECT * FROM sessions WHERE state <> 'closed'
         AND (owner_id = $1 OR listeners @> ARRAY[$1::text] OR pending_transfer IS NOT NULL)
       ORDER BY created_at, id`,
      [agentId],
    );
    return rows.map(toSession).filter((session) => inAudience(session, agentId));
  }

  async listQueuedSessions(limit: number): Promise<SessionSummary[]> {
    const rows = await this.query<SessionRow>(`SELECT * FROM sessions WHERE state = 'queued' ORDER BY created_at, id LIMIT $1`, [
      limit,
    ]);
    return rows.map(toSession);
  }

  async countQueued(): Promise<number> {
    const [row] = await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE state = 'queued'`);
    return row?.n ?? 0;
  }

  async openChatCounts(): Promise<Map<AgentId, number>> {
    const rows = await this.query<{ owner_id: string; n: number }>(
      `SELECT owner_id, count(*)::int AS n FROM sessions WHERE state = 'active' GROUP BY owner_id`,
    );
    return new Map(rows.map((r) => [r.owner_id, r.n]));
  }

  async listPendingTransfers(): Promise<TransferOffer[]> {
    const rows = await this.query<{ pending_transfer: string }>(
      `SELECT pending_transfer FROM sessions WHERE state <> 'closed' AND pending_transfer IS NOT NULL`,
    );
    return rows.map((row) => TransferOfferSchema.parse(JSON.parse(row.pending_transfer)));
  }

  async eventsAfter(sessionId: SessionId, afterSeq: number, limit?: number): Promise<SessionEvent[]> {
    try {
      return await this.events(this.pool, sessionId, afterSeq, limit);
    } catch (error) {
      if (isUnavailable(error)) throw this.unavailable(error);
      throw error;
    }
  }

  async isParticipant(sessionId: SessionId, agentId: AgentId): Promise<boolean> {
    const rows = await this.query('SELECT 1 FROM participants WHERE session_id = $1 AND agent_id = $2', [sessionId, agentId]);
    return rows.length > 0;
  }

  async ratingsSince(since: number): Promise<{ count: number; average: number | null }> {
    const [row] = await this.query<{ count: number; average: string | null }>(
      'SELECT count(*)::int AS count, avg(score) AS average FROM ratings WHERE rated_at >= $1',
      [since],
    );
    return { count: row?.count ?? 0, average: row?.average == null ? null : Number(row.average) };
  }

  async sessionForToken(tokenHash: string): Promise<SessionId | null> {
    const [row] = await this.query<{ session_id: string }>('SELECT session_id FROM customer_tokens WHERE token_hash = $1', [
      tokenHash,
    ]);
    return row?.session_id ?? null;
  }

  async logsInWindow(since: number, until: number): Promise<SessionEvent[]> {
    const rows = await this.query<{ body: string }>(
      `SELECT e.body FROM events e JOIN sessions s ON s.id = e.session_id
       WHERE s.created_at < $1 AND (s.closed_at IS NULL OR s.closed_at >= $2) ORDER BY e.session_id, e.seq`,
      [until, since],
    );
    return rows.map((row) => SessionEventSchema.parse(JSON.parse(row.body)));
  }

  async listRequests(agentId: AgentId | null): Promise<Request[]> {
    const rows =
      agentId === null
        ? await this.query<{ body: string }>('SELECT body FROM requests ORDER BY created_at DESC, id DESC')
        : await this.query<{ body: string }>(
            'SELECT body FROM requests WHERE created_by = $1 OR assignee_id = $1 ORDER BY created_at DESC, id DESC',
            [agentId],
          );
    return rows.map((row) => RequestSchema.parse(JSON.parse(row.body)));
  }

  async getRequest(id: string): Promise<Request | null> {
    const [row] = await this.query<{ body: string }>('SELECT body FROM requests WHERE id = $1', [id]);
    return row ? RequestSchema.parse(JSON.parse(row.body)) : null;
  }

  async listCannedReplies(agentId: AgentId): Promise<CannedReply[]> {
    const rows = await this.query<{ body: string }>(
      'SELECT body FROM canned_replies WHERE owner_id IS NULL OR owner_id = $1 ORDER BY lower(title), id',
      [agentId],
    );
    return rows.map((row) => CannedReplySchema.parse(JSON.parse(row.body)));
  }

  async getCannedReply(id: string): Promise<CannedReply | null> {
    const [row] = await this.query<{ body: string }>('SELECT body FROM canned_replies WHERE id = $1', [id]);
    return row ? CannedReplySchema.parse(JSON.parse(row.body)) : null;
  }

  async putCannedReply(reply: CannedReply): Promise<void> {
    await this.query(
      `INSERT INTO canned_replies (id, owner_id, title, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, title = excluded.title, body = excluded.body`,
      [reply.id, reply.ownerId, reply.title, JSON.stringify(reply)],
    );
  }

  async deleteCannedReply(id: string): Promise<void> {
    await this.query('DELETE FROM canned_replies WHERE id = $1', [id]);
  }

  // -------------------------------------------------------------------------------------------
  // Scheduler

  async arm(key: TimerKey, at: number): Promise<void> {
    await this.armWith(this.pool, key, at);
  }

  async disarm(key: TimerKey): Promise<void> {
    await this.query('DELETE FROM timers WHERE key = $1', [key]);
  }

  start(onDue: (key: TimerKey) => Promise<void>): void {
    this.onDue = onDue;
    this.schedulePoll(0);
  }

  stop(): void {
    this.onDue = null;
    if (this.poller) clearTimeout(this.poller);
    this.poller = null;
  }

  private async armWith(db: pg.ClientBase | pg.Pool, key: TimerKey, at: number): Promise<void> {
    await db.query('INSERT INTO timers (key, due_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, at]);
    // a timer due before the next poll would otherwise wait for it
    if (this.onDue) this.schedulePoll(Math.max(0, at - this.clock.now()));
  }

  private nextPollAt = Number.POSITIVE_INFINITY;

  private schedulePoll(delayMs: number): void {
    if (this.closed || !this.onDue) return;
    const at = this.clock.now() + delayMs;
    if (this.poller && at >= this.nextPollAt) return;
    if (this.poller) clearTimeout(this.poller);
    this.nextPollAt = at;
    this.poller = setTimeout(() => {
      this.poller = null;
      this.nextPollAt = Number.POSITIVE_INFINITY;
      void this.poll();
    }, delayMs);
    this.poller.unref();
  }

  /** Claims due timers (each row once in the whole cluster) and fires them; then sleeps until the next is due. */
  private async poll(): Promise<void> {
    if (this.polling || !this.onDue) return;
    this.polling = true;
    let next = POLL_MAX_MS;
    try {
      const now = this.clock.now();
      const claimed = await this.query<{ key: TimerKey }>(
        `DELETE FROM timers WHERE key IN (
           SELECT key FROM timers WHERE due_at <= $1 ORDER BY due_at LIMIT 100 FOR UPDATE SKIP LOCKED
         ) RETURNING key`,
        [now],
      );
      for (const { key } of claimed) {
        try {
          await this.onDue?.(key);
        } catch (error) {
          // claimed but not done: Hub.reconcile re-arms what its state still needs
          this.log({ event: 'internal-error', where: 'timer', key, error: String((error as Error)?.stack ?? error) });
        }
      }
      const [soonest] = await this.query<{ due_at: number }>('SELECT due_at FROM timers ORDER BY due_at LIMIT 1');
      if (claimed.length === 100) next = 0;
      else if (soonest) next = Math.min(POLL_MAX_MS, Math.max(0, soonest.due_at - this.clock.now()));
    } catch (error) {
      this.log({ event: 'store-error', where: 'timers', error: (error as Error).message });
    } finally {
      this.polling = false;
    }
    this.schedulePoll(next);
  }

  // -------------------------------------------------------------------------------------------
  // Maintenance: retention and erasure

  async purgeClosed(before: number, limit: number): Promise<SessionId[]> {
    return this.transaction(async (db) => {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM sessions WHERE state = 'closed' AND closed_at < $1 ORDER BY closed_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [before, limit],
      );
      const ids = rows.map((row) => row.id);
      if (ids.length) await this.deleteChats(db, ids);
      return ids;
    });
  }

  async purgeSession(id: SessionId): Promise<PurgeOutcome> {
    return this.transaction(async (db) => {
      const { rows } = await db.query<{ state: string }>('SELECT state FROM sessions WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) return { refused: 'not-found' as const };
      if (rows[0].state !== 'closed') return { refused: 'open' as const };
      return { deleted: await this.deleteChats(db, [id]) };
    });
  }

  /** Runs `task` unless another node holds the retention lock (then null): one node sweeps at a time. */
  async exclusively<T>(task: () => Promise<T>): Promise<T | null> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.unavailable(error);
    }
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK]);
      if (!rows[0]?.locked) return null;
      try {
        return await task();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /**
   * Every table with a session_id column loses the chats' rows, then their transfer timers and `sessions` do: a table
   * another change adds for chats is purged without being listed here.
   */
  private async deleteChats(db: pg.ClientBase, ids: SessionId[]): Promise<Record<string, number>> {
    this.chatTables ??= (
      await db.query<{ table_name: string }>(
        `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND c.column_name = 'session_id' AND t.table_type = 'BASE TABLE'
           AND c.table_name <> 'sessions' ORDER BY c.table_name`,
      )
    ).rows.map((row) => row.table_name);
    const deleted: Record<string, number> = {};
    // attachments first, to learn their contents; a content no other chat names loses its bytes after the loop
    const purged = await purgeAttachmentRows(db, ids);
    deleted.attachments = purged.removed;
    for (const table of this.chatTables) {
      const quoted = `"${table.replace(/"/g, '""')}"`;
      const changes = (await db.query(`DELETE FROM ${quoted} WHERE session_id = ANY($1)`, [ids])).rowCount ?? 0;
      deleted[table] = (deleted[table] ?? 0) + changes;
    }
    deleted.attachment_blobs = await purgeUnnamedBlobs(db, purged.shas);
    deleted.timers =
      (await db.query(`DELETE FROM timers WHERE split_part(key, ':', 1) = 'transfer' AND split_part(key, ':', 2) = ANY($1)`, [ids]))
        .rowCount ?? 0;
    deleted.sessions = (await db.query('DELETE FROM sessions WHERE id = ANY($1)', [ids])).rowCount ?? 0;
    return deleted;
  }

  /** Last error seen from PostgreSQL, null once a query succeeds again. */
  get error(): string | null {
    return this.lastError;
  }
}

/** Timers armed on another node are found by the next poll: at most this late. */
const POLL_MAX_MS = 250;

/**
 * A row as a summary. The columns are typed and CHECKed by the schema this relay migrated; the JSON columns are
 * parsed against their schemas (they are the part a bug or a hand edit could bend).
 */
function toSession(row: SessionRow): SessionSummary {
  return {
    id: row.id,
    customerName: row.customer_name,
    state: SessionStateSchema.parse(row.state),
    ownerId: row.owner_id,
    listeners: row.listeners,
    pendingTransfer: row.pending_transfer ? TransferOfferSchema.parse(JSON.parse(row.pending_transfer)) : null,
    createdAt: row.created_at,
    closedAt: row.closed_at,
    lastSeq: row.last_seq,
    lastMessage: row.last_message ? LastMessageSchema.parse(JSON.parse(row.last_message)) : null,
    waitingSince: row.waiting_since,
    team: row.team,
  };
}

const LastMessageSchema = SessionSummarySchema.shape.lastMessage.unwrap();

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    role: AgentRoleSchema.parse(row.role),
    canListenIn: row.can_listen_in,
    passwordHash: row.password_hash,
    chosenStatus: SettableStatusSchema.parse(row.chosen_status),
    online: row.online,
    teams: row.teams ?? [],
    capacity: row.capacity,
    disabled: row.disabled,
    idle: row.idle,
    statusSince: row.status_since,
  };
}
