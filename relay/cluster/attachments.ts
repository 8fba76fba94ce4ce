// The cluster's attachments in PostgreSQL: the bytes once per content in attachment_blobs, a row per upload in
// attachments. Any node serves any attachment; what one node stored is there for all.
import type pg from 'pg';
import type { SessionId } from '../../common/domain';
import type { AttachmentStore, StoredAttachment } from '../ports';

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

type Db = pg.ClientBase | pg.Pool;
type Transaction = <T>(body: (db: pg.ClientBase) => Promise<T>) => Promise<T>;
/** a query on the pool that reports a lost PostgreSQL as StoreUnavailable */
type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

export class PgAttachments implements AttachmentStore {
  constructor(
    private readonly query: Query,
    private readonly transaction: Transaction,
  ) {}

  put(attachment: StoredAttachment, bytes: Buffer) {
    return this.transaction(async (db) => {
      await db.query('INSERT INTO attachment_blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING', [
        attachment.sha256,
        bytes,
      ]);
      const inserted = await db.query<AttachmentRow>(
        `INSERT INTO attachments (id, session_id, upload_id, uploader_kind, uploader_id, name, type, size, sha256, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (session_id, upload_id) DO NOTHING RETURNING *`,
        [
          attachment.id,
          attachment.sessionId,
          attachment.uploadId,
          attachment.uploader.kind,
          attachment.uploader.id,
          attachment.name,
          attachment.type,
          attachment.size,
          attachment.sha256,
          attachment.createdAt,
        ],
      );
      if (inserted.rows[0]) return { attachment: toAttachment(inserted.rows[0]), created: true };
      // the same upload id reached this or another node before
      const { rows } = await db.query<AttachmentRow>('SELECT * FROM attachments WHERE session_id = $1 AND upload_id = $2', [
        attachment.sessionId,
        attachment.uploadId,
      ]);
      const earlier = toAttachment(rows[0]!);
      return earlier.sha256 === attachment.sha256 ? { attachment: earlier, created: false } : { conflict: true as const };
    });
  }

  async get(id: string): Promise<StoredAttachment | null> {
    const [row] = await this.query<AttachmentRow>('SELECT * FROM attachments WHERE id = $1', [id]);
    return row ? toAttachment(row) : null;
  }

  async read(attachment: StoredAttachment): Promise<Buffer | null> {
    const [row] = await this.query<{ bytes: Buffer }>('SELECT bytes FROM attachment_blobs WHERE sha256 = $1', [attachment.sha256]);
    return row?.bytes ?? null;
  }

  /** Removes the rows of these sessions and the bytes no other row names, in one transaction. */
  purgeSessions(sessionIds: readonly SessionId[]): Promise<number> {
    if (!sessionIds.length) return Promise.resolve(0);
    return this.transaction(async (db) => {
      const { removed, shas } = await purgeAttachmentRows(db, sessionIds);
      await purgeUnnamedBlobs(db, shas);
      return removed;
    });
  }
}

/** Deletes the attachment rows of these sessions; the contents they named (for `purgeUnnamedBlobs`). */
export async function purgeAttachmentRows(db: Db, sessionIds: readonly SessionId[]): Promise<{ removed: number; shas: string[] }> {
  const { rows } = await db.query<{ sha256: string }>('DELETE FROM attachments WHERE session_id = ANY($1) RETURNING sha256', [
    [...sessionIds],
  ]);
  return { removed: rows.length, shas: [...new Set(rows.map((r) => r.sha256))] };
}

/** Deletes the bytes of those contents that no attachment row names any more; how many. */
export async function purgeUnnamedBlobs(db: Db, shas: readonly string[]): Promise<number> {
  if (!shas.length) return 0;
  const { rowCount } = await db.query(
    'DELETE FROM attachment_blobs b WHERE b.sha256 = ANY($1) AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256)',
    [[...shas]],
  );
  return rowCount ?? 0;
}

/** The attachments among `ids` that belong to the session (read inside a command's transaction). */
export async function attachmentsOfSession(db: Db, sessionId: SessionId, ids: readonly string[]): Promise<StoredAttachment[]> {
  if (!ids.length) return [];
  const { rows } = await db.query<AttachmentRow>('SELECT * FROM attachments WHERE session_id = $1 AND id = ANY($2)', [
    sessionId,
    [...ids],
  ]);
  return rows.map(toAttachment);
}

/** A message carries them: the customer may download them from now on. */
export async function markAttachmentsSent(db: Db, sessionId: SessionId, ids: readonly string[], seq: number): Promise<void> {
  await db.query('UPDATE attachments SET message_seq = $1 WHERE session_id = $2 AND message_seq IS NULL AND id = ANY($3)', [
    seq,
    sessionId,
    [...ids],
  ]);
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
    createdAt: Number(row.created_at),
    messageSeq: row.message_seq,
  };
}
