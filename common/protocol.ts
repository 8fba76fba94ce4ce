// The wire protocol between the relay and its clients (agents and customers): every frame as a zod schema.
// Frames are JSON text. Commands carry an `id` and are answered by exactly one `ok` or `error` with that id
// (`hello` is answered by `welcome`, `customer-hello` by `customer-welcome`).
import { z } from 'zod';
import {
  AgentIdSchema,
  AgentInfoSchema,
  CustomerEmailSchema,
  MessageIdSchema,
  MessageTextSchema,
  RatingCommentSchema,
  RatingFiguresSchema,
  RatingScoreSchema,
  RequestSchema,
  SessionEventSchema,
  SessionIdSchema,
  SessionSummarySchema,
  SettableStatusSchema,
  TopicSchema,
} from './domain';
import { ErrorCodeSchema } from './errors';

export { AGENT_PATH, CloseCodes, CUSTOMER_PATH, OFFLINE_PATH, PROTOCOL_VERSION, RATING_PATH } from './wire-constants';

const CommandId = z.string().min(1).max(64);
const cmd = { id: CommandId };

// ---------------------------------------------------------------------------------------------
// Agent → relay

export const AgentCommandSchema = z.discriminatedUnion('type', [
  z.object({
    ...cmd,
    type: z.literal('hello'),
    protocol: z.number().int(),
    /** last seq the client holds per session; the relay replays everything after it */
    resume: z.record(SessionIdSchema, z.number().int().nonnegative()).default({}),
  }),
  z.object({ ...cmd, type: z.literal('set-status'), status: SettableStatusSchema }),
  z.object({
    ...cmd,
    type: z.literal('send'),
    sessionId: SessionIdSchema,
    messageId: MessageIdSchema,
    text: MessageTextSchema,
  }),
  z.object({ ...cmd, type: z.literal('typing'), sessionId: SessionIdSchema, active: z.boolean() }),
  z.object({
    ...cmd,
    type: z.literal('offer-transfer'),
    sessionId: SessionIdSchema,
    to: AgentIdSchema,
    note: z.string().trim().max(1000).optional(),
  }),
  z.object({ ...cmd, type: z.literal('accept-transfer'), sessionId: SessionIdSchema, transferId: z.string() }),
  z.object({
    ...cmd,
    type: z.literal('reject-transfer'),
    sessionId: SessionIdSchema,
    transferId: z.string(),
    reason: z.string().trim().max(1000).optional(),
  }),
  z.object({ ...cmd, type: z.literal('cancel-transfer'), sessionId: SessionIdSchema, transferId: z.string() }),
  z.object({ ...cmd, type: z.literal('take-over'), sessionId: SessionIdSchema }),
  z.object({ ...cmd, type: z.literal('listen'), sessionId: SessionIdSchema }),
  z.object({ ...cmd, type: z.literal('close-window'), sessionId: SessionIdSchema }),
  z.object({ ...cmd, type: z.literal('close-chat'), sessionId: SessionIdSchema }),
  z.object({
    ...cmd,
    type: z.literal('create-request'),
    sessionId: SessionIdSchema,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(5000).optional(),
  }),
  z.object({ ...cmd, type: z.literal('list-requests') }),
  /** events of a session the caller may see (owner, listener, offered, manager, can-listen-in) after a seq */
  z.object({ ...cmd, type: z.literal('fetch-events'), sessionId: SessionIdSchema, afterSeq: z.number().int().nonnegative() }),
  /** the customers' ratings over the last days (those who see the Dashboard) */
  z.object({ ...cmd, type: z.literal('rating-figures'), days: z.number().int().min(1).max(366).default(7) }),
]);
export type AgentCommand = z.infer<typeof AgentCommandSchema>;
export type AgentCommandType = AgentCommand['type'];
export type AgentCommandOf<T extends AgentCommandType> = Extract<AgentCommand, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Customer → relay (anonymous; the session token resumes the same chat)

export const CustomerCommandSchema = z.discriminatedUnion('type', [
  z.object({
    ...cmd,
    type: z.literal('customer-hello'),
    protocol: z.number().int(),
    /** a new chat: the customer's display name */
    name: z.string().trim().min(1).max(80).optional(),
    /** resume: the token from an earlier customer-welcome */
    token: z.string().min(16).max(128).optional(),
    lastSeq: z.number().int().nonnegative().default(0),
    /** a new chat: from the pre-chat form, shown to the agents */
    email: CustomerEmailSchema.optional(),
    topic: TopicSchema.optional(),
  }),
  z.object({ ...cmd, type: z.literal('customer-send'), messageId: MessageIdSchema, text: MessageTextSchema }),
  z.object({ ...cmd, type: z.literal('customer-typing'), active: z.boolean() }),
  z.object({ ...cmd, type: z.literal('customer-close') }),
]);
export type CustomerCommand = z.infer<typeof CustomerCommandSchema>;

/**
 * POST /chat/rating (JSON): the customer's satisfaction rating once the chat has ended, by the chat's token (the
 * connection is closed by then). Answered 204, or 4xx with `{ code, message }`; a chat is rated at most once.
 */
