// Domain types of Baton: agents, chat sessions, transfer offers, messages, requests and the per-session event log.
import { z } from 'zod';

export const AgentRoleSchema = z.enum(['agent', 'manager']);
export type AgentRole = z.infer<typeof AgentRoleSchema>;

/** Present/Away are chosen by the agent; offline is set by the relay after the disconnect grace period. */
export const AgentStatusSchema = z.enum(['present', 'away', 'offline']);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;
export const SettableStatusSchema = z.enum(['present', 'away']);
export type SettableStatus = z.infer<typeof SettableStatusSchema>;

/** Account names: lower-case, also used as agent ids. */
export const AgentIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{0,31}$/, 'a user name is 1-32 lower-case letters, digits, ".", "_" or "-", starting with a letter');
export type AgentId = z.infer<typeof AgentIdSchema>;

export const SessionIdSchema = z.string().min(1).max(64);
export type SessionId = z.infer<typeof SessionIdSchema>;

/** Client-chosen message id: a resend with the same id is stored once. */
export const MessageIdSchema = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);
export type MessageId = z.infer<typeof MessageIdSchema>;

export const MessageTextSchema = z.string().trim().min(1, 'a message cannot be empty').max(8000);

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

export const AgentInfoSchema = z.object({
  id: AgentIdSchema,
  name: z.string(),
  role: AgentRoleSchema,
  canListenIn: z.boolean(),
  status: AgentStatusSchema,
  openChats: z.number().int().nonnegative(),
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
  toId: AgentIdSchema,
  note: z.string().max(1000).nullable(),
  createdAt: z.number(),
  /** null when transfer timeouts are off */
  expiresAt: z.number().nullable(),
});
export type TransferOffer = z.infer<typeof TransferOfferSchema>;

export const AuthorSchema = z.object({
  kind: z.enum(['customer', 'agent']),
  /** agent id; null for the customer */
  id: AgentIdSchema.nullable(),
  name: z.string(),
});
export type Author = z.infer<typeof AuthorSchema>;

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
});
export type Request = z.infer<typeof RequestSchema>;

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
  }),
  z.object({ ...eventBase, kind: z.literal('assigned'), agentId: AgentIdSchema, agentName: z.string() }),
  z.object({
    ...eventBase,
    kind: z.literal('message'),
    messageId: MessageIdSchema,
    author: AuthorSchema,
    text: z.string(),
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

/** Event kinds a customer is shown; the rest (offers, listeners, internal notes) stay among agents. */
export const customerVisibleKinds: ReadonlySet<SessionEventKind> = new Set([
  'opened',
  'assigned',
  'message',
  'transfer-accepted',
  'taken-over',
  'request-created',
  'closed',
]);

/** The current state of a session: replaces the previous one wholesale whenever anything changes. */
export const SessionSummarySchema = z.object({
  id: SessionIdSchema,
  customerName: z.string(),
  state: SessionStateSchema,
  ownerId: AgentIdSchema.nullable(),
  listeners: z.array(AgentIdSchema),
  pendingTransfer: TransferOfferSchema.nullable(),
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
  if (session.pendingTransfer?.toId === agentId) return 'offered';
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
