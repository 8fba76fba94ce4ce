// The client cache: each migration, newer and corrupt files, dedupe, paging, search, retention.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Cache, CACHE_FILE, CacheError, highlight, LATEST_VERSION, migrate, migrations, SearchWorker, searchTerms } from '../../main/client/cache';
import { message, opened, summary, tempDir } from './fixtures';

function rawDb(dir: string) {
  return new Database(path.join(dir, CACHE_FILE));
}

describe('cache migrations', () => {
  it('migration 0001 creates the v1 schema on a fresh file and records user_version 1', () => {
    const db = rawDb(tempDir());
    expect(migrate(db, migrations.slice(0, 1))).toEqual({ from: 0, to: 1 });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['sessions', 'events', 'messages', 'transfers', 'requests', 'presence', 'read_marks', 'settings', 'outbox']));
    expect(tables).not.toContain('messages_fts');
    db.close();
  });

  it('migration 0002 makes messages cached under v1 searchable, and keeps them', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    migrate(db, migrations.slice(0, 1));
    db.prepare(`INSERT INTO messages(session_id, seq, message_id, author_kind, author_name, customer_name, at, text)
      VALUES ('s1', 2, 'msg00001', 'customer', 'Erin', 'Erin', 5, 'my parcel never arrived')`).run();
    expect(migrate(db, migrations.slice(0, 2))).toEqual({ from: 1, to: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
    const cache = Cache.open(dir);
    const hits = cache.search({ text: 'parcel', limit: 10 });
    expect(hits).toHaveLength(1);
    expect(hits[0]?.parts).toEqual([
      { text: 'my ', match: false },
      { text: 'parcel', match: true },
      { text: ' never arrived', match: false },
    ]);
    cache.close();
  });

  it('migration 0003 turns FTS automerge off (merges become explicit steps) and keeps the index working', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    migrate(db, migrations.slice(0, 2));
    db.prepare(`INSERT INTO messages(session_id, seq, message_id, author_kind, author_name, customer_name, at, text)
      VALUES ('s1', 2, 'msg00001', 'customer', 'Erin', 'Erin', 5, 'the kettle leaks')`).run();
    expect(migrate(db, migrations.slice(0, 3))).toEqual({ from: 2, to: 3 });
    expect(db.prepare("SELECT v FROM messages_fts_config WHERE k = 'automerge'").get()).toEqual({ v: 0 });
    db.close();
    const cache = Cache.open(dir);
    cache.ingestEvents([message('s1', 3, 'the kettle is fixed')]);
    cache.mergeStep();
    expect(cache.search({ text: 'kettle', limit: 10 }).map((h) => h.seq)).toEqual([3, 2]);
    cache.close();
  });

  it('migration 0008 lets a transfer be to a team, and keeps the transfer history cached under v7', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    migrate(db, migrations.slice(0, 7));
    db.prepare(`INSERT INTO transfers(id, session_id, from_id, offered_by, to_id, note, created_at, state, ended_at, end_reason)
      VALUES ('t0', 's1', 'alice', 'alice', 'bob', 'old one', 5, 'rejected', 6, 'busy')`).run();
    expect(migrate(db, migrations.slice(0, 8))).toEqual({ from: 7, to: 8 });
    db.close();
    const cache = Cache.open(dir);
    const team = { id: 'billing', name: 'Billing' };
    const transfer = { id: 't1', sessionId: 's1', fromId: 'alice', offeredBy: 'alice', toId: null, toTeam: team, candidates: ['bob', 'carol'], note: null, createdAt: 10, expiresAt: null };
    cache.ingestEvents([
      opened('s1'),
      { kind: 'transfer-offered', sessionId: 's1', seq: 2, at: 10, transfer },
      { kind: 'transfer-passed', sessionId: 's1', seq: 3, at: 11, transferId: 't1', agentId: 'bob', why: 'rejected', reason: null },
      { kind: 'transfer-accepted', sessionId: 's1', seq: 4, at: 12, transferId: 't1', fromId: 'alice', fromName: 'Alice', toId: 'carol', toName: 'Carol' },
    ]);
    expect(cache.transferHistory('s1')).toEqual([
      expect.objectContaining({ id: 't0', toId: 'bob', toTeam: null, state: 'rejected', endReason: 'busy', note: 'old one' }),
      expect.objectContaining({ id: 't1', toId: null, toTeam: team, state: 'accepted', endedAt: 12 }),
    ]);
    cache.close();
  });

  it('a failing migration leaves the file at its old version with nothing half-applied', () => {
    const db = rawDb(tempDir());
    const broken = [...migrations, { version: LATEST_VERSION + 1, name: 'broken', up: (d: Database.Database) => d.exec('CREATE TABLE x(a); SELECT * FROM nope') }];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('sessions', 'x')").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a cache written by a newer version with a clear error and leaves the file alone', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    db.close();
    let error: unknown;
    try {
      Cache.open(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheError);
    expect((error as CacheError).code).toBe('cache-newer-version');
    expect((error as CacheError).message).toMatch(/newer version of Baton/);
    const again = rawDb(dir);
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 5);
    again.close();
  });

  it('moves a corrupt cache file aside and rebuilds an empty cache', () => {
    const dir = tempDir();
    const garbage = Buffer.from('this is not a database, just some bytes that got written here '.repeat(200));
    fs.writeFileSync(path.join(dir, CACHE_FILE), garbage);
    const logs: Record<string, unknown>[] = [];
    const cache = Cache.open(dir, { now: () => 1234, log: (e) => logs.push(e) });
    expect(cache.liveSessions()).toEqual([]);
    expect(fs.readFileSync(path.join(dir, `${CACHE_FILE}.corrupt-1234`))).toEqual(garbage);
    expect(logs.some((l) => l.event === 'cache-corrupt')).toBe(true);
    cache.upsertSessions([summary('s1')]);
    cache.close();
    const reopened = Cache.open(dir);
    expect(reopened.getSession('s1')?.id).toBe('s1');
    reopened.close();
  });
});

