// Cache schema v4: internal notes are searchable offline like messages, marked as notes. The messages table (and so
// its FTS index) takes notes too, told apart by `kind`; notes already in the event log are indexed now.
import type { Migration } from './types';

export const migration0004: Migration = {
  version: 4,
  name: 'notes-searchable',
  up(db) {
    db.exec(`
      ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
      INSERT OR IGNORE INTO messages(session_id, seq, message_id, author_kind, author_name, customer_name, at, text, kind)
        SELECT e.session_id, e.seq, json_extract(e.json, '$.noteId'), 'agent', json_extract(e.json, '$.author.name'),
               coalesce(s.customer_name, ''), e.at, json_extract(e.json, '$.text'), 'note'
        FROM events e LEFT JOIN sessions s ON s.id = e.session_id
        WHERE e.kind = 'note';
    `);
  },
};
