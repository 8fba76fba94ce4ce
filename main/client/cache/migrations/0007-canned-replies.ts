// Cache schema v7: the canned replies the agent sees (shared and personal), kept for offline use.
import type { Migration } from './types';

export const migration0007: Migration = {
  version: 7,
  name: 'canned-replies',
  up(db) {
    db.exec('CREATE TABLE canned_replies (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID');
  },
};
