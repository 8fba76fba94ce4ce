// SQLite schema migrations 9 (ratings: a version 8 database keeps its chats, and then holds one rating per chat),
// 10 (the indexes an agent's welcome reads through) and 11 (sign-in tokens).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { LATEST_VERSION, migrations } from '../../relay/store/migrations';
import { openSqliteStore } from '../../relay/store/sqlite';
import { tempDir } from './helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A database file migrated up to `version` only, as a relay of that version left it (still open, to add rows). */
function databaseAt(version: number): { dir: string; db: Database.Database } {
  const dir = tempDir();
  dirs.push(dir);
  const db = new Database(path.join(dir, 'relay.sqlite'));
  for (const migration of migrations.filter((m) => m.version <= version)) migration.up(db);
  db.pragma(`user_version = ${version}`);
  return { dir, db };
}

it('a version 8 database gains the ratings table, keeps its chats, and refuses a second rating of a chat', () => {
  const { dir, db } = databaseAt(8);
  db.prepare(
    `INSERT INTO sessions (id, customer_name, state, owner_id, pending_transfer, created_at, closed_at, last_seq)
     VALUES ('s1', 'Pat', 'closed', 'alice', NULL, 1, 2, 0)`,
  ).run();
  db.close();

  const store = openSqliteStore(dir, {});
  try {
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(store.db.prepare('SELECT id FROM sessions').all()).toEqual([{ id: 's1' }]);
    store.transaction(() => store.addRating('s1', 4, 'Quick and kind.', 10));
    expect(store.db.prepare('SELECT session_id, score, comment, rated_at FROM ratings').all()).toEqual([
      { session_id: 's1', score: 4, comment: 'Quick and kind.', rated_at: 10 },
    ]);
    expect(() => store.transaction(() => store.addRating('s1', 2, null, 11))).toThrow(/UNIQUE/);
    expect(() => store.transaction(() => store.addRating('s2', 9, null, 11))).toThrow(/CHECK/);
  } finally {
    store.close();
  }
});

it('a version 9 database gains the indexes that read an agent\'s live chats, and keeps its chats and listeners', () => {
  const { dir, db } = databaseAt(9);
  db.prepare(
    `INSERT INTO sessions (id, customer_name, state, owner_id, pending_transfer, created_at, closed_at, last_seq)
     VALUES ('s1', 'Pat', 'active', 'alice', NULL, 1, NULL, 0), ('s2', 'Sam', 'active', 'carol', NULL, 2, NULL, 0)`,
  ).run();
  db.prepare(`INSERT INTO listeners (session_id, agent_id, position) VALUES ('s2', 'alice', 0)`).run();
  db.close();

  const store = openSqliteStore(dir, {});
  try {
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").all();
    expect(indexes).toEqual(
      expect.arrayContaining([{ name: 'sessions_live_by_owner' }, { name: 'sessions_offered' }, { name: 'listeners_by_agent' }]),
    );
    expect(store.listLiveSessionsOf('alice').map((s) => [s.id, s.ownerId, s.listeners])).toEqual([
      ['s1', 'alice', []],
      ['s2', 'carol', ['alice']],
    ]);
  } finally {
    store.close();
  }
});

it('a version 10 database gains the sign-in tokens table; a token opens until it expires, survives a reopen, and the next issue forgets the expired', () => {
  const { dir, db } = databaseAt(10);
  db.close();
  let store = openSqliteStore(dir, {});
  try {
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    store.transaction(() => store.issueAgentToken('hash-old', 'alice', 1_000, 2_000));
    store.transaction(() => store.issueAgentToken('hash-new', 'alice', 1_500, 50_000));
    expect(store.agentForToken('hash-old', 1_999)).toBe('alice');
    expect(store.agentForToken('hash-old', 2_000)).toBeNull();
    expect(store.agentForToken('nope', 1_000)).toBeNull();
    store.close();
    store = openSqliteStore(dir, {});
    expect(store.agentForToken('hash-new', 10_000)).toBe('alice');
    store.transaction(() => store.issueAgentToken('hash-bob', 'bob', 3_000, 60_000));
    expect(store.db.prepare('SELECT token_hash FROM agent_tokens ORDER BY token_hash').all()).toEqual([
      { token_hash: 'hash-bob' },
      { token_hash: 'hash-new' },
    ]);
  } finally {
    store.close();
  }
});