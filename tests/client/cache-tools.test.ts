// The client cache's schema for the conversation tools: migrations 0004 (notes searchable), 0005 (notes and files
// in the outbox), 0006 (attachments) and 0007 (canned replies), each applied to a file of the version before it.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Cache, CACHE_FILE, migrate, migrations } from '../../main/client/cache';
import { summary, tempDir } from './fixtures';

const rawDb = (dir: string) => new Database(path.join(dir, CACHE_FILE));
const at = (version: number) => migrations.slice(0, version);

const note = (seq: number, text: string) => ({
  kind: 'note' as const,
  sessionId: 's1',
  seq,
  at: 1_000 + seq,
  noteId: `note000${seq}`,
  author: { id: 'alice', name: 'Alice' },
  text,
});

describe('cache migrations for the conversation tools', () => {
  it('0004 indexes notes already in the event log, marked as notes; new notes are indexed as they arrive', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    migrate(db, at(3));
    db.prepare(`INSERT INTO sessions(id, state, customer_name, owner_id, created_at, closed_at, last_seq, summary)
      VALUES ('s1', 'active', 'Erin', 'alice', 1, NULL, 2, ?)`).run(JSON.stringify(summary('s1', { customerName: 'Erin' })));
    db.prepare('INSERT INTO events(session_id, seq, kind, at, json) VALUES (?, ?, ?, ?, ?)').run('s1', 2, 'note', 1002, JSON.stringify(note(2, 'warranty expired last week')));
    expect(migrate(db, at(4))).toEqual({ from: 3, to: 4 });
    db.close();
    const cache = Cache.open(dir);
    expect(cache.search({ text: 'warranty', limit: 10 })).toEqual([expect.objectContaining({ seq: 2, kind: 'note', authorName: 'Alice', customerName: 'Erin' })]);
    cache.ingestEvents([note(3, 'offer a voucher')]);
    expect(cache.search({ text: 'voucher', limit: 10 })).toEqual([expect.objectContaining({ seq: 3, kind: 'note' })]);
    // notes are not customer messages: they never count as unread
    expect(cache.unreadCount('s1')).toBe(0);
    cache.close();
  });

  it('0005 keeps unsent messages of v4 as plain messages with no file', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    migrate(db, at(4));
    db.prepare(`INSERT INTO outbox(message_id, session_id, text, created_at, state, error)
      VALUES ('msg00000001', 's1', 'written before the upgrade', 5, 'pending', NULL)`).run();
    expect(migrate(db, at(5))).toEqual({ from: 4, to: 5 });
    db.close();
    const cache = Cache.open(dir);
    expect(cache.outboxItems()).toEqual([
      { messageId: 'msg00000001', sessionId: 's1', kind: 'message', text: 'written before the upgrade', attachment: null, createdAt: 5, state: 'pending', error: null },
    ]);
    expect(cache.outboxFile('msg00000001')).toBeNull();
    cache.close();
  });

  it('0006 records the files of messages cached before it, not yet downloaded', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    migrate(db, at(5));
    const attachment = { id: 'att_abcdefgh01', name: 'photo.png', type: 'image/png', size: 70, sha256: 'f'.repeat(64) };
    const message = {
      kind: 'message',
      sessionId: 's1',
      seq: 4,
      at: 1004,
      messageId: 'msg00000004',
      author: { kind: 'customer', id: null, name: 'Erin' },
      text: '',
      attachments: [attachment],
    };
    db.prepare('INSERT INTO events(session_id, seq, kind, at, json) VALUES (?, ?, ?, ?, ?)').run('s1', 4, 'message', 1004, JSON.stringify(message));
    expect(migrate(db, at(6))).toEqual({ from: 5, to: 6 });
    db.close();
    const cache = Cache.open(dir);
    expect(cache.attachment(attachment.id)).toEqual({ ...attachment, sessionId: 's1', file: null });
    cache.close();
  });

  it('0007 adds canned replies to a v6 file; they are kept and read back by title', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    migrate(db, at(6));
    expect(migrate(db, at(7))).toEqual({ from: 6, to: 7 });
    db.close();
    const cache = Cache.open(dir);
    const reply = (id: string, title: string) => ({ id, scope: 'shared' as const, ownerId: null, title, text: 'x', updatedAt: 1, updatedBy: 'maria' });
    cache.replaceCannedReplies([reply('c1', 'zebra'), reply('c2', 'Apple')]);
    cache.upsertCannedReply(reply('c3', 'mango'));
    cache.deleteCannedReply('c1');
    expect(cache.cannedReplies().map((r) => r.title)).toEqual(['Apple', 'mango']);
    cache.close();
  });
});
