// What a decision reads and returns. A decision is a pure function of one session as the runner loaded it (locked),
// the actor, the command and a few facts (clock, ids, accounts, presence) to the events to append and the effects to
// run after the commit, or a typed error. Nothing here does I/O: the same rules serve SQLite and PostgreSQL.
import {
  type AgentId,
  type AgentStatus,
  fold,
  isOfferedTo,
  offerTargets,
  type Request,
  type SessionEvent,
  type SessionId,
  type SessionSummary,
  type Team,
  type TeamId,
  type TransferOffer,
} from '../../common/domain';

export { type Derived, fold } from '../../common/domain';
import { type ErrorCode, errorSentences } from '../../common/errors';
import { fail, type Result } from '../../common/result';
import type { Account, LogEntry, StoredAttachment } from '../ports';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event before the runner gives it its session, seq and time. */
export type NewEvent = DistributiveOmit<SessionEvent, 'sessionId' | 'seq' | 'at'>;
export type NewEventOf<K extends SessionEvent['kind']> = Extract<NewEvent, { kind: K }>;

export interface CoreOptions {
  /** null: transfers wait for an answer forever */
  transferTimeoutMs: number | null;
  offlineGraceMs: number;
  /** open chats per agent before routing passes them by */
  capacity: number;
}

/** What a decision may consult besides its session: read-only, answered from what is already in memory. */
export interface Facts {
  now: number;
  newId(prefix: string): string;
  options: CoreOptions;
  account(id: AgentId): Account | null;
  /** offline, or the status the agent chose (Away while idle) */
  statusOf(id: AgentId): AgentStatus;
  team(id: TeamId): Team | null;
  /** accounts in the team, in id order */
  members(team: TeamId): AgentId[];
  /** active chats the agent owns, as of just before the command (read outside the session's lock) */
  openChats(id: AgentId): number;
  /** the agent's own capacity, or the relay's default */
  capacityOf(id: AgentId): number;
}

/** The status an account shows: offline unless online and enabled, Away while idle, else what the agent chose. */
export function shownStatus(account: Pick<Account, 'online' | 'disabled' | 'idle' | 'chosenStatus'> | null | undefined): AgentStatus {
  if (!account?.online || account.disabled) return 'offline';
  return account.idle ? 'away' : account.chosenStatus;
}

/** Open chats before routing passes the agent by. */
export function capacityOf(account: Pick<Account, 'capacity'> | null | undefined, fallback: number): number {
  return account?.capacity ?? fallback;
}

/** Durable timers are keyed by what they fire for, so re-arming is idempotent and a claim fires each once. */
export type TimerKey = `transfer:${SessionId}:${string}` | `grace:${AgentId}`;
export const transferTimerKey = (offer: Pick<TransferOffer, 'sessionId' | 'id'>): TimerKey =>
  `transfer:${offer.sessionId}:${offer.id}`;
export const graceTimerKey = (agentId: AgentId): TimerKey => `grace:${agentId}`;

export type Effect =
  | { type: 'arm-timer'; key: TimerKey; at: number }
  | { type: 'disarm-timer'; key: TimerKey }
  /** the chat ended: customer connections are told and closed */
  | { type: 'end-customer' }
  /** the log lines docs/relay.md lists, written once the change is committed */
  | { type: 'log'; entry: LogEntry };

/** A decision's outcome: the session as it should be (derived fields are folded by the runner) and what to append. */
export interface Change<R = undefined> {
  session: SessionSummary;
  events: NewEvent[];
  effects: Effect[];
  value: R;
}

export type Decision<R = undefined> = Result<Change<R>>;

/** Extra reads a command needs inside its transaction, besides the session itself. */
export interface LoadSpec {
  /** look up a client message id: a resend is answered with the stored seq */
  messageId?: string;
  /** the whole event log (a request keeps the transcript) */
  transcript?: boolean;
  /** attachments a message names: those of this session are loaded */
  attachments?: readonly string[];
  /** a request of this session (its status and assignee change) */
  request?: string;
  /** accounts read as stored, in the same transaction (an offer's target: its status decides) */
  agents?: AgentId[];
}

export interface Loaded {
  session: SessionSummary;
  /** seq of the message with LoadSpec.messageId, if it is stored */
  duplicateSeq: number | null;
  /** the event log, when LoadSpec.transcript asked for it */
  transcript: SessionEvent[] | null;
  /** the attachments LoadSpec.attachments named that belong to this session */
  attachments: readonly StoredAttachment[];
  /** the request LoadSpec.request named, when it belongs to this session */
  request: Request | null;
  /** the accounts LoadSpec.agents named (those that exist) */
  accounts: ReadonlyMap<AgentId, Account>;
}