describe('cache contents', () => {
  it('stores each (session, seq) once and reports only new events, in seq order', () => {
    const cache = Cache.open(tempDir());
    cache.upsertSessions([summary('s1')]);
    const e1 = opened('s1');
    const e2 = message('s1', 2, 'hello');
    const e3 = message('s1', 3, 'anyone?');
    expect(cache.ingestEvents([e3, e1]).map((e) => e.seq)).toEqual([1, 3]);
    expect(cache.heldSeq('s1')).toBe(1);
    expect(cache.ingestEvents([e1, e2, e3]).map((e) => e.seq)).toEqual([2]);
    expect(cache.heldSeq('s1')).toBe(3);
    expect(cache.resumeMap()).toEqual({ s1: 3 });
    expect(cache.search({ text: 'hello', limit: 5 })).toHaveLength(1);
    cache.close();
  });

  it('pages a transcript backwards, newest page first', () => {
    const cache = Cache.open(tempDir());
    const events = [opened('s1'), ...Array.from({ length: 24 }, (_, i) => message('s1', i + 2, `line ${i + 2}`))];
    cache.ingestEvents(events);
    const first = cache.transcript('s1', 10);
    expect(first.events.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(first.hasMore).toBe(true);
    const last = cache.transcript('s1', 10, 6);
    expect(last.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(last.hasMore).toBe(false);
    cache.close();
  });

  it('derives transfer history from the event log', () => {
    const cache = Cache.open(tempDir());
    const transfer = { id: 't1', sessionId: 's1', fromId: 'alice', offeredBy: 'alice', toId: 'bob', note: 'billing', createdAt: 10, expiresAt: null };
    cache.ingestEvents([
      opened('s1'),
      { kind: 'transfer-offered', sessionId: 's1', seq: 2, at: 10, transfer },
      { kind: 'transfer-accepted', sessionId: 's1', seq: 3, at: 12, transferId: 't1', fromId: 'alice', fromName: 'Alice', toId: 'bob', toName: 'Bob' },
    ]);
    expect(cache.transferHistory('s1')).toEqual([
      expect.objectContaining({ id: 't1', fromId: 'alice', toId: 'bob', state: 'accepted', endedAt: 12, note: 'billing' }),
    ]);
    cache.close();
  });

  it('searches with customer and date filters, newest first, without letting FTS syntax through', () => {
    const cache = Cache.open(tempDir());
    cache.upsertSessions([summary('s1', { customerName: 'Erin Customer' }), summary('s2', { customerName: 'Frank Buyer' })]);
    cache.ingestEvents([
      message('s1', 2, 'refund for order 1', { at: 100 }),
      message('s1', 3, 'refund again', { at: 300 }),
      message('s2', 2, 'refund please', { at: 200 }),
    ]);
    expect(cache.search({ text: 'refund', limit: 10 }).map((h) => h.at)).toEqual([300, 200, 100]);
    expect(cache.search({ text: 'refund', customer: 'frank', limit: 10 }).map((h) => h.sessionId)).toEqual(['s2']);
    expect(cache.search({ text: 'refund', from: 150, to: 250, limit: 10 }).map((h) => h.at)).toEqual([200]);
    expect(cache.search({ text: 'ref', limit: 10 })).toHaveLength(3);
    expect(cache.search({ text: '"refund" OR NEAR(', limit: 10 }).length).toBe(0);
    expect(cache.search({ text: '*** )', limit: 10 })).toEqual([]);
    cache.close();
  });

  it('the search worker, on its own read-only connection, finds what the main connection finds', async () => {
    const dir = tempDir();
    const cache = Cache.open(dir);
    cache.upsertSessions([summary('s1', { customerName: 'Erin Customer' })]);
    cache.ingestEvents([message('s1', 2, 'refund for order 1', { at: 100 }), message('s1', 3, 'no refund yet', { at: 300 })]);
    const worker = new SearchWorker(path.join(dir, CACHE_FILE));
    try {
      const query = { text: 'refund', customer: 'erin', limit: 10 };
      expect(await worker.search(query)).toEqual(cache.search(query));
      expect((await worker.search(query)).map((h) => h.seq)).toEqual([3, 2]);
      expect(await worker.search({ text: '((', limit: 10 })).toEqual([]);
    } finally {
      await worker.close();
      cache.close();
    }
  });

  it('highlights searched words as parts, folding case and accents, with an ellipsis around a long text', () => {
    const terms = searchTerms('CAFE bill')!;
    expect(highlight('The Café sent a billing note', terms)).toEqual([
      { text: 'The ', match: false },
      { text: 'Café', match: true },
      { text: ' sent a ', match: false },
      { text: 'billing', match: true },
      { text: ' note', match: false },
    ]);
    const long = `${'word '.repeat(40)}target ${'tail '.repeat(40)}`.trim();
    const parts = highlight(long, searchTerms('target')!);
    expect(parts[0]?.text.startsWith('…')).toBe(true);
    expect(parts.map((p) => p.text).join('').split(' ').length).toBeLessThanOrEqual(17);
    expect(parts.at(-1)?.text.endsWith('…')).toBe(true);
    expect(parts.filter((p) => p.match)).toEqual([{ text: 'target', match: true }]);
    expect(searchTerms('ab')).toEqual({ words: ['ab'], prefixLast: false });
  });

  it('finds the newest matches first even when older messages arrive later', () => {
    const cache = Cache.open(tempDir());
    cache.ingestEvents([message('s2', 5, 'late news', { at: 9_000 })]);
    cache.ingestEvents([message('s1', 2, 'old news', { at: 100 }), message('s1', 3, 'same ms news', { at: 100 })]);
    expect(cache.search({ text: 'news', limit: 10 }).map((h) => h.at)).toEqual([9_000, 100, 100]);
    expect(cache.search({ text: 'news', limit: 1 }).map((h) => h.at)).toEqual([9_000]);
    cache.close();
  });

  it('deletes closed sessions older than the retention period on prune, and keeps the rest', () => {
    const cache = Cache.open(tempDir());
    const day = 86_400_000;
    const now = 100 * day;
    cache.upsertSessions([
      summary('old', { state: 'closed', closedAt: now - 91 * day }),
      summary('recent', { state: 'closed', closedAt: now - 89 * day }),
      summary('live'),
    ]);
    cache.ingestEvents([message('old', 1, 'ancient words'), message('recent', 1, 'ancient too')]);
    expect(cache.pruneClosed(now, 90)).toBe(1);
    expect(cache.getSession('old')).toBeNull();
    expect(cache.closedSessions(10).map((s) => s.id)).toEqual(['recent']);
    expect(cache.search({ text: 'ancient', limit: 10 }).map((h) => h.sessionId)).toEqual(['recent']);
    expect(cache.liveSessions().map((s) => s.id)).toEqual(['live']);
    cache.close();
  });

  it('skips rows that no longer match the schema instead of throwing', () => {
    const dir = tempDir();
    const cache = Cache.open(dir);
    cache.upsertSessions([summary('good')]);
    cache.db.prepare("INSERT INTO sessions(id, state, customer_name, created_at, last_seq, summary) VALUES ('bad', 'active', 'x', 1, 0, '{\"id\":5}')").run();
    expect(cache.liveSessions().map((s) => s.id)).toEqual(['good']);
    cache.close();
  });
});
