// Retention and erasure in a cluster (PostgreSQL): the purge suite against three nodes, querying every table of the
// database; the sweep's lock lets one node at a time sweep; the migration that gives the sweep its indexes.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PG_LATEST_VERSION, pgMigrations } from '../../relay/cluster/migrations';
import { PgEngine } from '../../relay/cluster/postgres';
import type { TestRelay } from '../relay/helpers';
import { type Dump, purgeSuite } from '../relay/ops-purge-suite';
import { clusterUnavailable, freshDatabase, startTestCluster, type TestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

async function dump(relay: TestRelay): Promise<Dump> {
  const client = new pg.Client({ connectionString: (relay as TestCluster).databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    const tables: Dump = {};
    for (const { table_name } of rows) tables[table_name] = (await client.query(`SELECT * FROM "${table_name}"`)).rows;
    return tables;
  } finally {
    await client.end();
  }
}

const engine = (url: string) => PgEngine.connect({ connectionString: url, clock: { now: () => Date.now() }, log: () => {} });

describe.skipIf(unavailable !== null)('retention and erasure, a cluster of three nodes', () => {
  purgeSuite({
    start: startTestCluster,
    dump,
    storeFlags: (relay) => ['--postgres', (relay as TestCluster).databaseUrl],
    contents: async (relay) => ((await dump(relay)).attachment_blobs ?? []).map((row) => row.sha256 as string),
  });

  it('one node sweeps at a time: while one holds the retention lock, another is turned away', async () => {
    const database = await freshDatabase();
    const [one, two] = [await engine(database.url), await engine(database.url)];
    try {
      let inner: string | null = 'not run';
      const outer = await one.exclusively(async () => {
        inner = await two.exclusively(async () => 'ran');
        return 'swept';
      });
      expect([outer, inner]).toEqual(['swept', null]);
      expect(await two.exclusively(async () => 'ran')).toBe('ran');
    } finally {
      await one.close();
      await two.close();
      await database.drop();
    }
  });

  it('migration 2 gives a version-1 database the indexes the sweep and the purge read by', async () => {
    const database = await freshDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(pgMigrations.find((m) => m.version === 1)!.sql);
      await client.query('CREATE TABLE baton_schema (version INTEGER NOT NULL); INSERT INTO baton_schema VALUES (1)');
      const migrated = await engine(database.url);
      await migrated.close();
      const { rows } = await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()");
      expect(rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(['sessions_closed', 'customer_tokens_session', 'requests_session']));
      expect((await client.query('SELECT version FROM baton_schema')).rows).toEqual([{ version: PG_LATEST_VERSION }]);
    } finally {
      await client.end();
      await database.drop();
    }
  });
});