/** No accounts, or no attachments, asked for: shared (a decision reads what it loaded, never changes it). */
export const NO_ACCOUNTS: ReadonlyMap<AgentId, Account> = new Map();
export const NO_ATTACHMENTS: readonly StoredAttachment[] = Object.freeze([]);

/** What a decision reads when it asked for nothing but the session. */
export const loadedOnly = (session: SessionSummary): Loaded => ({
  session,
  duplicateSeq: null,
  transcript: null,
  attachments: NO_ATTACHMENTS,
  request: null,
  accounts: NO_ACCOUNTS,
});

export const refuse = (code: ErrorCode, message?: string): Result<never> => fail(code, message ?? errorSentences[code]);

/** A change to this session with these events and effects. */
export function change<R = undefined>(
  session: SessionSummary,
  events: NewEvent[],
  effects: Effect[] = [],
  value?: R,
): Decision<R> {
  return { ok: true, value: { session, events, effects, value: value as R } };
}

/** A guard's rules in order: the first that does not hold is the answer. */
export type Rule = readonly [holds: boolean, code: ErrorCode, message?: string];

/** The one guard every decision starts with: its rules, checked in order, or null when all hold. */
export function check(...rules: Rule[]): Result<never> | null {
  for (const [holds, code, message] of rules) if (!holds) return refuse(code, message);
  return null;
}

/** Owner, listeners and whoever the pending offer waits on: the agents who receive a session's events. */
export function audience(session: SessionSummary): AgentId[] {
  // the common case (an owner, nobody else) without a Set: this runs for every message
  if (!session.listeners.length && !session.pendingTransfer) return session.ownerId ? [session.ownerId] : [];
  const members = new Set<AgentId>(session.listeners);
  if (session.ownerId) members.add(session.ownerId);
  if (session.pendingTransfer) for (const id of offerTargets(session.pendingTransfer)) members.add(id);
  return [...members];
}

export function inAudience(session: SessionSummary, agentId: AgentId): boolean {
  return session.ownerId === agentId || session.listeners.includes(agentId) || isOfferedTo(session.pendingTransfer, agentId);
}

export function addTo(list: readonly AgentId[], id: AgentId): AgentId[] {
  return list.includes(id) ? [...list] : [...list, id];
}

export function without(list: readonly AgentId[], id: AgentId): AgentId[] {
  return list.filter((l) => l !== id);
}

/** Managers and agents allowed to listen in see every live chat (the Dashboard). */
export function seesDashboard(account: Pick<Account, 'role' | 'canListenIn'>): boolean {
  return account.role === 'manager' || account.canListenIn;
}

export function nameOf(facts: Facts, agentId: AgentId): string {
  return facts.account(agentId)?.name ?? agentId;
}

export function transferLog(
  transition: string,
  transfer: TransferOffer,
  extra: Record<string, unknown>,
): Effect {
  return {
    type: 'log',
    entry: {
      event: `transfer-${transition}`,
      sessionId: transfer.sessionId,
      transferId: transfer.id,
      from: transfer.fromId,
      to: transfer.toId ?? `team:${transfer.toTeam?.id ?? ''}`,
      ...extra,
    },
  };
}

/** The id a client chose for an event (a message's or a note's): a resend with it is stored once. */
export function clientIdOf(event: SessionEvent): string | null {
  return event.kind === 'message' ? event.messageId : event.kind === 'note' ? event.noteId : null;
}

/** Gives drafts their seqs (after the session's last) and time, and folds them into the summary. */
export function sequence(
  before: SessionSummary,
  next: SessionSummary,
  drafts: NewEvent[],
  at: number,
): { session: SessionSummary; events: SessionEvent[] } {
  // summaries are never changed in place, so `next` is used as it is when it already has the seq (a message's case)
  let session: SessionSummary = next.lastSeq === before.lastSeq ? next : { ...next, lastSeq: before.lastSeq };
  const events: SessionEvent[] = [];
  for (const draft of drafts) {
    // the new fields first: on Node 20, `{ ...draft, seq }` (adding fields to a spread copy) costs ~3 µs an object,
    // this ~0.2 µs (docs/performance.md, round 8); a draft has none of them (NewEvent)
    const event = { sessionId: session.id, seq: session.lastSeq + 1, at, ...draft } as SessionEvent;
    events.push(event);
    session = fold(session, event);
  }
  return { session, events };
}
