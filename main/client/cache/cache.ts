// The client's local store: everything the agent has seen, written before it is shown, read back through the schemas.
import type { Database as Db } from 'better-sqlite3';
import { OutboxItemSchema, type OutboxItem, type SearchHit } from '../../../common/bridge';
import {
  AgentInfoSchema,
  applyRequestUpdate,
  type Attachment,
  type CannedReply,
  CannedReplySchema,
  RequestSchema,
  SessionEventSchema,
  SessionSummarySchema,
  type AgentInfo,
  type Request,
  type SessionEvent,
  type SessionSummary,
} from '../../../common/domain';
import { z } from 'zod';
import { type OpenOptions, openCacheDatabase } from './open';

export interface SearchQuery {
  text: string;
  customer?: string;
  from?: number;
  to?: number;
  limit: number;
}

export interface TransferRecord {
  id: string;
  sessionId: string;
  fromId: string;
  offeredBy: string;
  /** null for an offer to a team */
  toId: string | null;
  toTeam: { id: string; name: string } | null;
  note: string | null;
  createdAt: number;
  state: 'pending' | 'accepted' | 'rejected' | 'cancelled';
  endedAt: number | null;
  endReason: string | null;
}

const DAY_MS = 86_400_000;

/** A file waiting in the outbox: its name and size, its bytes' file in the account folder, the relay's id once uploaded. */
export const OutboxFileSchema = z.object({
  name: z.string(),
  size: z.number().int().nonnegative(),
  file: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  attachmentId: z.string().nullable(),
});
export type OutboxFile = z.infer<typeof OutboxFileSchema>;

const CachedAttachmentRowSchema = z.object({
  id: z.string(),
  session_id: z.string(),
  name: z.string(),
  type: z.string(),
  size: z.number(),
  sha256: z.string(),
  file: z.string().nullable(),
});
export type CachedAttachment = Attachment & { file: string | null };
const ROWID_SLOTS = 1024;
/** keeps at × 1024 below 2^53 (the year 2255) */
const MAX_AT_MS = Math.floor(Number.MAX_SAFE_INTEGER / ROWID_SLOTS) - 1;

const WORD = /[\p{L}\p{N}_]+/gu;
/** Folds case and diacritics the way the FTS tokenizer (unicode61, remove_diacritics 2) does. */
const fold = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export interface SearchTerms {
  words: string[];
  /** the last word also matches longer words (as typed so far) */
  prefixLast: boolean;
}

export function searchTerms(text: string): SearchTerms | null {
  const words = (text.match(WORD) ?? []).slice(0, 16);
  if (words.length === 0) return null;
  // a one- or two-letter prefix expands to hundreds of terms; only longer last words are searched as prefixes
  return { words, prefixLast: words.at(-1)!.length >= 3 };
}

/** Turns what a person typed into an FTS5 query: each word quoted (no operators leak through), the last one a prefix. */
export function toFtsQuery(text: string): string | null {
  const terms = searchTerms(text);
  if (terms === null) return null;
  return terms.words.map((w, i) => `"${w}"${i === terms.words.length - 1 && terms.prefixLast ? '*' : ''}`).join(' ');
}

const SNIPPET_WORDS = 16;

/**
 * snippet()-style highlighting done in JS on the stored text: FTS5's own snippet() re-reads the whole doclist of
 * every term for each row, which costs ~1 ms per hit for common words at 100k messages.
 */
export function highlight(text: string, terms: SearchTerms): SearchHit['parts'] {
  const folded = terms.words.map(fold);
  const last = folded.length - 1;
  const isMatch = (word: string) => {
    const f = fold(word);
    return folded.some((q, i) => f === q || (i === last && terms.prefixLast && f.startsWith(q)));
  };
  const tokens = [...text.matchAll(WORD)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, match: isMatch(m[0]) }));
  if (tokens.length === 0) return text ? [{ text, match: false }] : [];
  const first = Math.max(0, tokens.findIndex((t) => t.match));
  const from = Math.max(0, Math.min(first - 3, tokens.length - SNIPPET_WORDS));
  const to = Math.min(tokens.length, from + SNIPPET_WORDS);
  const startAt = from === 0 ? 0 : tokens[from]!.start;
  const endAt = to === tokens.length ? text.length : tokens[to - 1]!.end;
  const parts: SearchHit['parts'] = [];
  const push = (value: string, match: boolean) => {
    if (!value) return;
    const prev = parts.at(-1);
    if (prev && prev.match === match) prev.text += value;
    else parts.push({ text: value, match });
  };
  if (startAt > 0) push('…', false);
  let at = startAt;
  for (const token of tokens.slice(from, to)) {
    push(text.slice(at, token.start), false);
    push(text.slice(token.start, token.end), token.match);
    at = token.end;
  }
  push(text.slice(at, endAt), false);
  if (endAt < text.length) push('…', false);
  return parts;
}

