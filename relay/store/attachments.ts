// The embedded relay's attachments: a row per upload in the relay database, the bytes as files under
// `<data>/attachments/`, named by their SHA-256 (so the same content is stored once, whoever sends it again).
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { SessionId } from '../../common/domain';
import type { StoredAttachment } from '../ports';

interface AttachmentRow {
  id: string;
  session_id: string;
  upload_id: string;
  uploader_kind: 'customer' | 'agent';
  uploader_id: string | null;
  name: string;
  type: string;
  size: number;
  sha256: string;
  created_at: number;
  message_seq: number | null;
}

export const ATTACHMENTS_DIR = 'attachments';

export class SqliteAttachments {
  private readonly stmt: ReturnType<typeof prepare>;
  private readonly root: string;

  constructor(db: Database.Database, dataDir: string) {
    this.stmt = prepare(db);
    this.root = path.join(dataDir, ATTACHMENTS_DIR);
  }

  /** The row of an earlier upload with this id into this session, if any. */
  byUpload(sessionId: SessionId, uploadId: string): StoredAttachment | null {
    const row = this.stmt.byUpload.get(sessionId, uploadId);
    return row ? toAttachment(row) : null;
  }

  /**
   * Writes the bytes (unless a file with this content exists) durably before the row that names them: a crash
   * between the two leaves a file nobody names, never a row without its file. Call inside a transaction.
   */
  insert(attachment: StoredAttachment, bytes: Buffer): void {
    const file = this.fileOf(attachment.sha256);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
      const fd = fs.openSync(temp, 'w', 0o600);
      try {
        fs.writeSync(fd, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, file);
    }
    this.stmt.insert.run({
      id: attachment.id,
      sessionId: attachment.sessionId,
      uploadId: attachment.uploadId,
      uploaderKind: attachment.uploader.kind,
      uploaderId: attachment.uploader.id,
      name: attachment.name,
      type: attachment.type,
      size: attachment.size,
      sha256: attachment.sha256,
      createdAt: attachment.createdAt,
    });
  }

  get(id: string): StoredAttachment | null {
    const row = this.stmt.get.get(id);
    return row ? toAttachment(row) : null;
  }

  /** The attachments among `ids` that belong to the session (what a message may carry). */
  ofSession(sessionId: SessionId, ids: readonly string[]): StoredAttachment[] {
    if (!ids.length) return [];
    return this.stmt.ofSession.all(sessionId, JSON.stringify(ids)).map(toAttachment);
  }

  /** A message carries them: the customer may now download them. Call inside the message's transaction. */
  markSent(sessionId: SessionId, ids: readonly string[], seq: number): void {
    if (ids.length) this.stmt.markSent.run(seq, sessionId, JSON.stringify(ids));
  }

  async read(attachment: StoredAttachment): Promise<Buffer | null> {
    try {
      return await fs.promises.readFile(this.fileOf(attachment.sha256));
    } catch {
      return null;
    }
  }

  /** Removes the rows of these sessions and the files no other row names. Call inside a transaction. */
  purgeSessions(sessionIds: readonly SessionId[]): { removed: number; orphans: string[] } {
    const orphans = new Set<string>();
    let removed = 0;
    for (const sessionId of sessionIds) {
      for (const row of this.stmt.ofSessionAll.all(sessionId)) orphans.add(row.sha256);
      removed += this.stmt.deleteOfSession.run(sessionId).changes;
    }
    const unused = [...orphans].filter((sha) => !this.stmt.shaUsed.get(sha));
    return { removed, orphans: unused };
  }

  /** Deletes the files of contents nothing names any more (after the purge committed). */
  removeFiles(shas: readonly string[]): void {
    for (const sha of shas) fs.rmSync(this.fileOf(sha), { force: true });
  }

  private fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }
}

function prepare(db: Database.Database) {
  return {
    byUpload: db.prepare<[string, string], AttachmentRow>('SELECT * FROM attachments WHERE session_id = ? AND upload_id = ?'),
    get: db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO attachments (id, session_id, upload_id, uploader_kind, uploader_id, name, type, size, sha256, created_at)
       VALUES (@id, @sessionId, @uploadId, @uploaderKind, @uploaderId, @name, @type, @size, @sha256, @createdAt)`,
    ),
    ofSession: db.prepare<[string, string], AttachmentRow>(
      'SELECT * FROM attachments WHERE session_id = ? AND id IN (SELECT value FROM json_each(?))',
    ),
    ofSessionAll: db.prepare<[string], { sha256: string }>('SELECT sha256 FROM attachments WHERE session_id = ?'),
    markSent: db.prepare(
      'UPDATE attachments SET message_seq = ? WHERE session_id = ? AND message_seq IS NULL AND id IN (SELECT value FROM json_each(?))',
    ),
    deleteOfSession: db.prepare('DELETE FROM attachments WHERE session_id = ?'),
    shaUsed: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM attachments WHERE sha256 = ? LIMIT 1'),
  };
}

function toAttachment(row: AttachmentRow): StoredAttachment {
  return {
    id: row.id,
    sessionId: row.session_id,
    uploadId: row.upload_id,
    uploader: { kind: row.uploader_kind, id: row.uploader_id },
    name: row.name,
    type: row.type,
    size: row.size,
    sha256: row.sha256,
    createdAt: row.created_at,
    messageSeq: row.message_seq,
  };
}
