// Cache schema v6: what is known of the files messages carry, and where the ones already downloaded are kept, so
// they open offline.
import type { Migration } from './types';

export const migration0006: Migration = {
  version: 6,
  name: 'attachments',
  up(db) {
    db.exec(`
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        -- the file's name in the account's attachments folder once downloaded (or sent from here)
        file TEXT
      );
      CREATE INDEX attachments_by_session ON attachments(session_id);
      INSERT OR IGNORE INTO attachments(id, session_id, name, type, size, sha256)
        SELECT json_extract(a.value, '$.id'), e.session_id, json_extract(a.value, '$.name'), json_extract(a.value, '$.type'),
               json_extract(a.value, '$.size'), json_extract(a.value, '$.sha256')
        FROM events e, json_each(e.json, '$.attachments') a
        WHERE e.kind = 'message';
    `);
  },
};
