// Numbered schema migrations of the cluster's PostgreSQL database, applied in order in one transaction under an
// advisory lock (nodes may start together), recorded in baton_schema; a database from a newer relay is refused.
import type pg from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const pgMigrations: PgMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'manager')),
        can_listen_in BOOLEAN NOT NULL,
        password_hash TEXT NOT NULL,
        chosen_status TEXT NOT NULL DEFAULT 'present' CHECK (chosen_status IN ('present', 'away')),
        online BOOLEAN NOT NULL DEFAULT false,
        -- routing ties go to whoever was assigned a chat least recently (0: never)
        last_assigned BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL
      );
      CREATE SEQUENCE assignments;
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        customer_name TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'active', 'closed')),
        owner_id TEXT,
        listeners TEXT[] NOT NULL DEFAULT '{}',
        pending_transfer TEXT,
        created_at BIGINT NOT NULL,
        closed_at BIGINT,
        last_seq INTEGER NOT NULL,
        last_message TEXT,
        waiting_since BIGINT
      );
      CREATE INDEX sessions_live ON sessions (created_at, id) WHERE state <> 'closed';
      CREATE INDEX sessions_queued ON sessions (created_at, id) WHERE state = 'queued';
      CREATE INDEX sessions_open_by_owner ON sessions (owner_id) WHERE state = 'active';
      CREATE TABLE events (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        message_id TEXT,
        body TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      );
      -- a resend of the same message id is stored once, whichever node it reaches
      CREATE UNIQUE INDEX events_message_id ON events (session_id, message_id) WHERE message_id IS NOT NULL;
      CREATE TABLE participants (
        session_id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        PRIMARY KEY (session_id, agent_id)
      );
      CREATE TABLE customer_tokens (
        token_hash TEXT PRIMARY KEY,
        session_id TEXT NOT NULL
      );
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX requests_by_creator ON requests (created_by, created_at);
      -- durable timers (transfer expiry, offline grace), keyed by what they fire for; claimed FOR UPDATE SKIP LOCKED
      CREATE TABLE timers (
        key TEXT PRIMARY KEY,
        due_at BIGINT NOT NULL
      );
      CREATE INDEX timers_due ON timers (due_at);
    `,
  },
  {
    version: 2,
    name: 'retention-indexes',
    // the retention sweep takes the chats that closed longest ago; deleting a chat deletes its tokens and requests
    sql: `
      CREATE INDEX sessions_closed ON sessions (closed_at) WHERE state = 'closed';
      CREATE INDEX customer_tokens_session ON customer_tokens (session_id);
      CREATE INDEX requests_session ON requests (session_id);
    `,
  },
  {
    version: 3,
    name: 'teams-capacity-statuses',
    // Teams and their members, a team per chat (queues per team), capacity per agent, Busy, idle (auto-away), disabled
    // accounts, when the shown status changed, and the directory version every node polls (the CLI may write it).
    sql: `
      ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_chosen_status_check;
      ALTER TABLE accounts ADD CONSTRAINT accounts_chosen_status_check CHECK (chosen_status IN ('present', 'busy', 'away'));
      ALTER TABLE accounts
        ADD COLUMN capacity INTEGER CHECK (capacity IS NULL OR capacity >= 1),
        ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT false,
        ADD COLUMN idle BOOLEAN NOT NULL DEFAULT false,
        ADD COLUMN status_since BIGINT;
      CREATE TABLE teams (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE team_members (
        team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        agent_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        PRIMARY KEY (team_id, agent_id)
      );
      CREATE INDEX team_members_by_agent ON team_members (agent_id);
      ALTER TABLE sessions ADD COLUMN team TEXT;
      CREATE INDEX sessions_queued_by_team ON sessions ((coalesce(team, '')), created_at, id) WHERE state = 'queued';
      CREATE TABLE directory_version (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        version BIGINT NOT NULL
      );
      INSERT INTO directory_version (one, version) VALUES (1, 0);
    `,
  },
  {
    version: 4,
    name: 'attachments',
    // Uploads: their bytes once per content (SHA-256) and a row per (session, upload id), so a resend stores nothing.
    sql: `
      CREATE TABLE attachment_blobs (
        sha256 TEXT PRIMARY KEY,
        bytes BYTEA NOT NULL
      );
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        uploader_kind TEXT NOT NULL CHECK (uploader_kind IN ('customer', 'agent')),
        uploader_id TEXT,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL REFERENCES attachment_blobs (sha256),
        created_at BIGINT NOT NULL,
        message_seq INTEGER,
        UNIQUE (session_id, upload_id)
      );
      CREATE INDEX attachments_sha256 ON attachments (sha256);
    `,
  },
  {
    version: 5,
    name: 'canned-replies',
    // Shared replies have no owner; personal ones belong to one agent. The reply itself is the JSON body.
    sql: `
      CREATE TABLE canned_replies (
        id TEXT PRIMARY KEY,
        owner_id TEXT,
        title TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX canned_replies_owner ON canned_replies (owner_id);
    `,
  },
  {
    version: 6,
    name: 'requests-assignee',
    // Requests got an assignee (and a status, in the JSON body); requests stored before read as open and unassigned.
    sql: `
      ALTER TABLE requests ADD COLUMN assignee_id TEXT;
      CREATE INDEX requests_by_assignee ON requests (assignee_id, created_at);
    `,
  },
  {
    version: 7,
    name: 'ratings',
    // the customer's satisfaction rating, one per chat, beside its `rated` event; the Dashboard's figures read it
    sql: `
      CREATE TABLE ratings (
        session_id TEXT PRIMARY KEY,
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        comment TEXT,
        rated_at BIGINT NOT NULL
      );
      CREATE INDEX ratings_rated_at ON ratings (rated_at);
    `,
  },
  {
    version: 8,
    name: 'live-chats-by-agent',
    // an agent's welcome lists the live chats they are in: read through these instead of every live chat
    sql: `
      CREATE INDEX sessions_live_by_owner ON sessions (owner_id) WHERE state <> 'closed';
      CREATE INDEX sessions_live_listeners ON sessions USING gin (listeners) WHERE state <> 'closed';
      CREATE INDEX sessions_offered ON sessions (created_at) WHERE pending_transfer IS NOT NULL AND state <> 'closed';
    `,
  },
  {
    version: 9,
    name: 'agent-sign-in-tokens',
    // a signed-in agent's connections come back with a token instead of the password (no scrypt per reconnect)
    sql: `
      CREATE TABLE agent_tokens (
        token_hash TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX agent_tokens_by_agent ON agent_tokens (agent_id);
      CREATE INDEX agent_tokens_by_expiry ON agent_tokens (expires_at);
    `,
  },
];

export const PG_LATEST_VERSION = pgMigrations.at(-1)!.version;

/** an arbitrary constant: the advisory lock that serialises migrations of one database */
const MIGRATION_LOCK = 7_420_001;

export async function migratePg(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS baton_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM baton_schema');
    const current = rows[0]?.version ?? 0;
    if (current > PG_LATEST_VERSION) {
      throw new Error(
        `the PostgreSQL database is at Baton schema version ${current}, newer than this relay (${PG_LATEST_VERSION}); upgrade the relay`,
      );
    }
    for (const migration of pgMigrations.filter((m) => m.version > current)) await client.query(migration.sql);
    if (current < PG_LATEST_VERSION) {
      if (rows.length) await client.query('UPDATE baton_schema SET version = $1', [PG_LATEST_VERSION]);
      else await client.query('INSERT INTO baton_schema (version) VALUES ($1)', [PG_LATEST_VERSION]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
