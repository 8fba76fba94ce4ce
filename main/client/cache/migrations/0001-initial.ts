// Cache schema v1: sessions, their event log and the tables derived from it, settings, presence, read marks, outbox.
import type { Migration } from './types';

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        owner_id TEXT,
        created_at INTEGER NOT NULL,
        closed_at INTEGER,
        last_seq INTEGER NOT NULL,
        summary TEXT NOT NULL
      );
      CREATE INDEX sessions_by_closed_at ON sessions(closed_at) WHERE state = 'closed';

      CREATE TABLE events (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) WITHOUT ROWID;

      -- highest seq such that events 1..held_seq are all cached: what resume asks the relay to continue after
      CREATE TABLE held_seqs (session_id TEXT PRIMARY KEY, held_seq INTEGER NOT NULL) WITHOUT ROWID;

      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        author_kind TEXT NOT NULL,
        author_name TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        at INTEGER NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (session_id, seq)
      );
      CREATE INDEX messages_by_at ON messages(at);

      CREATE TABLE transfers (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        from_id TEXT NOT NULL,
        offered_by TEXT NOT NULL,
        to_id TEXT NOT NULL,
        note TEXT,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        ended_at INTEGER,
        end_reason TEXT
      );
      CREATE INDEX transfers_by_session ON transfers(session_id);

      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        json TEXT NOT NULL
      );

      CREATE TABLE presence (agent_id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE read_marks (session_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;

      CREATE TABLE outbox (
        message_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        error TEXT
      );
    `);
  },
};
