// The shape of one numbered cache migration.
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** the `PRAGMA user_version` the database has after this migration */
  version: number;
  name: string;
  up(db: Database): void;
}
