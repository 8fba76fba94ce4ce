// The ports the relay's runner (Hub) is driven through. Each has an embedded implementation (one process, SQLite, in
// memory: relay/embedded/) and a cluster one (PostgreSQL + Redis: relay/cluster/). The decisions themselves
// (relay/core/) are pure and see none of this.
import type {
  AgentId,
  AgentRole,
  Attachment,
  CannedReply,
  Request,
  SessionEvent,
  SessionId,
  SessionSummary,
  SettableStatus,
  Team,
  TeamId,
  TransferOffer,
} from '../common/domain';
import type { CustomerFrame, RelayFrame } from '../common/protocol';
import type { Result } from '../common/result';
import type { Decision, Effect, LoadSpec, Loaded, NewEvent, TimerKey } from './core/model';

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
  /** connected, or disconnected for less than the grace period; kept durable so a restart keeps the grace */
  online: boolean;
  /** the teams the account belongs to, in id order */
  teams: TeamId[];
  /** open chats before routing passes the agent by; null: the relay's --capacity */
  capacity: number | null;
  /** a manager disabled the account: it cannot sign in, and its connections were closed */
  disabled: boolean;
  /** the client reported no input for the agent's auto-away time: shown Away, chosenStatus kept */
  idle: boolean;
  /** when the shown status last changed (ms); null before it ever did */
  statusSince: number | null;
}

export type NewAccount = Pick<Account, 'id' | 'name' | 'role' | 'canListenIn' | 'passwordHash'> &
  Partial<Pick<Account, 'teams' | 'capacity'>>;

/** What an administrator may change on an account (relay/directory.ts checks the rules). */
export type AccountPatch = Partial<Pick<Account, 'name' | 'role' | 'canListenIn' | 'passwordHash' | 'teams' | 'capacity' | 'disabled'>>;

/** One command on one session, as the runner runs it: serialised with every other command on that session. */
export interface SessionCommand<R> {
  sessionId: SessionId;
  /** refuse with `session-closed` when the session is closed (every command but create-request and the timers) */
  requireOpen: boolean;
  load?: LoadSpec;
  decide(loaded: Loaded): Decision<R>;
}

/** A committed change: the session before and after, the events as stored (with their seqs), what to do next. */
export interface Applied<R = undefined> {
  before: SessionSummary;
  after: SessionSummary;
  events: SessionEvent[];
  effects: Effect[];
  value: R;
  /** the whole log after the change, read in the same transaction when the audience gained someone */
  log: SessionEvent[] | null;
}

/** What routing may read, taken under the routing lock with the oldest queued chat. */
export interface RoutingSnapshot {
  /** accounts as stored now (a cluster node's directory may be a moment behind) */
  accounts: ReadonlyMap<AgentId, Account>;
  openChats: ReadonlyMap<AgentId, number>;
  lastAssignedAt: ReadonlyMap<AgentId, number>;
}

/**
 * Runs commands: loads and locks the session, lets the decision decide, appends its events with seqs allocated inside
 * the same serialised transaction, applies durable timer effects, and commits. Embedded: synchronous group commit on
 * SQLite. Cluster: one PostgreSQL transaction per command with the session row locked.
 */
export interface CommandRunner {
  run<R>(command: SessionCommand<R>): Promise<Result<Applied<R>>>;
  /**
   * `run`, done before it returns: offered by a runner whose commands never wait (the embedded one, on its one SQLite
   * connection), so the hub's message path needs no promise (Hub `customerSendNow`, `agentSendNow`).
   */
  runNow?<R>(command: SessionCommand<R>): Result<Applied<R>>;
  /** a new chat: the session, its first events and the customer's token hash */
  open(session: SessionSummary, events: NewEvent[], tokenHash: string): Promise<Result<Applied>>;
  /**
   * Routing: the chat at the head of each queue (one queue per team, one for chats of no team), oldest first, locked
   * so no other node assigns them, decided in turn with the open-chat counts until one is assigned; null when no chat
   * waits. The decision returns no events when nobody can take that chat, and the next queue's head is tried.
   */
  routeOldest(decide: (loaded: Loaded, snapshot: RoutingSnapshot) => Decision): Promise<Result<Applied> | null>;
  /** the commit hook: runs `task` once everything applied so far is committed and durable */
  afterCommit(task: () => void): void;
}

