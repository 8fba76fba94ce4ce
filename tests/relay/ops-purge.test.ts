// Retention and erasure on one relay (SQLite): the purge suite, querying every table of relay.sqlite, and the
// migration that gives the sweep its indexes.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../relay/store/migrations';
import { ATTACHMENTS_DIR } from '../../relay/store/attachments';
import { openSqliteStore } from '../../relay/store/sqlite';
import { removeDir, startTestRelay, type TestRelay, tempDir } from './helpers';
import { type Dump, purgeSuite } from './ops-purge-suite';

function dump(relay: TestRelay): Promise<Dump> {
  const db = new Database(path.join(relay.dataDir, 'relay.sqlite'), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    return Promise.resolve(
      Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>])),
    );
  } finally {
    db.close();
  }
}

/** the files of attachment contents in the data folder, by name (their SHA-256) */
function files(relay: TestRelay): string[] {
  const root = path.join(relay.dataDir, ATTACHMENTS_DIR);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true })
    .map((f) => path.basename(String(f)))
    .filter((name) => /^[0-9a-f]{64}$/.test(name));
}

describe('retention and erasure, one relay', () => {
  purgeSuite({ start: startTestRelay, dump, storeFlags: (relay) => ['--data', relay.dataDir], contents: (relay) => Promise.resolve(files(relay)) });

  it('migration 4 gives a version-3 database the indexes the sweep and the purge read by', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'relay.sqlite');
      const old = new Database(file);
      old.transaction(() => {
        for (const migration of migrations.filter((m) => m.version <= 3)) migration.up(old);
        old.pragma('user_version = 3');
      })();
      old.prepare("INSERT INTO sessions (id, customer_name, state, created_at, closed_at, last_seq) VALUES ('ses_a', 'Dana', 'closed', 1, 2, 0)").run();
      old.close();
      const store = openSqliteStore(dir);
      const plan = (sql: string) =>
        (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      expect(plan("SELECT id FROM sessions WHERE state = 'closed' AND closed_at < 5 ORDER BY closed_at LIMIT 10")).toContain('sessions_closed');
      expect(plan("SELECT * FROM customer_tokens WHERE session_id = 'x'")).toContain('customer_tokens_session');
      expect(plan("SELECT * FROM requests WHERE session_id = 'x'")).toContain('requests_session');
      expect(store.purgeClosedBefore(5, 10)).toEqual(['ses_a']);
      store.close();
    } finally {
      removeDir(dir);
    }
  });
});
