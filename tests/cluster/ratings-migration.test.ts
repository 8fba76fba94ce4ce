// PostgreSQL schema migration 7 (ratings): a version 6 database keeps its chats, and then holds one rating per chat.
import { afterEach, describe, expect, it } from 'vitest';
import { pgMigrations } from '../../relay/cluster/migrations';
import { PgEngine } from '../../relay/cluster/postgres';
import { clusterUnavailable, freshDatabase } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable && process.env.CI) throw new Error(unavailable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(unavailable !== null)('PostgreSQL migration 7 (ratings)', () => {
  it('a version 6 database gains the ratings table, keeps its chats, and refuses a second rating of a chat', async () => {
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const options = { connectionString: database.url, clock: { now: () => Date.now() }, log: () => {} };
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE baton_schema (version INTEGER NOT NULL)');
      for (const migration of pgMigrations.filter((m) => m.version <= 6)) await client.query(migration.sql);
      await client.query('INSERT INTO baton_schema (version) VALUES (6)');
      await client.query(
        `INSERT INTO sessions (id, customer_name, state, owner_id, listeners, created_at, closed_at, last_seq)
         VALUES ('s1', 'Pat', 'closed', 'alice', '{}', 1, 2, 0)`,
      );
    } finally {
      await client.end();
    }

    const engine = await PgEngine.connect(options);
    cleanups.push(() => engine.close());
    expect((await engine.pool.query('SELECT version FROM baton_schema')).rows).toEqual([{ version: 7 }]);
    expect((await engine.pool.query('SELECT id FROM sessions')).rows).toEqual([{ id: 's1' }]);
    await engine.pool.query(`INSERT INTO ratings (session_id, score, comment, rated_at) VALUES ('s1', 4, 'Quick.', 10)`);
    await expect(engine.pool.query(`INSERT INTO ratings (session_id, score, rated_at) VALUES ('s1', 2, 11)`)).rejects.toThrow(
      /duplicate key/,
    );
    await expect(engine.pool.query(`INSERT INTO ratings (session_id, score, rated_at) VALUES ('s2', 9, 11)`)).rejects.toThrow(
      /check constraint/,
    );
  });
});