export const RatingSubmissionSchema = z.object({
  token: z.string().min(16).max(128),
  score: RatingScoreSchema,
  comment: RatingCommentSchema.optional(),
});
export type RatingSubmission = z.infer<typeof RatingSubmissionSchema>;

/**
 * POST /chat/offline (JSON): the offline form, when nobody can chat. The relay files a request with the message (a
 * chat opened and closed at once, so agents find it like any other) and answers 201 `{ requestId }`.
 */
export const OfflineMessageSchema = z.object({
  name: z.string().trim().min(1).max(80),
  email: CustomerEmailSchema,
  message: z.string().trim().min(1).max(5000),
  topic: TopicSchema.optional(),
});
export type OfflineMessage = z.infer<typeof OfflineMessageSchema>;

// ---------------------------------------------------------------------------------------------
// Relay → clients

export const OkFrameSchema = z.object({ type: z.literal('ok'), id: CommandId, result: z.unknown().optional() });
export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  /** absent when the frame that caused it could not be read far enough to find its id */
  id: CommandId.optional(),
  code: ErrorCodeSchema,
  message: z.string(),
  /** `rate-limited`: how long until the relay takes another frame from this connection */
  retryAfterMs: z.number().int().nonnegative().optional(),
});

/** Results carried in `ok.result` for the commands that return something. */
export const CommandResultSchemas = {
  send: z.object({ seq: z.number().int().positive(), duplicate: z.boolean() }),
  'offer-transfer': z.object({ transferId: z.string() }),
  'create-request': z.object({ request: RequestSchema }),
  'list-requests': z.object({ requests: z.array(RequestSchema) }),
  'fetch-events': z.object({ events: z.array(SessionEventSchema) }),
  'rating-figures': RatingFiguresSchema,
} as const;

export const RelayFrameSchema = z.discriminatedUnion('type', [
  OkFrameSchema,
  ErrorFrameSchema,
  z.object({
    type: z.literal('welcome'),
    id: CommandId,
    protocol: z.number().int(),
    serverTime: z.number(),
    me: AgentInfoSchema,
    agents: z.array(AgentInfoSchema),
    /** every session this agent may see: its own, offered to it, listened to; all live ones for dashboard viewers */
    sessions: z.array(SessionSummarySchema),
  }),
  /** an agent's presence or open-chat count changed */
  z.object({ type: z.literal('presence'), agent: AgentInfoSchema }),
  /** a session's summary changed (also sent to an agent who just left its audience) */
  z.object({ type: z.literal('session'), session: SessionSummarySchema }),
  /** one live event of a session */
  z.object({ type: z.literal('event'), event: SessionEventSchema }),
  /** events after a seq, in order: on resume, and when an agent joins a session's audience */
  z.object({ type: z.literal('replay'), sessionId: SessionIdSchema, events: z.array(SessionEventSchema) }),
  /** someone is typing (not persisted) */
  z.object({
    type: z.literal('typing'),
    sessionId: SessionIdSchema,
    who: z.enum(['customer', 'agent']),
    name: z.string(),
    active: z.boolean(),
  }),
  /** a request was created (sent to its creator and to managers) */
  z.object({ type: z.literal('request'), request: RequestSchema }),
]);
export type RelayFrame = z.infer<typeof RelayFrameSchema>;
export type RelayFrameOf<T extends RelayFrame['type']> = Extract<RelayFrame, { type: T }>;

export const CustomerFrameSchema = z.discriminatedUnion('type', [
  OkFrameSchema,
  ErrorFrameSchema,
  z.object({
    type: z.literal('customer-welcome'),
    id: CommandId,
    protocol: z.number().int(),
    sessionId: SessionIdSchema,
    token: z.string(),
    customerName: z.string(),
    state: z.enum(['queued', 'active', 'closed']),
    /** the agent currently chatting with the customer */
    agentName: z.string().nullable(),
  }),
  /** customer-visible events only (see customerVisibleKinds) */
  z.object({ type: z.literal('event'), event: SessionEventSchema }),
  z.object({ type: z.literal('replay'), sessionId: SessionIdSchema, events: z.array(SessionEventSchema) }),
  z.object({ type: z.literal('typing'), sessionId: SessionIdSchema, who: z.literal('agent'), name: z.string(), active: z.boolean() }),
  /**
   * while the chat is queued: how many chats wait before it and up to it (1 = next), and a guess at the wait from how
   * long recent chats waited (null when there is nothing to go by); sent on greeting and whenever the queue moves
   */
  z.object({
    type: z.literal('queue'),
    sessionId: SessionIdSchema,
    position: z.number().int().positive(),
    estimatedWaitMs: z.number().int().nonnegative().nullable(),
  }),
]);
export type CustomerFrame = z.infer<typeof CustomerFrameSchema>;

/** Parse one text frame: JSON first, then the schema. Never throws. */
export function parseFrame<S extends z.ZodType>(
  schema: S,
  text: string,
): { ok: true; frame: z.infer<S> } | { ok: false; id?: string; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? ((raw as { id: string }).id.slice(0, 64) || undefined)
      : undefined;
  return { ok: false, id, message: describeZodError(parsed.error) };
}

/** A short, readable account of what was wrong with a value. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
