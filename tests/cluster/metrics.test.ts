// Today's figures in a cluster: the scripted day over sockets spread across three nodes (every node answers the same),
// and the known event log of tests/relay/scripted-day.ts read back from PostgreSQL gives the figures SQLite gives.
import { describe, expect, it } from 'vitest';
import { PgEngine } from '../../relay/cluster/postgres';
import { computeMetrics } from '../../relay/core/metrics';
import { chatA, chatB, chatC, input, summaryOf } from '../relay/scripted-day';
import { metricsSuite } from '../relay/suites/metrics';
import { clusterUnavailable, freshDatabase, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  metricsSuite(startTestCluster);

  it('PostgreSQL reads the logs of a window: the known day gives the figures worked out by hand', async () => {
    const database = await freshDatabase();
    const engine = await PgEngine.connect({ connectionString: database.url, clock: { now: () => Date.now() }, log: () => {} });
    try {
      for (const [id, events] of [['A', chatA], ['B', chatB], ['C', chatC]] as const) {
        const s = summaryOf(id, events);
        await engine.pool.query(
          `INSERT INTO sessions (id, customer_name, state, owner_id, created_at, closed_at, last_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [s.id, s.customerName, s.state, s.ownerId, s.createdAt, s.closedAt, s.lastSeq],
        );
        for (const e of events) {
          await engine.pool.query('INSERT INTO events (session_id, seq, kind, body) VALUES ($1, $2, $3, $4)', [
            e.sessionId,
            e.seq,
            e.kind,
            JSON.stringify(e),
          ]);
        }
      }
      const read = await engine.logsInWindow(input.since, input.until);
      expect(read.map((e) => `${e.sessionId}${e.seq}`)).toEqual([...chatA, ...chatB].map((e) => `${e.sessionId}${e.seq}`));
      expect(computeMetrics({ ...input, events: read })).toEqual(computeMetrics(input));
    } finally {
      await engine.close();
      await database.drop();
    }
  });
});
