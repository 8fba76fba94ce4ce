// The cluster schema for the conversation tools: PostgreSQL migrations 4 (attachments), 5 (canned replies) and 6
// (request assignees) applied to a database of schema 1 with data in it.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { pgMigrations, PG_LATEST_VERSION } from '../../relay/cluster/migrations';
import { PgEngine } from '../../relay/cluster/postgres';
import type { StoredAttachment } from '../../relay/ports';
import { PNG } from '../relay/uploads';
import { clusterUnavailable, freshDatabase } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function databaseAtVersion1() {
  const database = await freshDatabase();
  cleanups.push(database.drop);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(pgMigrations[0]!.sql);
  await client.query('CREATE TABLE baton_schema (version INTEGER NOT NULL); INSERT INTO baton_schema VALUES (1)');
  return { url: database.url, client };
}

const attachment = (id: string, over: Partial<StoredAttachment> = {}): StoredAttachment => ({
  id,
  sessionId: 'ses_1',
  uploadId: `upload-${id}`,
  uploader: { kind: 'agent', id: 'alice' },
  name: 'photo.png',
  type: 'image/png',
  size: PNG.length,
  sha256: 'c'.repeat(64),
  createdAt: 1,
  messageSeq: null,
  ...over,
});

describe.skipIf(unavailable !== null)('PostgreSQL migrations for notes, attachments, canned replies and requests', () => {
  it('a schema 1 database is migrated; its requests read as open; attachments keep one copy of each content', async () => {
    const { url, client } = await databaseAtVersion1();
    await client.query('INSERT INTO requests (id, session_id, created_by, created_at, body) VALUES ($1, $2, $3, $4, $5)', [
      'req_1',
      'ses_1',
      'alice',
      100,
      JSON.stringify({ id: 'req_1', sessionId: 'ses_1', title: 'Refund', description: null, customerName: 'Pat', createdBy: 'alice', createdAt: 100, transcript: [] }),
    ]);
    const engine = await PgEngine.connect({ connectionString: url, clock: { now: () => Date.now() }, log: () => {} });
    cleanups.push(async () => {
      await engine.close();
      await client.end();
    });
    expect((await client.query('SELECT version FROM baton_schema')).rows).toEqual([{ version: PG_LATEST_VERSION }]);
    expect(await engine.getRequest('req_1')).toMatchObject({ status: 'open', assigneeId: null, solvedAt: null });
    await client.query(`UPDATE requests SET assignee_id = 'bob' WHERE id = 'req_1'`);
    expect((await engine.listRequests('bob')).map((r) => r.id)).toEqual(['req_1']);

    await engine.putCannedReply({ id: 'c1', scope: 'personal', ownerId: 'alice', title: 'Hi', text: 'Hi {customer}', updatedAt: 1, updatedBy: 'alice' });
    expect(await engine.listCannedReplies('alice')).toHaveLength(1);
    expect(await engine.listCannedReplies('bob')).toEqual([]);

    const first = await engine.attachments.put(attachment('att_first0001'), PNG);
    expect(first).toMatchObject({ created: true });
    expect(await engine.attachments.put(attachment('att_again0001', { uploadId: 'upload-att_first0001' }), PNG)).toMatchObject({
      created: false,
      attachment: { id: 'att_first0001' },
    });
    await engine.attachments.put(attachment('att_second001', { sessionId: 'ses_2' }), PNG);
    expect((await client.query('SELECT count(*)::int AS n FROM attachment_blobs')).rows).toEqual([{ n: 1 }]);
    expect((await engine.attachments.read((await engine.attachments.get('att_second001'))!))?.equals(PNG)).toBe(true);
    expect(await engine.attachments.purgeSessions(['ses_1'])).toBe(1);
    expect((await client.query('SELECT count(*)::int AS n FROM attachment_blobs')).rows).toEqual([{ n: 1 }]);
    expect(await engine.attachments.purgeSessions(['ses_2'])).toBe(1);
    expect((await client.query('SELECT count(*)::int AS n FROM attachment_blobs')).rows).toEqual([{ n: 0 }]);
  });
});
