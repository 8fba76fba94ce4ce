// Cache schema v3: FTS5 segment merges become explicit small steps (the client runs them between ingest slices),
// because automatic merges could hold the main thread for 50-100 ms at 100k messages.
import type { Migration } from './types';

export const migration0003: Migration = {
  version: 3,
  name: 'fts-incremental-merge',
  up(db) {
    db.exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 0)`);
  },
};
