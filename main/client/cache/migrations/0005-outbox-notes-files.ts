// Cache schema v5: the outbox holds notes as well as messages, and files to upload before their message is sent
// (what the file is, where its bytes wait, and the relay's id for it once uploaded).
import type { Migration } from './types';

export const migration0005: Migration = {
  version: 5,
  name: 'outbox-notes-files',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
      ALTER TABLE outbox ADD COLUMN attachment TEXT;
    `);
  },
};
