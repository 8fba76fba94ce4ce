// Builders for domain values used across the client tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionEvent, SessionSummary } from '../../common/domain';

export function tempDir(): string {
  return fs.mkdtempSync(`${os.tmpdir()}${path.sep}baton-`);
}

export function summary(id: string, over: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id,
    customerName: 'Erin Customer',
    state: 'active',
    ownerId: 'alice',
    listeners: [],
    pendingTransfer: null,
    createdAt: 1_000,
    closedAt: null,
    lastSeq: 0,
    lastMessage: null,
    waitingSince: null,
    ...over,
  };
}

let counter = 0;
export function message(sessionId: string, seq: number, text: string, over: { at?: number; customer?: boolean } = {}): SessionEvent {
  counter += 1;
  const customer = over.customer ?? true;
  return {
    kind: 'message',
    sessionId,
    seq,
    at: over.at ?? 1_000 + seq,
    messageId: `m${String(counter).padStart(8, '0')}x${seq}`,
    author: customer ? { kind: 'customer', id: null, name: 'Erin Customer' } : { kind: 'agent', id: 'alice', name: 'Alice' },
    text,
  };
}

export function opened(sessionId: string, customerName = 'Erin Customer', at = 1_000): SessionEvent {
  return { kind: 'opened', sessionId, seq: 1, at, customerName };
}