/**
 * The accounts and teams, as administration changes them (relay commands of managers, or the CLI from another
 * process). Every write also bumps one durable counter, `directoryVersion`, in the same transaction: a running relay
 * that sees it move reloads the directory, whoever wrote it.
 */
export interface DirectoryStore {
  listAccounts(): Promise<Account[]>;
  getAccount(id: AgentId): Promise<Account | null>;
  createAccount(account: NewAccount): Promise<void>;
  updateAccount(id: AgentId, patch: AccountPatch): Promise<void>;
  /** false when there was no such account */
  removeAccount(id: AgentId): Promise<boolean>;
  listTeams(): Promise<Team[]>;
  createTeam(team: Team): Promise<void>;
  /** false when there was no such team; its members leave it */
  removeTeam(id: TeamId): Promise<boolean>;
  directoryVersion(): Promise<number>;
  /** keeps a sign-in token's hash for the agent until `expiresAt` (a new password, disabling or removing drops them) */
  issueAgentToken(tokenHash: string, agentId: AgentId, now: number, expiresAt: number): Promise<void>;
  /** the agent a sign-in token was issued to, while it has not expired */
  agentForToken(tokenHash: string, now: number): Promise<AgentId | null>;
}

/** Durable state read outside commands (sign-in, welcome, history). */
export interface RelayStore extends DirectoryStore {
  setChosenStatus(id: AgentId, status: SettableStatus): Promise<void>;
  setOnline(id: AgentId, online: boolean): Promise<void>;
  setIdle(id: AgentId, idle: boolean): Promise<void>;

  getSession(id: SessionId): Promise<SessionSummary | null>;
  /** queued and active sessions, oldest first */
  listLiveSessions(): Promise<SessionSummary[]>;
  /** the live sessions whose audience the agent is in (owner, listener, named by the offer), oldest first */
  listLiveSessionsOf(agentId: AgentId): Promise<SessionSummary[]>;
  /** queued sessions, oldest first, at most `limit` */
  listQueuedSessions(limit: number): Promise<SessionSummary[]>;
  countQueued(): Promise<number>;
  /** active sessions owned per agent */
  openChatCounts(): Promise<Map<AgentId, number>>;
  listPendingTransfers(): Promise<TransferOffer[]>;
  /** in seq order; at most `limit` of them when it is given (a page) */
  eventsAfter(sessionId: SessionId, afterSeq: number, limit?: number): Promise<SessionEvent[]>;
  /** everyone who was ever in a session's audience (may read it later) */
  isParticipant(sessionId: SessionId, agentId: AgentId): Promise<boolean>;
  sessionForToken(tokenHash: string): Promise<SessionId | null>;
  /** how many chats were rated since then, and their average score (null with none) */
  ratingsSince(since: number): Promise<{ count: number; average: number | null }>;
  /**
   * The whole logs (in seq order, session after session) of chats that may have events in [since, until): opened
   * before `until`, and not closed before `since`. The figures are computed from them (relay/core/metrics.ts).
   */
  logsInWindow(since: number, until: number): Promise<SessionEvent[]>;
  /** all requests, or those one agent created or is assigned; newest first */
  listRequests(agentId: AgentId | null): Promise<Request[]>;
  getRequest(id: string): Promise<Request | null>;

  /** the shared canned replies and the agent's personal ones, by title */
  listCannedReplies(agentId: AgentId): Promise<CannedReply[]>;
  getCannedReply(id: string): Promise<CannedReply | null>;
  putCannedReply(reply: CannedReply): Promise<void>;
  deleteCannedReply(id: string): Promise<void>;
}

/** An attachment as the relay keeps it: what messages carry, plus whose it is and whether a message carries it. */
export interface StoredAttachment extends Attachment {
  sessionId: SessionId;
  /** the uploader's id for this upload: the same id again stores nothing new */
  uploadId: string;
  uploader: { kind: 'customer' | 'agent'; id: AgentId | null };
  createdAt: number;
  /** the seq of the message that carries it; null until one does (a customer sees only those, and their own) */
  messageSeq: number | null;
}

