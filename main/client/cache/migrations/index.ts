// Every cache migration, in the order they are applied.
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-fts';
import { migration0003 } from './0003-fts-incremental-merge';
import { migration0004 } from './0004-notes-searchable';
import { migration0005 } from './0005-outbox-notes-files';
import { migration0006 } from './0006-attachments';
import { migration0007 } from './0007-canned-replies';
import { migration0008 } from './0008-team-transfers';
import type { Migration } from './types';

export type { Migration } from './types';
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
];
export const LATEST_VERSION = migrations.at(-1)?.version ?? 0;
