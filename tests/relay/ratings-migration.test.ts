// SQLite schema migration 9 (ratings): a version 8 database keeps its chats, and then holds one rating per chat.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { migrations } from '../../relay/store/migrations';
import { openSqliteStore } from '../../relay/store/sqlite';
import { tempDir } from './helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

it('a version 8 database gains the ratings table, keeps its chats, and refuses a second rating of a chat', () => {
  const dir = tempDir();
  dirs.push(dir);
  const db = new Database(path.join(dir, 'relay.sqlite'));
  for (const migration of migrations.filter((m) => m.version <= 8)) migration.up(db);
  db.pragma('user_version = 8');
  db.prepare(
    `INSERT INTO sessions (id, customer_name, state, owner_id, pending_transfer, created_at, closed_at, last_seq)
     VALUES ('s1', 'Pat', 'closed', 'alice', NULL, 1, 2, 0)`,
  ).run();
  db.close();

  const store = openSqliteStore(dir, {});
  try {
    expect(store.db.pragma('user_version', { simple: true })).toBe(9);
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
