// The embedded store's schema for the conversation tools: migrations 6 (attachments), 7 (canned replies) and 8
// (request assignees) applied to databases written before them, and attachment bytes kept once per content.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CannedReply } from '../../common/domain';
import { sqliteAttachments } from '../../relay/embedded/store';
import type { StoredAttachment } from '../../relay/ports';
import { ATTACHMENTS_DIR } from '../../relay/store/attachments';
import { LATEST_VERSION, migrations } from '../../relay/store/migrations';
import { openSqliteStore, type SqliteRelayStore } from '../../relay/store/sqlite';
import { tempDir } from './helpers';
import { PNG } from './uploads';

const dirs: string[] = [];
const stores: SqliteRelayStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

function open(dir: string): SqliteRelayStore {
  const store = openSqliteStore(dir);
  stores.push(store);
  return store;
}

/** A database as a relay of schema `version` left it. */
function databaseAt(dir: string, version: number): Database.Database {
  const db = new Database(path.join(dir, 'relay.sqlite'));
  db.pragma('journal_mode = WAL');
  for (const migration of migrations.filter((m) => m.version <= version)) migration.up(db);
  db.pragma(`user_version = ${version}`);
  return db;
}

const oldRequest = {
  id: 'req_1',
  sessionId: 'ses_1',
  title: 'Refund',
  description: null,
  customerName: 'Pat',
  createdBy: 'alice',
  createdAt: 100,
  transcript: [{ at: 90, author: 'Pat', text: 'hi' }],
};

const attachment = (id: string, over: Partial<StoredAttachment> = {}): StoredAttachment => ({
  id,
  sessionId: 'ses_1',
  uploadId: `upload-${id}`,
  uploader: { kind: 'customer', id: null },
  name: 'photo.png',
  type: 'image/png',
  size: PNG.length,
  sha256: 'a'.repeat(64),
  createdAt: 1,
  messageSeq: null,
  ...over,
});

describe('migration 8 (request status and assignee)', () => {
  it('a request stored before reads as open and unassigned, and is listed for its assignee once assigned', () => {
    const dir = freshDir();
    const db = databaseAt(dir, 7);
    db.prepare('INSERT INTO requests (id, session_id, created_by, created_at, body) VALUES (?, ?, ?, ?, ?)').run(
      oldRequest.id,
      oldRequest.sessionId,
      oldRequest.createdBy,
      oldRequest.createdAt,
      JSON.stringify(oldRequest),
    );
    db.close();
    const store = open(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    const request = store.getRequest('req_1')!;
    expect(request).toEqual({ ...oldRequest, status: 'open', assigneeId: null, updatedAt: null, solvedAt: null });
    expect(store.listRequests('bob')).toEqual([]);
    store.transaction(() => store.putRequest({ ...request, status: 'pending', assigneeId: 'bob', updatedAt: 200 }));
    expect(store.listRequests('bob').map((r) => r.status)).toEqual(['pending']);
    expect(store.listRequests('alice')).toHaveLength(1);
    expect(store.listRequests(null)).toHaveLength(1);
  });
});

describe('migration 7 (canned replies)', () => {
  it('adds the table to a database of schema 4; shared replies are listed for everyone, personal ones for their owner', () => {
    const dir = freshDir();
    databaseAt(dir, 6).close();
    const store = open(dir);
    const reply = (id: string, title: string, ownerId: string | null): CannedReply => ({
      id,
      scope: ownerId ? 'personal' : 'shared',
      ownerId,
      title,
      text: `text of ${title}`,
      updatedAt: 1,
      updatedBy: ownerId ?? 'maria',
    });
    store.transaction(() => {
      store.putCannedReply(reply('c1', 'zebra', null));
      store.putCannedReply(reply('c2', 'Apple', 'alice'));
      store.putCannedReply(reply('c3', 'mango', 'bob'));
    });
    expect(store.listCannedReplies('alice').map((r) => r.title)).toEqual(['Apple', 'zebra']);
    store.transaction(() => store.putCannedReply({ ...reply('c1', 'Banana', null) }));
    expect(store.listCannedReplies('bob').map((r) => r.title)).toEqual(['Banana', 'mango']);
    store.transaction(() => store.deleteCannedReply('c3'));
    expect(store.getCannedReply('c3')).toBeNull();
  });
});

describe('migration 6 (attachments)', () => {
  it('adds the table to a database of schema 4 with its events intact', () => {
    const dir = freshDir();
    const db = databaseAt(dir, 5);
    db.prepare('INSERT INTO events (session_id, seq, kind, message_id, body) VALUES (?, ?, ?, ?, ?)').run('ses_1', 1, 'opened', null, '{}');
    db.close();
    const store = open(dir);
    expect((store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(1);
    expect(store.attachments.get('att_nothing00')).toBeNull();
  });

  it('the same bytes sent twice are one file; an upload id seen before answers with its first row; purging keeps what others use', async () => {
    const dir = freshDir();
    const store = open(dir);
    const port = sqliteAttachments(store);
    const sha = '0b'.repeat(32);
    const first = await port.put(attachment('att_first0001', { sha256: sha }), PNG);
    expect(first).toEqual({ attachment: expect.objectContaining({ id: 'att_first0001' }), created: true });
    const resend = await port.put(attachment('att_resend001', { sha256: sha, uploadId: 'upload-att_first0001' }), PNG);
    expect(resend).toEqual({ attachment: expect.objectContaining({ id: 'att_first0001' }), created: false });
    const other = await port.put(attachment('att_other0001', { sha256: 'ff'.repeat(32), uploadId: 'upload-att_first0001' }), Buffer.from('x'));
    expect(other).toEqual({ conflict: true });
    await port.put(attachment('att_second001', { sha256: sha, sessionId: 'ses_2' }), PNG);
    const files = () => fs.readdirSync(path.join(dir, ATTACHMENTS_DIR), { recursive: true }).filter((f) => String(f).length > 10);
    expect(files()).toEqual([`0b/${sha}`.replace('/', path.sep)]);
    expect((await port.read((await port.get('att_second001'))!))?.equals(PNG)).toBe(true);

    expect(await port.purgeSessions(['ses_1'])).toBe(1);
    expect(files()).toHaveLength(1); // ses_2 still names the same content
    expect(await port.purgeSessions(['ses_2'])).toBe(1);
    expect(files()).toEqual([]);
    expect(await port.get('att_second001')).toBeNull();
  });
});