type Log = (entry: Record<string, unknown>) => void;

/**
 * Search is two statements: the newest matching ids (FTS walks its index backwards and stops at the limit), then
 * those rows by primary key.
 */
export const SEARCH_IDS_SQL = `SELECT m.id AS id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
      WHERE messages_fts MATCH @query AND messages_fts.rowid BETWEEN @lo AND @hi
        AND (@customer IS NULL OR m.customer_name LIKE @customer ESCAPE '\\')
      ORDER BY messages_fts.rowid DESC LIMIT @limit`;
export const SEARCH_ROWS_SQL = `SELECT id, session_id AS sessionId, seq, customer_name AS customerName,
        author_name AS authorName, at, text, kind
      FROM messages WHERE id IN (SELECT value FROM json_each(@ids))`;

export interface SearchParams {
  terms: SearchTerms;
  query: string;
  customer: string | null;
  /** the date filter as a row-id range (row ids sort by time) */
  lo: number;
  hi: number;
  limit: number;
}
export interface SearchRow {
  id: number;
  sessionId: string;
  seq: number;
  customerName: string;
  authorName: string;
  at: number;
  text: string;
  kind: 'message' | 'note';
}

/** Turns a search request into statement parameters; null when nothing searchable was typed. */
export function searchParams(query: SearchQuery): SearchParams | null {
  const terms = searchTerms(query.text);
  const fts = toFtsQuery(query.text);
  if (terms === null || fts === null) return null;
  const customer = query.customer ? `%${query.customer.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const clamp = (ms: number) => Math.min(Math.max(Math.floor(ms), 0), MAX_AT_MS);
  const lo = query.from === undefined ? 0 : clamp(query.from) * ROWID_SLOTS;
  const hi = query.to === undefined ? Number.MAX_SAFE_INTEGER : clamp(query.to) * ROWID_SLOTS + ROWID_SLOTS - 1;
  return { terms, query: fts, customer, lo, hi, limit: query.limit };
}


/** Orders rows like the id list (newest first) and highlights the searched words. */
export function toHits(ids: readonly number[], rows: readonly SearchRow[], terms: SearchTerms): SearchHit[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const hits: SearchHit[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) continue;
    hits.push({
      sessionId: r.sessionId,
      seq: r.seq,
      kind: r.kind === 'note' ? 'note' : 'message',
      customerName: r.customerName,
      authorName: r.authorName,
      at: r.at,
      parts: highlight(r.text, terms),
    });
  }
  return hits;
}

/** Every statement the cache runs, prepared once. */
function prepareStatements(db: Db) {
  const p = (sql: string) => db.prepare(sql);
  return {
    getSetting: p('SELECT value FROM settings WHERE key = ?'),
    setSetting: p('INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    deleteSetting: p('DELETE FROM settings WHERE key = ?'),
    upsertSession: p(`INSERT INTO sessions(id, state, customer_name, owner_id, created_at, closed_at, last_seq, summary)
      VALUES (@id, @state, @customerName, @ownerId, @createdAt, @closedAt, @lastSeq, @summary)
      ON CONFLICT(id) DO UPDATE SET state = excluded.state, customer_name = excluded.customer_name,
        owner_id = excluded.owner_id, created_at = excluded.created_at, closed_at = excluded.closed_at,
        last_seq = excluded.last_seq, summary = excluded.summary`),
    getSession: p('SELECT summary FROM sessions WHERE id = ?'),
    customerName: p('SELECT customer_name FROM sessions WHERE id = ?'),
    liveSessions: p("SELECT summary FROM sessions WHERE state <> 'closed' ORDER BY created_at"),
    closedSessions: p(`SELECT summary FROM sessions WHERE state = 'closed' AND closed_at < ?
      ORDER BY closed_at DESC LIMIT ?`),
    resumeMap: p(`SELECT h.session_id AS id, h.held_seq AS seq FROM held_seqs h
      LEFT JOIN sessions s ON s.id = h.session_id WHERE h.held_seq > 0 AND (s.state IS NULL OR s.state <> 'closed')`),
    heldSeq: p('SELECT held_seq FROM held_seqs WHERE session_id = ?'),
    setHeld: p(`INSERT INTO held_seqs(session_id, held_seq) VALUES (?, ?)
      ON CONFLICT(session_id) DO UPDATE SET held_seq = excluded.held_seq`),
    eventExists: p('SELECT 1 FROM events WHERE session_id = ? AND seq = ?'),
    insertEvent: p('INSERT OR IGNORE INTO events(session_id, seq, kind, at, json) VALUES (?, ?, ?, ?, ?)'),
    insertMessage: p(`INSERT OR IGNORE INTO messages(id, session_id, seq, message_id, author_kind, author_name, customer_name, at, text, kind)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    putAttachment: p(`INSERT INTO attachments(id, session_id, name, type, size, sha256, file) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET file = coalesce(excluded.file, attachments.file)`),
    getAttachment: p('SELECT * FROM attachments WHERE id = ?'),
    attachmentFilesOf: p('SELECT file FROM attachments WHERE session_id = ? AND file IS NOT NULL'),
    getRequest: p('SELECT json FROM requests WHERE id = ?'),
    cannedAll: p('SELECT json FROM canned_replies'),
    cannedClear: p('DELETE FROM canned_replies'),
    cannedPut: p('INSERT INTO canned_replies(id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json'),
    cannedDelete: p('DELETE FROM canned_replies WHERE id = ?'),
    messageIdTaken: p('SELECT 1 FROM messages WHERE id = ?'),
    offerTransfer: p(`INSERT INTO transfers(id, session_id, from_id, offered_by, to_id, to_team_id, to_team_name, note,
        created_at, state)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT(id) DO NOTHING`),
    endTransfer: p(`UPDATE transfers SET state = ?, ended_at = ?, end_reason = ? WHERE id = ? AND state = 'pending'`),
    transfers: p('SELECT * FROM transfers WHERE session_id = ? ORDER BY created_at'),
    transcriptBefore: p('SELECT json FROM events WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
    eventsAfter: p('SELECT json FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    upsertRequest: p(`INSERT INTO requests(id, session_id, created_at, json) VALUES (?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET json = excluded.json`),
    requests: p('SELECT json FROM requests ORDER BY created_at DESC'),
    clearPresence: p('DELETE FROM presence'),
    upsertAgent: p(`INSERT INTO presence(agent_id, json) VALUES (?, ?)
      ON CONFLICT(agent_id) DO UPDATE SET json = excluded.json`),
    agents: p('SELECT json FROM presence ORDER BY agent_id'),
    removeAgent: p('DELETE FROM presence WHERE agent_id = ?'),
    readMark: p('SELECT seq FROM read_marks WHERE session_id = ?'),
    setReadMark: p(`INSERT INTO read_marks(session_id, seq) VALUES (?, ?)
      ON CONFLICT(session_id) DO UPDATE SET seq = max(seq, excluded.seq)`),
    unread: p(`SELECT count(*) AS n FROM messages WHERE session_id = ? AND seq > ? AND author_kind = 'customer'`),
    outboxAdd: p(`INSERT INTO outbox(message_id, session_id, text, created_at, state, error, kind, attachment)
      VALUES (@messageId, @sessionId, @text, @createdAt, @state, @error, @kind, @attachment)`),
    outboxSetAttachment: p('UPDATE outbox SET attachment = ? WHERE message_id = ?'),
    outboxSet: p('UPDATE outbox SET state = ?, error = ? WHERE message_id = ?'),
    outboxRemove: p('DELETE FROM outbox WHERE message_id = ?'),
    outboxGet: p('SELECT * FROM outbox WHERE message_id = ?'),
    outboxAll: p('SELECT * FROM outbox ORDER BY created_at, rowid'),
    searchIds: p(SEARCH_IDS_SQL),
    searchRows: p(SEARCH_ROWS_SQL),
    expiredSessions: p(`SELECT id FROM sessions WHERE state = 'closed' AND closed_at < ?`),
    // merges at most ~N pages of FTS segments, and only when a level has enough segments to be worth it
    mergeStep: p(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('merge', 64)`),
  };
}
type Statements = ReturnType<typeof prepareStatements>;

export class Cache {
  readonly db: Db;
  private readonly log: Log;
  private readonly s: Statements;

  constructor(db: Db, log: Log = () => {}) {
    this.db = db;
    this.log = log;
    this.s = prepareStatements(db);
  }


  static open(dataDir: string, options: OpenOptions = {}): Cache {
    return new Cache(openCacheDatabase(dataDir, options), options.log);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // -- settings ---------------------------------------------------------------------------------------

  getSetting<T>(key: string, schema: z.ZodType<T>): T | null {
    const row = this.s.getSetting.get(key) as { value: string } | undefined;
    if (!row) return null;
    const parsed = schema.safeParse(safeJson(row.value));
    if (parsed.success) return parsed.data;
    this.log({ level: 'warn', event: 'cache-bad-row', table: 'settings', key });
    return null;
  }

  setSetting(key: string, value: unknown): void {
    if (value === null || value === undefined) this.s.deleteSetting.run(key);
    else this.s.setSetting.run(key, JSON.stringify(value));
  }

  // -- sessions and events ---------------------------------------------------------------------------

  upsertSessions(sessions: readonly SessionSummary[]): void {
    this.db.transaction(() => {
      for (const session of sessions) {
        this.s.upsertSession.run({
          id: session.id,
          state: session.state,
          customerName: session.customerName,
          ownerId: session.ownerId,
          createdAt: session.createdAt,
          closedAt: session.closedAt,
          lastSeq: session.lastSeq,
          summary: JSON.stringify(session),
        });
      }
    })();
  }

  getSession(id: string): SessionSummary | null {
    const row = this.s.getSession.get(id) as { summary: string } | undefined;
    return row ? this.parseRow(SessionSummarySchema, row.summary, 'sessions') : null;
  }

  liveSessions(): SessionSummary[] {
    return this.parseRows(SessionSummarySchema, this.s.liveSessions.all() as { summary: string }[], 'summary', 'sessions');
  }

  closedSessions(limit: number, beforeClosedAt?: number): SessionSummary[] {
    const rows = this.s.closedSessions.all(beforeClosedAt ?? Number.MAX_SAFE_INTEGER, limit) as { summary: string }[];
    return this.parseRows(SessionSummarySchema, rows, 'summary', 'sessions');
  }

  /** last contiguous seq held per session that is not closed: the `resume` map of `hello` */
  resumeMap(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.s.resumeMap.all() as { id: string; seq: number }[]) out[row.id] = row.seq;
    return out;
  }

  heldSeq(sessionId: string): number {
    return (this.s.heldSeq.get(sessionId) as { held_seq: number } | undefined)?.held_seq ?? 0;
  }

  /**
   * Stores events (any sessions, any order, repeats allowed) and the rows derived from them, in one transaction.
   * Returns only the events that were new, grouped by session in seq order: what may be shown.
   */
  ingestEvents(events: readonly SessionEvent[]): SessionEvent[] {
    if (events.length === 0) return [];
    const sorted = [...events].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : a.seq - b.seq));
    return this.db.transaction(() => {
      const fresh: SessionEvent[] = [];
      let current: string | null = null;
      let held = 0;
      let startHeld = 0;
      let customerName = '';
      const finish = () => {
        if (current === null) return;
        // events cached earlier beyond a gap become contiguous once the gap is filled
        while (this.s.eventExists.get(current, held + 1)) held += 1;
        if (held !== startHeld) this.s.setHeld.run(current, held);
      };
      for (const event of sorted) {
        if (event.sessionId !== current) {
          finish();
          current = event.sessionId;
          held = this.heldSeq(current);
          startHeld = held;
          customerName = (this.s.customerName.get(current) as { customer_name: string } | undefined)?.customer_name ?? '';
        }
        const inserted = this.s.insertEvent.run(event.sessionId, event.seq, event.kind, event.at, JSON.stringify(event));
        if (event.seq === held + 1) held = event.seq;
        if (inserted.changes === 0) continue;
        fresh.push(event);
        this.deriveRows(event, customerName);
        if (event.kind === 'opened') customerName = event.customerName;
      }
      finish();
      return fresh;
    })();
  }

  private deriveRows(event: SessionEvent, customerName: string): void {
    switch (event.kind) {
      case 'message': {
        const name = customerName || (event.author.kind === 'customer' ? event.author.name : '');
        this.s.insertMessage.run(
          this.timeOrderedRowId(event.at, event.seq),
          event.sessionId,
          event.seq,
          event.messageId,
          event.author.kind,
          event.author.name,
          name,
          event.at,
          event.text,
          'message',
        );
        for (const a of event.attachments ?? []) this.putAttachment(event.sessionId, a, null);
        return;
      }
      case 'note':
        this.s.insertMessage.run(
          this.timeOrderedRowId(event.at, event.seq),
          event.sessionId,
          event.seq,
          event.noteId,
          'agent',
          event.author.name,
          customerName,
          event.at,
          event.text,
          'note',
        );
        return;
      case 'transfer-offered': {
        const t = event.transfer;
        const team = t.toTeam ?? null;
        this.s.offerTransfer.run(t.id, t.sessionId, t.fromId, t.offeredBy, t.toId, team?.id ?? null, team?.name ?? null, t.note, t.createdAt);
        return;
      }
      case 'transfer-accepted':
        this.s.endTransfer.run('accepted', event.at, null, event.transferId);
        return;
      case 'transfer-rejected':
        this.s.endTransfer.run('rejected', event.at, event.reason, event.transferId);
        return;
      case 'transfer-cancelled':
        this.s.endTransfer.run('cancelled', event.at, event.reason, event.transferId);
        return;
      case 'request-created':
        this.upsertRequests([event.request]);
        return;
      case 'request-updated': {
        const request = this.request(event.requestId);
        if (request) this.upsertRequests([applyRequestUpdate(request, event)]);
        return;
      }
      default:
        return;
    }
  }

  /**
   * Message rows get ids that sort by time whatever order they arrive in (at × 1024 + a small tie-breaker), so
   * "newest first" search walks the FTS index backwards and stops after `limit` hits instead of sorting every match.
   */
  private timeOrderedRowId(at: number, seq: number): number | null {
    const ms = Math.min(Math.max(Math.floor(at), 0), MAX_AT_MS);
    for (let i = 0; i < ROWID_SLOTS; i++) {
      const id = ms * ROWID_SLOTS + ((seq + i) % ROWID_SLOTS);
      if (!this.s.messageIdTaken.get(id)) return id;
    }
    // a thousand messages in one millisecond: SQLite picks an id (out of time order, still unique)
    return null;
  }

  /** One bounded step of FTS index upkeep; the client runs it after each ingest slice, in its own turn of the loop. */
  mergeStep(): void {
    this.s.mergeStep.run();
  }

  /** A page of a session's events, oldest first, ending just before `beforeSeq` (or at the newest). */
  transcript(sessionId: string, limit: number, beforeSeq?: number): { events: SessionEvent[]; hasMore: boolean } {
    const rows = this.s.transcriptBefore.all(sessionId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit + 1) as {
      json: string;
    }[];
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit).reverse();
    return { events: this.parseRows(SessionEventSchema, page, 'json', 'events'), hasMore };
  }

  eventsAfter(sessionId: string, afterSeq: number, limit = 10_000): SessionEvent[] {
    const rows = this.s.eventsAfter.all(sessionId, afterSeq, limit) as { json: string }[];
    return this.parseRows(SessionEventSchema, rows, 'json', 'events');
  }

  transferHistory(sessionId: string): TransferRecord[] {
    const rows = this.s.transfers.all(sessionId) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      sessionId: r.session_id as string,
      fromId: r.from_id as string,
      offeredBy: r.offered_by as string,
      toId: (r.to_id as string | null) ?? null,
      toTeam: r.to_team_id ? { id: r.to_team_id as string, name: (r.to_team_name as string | null) ?? (r.to_team_id as string) } : null,
      note: (r.note as string | null) ?? null,
      createdAt: r.created_at as number,
      state: r.state as TransferRecord['state'],
      endedAt: (r.ended_at as number | null) ?? null,
      endReason: (r.end_reason as string | null) ?? null,
    }));
  }

  // -- presence, requests, read marks -------------------------------------------------------------------

  replaceAgents(agents: readonly AgentInfo[]): void {
    this.db.transaction(() => {
      this.s.clearPresence.run();
      for (const agent of agents) this.s.upsertAgent.run(agent.id, JSON.stringify(agent));
    })();
  }

  upsertAgent(agent: AgentInfo): void {
    this.s.upsertAgent.run(agent.id, JSON.stringify(agent));
  }

  /** a manager removed the account */
  removeAgent(id: string): void {
    this.s.removeAgent.run(id);
  }

  agents(): AgentInfo[] {
    return this.parseRows(AgentInfoSchema, this.s.agents.all() as { json: string }[], 'json', 'presence');
  }

  upsertRequests(requests: readonly Request[]): void {
    this.db.transaction(() => {
      for (const r of requests) this.s.upsertRequest.run(r.id, r.sessionId, r.createdAt, JSON.stringify(r));
    })();
  }

  requests(): Request[] {
    return this.parseRows(RequestSchema, this.s.requests.all() as { json: string }[], 'json', 'requests');
  }

  request(id: string): Request | null {
    const row = this.s.getRequest.get(id) as { json: string } | undefined;
    return row ? this.parseRow(RequestSchema, row.json, 'requests') : null;
  }

  // -- canned replies ----------------------------------------------------------------------------------

  /** All of them by title (case folded), as the composer's list and the Replies view show them. */
  cannedReplies(): CannedReply[] {
    const replies = this.parseRows(CannedReplySchema, this.s.cannedAll.all() as { json: string }[], 'json', 'canned_replies');
    return replies.sort((a, b) => a.title.localeCompare(b.title, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id));
  }

  replaceCannedReplies(replies: readonly CannedReply[]): void {
    this.db.transaction(() => {
      this.s.cannedClear.run();
      for (const reply of replies) this.s.cannedPut.run(reply.id, JSON.stringify(reply));
    })();
  }

  upsertCannedReply(reply: CannedReply): void {
    this.s.cannedPut.run(reply.id, JSON.stringify(reply));
  }

  deleteCannedReply(id: string): void {
    this.s.cannedDelete.run(id);
  }

  // -- attachments ------------------------------------------------------------------------------------

  /** What a message carries; `file` once its bytes are in the account's attachments folder. */
  putAttachment(sessionId: string, attachment: Attachment, file: string | null): void {
    const { id, name, type, size, sha256 } = attachment;
    this.s.putAttachment.run(id, sessionId, name, type, size, sha256, file);
  }

  attachment(id: string): (CachedAttachment & { sessionId: string }) | null {
    const row = this.s.getAttachment.get(id) as Record<string, unknown> | undefined;
    const parsed = CachedAttachmentRowSchema.safeParse(row);
    if (!row) return null;
    if (!parsed.success) {
      this.log({ level: 'warn', event: 'cache-bad-row', table: 'attachments', id });
      return null;
    }
    const { session_id: sessionId, ...rest } = parsed.data;
    return { ...rest, sessionId };
  }

  readMark(sessionId: string): number {
    return (this.s.readMark.get(sessionId) as { seq: number } | undefined)?.seq ?? 0;
  }

  /** Read marks only move forward; returns the mark now stored. */
  setReadMark(sessionId: string, seq: number): number {
    this.s.setReadMark.run(sessionId, seq);
    return this.readMark(sessionId);
  }

  unreadCount(sessionId: string): number {
    return (this.s.unread.get(sessionId, this.readMark(sessionId)) as { n: number }).n;
  }

  // -- outbox ----------------------------------------------------------------------------------------

  /** Durable before it returns: the outbox is the one write that must survive a power cut. */
  outboxAdd(item: OutboxItem, file: OutboxFile | null = null): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.s.outboxAdd.run({
        messageId: item.messageId,
        sessionId: item.sessionId,
        text: item.text,
        createdAt: item.createdAt,
        state: item.state,
        error: item.error,
        kind: item.kind,
        attachment: file ? JSON.stringify(file) : null,
      });
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The file an outbox item carries: where its bytes wait, and the relay's id once uploaded. */
  outboxFile(messageId: string): OutboxFile | null {
    const row = this.s.outboxGet.get(messageId) as { attachment: string | null } | undefined;
    if (!row?.attachment) return null;
    return this.parseRow(OutboxFileSchema, row.attachment, 'outbox');
  }

  setOutboxFile(messageId: string, file: OutboxFile): void {
    this.s.outboxSetAttachment.run(JSON.stringify(file), messageId);
  }

  outboxSet(messageId: string, state: OutboxItem['state'], error: string | null): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.s.outboxSet.run(state, error, messageId);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  outboxRemove(messageId: string): void {
    this.s.outboxRemove.run(messageId);
  }

  outboxGet(messageId: string): OutboxItem | null {
    const row = this.s.outboxGet.get(messageId) as Record<string, unknown> | undefined;
    return row ? this.outboxFromRow(row) : null;
  }

  outboxItems(): OutboxItem[] {
    const out: OutboxItem[] = [];
    for (const row of this.s.outboxAll.all() as Record<string, unknown>[]) {
      const item = this.outboxFromRow(row);
      if (item) out.push(item);
    }
    return out;
  }

  private outboxFromRow(row: Record<string, unknown>): OutboxItem | null {
    const file = typeof row.attachment === 'string' ? OutboxFileSchema.safeParse(safeJson(row.attachment)) : null;
    const parsed = OutboxItemSchema.safeParse({
      messageId: row.message_id,
      sessionId: row.session_id,
      kind: row.kind,
      text: row.text,
      attachment: file?.success ? { name: file.data.name, size: file.data.size } : null,
      createdAt: row.created_at,
      state: row.state,
      error: row.error ?? null,
    });
    if (parsed.success) return parsed.data;
    this.log({ level: 'warn', event: 'cache-bad-row', table: 'outbox', id: row.message_id });
    return null;
  }

  // -- search ----------------------------------------------------------------------------------------

  search(query: SearchQuery): SearchHit[] {
    const params = searchParams(query);
    if (params === null) return [];
    const { terms, ...statementParams } = params;
    const ids = (this.s.searchIds.all(statementParams) as { id: number }[]).map((r) => r.id);
    if (ids.length === 0) return [];
    const rows = this.s.searchRows.all({ ids: JSON.stringify(ids) }) as SearchRow[];
    return toHits(ids, rows, terms);
  }

  // -- retention ----------------------------------------------------------------------------------

  /**
   * Deletes closed sessions older than the retention period, with everything derived from them; `removeFile` is told
   * each downloaded attachment file they leave behind.
   */
  pruneClosed(now: number, retentionDays: number, removeFile: (file: string) => void = () => {}): number {
    const cutoff = now - retentionDays * DAY_MS;
    const ids = (this.s.expiredSessions.all(cutoff) as { id: string }[]).map((r) => r.id);
    if (ids.length === 0) return 0;
    for (const id of ids) for (const row of this.s.attachmentFilesOf.all(id) as { file: string }[]) removeFile(row.file);
    const tables = ['events', 'messages', 'transfers', 'held_seqs', 'read_marks', 'requests', 'attachments'];
    const deletes = tables.map((t) => this.db.prepare(`DELETE FROM ${t} WHERE session_id = ?`));
    const deleteSession = this.db.prepare('DELETE FROM sessions WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) {
        for (const d of deletes) d.run(id);
        deleteSession.run(id);
      }
    })();
    return ids.length;
  }

  // -- row validation ---------------------------------------------------------------------------------

  private parseRow<T>(schema: z.ZodType<T>, json: string, table: string): T | null {
    const parsed = schema.safeParse(safeJson(json));
    if (parsed.success) return parsed.data;
    this.log({ level: 'warn', event: 'cache-bad-row', table });
    return null;
  }

  private parseRows<T, K extends string>(schema: z.ZodType<T>, rows: readonly Record<K, string>[], key: K, table: string): T[] {
    const out: T[] = [];
    for (const row of rows) {
      const value = this.parseRow(schema, row[key], table);
      if (value !== null) out.push(value);
    }
    return out;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
