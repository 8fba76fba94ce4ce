// Domain types of Baton: agents, chat sessions, transfer offers, messages, requests and the per-session event log.
import { z } from 'zod';

export const AgentRoleSchema = z.enum(['agent', 'manager']);
export type AgentRole = z.infer<typeof AgentRoleSchema>;

/**
 * Present, Busy and Away are chosen by the agent (Busy: takes transfers, is not routed new chats); an idle agent shows
 * as Away while idle; offline is set by the relay after the disconnect grace period.
 */
export const AgentStatusSchema = z.enum(['present', 'busy', 'away', 'offline']);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;
export const SettableStatusSchema = z.enum(['present', 'busy', 'away']);
export type SettableStatus = z.infer<typeof SettableStatusSchema>;

/** Account names: lower-case, also used as agent ids. */
export const AgentIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{0,31}$/, 'a user name is 1-32 lower-case letters, digits, ".", "_" or "-", starting with a letter');
export type AgentId = z.infer<typeof AgentIdSchema>;

/** Team ids: lower-case, stable; the name is what people read. */
export const TeamIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a team id is 1-32 lower-case letters, digits or "-", starting with a letter');
export type TeamId = z.infer<typeof TeamIdSchema>;

/** A team (department, group, queue): chats may be routed and transferred to it. */
export const TeamSchema = z.object({ id: TeamIdSchema, name: z.string().trim().min(1, 'a team needs a name').max(80) });
export type Team = z.infer<typeof TeamSchema>;

/** Open chats an agent may hold before routing passes them by (set per agent by a manager; else the relay's default). */
export const CapacitySchema = z.number().int().min(1, 'capacity is at least 1').max(100, 'capacity is at most 100');

export const SESSION_ID_MAX = 64;
export const SessionIdSchema = z.string().min(1).max(SESSION_ID_MAX);
export type SessionId = z.infer<typeof SessionIdSchema>;

/** Client-chosen message id: a resend with the same id is stored once. */
export const MESSAGE_ID_LENGTH = { min: 8, max: 64 } as const;
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
export const MessageIdSchema = z.string().min(MESSAGE_ID_LENGTH.min).max(MESSAGE_ID_LENGTH.max).regex(MESSAGE_ID_PATTERN);
export type MessageId = z.infer<typeof MessageIdSchema>;

/** a message's or a note's text, counted after trimming, in UTF-16 code units (String length) */
export const MESSAGE_TEXT_MAX = 8000;
export const MessageTextSchema = z.string().trim().min(1, 'a message cannot be empty').max(MESSAGE_TEXT_MAX);

/** What a customer may give in the pre-chat form. */
export const CustomerEmailSchema = z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address looks like name@example.com');
export const TopicSchema = z.string().trim().min(1).max(80);

/** The customer's satisfaction rating at the end of a chat. */
export const RatingScoreSchema = z.number().int().min(1).max(5);
export const RatingCommentSchema = z.string().trim().max(1000);
export const RatingSchema = z.object({ score: RatingScoreSchema, comment: z.string().nullable(), at: z.number() });
export type Rating = z.infer<typeof RatingSchema>;
/** The customers' ratings over the last `days` days, for the Dashboard. */
export const RatingFiguresSchema = z.object({
  days: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  /** null when nobody rated a chat in that time */
  average: z.number().min(1).max(5).nullable(),
});
export type RatingFigures = z.infer<typeof RatingFiguresSchema>;
/** When a message or note was written, if that was before it was sent (from the outbox, after being offline). */
export const WrittenAtSchema = z.number().int().nonnegative();

// ---------------------------------------------------------------------------------------------
// Attachments: files stored by the relay, referenced by the messages that carry them

export const ATTACHMENT_ID_PATTERN = /^att_[A-Za-z0-9_-]{8,64}$/;
export const AttachmentIdSchema = z.string().regex(ATTACHMENT_ID_PATTERN, 'not an attachment id');
export type AttachmentId = z.infer<typeof AttachmentIdSchema>;

/** The types the relay accepts by default, as sniffed from the bytes (never as the uploader claims). */
export const defaultAttachmentTypes = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
] as const;
export const DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** at most this many files in one message */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

