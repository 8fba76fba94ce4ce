// The small interfaces the relay hub is driven through (clock, ids, store, fan-out, timers, log), so the hub stays pure.
import type {
  AgentId,
  AgentRole,
  Request,
  SessionEvent,
  SessionId,
  SessionSummary,
  SettableStatus,
  TransferOffer,
} from '../common/domain';
import type { CustomerFrame, RelayFrame } from '../common/protocol';

export interface Clock {
  now(): number;
}

export interface Ids {
  /** a random, URL-safe id with a readable prefix (e.g. `ses_…`) */
  id(prefix: string): string;
  /** a random secret (customer session tokens) */
  secret(): string;
}

export interface Account {
  id: AgentId;
  name: string;
  role: AgentRole;
  canListenIn: boolean;
  passwordHash: string;
  /** the status the agent last chose; restored when they connect again */
  chosenStatus: SettableStatus;
}

/**
 * Durable state of the relay. Every method is synchronous and every write inside `transaction` is
 * committed when it returns, which is what lets the hub acknowledge only what is on disk.
 */
export interface RelayStore {
  transaction<T>(fn: () => T): T;

  getAccount(id: AgentId): Account | null;
  listAccounts(): Account[];
  createAccount(account: Omit<Account, 'chosenStatus'>): void;
  setChosenStatus(id: AgentId, status: SettableStatus): void;

  getSession(id: SessionId): SessionSummary | null;
  /** queued and active sessions, oldest first */
  listLiveSessions(): SessionSummary[];
  /** the chat that has waited longest for an agent */
  oldestQueuedSession(): SessionSummary | null;
  /** upserts the summary, its listeners and its pending transfer */
  putSession(session: SessionSummary): void;
  /** active sessions owned per agent */
  openChatCounts(): Map<AgentId, number>;
  listPendingTransfers(): TransferOffer[];

  appendEvent(event: SessionEvent): void;
  eventsAfter(sessionId: SessionId, afterSeq: number): SessionEvent[];
  findMessageSeq(sessionId: SessionId, messageId: string): number | null;

  /** everyone who was ever in a session's audience (may read it later) */
  addParticipant(sessionId: SessionId, agentId: AgentId): void;
  isParticipant(sessionId: SessionId, agentId: AgentId): boolean;

  putCustomerToken(tokenHash: string, sessionId: SessionId): void;
  sessionForToken(tokenHash: string): SessionId | null;

  addRequest(request: Request): void;
  /** all requests, or those created by one agent; newest first */
  listRequests(createdBy: AgentId | null): Request[];

  close(): void;
}

/** Delivers frames to live connections; in a scale-out deployment this is a pub/sub bus. */
export interface Fanout {
  toAgent(agentId: AgentId, frame: RelayFrame): void;
  toAllAgents(frame: RelayFrame): void;
  toCustomer(sessionId: SessionId, frame: CustomerFrame): void;
  /** the chat ended: customers of this session are told and disconnected */
  endCustomer(sessionId: SessionId): void;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  schedule(delayMs: number, task: () => void): TimerHandle;
}

export type LogEntry = { event: string } & Record<string, unknown>;
export type Log = (entry: LogEntry) => void;
