// PostgreSQL migration 3 (teams, capacity, statuses) on a database left at version 2 by an older relay.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PG_LATEST_VERSION, pgMigrations } from '../../relay/cluster/migrations';
import { PgEngine } from '../../relay/cluster/postgres';
import { clusterUnavailable, freshDatabase } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('PostgreSQL schema migration 3', () => {
  it('keeps the accounts and chats of a version 2 database, and adds what teams, Busy and the directory need', async () => {
    const database = await freshDatabase();
    const old = new pg.Client({ connectionString: database.url });
    await old.connect();
    for (const m of pgMigrations.filter((m) => m.version <= 2)) await old.query(m.sql);
    await old.query('CREATE TABLE baton_schema (version INTEGER NOT NULL); INSERT INTO baton_schema VALUES (2)');
    await old.query(
      `INSERT INTO accounts (id, name, role, can_listen_in, password_hash, chosen_status, online, created_at)
       VALUES ('ann', 'Ann A', 'agent', true, 'scrypt$x', 'away', true, 5)`,
    );
    await old.query(`INSERT INTO sessions (id, customer_name, state, created_at, last_seq) VALUES ('s1', 'Pat', 'queued', 7, 0)`);
    // an older relay could not store Busy
    await expect(old.query(`UPDATE accounts SET chosen_status = 'busy'`)).rejects.toThrow(/check constraint/);
    await old.end();

    const engine = await PgEngine.connect({ connectionString: database.url, clock: { now: () => 1000 }, log: () => {} });
    try {
      expect((await engine.pool.query('SELECT version FROM baton_schema')).rows).toEqual([{ version: PG_LATEST_VERSION }]);
      expect(await engine.getAccount('ann')).toMatchObject({
        name: 'Ann A',
        chosenStatus: 'away',
        online: true,
        teams: [],
        capacity: null,
        disabled: false,
        idle: false,
        statusSince: null,
      });
      expect(await engine.getSession('s1')).toMatchObject({ state: 'queued', team: null });
      expect(await engine.directoryVersion()).toBe(0);
      await engine.setChosenStatus('ann', 'busy');
      await engine.createTeam({ id: 'billing', name: 'Billing' });
      await engine.updateAccount('ann', { teams: ['billing'], capacity: 3 });
      expect(await engine.getAccount('ann')).toMatchObject({ chosenStatus: 'busy', teams: ['billing'], capacity: 3, statusSince: 1000 });
      expect(await engine.directoryVersion()).toBe(2);
      await engine.removeTeam('billing');
      expect((await engine.getAccount('ann'))?.teams).toEqual([]);
    } finally {
      await engine.close();
      await database.drop();
    }
  });
});
