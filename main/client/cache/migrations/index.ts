// Every cache migration, in the order they are applied.
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-fts';
import { migration0003 } from './0003-fts-incremental-merge';
import { migration0004 } from './0004-team-transfers';
import type { Migration } from './types';

export type { Migration } from './types';
export const migrations: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004];
export const LATEST_VERSION = migrations.at(-1)?.version ?? 0;
