// Numbered schema migrations of the relay database, applied in order and recorded in PRAGMA user_version.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial',
    up(db) {
      db.exec(`
        CREATE TABLE accounts (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('agent', 'manager')),
          can_listen_in INTEGER NOT NULL,
          password_hash TEXT NOT NULL,
          chosen_status TEXT NOT NULL DEFAULT 'present' CHECK (chosen_status IN ('present', 'away')),
          created_at INTEGER NOT NULL
        );
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          customer_name TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'active', 'closed')),
          owner_id TEXT,
          pending_transfer TEXT,
          created_at INTEGER NOT NULL,
          closed_at INTEGER,
          last_seq INTEGER NOT NULL,
          last_message TEXT,
          waiting_since INTEGER
        );
        CREATE INDEX sessions_live ON sessions (state, created_at) WHERE state != 'closed';
        CREATE TABLE listeners (
          session_id TEXT NOT NULL REFERENCES sessions (id),
          agent_id TEXT NOT NULL,
          position INTEGER NOT NULL,
          PRIMARY KEY (session_id, agent_id)
        );
        CREATE TABLE participants (
          session_id TEXT NOT NULL,
          agent_id TEXT NOT NULL,
          PRIMARY KEY (session_id, agent_id)
        ) WITHOUT ROWID;
        CREATE TABLE events (
          session_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          kind TEXT NOT NULL,
          message_id TEXT,
          body TEXT NOT NULL,
          PRIMARY KEY (session_id, seq)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX events_message_id ON events (session_id, message_id) WHERE message_id IS NOT NULL;
        CREATE TABLE customer_tokens (
          token_hash TEXT PRIMARY KEY,
          session_id TEXT NOT NULL
        );
        CREATE TABLE requests (
          id TEXT PRIMARY KEY,
          session_id TEXT NOT NULL,
          created_by TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          body TEXT NOT NULL
        );
        CREATE INDEX requests_by_creator ON requests (created_by, created_at);
      `);
    },
  },
  {
    version: 2,
    name: 'events-append-order',
    // A WITHOUT ROWID table keyed by session puts each ~300-byte event in the middle of the tree, so every message
    // dirtied (and often split) a full page of big rows. Stored in arrival order, a batch of messages shares the last
    // pages; only the small index entries land at random. Halves the write cost per message (docs/performance.md).
    up(db) {
      db.exec(`
        CREATE TABLE events_v2 (
          session_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          kind TEXT NOT NULL,
          message_id TEXT,
          body TEXT NOT NULL
        );
        INSERT INTO events_v2 (session_id, seq, kind, message_id, body)
          SELECT session_id, seq, kind, message_id, body FROM events;
        DROP TABLE events;
        ALTER TABLE events_v2 RENAME TO events;
        CREATE UNIQUE INDEX events_session_seq ON events (session_id, seq);
        CREATE UNIQUE INDEX events_message_id ON events (session_id, message_id) WHERE message_id IS NOT NULL;
      `);
    },
  },
  {
    version: 3,
    name: 'accounts-online',
    // Who is online (connected, or within the offline grace) is kept durable, so a restart keeps the grace: an agent
    // who never comes back goes offline and offers to them end, instead of staying pending forever.
    up(db) {
      db.exec('ALTER TABLE accounts ADD COLUMN online INTEGER NOT NULL DEFAULT 0');
    },
  },
  {
    version: 4,
    name: 'retention-indexes',
    // The retention sweep finds the chats that closed longest ago, and deleting a chat deletes its tokens and requests:
    // without these each of those would read a whole table on the relay's one thread.
    up(db) {
      db.exec(`
        CREATE INDEX sessions_closed ON sessions (closed_at) WHERE state = 'closed';
        CREATE INDEX customer_tokens_session ON customer_tokens (session_id);
        CREATE INDEX requests_session ON requests (session_id);
      `);
    },
  },
  {
    version: 5,
    name: 'teams-capacity-statuses',
    // Teams and their members, a team per chat (queues per team), capacity per agent, Busy, idle (auto-away), disabled
    // accounts, when the shown status changed, and the directory version a running relay polls to notice what the CLI
    // changed in this file. The accounts table is rebuilt because its CHECK on chosen_status must now allow 'busy'.
    up(db) {
      db.exec(`
        CREATE TABLE accounts_rebuilt (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('agent', 'manager')),
          can_listen_in INTEGER NOT NULL,
          password_hash TEXT NOT NULL,
          chosen_status TEXT NOT NULL DEFAULT 'present' CHECK (chosen_status IN ('present', 'busy', 'away')),
          created_at INTEGER NOT NULL,
          online INTEGER NOT NULL DEFAULT 0,
          capacity INTEGER CHECK (capacity IS NULL OR capacity >= 1),
          disabled INTEGER NOT NULL DEFAULT 0,
          idle INTEGER NOT NULL DEFAULT 0,
          status_since INTEGER
        );
        INSERT INTO accounts_rebuilt (id, name, role, can_listen_in, password_hash, chosen_status, created_at, online)
          SELECT id, name, role, can_listen_in, password_hash, chosen_status, created_at, online FROM accounts;
        DROP TABLE accounts;
        ALTER TABLE accounts_rebuilt RENAME TO accounts;
        CREATE TABLE teams (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE team_members (
          team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
          agent_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
          PRIMARY KEY (team_id, agent_id)
        ) WITHOUT ROWID;
        CREATE INDEX team_members_by_agent ON team_members (agent_id);
        ALTER TABLE sessions ADD COLUMN team TEXT;
        CREATE INDEX sessions_queued_by_team ON sessions (team, created_at) WHERE state = 'queued';
        CREATE TABLE directory_version (
          one INTEGER PRIMARY KEY CHECK (one = 1),
          version INTEGER NOT NULL
        );
        INSERT INTO directory_version (one, version) VALUES (1, 0);
      `);
    },
  },
  {
    version: 6,
    name: 'attachments',
    // What is known of each upload; the bytes are files under attachments/ in the data folder, named by their SHA-256,
    // so the same content uploaded twice is stored once. (session, upload id) makes a resend harmless.
    up(db) {
      db.exec(`
        CREATE TABLE attachments (
          id TEXT PRIMARY KEY,
          session_id TEXT NOT NULL,
          upload_id TEXT NOT NULL,
          uploader_kind TEXT NOT NULL CHECK (uploader_kind IN ('customer', 'agent')),
          uploader_id TEXT,
          name TEXT NOT NULL,
          type TEXT NOT NULL,
          size INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          message_seq INTEGER
        );
        CREATE UNIQUE INDEX attachments_upload ON attachments (session_id, upload_id);
        CREATE INDEX attachments_sha256 ON attachments (sha256);
      `);
    },
  },
  {
    version: 7,
    name: 'canned-replies',
    // Shared replies have no owner; personal ones belong to one agent. The reply itself is the JSON body.
    up(db) {
      db.exec(`
        CREATE TABLE canned_replies (
          id TEXT PRIMARY KEY,
          owner_id TEXT,
          title TEXT NOT NULL,
          body TEXT NOT NULL
        );
        CREATE INDEX canned_replies_owner ON canned_replies (owner_id);
      `);
    },
  },
  {
    version: 8,
    name: 'requests-assignee',
    // Requests got an assignee (and a status, kept in the JSON body): an agent's list holds what they created and what
    // they are assigned. Requests stored before read as open and unassigned.
    up(db) {
      db.exec(`
        ALTER TABLE requests ADD COLUMN assignee_id TEXT;
        CREATE INDEX requests_by_assignee ON requests (assignee_id, created_at);
      `);
    },
  },
  {
    version: 9,
    name: 'ratings',
    // The customer's satisfaction rating, one per chat (the key refuses a second), beside its `rated` event: the
    // Dashboard's figures read averages from here instead of every chat's log.
    up(db) {
      db.exec(`
        CREATE TABLE ratings (
          session_id TEXT PRIMARY KEY,
          score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
          comment TEXT,
          rated_at INTEGER NOT NULL
        );
        CREATE INDEX ratings_rated_at ON ratings (rated_at);
      `);
    },
  },
  {
    version: 10,
    name: 'live chats by agent',
    // An agent's welcome lists the live chats they are in: read through these instead of every live chat, so signing
    // in does not cost more with every chat the relay carries (docs/performance.md, round 7).
    up(db) {
      db.exec(`
        CREATE INDEX sessions_live_by_owner ON sessions (owner_id) WHERE state != 'closed';
        CREATE INDEX sessions_offered ON sessions (created_at) WHERE pending_transfer IS NOT NULL AND state != 'closed';
        CREATE INDEX listeners_by_agent ON listeners (agent_id);
      `);
    },
  },
  {
    version: 11,
    name: 'agent sign-in tokens',
    // A signed-in agent's connection comes back with a token instead of the password (no scrypt per reconnect: a
    // restart's sign-in storm costs a lookup per agent). Only a hash is kept; a new password, a disabled or removed
    // account drops them (docs/security.md).
    up(db) {
      db.exec(`
        CREATE TABLE agent_tokens (
          token_hash TEXT PRIMARY KEY,
          agent_id TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX agent_tokens_by_agent ON agent_tokens (agent_id);
        CREATE INDEX agent_tokens_by_expiry ON agent_tokens (expires_at);
      `);
    },
  },
  {
    version: 12,
    name: 'resends found in memory',
    // Every message dirtied a random leaf page of this index besides one of events_session_seq: a WAL frame of 4 KB
    // written, checksummed and checkpointed per message for an index only a resend ever hits. The store finds
    // resends among the client ids of the chats it holds (SqliteStore `clientIds`, docs/performance.md, round 9).
    up(db) {
      db.exec('DROP INDEX IF EXISTS events_message_id');
    },
  },
];

export const LATEST_VERSION = migrations.at(-1)!.version;

/** Applies the missing migrations in one transaction; refuses a database written by a newer relay. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_VERSION) {
    throw new Error(
      `the relay database is at schema version ${current}, newer than this relay (${LATEST_VERSION}); upgrade the relay`,
    );
  }
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return;
  db.transaction(() => {
    for (const migration of pending) {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
  })();
}