export const AttachmentSchema = z.object({
  id: AttachmentIdSchema,
  /** the file name as uploaded, cleaned of paths and control characters, with an extension that matches `type` */
  name: z.string().min(1).max(200),
  /** sniffed from the bytes */
  type: z.string().min(1).max(100),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export { isImageType } from './content-types';

/** What the relay takes in uploads, told to agents in the welcome. */
export const AttachmentLimitsSchema = z.object({
  maxBytes: z.number().int().positive(),
  types: z.array(z.string()),
});
export type AttachmentLimits = z.infer<typeof AttachmentLimitsSchema>;

export const AgentInfoSchema = z.object({
  id: AgentIdSchema,
  name: z.string(),
  role: AgentRoleSchema,
  canListenIn: z.boolean(),
  status: AgentStatusSchema,
  openChats: z.number().int().nonnegative(),
  // The fields below are optional so that what an older relay sent (and a cache kept) still reads.
  /** the teams the agent belongs to */
  teams: z.array(TeamIdSchema).optional(),
  /** open chats before routing passes the agent by (their own, or the relay's default) */
  capacity: z.number().int().nonnegative().optional(),
  /** when `status` last changed (for "time in status"); null when not known */
  statusSince: z.number().nullable().optional(),
  /** no input for the configured time: shown as Away until the agent is back; their chosen status is kept */
  idle: z.boolean().optional(),
  /** a manager disabled the account: it cannot sign in */
  disabled: z.boolean().optional(),
});
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

export const SessionStateSchema = z.enum(['queued', 'active', 'closed']);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const TransferOfferSchema = z.object({
  id: z.string(),
  sessionId: SessionIdSchema,
  /** the owner at the moment of the offer */
  fromId: AgentIdSchema,
  /** who made the offer: the owner, or a manager on the owner's behalf */
  offeredBy: AgentIdSchema,
  /** the agent it is offered to; null for an offer to a team */
  toId: AgentIdSchema.nullable(),
  /** an offer to a team: shown to its Present members with capacity, the first to accept gets the chat */
  toTeam: TeamSchema.nullable().optional(),
  /** a team offer's members who may still accept (those who rejected it or left are taken out) */
  candidates: z.array(AgentIdSchema).optional(),
  note: z.string().max(1000).nullable(),
  createdAt: z.number(),
  /** null when transfer timeouts are off */
  expiresAt: z.number().nullable(),
});
export type TransferOffer = z.infer<typeof TransferOfferSchema>;

/** The agents an offer waits on: its one target, or a team offer's remaining candidates. */
export function offerTargets(offer: Pick<TransferOffer, 'toId' | 'candidates'>): AgentId[] {
  return offer.toId !== null ? [offer.toId] : (offer.candidates ?? []);
}

export function isOfferedTo(offer: Pick<TransferOffer, 'toId' | 'candidates'> | null | undefined, agentId: AgentId): boolean {
  return !!offer && offerTargets(offer).includes(agentId);
}

/** Who an offer is to, in words: the agent's name, or the team's. */
export function offerTargetName(offer: Pick<TransferOffer, 'toId' | 'toTeam'>, nameOf: (id: AgentId) => string): string {
  return offer.toId !== null ? nameOf(offer.toId) : (offer.toTeam?.name ?? 'a team');
}

export const AuthorSchema = z.object({
  kind: z.enum(['customer', 'agent']),
  /** agent id; null for the customer */
  id: AgentIdSchema.nullable(),
  name: z.string(),
});
export type Author = z.infer<typeof AuthorSchema>;

/** A request is open until someone works on it (pending) and solved when done. */
export const RequestStatusSchema = z.enum(['open', 'pending', 'solved']);
export type RequestStatus = z.infer<typeof RequestStatusSchema>;

export const RequestSchema = z.object({
  id: z.string(),
  sessionId: SessionIdSchema,
  title: z.string().min(1).max(200),
  description: z.string().max(5000).nullable(),
  customerName: z.string(),
  /** the agent who filed it; null when the customer left it with the offline form */
  createdBy: AgentIdSchema.nullable(),
  /** the customer's e-mail address, when they left one (the offline form asks for it) */
  customerEmail: z.string().nullable().optional(),
  createdAt: z.number(),
  /** the transcript at the moment the request was created, as plain lines */
  transcript: z.array(z.object({ at: z.number(), author: z.string(), text: z.string() })),
  // requests stored before statuses existed read as open and unassigned
  status: RequestStatusSchema.default('open'),
  assigneeId: AgentIdSchema.nullable().default(null),
  updatedAt: z.number().nullable().default(null),
  solvedAt: z.number().nullable().default(null),
});
export type Request = z.infer<typeof RequestSchema>;

// ---------------------------------------------------------------------------------------------
// Canned replies: shared ones (managed by managers) and each agent's personal ones

export const CannedReplyIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
export const CannedReplyScopeSchema = z.enum(['shared', 'personal']);
export type CannedReplyScope = z.infer<typeof CannedReplyScopeSchema>;
export const CannedReplyTitleSchema = z.string().trim().min(1, 'a reply needs a title').max(100);
export const CannedReplyTextSchema = z.string().trim().min(1, 'a reply needs its text').max(8000);

export const CannedReplySchema = z.object({
  id: CannedReplyIdSchema,
  scope: CannedReplyScopeSchema,
  /** the agent a personal reply belongs to; null for shared replies */
  ownerId: AgentIdSchema.nullable(),
  title: CannedReplyTitleSchema,
  /** may hold the placeholders {customer} and {agent} */
  text: CannedReplyTextSchema,
  updatedAt: z.number(),
  updatedBy: AgentIdSchema,
});
export type CannedReply = z.infer<typeof CannedReplySchema>;

/** The placeholders a canned reply may hold, replaced when it is inserted into a message. */
export const cannedPlaceholders = { customer: '{customer}', agent: '{agent}' } as const;

/** A reply's text with {customer} and {agent} filled in. */
export function fillPlaceholders(text: string, names: { customer: string; agent: string }): string {
  return text.replaceAll(cannedPlaceholders.customer, names.customer).replaceAll(cannedPlaceholders.agent, names.agent);
}

export const CloseReasonSchema = z.enum(['cancelled', 'timeout', 'target-unavailable', 'taken-over', 'closed']);
export type TransferEndReason = z.infer<typeof CloseReasonSchema>;

const eventBase = { sessionId: SessionIdSchema, seq: z.number().int().positive(), at: z.number() };

/**
 * The per-session event log. Every change to a session is one event with the next seq;
 * transcripts, transfer history and resume are all built from it.
 */
export const SessionEventSchema = z.discriminatedUnion('kind', [
  z.object({
    ...eventBase,
    kind: z.literal('opened'),
    customerName: z.string(),
    /** from the pre-chat form; absent in chats opened before it asked */
    email: z.string().nullable().optional(),
    topic: z.string().nullable().optional(),
    /** the team the chat was opened for (pre-chat topic or widget setting); null or absent: any agent */
    team: TeamIdSchema.nullable().optional(),
  }),
  z.object({ ...eventBase, kind: z.literal('assigned'), agentId: AgentIdSchema, agentName: z.string() }),
  z.object({
    ...eventBase,
    kind: z.literal('message'),
    messageId: MessageIdSchema,
    author: AuthorSchema,
    /** empty when the message is only attachments */
    text: z.string(),
    attachments: z.array(AttachmentSchema).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
    /** when it was written, when that was before `at` (sent later from an outbox) */
    writtenAt: WrittenAtSchema.optional(),
  }),
  /** An internal note: among agents only, never shown to the customer (a listener's whisper to the owner, too). */
  z.object({
    ...eventBase,
    kind: z.literal('note'),
    noteId: MessageIdSchema,
    author: z.object({ id: AgentIdSchema, name: z.string() }),
    text: z.string(),
    writtenAt: WrittenAtSchema.optional(),
  }),
  z.object({ ...eventBase, kind: z.literal('transfer-offered'), transfer: TransferOfferSchema }),
  z.object({
    ...eventBase,
    kind: z.literal('transfer-accepted'),
    transferId: z.string(),
    fromId: AgentIdSchema,
    fromName: z.string(),
    toId: AgentIdSchema,
    toName: z.string(),
  }),
  z.object({
    ...eventBase,
    kind: z.literal('transfer-rejected'),
    transferId: z.string(),
    byId: AgentIdSchema,
    reason: z.string().nullable(),
  }),
  /** one member of a team offer passed (rejected it, or is no longer available); the others may still accept */
  z.object({
    ...eventBase,
    kind: z.literal('transfer-passed'),
    transferId: z.string(),
    agentId: AgentIdSchema,
    why: z.enum(['rejected', 'unavailable']),
    reason: z.string().nullable(),
  }),
  z.object({
    ...eventBase,
    kind: z.literal('transfer-cancelled'),
    transferId: z.string(),
    reason: CloseReasonSchema,
    byId: AgentIdSchema.nullable(),
  }),
  z.object({
    ...eventBase,
    kind: z.literal('taken-over'),
    byId: AgentIdSchema,
    byName: z.string(),
    fromId: AgentIdSchema.nullable(),
    fromName: z.string().nullable(),
  }),
  z.object({ ...eventBase, kind: z.literal('listener-joined'), agentId: AgentIdSchema, agentName: z.string() }),
  z.object({ ...eventBase, kind: z.literal('listener-left'), agentId: AgentIdSchema, agentName: z.string() }),
  z.object({ ...eventBase, kind: z.literal('request-created'), request: RequestSchema }),
  /** a request's status or assignee changed (agents only) */
  z.object({
    ...eventBase,
    kind: z.literal('request-updated'),
    requestId: z.string(),
    status: RequestStatusSchema,
    assigneeId: AgentIdSchema.nullable(),
    solvedAt: z.number().nullable(),
    byId: AgentIdSchema,
    byName: z.string(),
  }),
  /** the customer is told their request was solved (only when the agent chose to tell them) */
  z.object({ ...eventBase, kind: z.literal('request-solved'), requestId: z.string(), title: z.string() }),
  z.object({
    ...eventBase,
    kind: z.literal('closed'),
    by: z.object({ kind: z.enum(['customer', 'agent']), id: AgentIdSchema.nullable(), name: z.string() }),
  }),
  /** the customer rated the chat after it ended (at most once) */
  z.object({ ...eventBase, kind: z.literal('rated'), score: RatingScoreSchema, comment: z.string().nullable() }),
]);
export type SessionEvent = z.infer<typeof SessionEventSchema>;
export type SessionEventKind = SessionEvent['kind'];
export type SessionEventOf<K extends SessionEventKind> = Extract<SessionEvent, { kind: K }>;

/**
 * Event kinds a customer is shown; the rest (offers, listeners, internal notes, request updates) stay among agents.
 * An allow-list: a kind added later is hidden from customers until it is listed here.
 */
export const customerVisibleKinds: ReadonlySet<SessionEventKind> = new Set<SessionEventKind>([
  'opened',
  'assigned',
  'message',
  'transfer-accepted',
  'taken-over',
  'request-created',
  'request-solved',
  'closed',
]);

/** Kinds only some agents may read: notes are for the chat's agents and managers, never for a customer. */
export const internalKinds: ReadonlySet<SessionEventKind> = new Set<SessionEventKind>(['note']);

/** A request with one `request-updated` event applied (the relay's stores and the client cache both fold these). */
export function applyRequestUpdate(request: Request, update: SessionEventOf<'request-updated'>): Request {
  return {
    ...request,
    status: update.status,
    assigneeId: update.assigneeId,
    solvedAt: update.solvedAt,
    updatedAt: update.at,
  };
}

/** The current state of a session: replaces the previous one wholesale whenever anything changes. */
export const SessionSummarySchema = z.object({
  id: SessionIdSchema,
  customerName: z.string(),
  state: SessionStateSchema,
  ownerId: AgentIdSchema.nullable(),
  listeners: z.array(AgentIdSchema),
  pendingTransfer: TransferOfferSchema.nullable(),
  /** the team the chat belongs to (opened for, or accepted through a team offer); null or absent: none */
  team: TeamIdSchema.nullable().optional(),
  createdAt: z.number(),
  closedAt: z.number().nullable(),
  lastSeq: z.number().int().nonnegative(),
  lastMessage: z
    .object({ text: z.string(), at: z.number(), authorKind: z.enum(['customer', 'agent']), authorName: z.string() })
    .nullable(),
  /** when the customer last wrote with no agent answer since (for "waiting time"); null when nobody waits */
  waitingSince: z.number().nullable(),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

/** How an agent stands to a session, derived from its summary. */
export type SessionRole = 'owner' | 'listener' | 'offered' | 'none';
export function roleIn(session: SessionSummary, agentId: AgentId): SessionRole {
  if (session.ownerId === agentId) return 'owner';
  if (isOfferedTo(session.pendingTransfer, agentId)) return 'offered';
  if (session.listeners.includes(agentId)) return 'listener';
  return 'none';
}

/** The fields of a summary that follow from the event log alone. */
export type Derived = Pick<SessionSummary, 'lastSeq' | 'lastMessage' | 'waitingSince'>;

/**
 * Folds one event into those fields. The relay applies it as it appends; its SQLite store replays it over events newer
 * than a session row; and an agent's client applies it to a message event, which the relay sends to the chat's
 * audience without a summary (a message changes nothing else).
 */
export function fold<D extends Derived>(before: D, event: SessionEvent): D {
  if (event.kind !== 'message') return { ...before, lastSeq: event.seq };
  const { author, at } = event;
  return {
    ...before,
    lastSeq: event.seq,
    lastMessage: { text: event.text, at, authorKind: author.kind, authorName: author.name },
    waitingSince: author.kind === 'customer' ? (before.waitingSince ?? at) : null,
  };
}
