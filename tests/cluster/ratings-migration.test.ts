// PostgreSQL schema migrations 7 (ratings: a version 6 database keeps its chats, and then holds one rating per chat)
// and 8 (the indexes an agent's welcome reads through).
import { afterEach, describe, expect, it } from 'vitest';
import { PG_LATEST_VERSION, pgMigrations } from '../../relay/cluster/migrations';
import { PgEngine } from '../../relay/cluster/postgres';
import { clusterUnavailable, freshDatabase } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable && process.env.CI) throw new Error(unavailable);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(unavailable !== null)('PostgreSQL migrations 7 (ratings) and 8 (live chats by agent)', () => {
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
    expect((await engine.pool.query('SELECT version FROM baton_schema')).rows).toEqual([{ version: PG_LATEST_VERSION }]);
    expect((await engine.pool.query('SELECT id FROM sessions')).rows).toEqual([{ id: 's1' }]);
    await engine.pool.query(`INSERT INTO ratings (session_id, score, comment, rated_at) VALUES ('s1', 4, 'Quick.', 10)`);
    await expect(engine.pool.query(`INSERT INTO ratings (session_id, score, rated_at) VALUES ('s1', 2, 11)`)).rejects.toThrow(
      /duplicate key/,
    );
    await expect(engine.pool.query(`INSERT INTO ratings (session_id, score, rated_at) VALUES ('s2', 9, 11)`)).rejects.toThrow(
      /check constraint/,
    );
  });

  it("a version 7 database gains the indexes that read an agent's live chats, and the store reads them through those", async () => {
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('CREATE TABLE baton_schema (version INTEGER NOT NULL)');
      for (const migration of pgMigrations.filter((m) => m.version <= 7)) await client.query(migration.sql);
      await client.query('INSERT INTO baton_schema (version) VALUES (7)');
      await client.query(
        `INSERT INTO sessions (id, customer_name, state, owner_id, listeners, created_at, closed_at, last_seq)
         VALUES ('s1', 'Pat', 'active', 'alice', '{}', 1, NULL, 0), ('s2', 'Sam', 'active', 'carol', '{alice}', 2, NULL, 0),
                ('s3', 'Max', 'closed', 'alice', '{}', 3, 4, 0)`,
      );
    } finally {
      await client.end();
    }
    const engine = await PgEngine.connect({ connectionString: database.url, clock: { now: () => Date.now() }, log: () => {} });
    cleanups.push(() => engine.close());
    expect((await engine.pool.query('SELECT version FROM baton_schema')).rows).toEqual([{ version: PG_LATEST_VERSION }]);
    const { rows } = await engine.pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'sessions'`);
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['sessions_live_by_owner', 'sessions_live_listeners', 'sessions_offered']),
    );
    expect((await engine.listLiveSessionsOf('alice')).map((s) => [s.id, s.ownerId, s.listeners])).toEqual([
      ['s1', 'alice', []],
      ['s2', 'carol', ['alice']],
    ]);
    // with the chats of a busy relay (5,000 live, other agents'), the planner reads alice's through the indexes
    await engine.pool.query(
      `INSERT INTO sessions (id, customer_name, state, owner_id, listeners, created_at, closed_at, last_seq)
       SELECT 'x' || n, 'Someone', 'active', 'agent' || (n % 500), '{}', 10 + n, NULL, 0 FROM generate_series(1, 5000) AS n`,
    );
    await engine.pool.query('ANALYZE sessions');
    const plan = await engine.pool.query(
      `EXPLAIN SELECT * FROM sessions WHERE state <> 'closed'
         AND (owner_id = $1 OR listeners @> ARRAY[$1::text] OR pending_transfer IS NOT NULL) ORDER BY created_at, id`,
      ['alice'],
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).not.toMatch(/Seq Scan|using sessions_live on/);
    expect(text).toMatch(/sessions_live_by_owner/);
    expect(text).toMatch(/sessions_live_listeners/);
    expect(text).toMatch(/sessions_offered/);
  });
});
