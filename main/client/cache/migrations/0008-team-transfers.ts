// Cache schema v8: a transfer may be offered to a team instead of one agent, so the transfer history keeps the team
// and has no single target for such an offer. The table is rebuilt because SQLite cannot drop a NOT NULL in place.
import type { Migration } from './types';

export const migration0008: Migration = {
  version: 8,
  name: 'team-transfers',
  up(db) {
    db.exec(`
      CREATE TABLE transfers_v8 (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        from_id TEXT NOT NULL,
        offered_by TEXT NOT NULL,
        to_id TEXT,
        to_team_id TEXT,
        to_team_name TEXT,
        note TEXT,
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        ended_at INTEGER,
        end_reason TEXT,
        CHECK (to_id IS NOT NULL OR to_team_id IS NOT NULL)
      );
      INSERT INTO transfers_v8 (id, session_id, from_id, offered_by, to_id, note, created_at, state, ended_at, end_reason)
        SELECT id, session_id, from_id, offered_by, to_id, note, created_at, state, ended_at, end_reason FROM transfers;
      DROP TABLE transfers;
      ALTER TABLE transfers_v8 RENAME TO transfers;
      CREATE INDEX transfers_by_session ON transfers(session_id);
    `);
  },
};
