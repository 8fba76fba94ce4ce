// A scripted day as an event log, with times to the second: the figures it gives are worked out by hand in
// tests/relay/metrics.test.ts, and the same log is read back from SQLite (there) and PostgreSQL (tests/cluster).
import type { SessionEvent, SessionSummary, TransferOffer } from '../../common/domain';

export const DAY = Date.UTC(2025, 2, 14);
const at = (hh: number, mm: number, ss = 0) => DAY + ((hh * 60 + mm) * 60 + ss) * 1000;
const billing = { id: 'billing', name: 'Billing' };

type Draft = Omit<SessionEvent, 'sessionId' | 'seq'> & Record<string, unknown>;
function log(sessionId: string, drafts: Draft[]): SessionEvent[] {
  return drafts.map((d, i) => ({ ...d, sessionId, seq: i + 1 }) as SessionEvent);
}
const offer = (id: string, sessionId: string, over: Partial<TransferOffer>): TransferOffer => ({
  id,
  sessionId,
  fromId: 'alice',
  offeredBy: 'alice',
  toId: null,
  toTeam: null,
  candidates: [],
  note: null,
  createdAt: 0,
  expiresAt: null,
  ...over,
});
const agentSays = (id: string, name: string, time: number, messageId: string): Draft => ({
  kind: 'message',
  at: time,
  messageId,
  author: { kind: 'agent', id, name },
  text: 'hello',
});

/**
 * The scripted day: chat A (no team) opened 09:00, alice answers 09:01, offers it to Billing at 09:10 where bob passes
 * and carol accepts at 09:12, closed 09:30. Chat B (Billing) opened 10:00, assigned to bob, bob answers at 10:02,
 * offers it to alice who does not answer (timeout 10:05), closes 10:20. Chat C, yesterday, answered and closed
 * yesterday: nothing of it counts today.
 */
export const chatA = log('A', [
  { kind: 'opened', at: at(9, 0), customerName: 'Ann', team: null },
  { kind: 'assigned', at: at(9, 0, 5), agentId: 'alice', agentName: 'Alice Smith' },
  agentSays('alice', 'Alice Smith', at(9, 1), 'm-a-000001'),
  {
    kind: 'transfer-offered',
    at: at(9, 10),
    transfer: offer('t1', 'A', { toTeam: billing, candidates: ['bob', 'carol'] }),
  },
  { kind: 'transfer-passed', at: at(9, 11), transferId: 't1', agentId: 'bob', why: 'rejected', reason: 'busy' },
  { kind: 'transfer-accepted', at: at(9, 12), transferId: 't1', fromId: 'alice', fromName: 'Alice Smith', toId: 'carol', toName: 'Carol' },
  agentSays('carol', 'Carol', at(9, 13), 'm-a-000002'),
  { kind: 'closed', at: at(9, 30), by: { kind: 'agent', id: 'carol', name: 'Carol' } },
]);
export const chatB = log('B', [
  { kind: 'opened', at: at(10, 0), customerName: 'Ben', team: 'billing' },
  { kind: 'assigned', at: at(10, 1), agentId: 'bob', agentName: 'Bob Jones' },
  agentSays('bob', 'Bob Jones', at(10, 2), 'm-b-000001'),
  { kind: 'transfer-offered', at: at(10, 4), transfer: offer('t2', 'B', { fromId: 'bob', offeredBy: 'bob', toId: 'alice' }) },
  { kind: 'transfer-cancelled', at: at(10, 5), transferId: 't2', reason: 'timeout', byId: null },
  { kind: 'closed', at: at(10, 20), by: { kind: 'customer', id: null, name: 'Ben' } },
]);
export const chatC = log('C', [
  { kind: 'opened', at: at(-2, 0), customerName: 'Cat', team: 'billing' },
  { kind: 'assigned', at: at(-2, 0), agentId: 'bob', agentName: 'Bob Jones' },
  agentSays('bob', 'Bob Jones', at(-1, 59), 'm-c-000001'),
  { kind: 'closed', at: at(-1, 0), by: { kind: 'agent', id: 'bob', name: 'Bob Jones' } },
]);

export const input = {
  since: DAY,
  until: DAY + 24 * 3600_000,
  events: [...chatA, ...chatB, ...chatC],
  agents: [
    { id: 'alice', name: 'Alice Smith' },
    { id: 'bob', name: 'Bob Jones' },
    { id: 'carol', name: 'Carol' },
    { id: 'dave', name: 'Dave Idle' },
  ],
  teams: [billing, { id: 'tech', name: 'Technical' }],
};

/** The summary a store keeps for one of the chats above. */
export function summaryOf(id: string, events: SessionEvent[]): SessionSummary {
  const last = events.at(-1);
  return {
    id,
    customerName: 'x',
    state: last?.kind === 'closed' ? 'closed' : 'active',
    ownerId: 'bob',
    listeners: [],
    pendingTransfer: null,
    team: null,
    createdAt: events[0]!.at,
    closedAt: last?.kind === 'closed' ? last.at : null,
    lastSeq: events.length,
    lastMessage: null,
    waitingSince: null,
  };
}