/** The bytes of uploads and what is known of them. Embedded: files in the data folder. Cluster: PostgreSQL. */
export interface AttachmentStore {
  /**
   * Stores an upload: its bytes once per content (by SHA-256) and its row once per (session, upload id). An upload id
   * seen before answers with what it stored then (`created` false), or `conflict` when the bytes differ. What it
   * acknowledges is committed (embedded: the caller waits for the commit hook, as for commands).
   */
  put(attachment: StoredAttachment, bytes: Buffer): Promise<{ attachment: StoredAttachment; created: boolean } | { conflict: true }>;
  get(id: string): Promise<StoredAttachment | null>;
  /** null when the bytes are gone (purged) */
  read(attachment: StoredAttachment): Promise<Buffer | null>;
  /** retention: removes the attachments of these sessions, and the bytes nothing else refers to */
  purgeSessions(sessionIds: readonly SessionId[]): Promise<number>;
}

/** Who is connected where. Embedded: counts in memory. Cluster: per-node keys in Redis with a TTL. */
export interface Presence {
  /** this process gained a connection of the agent */
  attach(agentId: AgentId): Promise<void>;
  /** this process lost one; resolves true when the agent has no connection left anywhere */
  detach(agentId: AgentId): Promise<boolean>;
  /** agents connected anywhere, as last seen (cluster: mirrored, at most a heartbeat old) */
  connected(): Iterable<AgentId>;
  /** asks every node now (cluster), instead of the mirror */
  isConnectedNow(agentId: AgentId): Promise<boolean>;
  connectedNow(): Promise<ReadonlySet<AgentId>>;
}

/** Durable timers keyed by what they fire for; each due timer is handed to exactly one `onDue` in the deployment. */
export interface Scheduler {
  /** arms the timer unless one with this key is armed already */
  arm(key: TimerKey, at: number): Promise<void>;
  disarm(key: TimerKey): Promise<void>;
  start(onDue: (key: TimerKey) => Promise<void>): void;
  stop(): void;
}

/** What a committed change tells the relay's connections; carried to every node of a cluster. */
export type Publication =
  | {
      kind: 'session';
      /** who was in the audience before the change (they are told even if they left it) */
      was: AgentId[];
      session: SessionSummary;
      events: SessionEvent[];
      /** the whole log, for agents who joined the audience */
      log: SessionEvent[] | null;
      endCustomer: boolean;
    }
  /** these agents' presence or open-chat count changed: each node reads them and tells its agents */
  | { kind: 'presence'; agents: AgentId[] }
  | { kind: 'typing'; frame: Extract<RelayFrame, { type: 'typing' }>; agents: AgentId[]; customer: boolean }
  | { kind: 'request'; request: Request; to: AgentId[] }
  /** where queued chats stand now: each node tells the customers of those it has */
  | { kind: 'queue'; positions: QueuePosition[] }
  /** accounts or teams changed: each node reloads the directory and tells its own connections */
  | { kind: 'directory' }
  /** a canned reply changed (deleted: only its id is told); shared ones go to every agent, personal ones to the owner */
  | { kind: 'canned'; reply: CannedReply; deleted: boolean };

export interface QueuePosition {
  sessionId: SessionId;
  /** 1: next to be taken */
  position: number;
  estimatedWaitMs: number | null;
}

/** Carries publications to every node (itself included). Embedded: a function call. Cluster: Redis pub/sub. */
export interface Fanout {
  publish(publication: Publication): void;
  subscribe(deliver: (publication: Publication, origin: 'local' | 'remote') => void): void;
}

/** This process's live connections, addressed by who is behind them. */
export interface LocalSockets {
  toAgent(agentId: AgentId, frame: RelayFrame): void;
  toAllAgents(frame: RelayFrame): void;
  /** agents who see every live chat (managers, can listen in) and are connected here */
  dashboardViewers(): Iterable<AgentId>;
  toCustomer(sessionId: SessionId, frame: CustomerFrame): void;
  /** the chat ended: customers of this session are told and disconnected */
  endCustomer(sessionId: SessionId): void;
  /** closes every connection of the agent here, with this code and sentence (account disabled or removed) */
  closeAgent(agentId: AgentId, code: number, reason: string): void;
}

/** The store cannot be reached: nothing was committed (or it is not known to be), and the client is told so. */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
}

export type LogEntry = { event: string } & Record<string, unknown>;
export type Log = (entry: LogEntry) => void;
