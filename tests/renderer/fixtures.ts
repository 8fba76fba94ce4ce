// Agents, sessions, events and snapshots for renderer tests, built small and overridable.
import { type ClientSnapshot, defaultSettings } from '../../common/bridge';
import type { AgentInfo, Request, SessionEventOf, SessionSummary, TransferOffer } from '../../common/domain';

export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);

export function agent(id: string, over: Partial<AgentInfo> = {}): AgentInfo {
  return {
    id,
    name: id.charAt(0).toUpperCase() + id.slice(1),
    role: 'agent',
    canListenIn: false,
    status: 'present',
    openChats: 0,
    ...over,
  };
}

export const alice = agent('alice');
export const bob = agent('bob');
export const carol = agent('carol', { status: 'away' });
export const dave = agent('dave');
export const maria = agent('maria', { role: 'manager', canListenIn: true });

export function session(id: string, over: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id,
    customerName: `Customer ${id}`,
    state: 'active',
    ownerId: 'alice',
    listeners: [],
    pendingTransfer: null,
    createdAt: T0,
    closedAt: null,
    lastSeq: 2,
    lastMessage: null,
    waitingSince: null,
    ...over,
  };
}

export function offer(sessionId: string, over: Partial<TransferOffer> = {}): TransferOffer {
  return {
    id: `tr-${sessionId}`,
    sessionId,
    fromId: 'alice',
    offeredBy: 'alice',
    toId: 'bob',
    note: null,
    createdAt: T0 + 1000,
    expiresAt: null,
    ...over,
  };
}

export function message(sessionId: string, seq: number, text: string, from: 'customer' | string = 'customer'): SessionEventOf<'message'> {
  return {
    kind: 'message',
    sessionId,
    seq,
    at: T0 + seq * 1000,
    messageId: `m-${sessionId}-${String(seq).padStart(6, '0')}`,
    author:
      from === 'customer'
        ? { kind: 'customer', id: null, name: 'Customer' }
        : { kind: 'agent', id: from, name: from.charAt(0).toUpperCase() + from.slice(1) },
    text,
  };
}

export function request(id: string, over: Partial<Request> = {}): Request {
  return {
    id,
    sessionId: 's1',
    title: `Request ${id}`,
    description: null,
    customerName: 'Customer s1',
    createdBy: 'alice',
    createdAt: T0,
    transcript: [],
    status: 'open',
    assigneeId: null,
    updatedAt: null,
    solvedAt: null,
    ...over,
  };
}

export function snapshot(over: Partial<ClientSnapshot> = {}): ClientSnapshot {
  return {
    me: alice,
    connection: { status: 'online', since: T0 },
    agents: [alice, bob, carol, dave, maria],
    sessions: [],
    outbox: [],
    unread: {},
    requests: [],
    cannedReplies: [],
    attachmentLimits: null,
    settings: defaultSettings,
    ...over,
  };
}
