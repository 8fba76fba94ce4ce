// The wire protocol between the relay and its clients (agents and customers): every frame as a zod schema.
// Frames are JSON text. Commands carry an `id` and are answered by exactly one `ok` or `error` with that id
// (`hello` is answered by `welcome`, `customer-hello` by `customer-welcome`).
import { z } from 'zod';
import {
  AgentIdSchema,
  AgentInfoSchema,
  CustomerEmailSchema,
  AgentRoleSchema,
  CapacitySchema,
  ATTACHMENT_ID_PATTERN,
  AttachmentIdSchema,
  AttachmentLimitsSchema,
  AttachmentSchema,
  CannedReplyIdSchema,
  CannedReplySchema,
  CannedReplyScopeSchema,
  CannedReplyTextSchema,
  CannedReplyTitleSchema,
  MAX_ATTACHMENTS_PER_MESSAGE,
  MESSAGE_ID_LENGTH,
  MESSAGE_ID_PATTERN,
  MESSAGE_TEXT_MAX,
  MessageIdSchema,
  MessageTextSchema,
  RatingCommentSchema,
  RatingFiguresSchema,
  RatingScoreSchema,
  RequestSchema,
  RequestStatusSchema,
  SESSION_ID_MAX,
  SessionEventSchema,
  SessionIdSchema,
  SessionSummarySchema,
  SettableStatusSchema,
  TopicSchema,
  TeamIdSchema,
  TeamSchema,
  WrittenAtSchema,
} from './domain';
import { ErrorCodeSchema } from './errors';
import { MetricsSchema } from './metrics';

export {
  AGENT_PATH,
  attachmentPath,
  attachmentUploadPath,
  CloseCodes,
  CUSTOMER_PATH,
  FILE_NAME_HEADER,
  OFFLINE_PATH,
  PROTOCOL_VERSION,
  RATING_PATH,
  UPLOAD_ID_HEADER,
} from './wire-constants';

/** Passwords an account may have (the CLI and the Team view check the same). */
export const PasswordSchema = z.string().min(4, 'a password has at least 4 characters').max(256);

const COMMAND_ID_MAX = 64;
const CommandId = z.string().min(1).max(COMMAND_ID_MAX);
const cmd = { id: CommandId };

/**
 * What a message carries besides its id: text, attachments (uploaded first over HTTP, see docs/protocol.md) or both,
 * and when it was written if that was earlier than now (an outbox sending later).
 */
const messageBody = {
  text: z.string().trim().max(MESSAGE_TEXT_MAX).default(''),
  attachments: z.array(AttachmentIdSchema).max(MAX_ATTACHMENTS_PER_MESSAGE).default([]),
  writtenAt: WrittenAtSchema.optional(),
};
const hasContent = (m: { text: string; attachments: unknown[] }) => m.text.length > 0 || m.attachments.length > 0;
const needsContent = { message: 'a message cannot be empty: give it text or an attachment', path: ['text'] };


// ---------------------------------------------------------------------------------------------
// Administration (managers only): the Team view sends these; the CLI applies the same rules on the store

const adminCommandShapes = [
  z.object({
    type: z.literal('user-add'),
    user: AgentIdSchema,
    name: z.string().trim().max(80).optional(),
    role: AgentRoleSchema,
    canListenIn: z.boolean().default(false),
    password: PasswordSchema,
  }),
  z.object({ type: z.literal('user-remove'), user: AgentIdSchema }),
  z.object({ type: z.literal('user-set-disabled'), user: AgentIdSchema, disabled: z.boolean() }),
  z.object({ type: z.literal('user-set-password'), user: AgentIdSchema, password: PasswordSchema }),
  z.object({ type: z.literal('user-set-role'), user: AgentIdSchema, role: AgentRoleSchema, canListenIn: z.boolean() }),
  z.object({ type: z.literal('user-set-teams'), user: AgentIdSchema, teams: z.array(TeamIdSchema).max(50) }),
  /** null: the relay's default capacity */
  z.object({ type: z.literal('user-set-capacity'), user: AgentIdSchema, capacity: CapacitySchema.nullable() }),
  z.object({ type: z.literal('team-add'), team: TeamIdSchema, name: TeamSchema.shape.name }),
  z.object({ type: z.literal('team-remove'), team: TeamIdSchema }),
] as const;

/** An administration command without its id (the bridge's `admin:command` carries exactly this). */
export const AdminCommandSchema = z.discriminatedUnion('type', adminCommandShapes);
export type AdminCommand = z.infer<typeof AdminCommandSchema>;

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
  /** the client saw no input for the agent's auto-away time (true) or input again (false); the chosen status is kept */
  z.object({ ...cmd, type: z.literal('set-idle'), idle: z.boolean() }),
  z
    .object({ ...cmd, type: z.literal('send'), sessionId: SessionIdSchema, messageId: MessageIdSchema, ...messageBody })
    .refine(hasContent, needsContent),
  /** an internal note (or a listener's whisper): seen by the chat's agents and managers, never by the customer */
  z.object({
    ...cmd,
    type: z.literal('add-note'),
    sessionId: SessionIdSchema,
    noteId: MessageIdSchema,
    text: MessageTextSchema,
    writtenAt: WrittenAtSchema.optional(),
  }),
  z.object({ ...cmd, type: z.literal('typing'), sessionId: SessionIdSchema, active: z.boolean() }),
  z
    .object({
      ...cmd,
      type: z.literal('offer-transfer'),
      sessionId: SessionIdSchema,
      /** an agent, or ... */
      to: AgentIdSchema.optional(),
      /** ... a team: its Present members with capacity are offered the chat, the first to accept gets it */
      team: TeamIdSchema.optional(),
      note: z.string().trim().max(1000).optional(),
    })
    .refine((c) => (c.to === undefined) !== (c.team === undefined), 'an offer names either an agent (to) or a team'),
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
  /** status and/or assignee; `tellCustomer` with status solved also tells the customer */
  z.object({
    ...cmd,
    type: z.literal('update-request'),
    requestId: z.string().min(1).max(64),
    status: RequestStatusSchema.optional(),
    assigneeId: AgentIdSchema.nullable().optional(),
    tellCustomer: z.boolean().default(false),
  }),
  /** the shared replies and the caller's personal ones */
  z.object({ ...cmd, type: z.literal('list-canned') }),
  /** creates (no id) or changes a canned reply: shared ones by managers, personal ones by their owner */
  z.object({
    ...cmd,
    type: z.literal('save-canned'),
    replyId: CannedReplyIdSchema.optional(),
    scope: CannedReplyScopeSchema,
    title: CannedReplyTitleSchema,
    text: CannedReplyTextSchema,
  }),
  z.object({ ...cmd, type: z.literal('delete-canned'), replyId: CannedReplyIdSchema }),
  /** events of a session the caller may see (owner, listener, offered, manager, can-listen-in) after a seq: one page */
  z.object({ ...cmd, type: z.literal('fetch-events'), sessionId: SessionIdSchema, afterSeq: z.number().int().nonnegative() }),
  /** the customers' ratings over the last days (those who see the Dashboard) */
  z.object({ ...cmd, type: z.literal('rating-figures'), days: z.number().int().min(1).max(366).default(7) }),
  /** the next page of the welcome's sessions, named by the cursor the welcome (or the previous page) gave */
  z.object({ ...cmd, type: z.literal('fetch-sessions'), cursor: z.string().min(1).max(64) }),
  /** figures per agent and team over [since, until) (the client's "today"); managers and can-listen-in */
  z
    .object({ ...cmd, type: z.literal('get-metrics'), since: z.number().int().nonnegative(), until: z.number().int().positive() })
    .refine((c) => c.until > c.since && c.until - c.since <= 31 * 24 * 3600_000, 'the window is at most 31 days, until after since'),
  // Administration: managers only (the CLI does the same on the store; relay/directory.ts holds the rules)
  ...adminCommandShapes.map((shape) => shape.extend(cmd)),
]);
export type AgentCommand = z.infer<typeof AgentCommandSchema>;
/** A command as a client writes it, without its id (defaults may be left out). */
export type AgentCommandInput = z.input<typeof AgentCommandSchema> extends infer C
  ? C extends { id: string }
    ? Omit<C, 'id'>
    : never
  : never;
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
    /** a new chat: the team it is for (pre-chat topic, or the widget's setting); unknown teams go to any agent */
    team: TeamIdSchema.optional(),
    /** resume: the token from an earlier customer-welcome */
    token: z.string().min(16).max(128).optional(),
    lastSeq: z.number().int().nonnegative().default(0),
    /** a new chat: from the pre-chat form, shown to the agents */
    email: CustomerEmailSchema.optional(),
    topic: TopicSchema.optional(),
  }),
  z
    .object({ ...cmd, type: z.literal('customer-send'), messageId: MessageIdSchema, ...messageBody })
    .refine(hasContent, needsContent),
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
  /** with `rate-limited` and `queue-full`: how long to wait before trying again */
  retryAfterMs: z.number().int().nonnegative().optional(),
});

/** Answers too large for one frame come in pages: `next` names the rest, null (or absent) when there is none. */
const EventsPage = { events: z.array(SessionEventSchema), next: z.number().int().nonnegative().nullable().optional() };

/** Results carried in `ok.result` for the commands that return something. */
export const CommandResultSchemas = {
  send: z.object({ seq: z.number().int().positive(), duplicate: z.boolean() }),
  /** atCapacity: the target agent already has as many open chats as their capacity (they may still accept) */
  'offer-transfer': z.object({ transferId: z.string(), atCapacity: z.boolean().default(false) }),
  'get-metrics': MetricsSchema,
  'add-note': z.object({ seq: z.number().int().positive(), duplicate: z.boolean() }),
  'update-request': z.object({ request: RequestSchema }),
  'list-canned': z.object({ replies: z.array(CannedReplySchema) }),
  'save-canned': z.object({ reply: CannedReplySchema }),
  'create-request': z.object({ request: RequestSchema }),
  'list-requests': z.object({ requests: z.array(RequestSchema) }),
  'rating-figures': RatingFiguresSchema,
  /** `next`: the `afterSeq` of the next page, null on the last */
  'fetch-events': z.object(EventsPage),
  'fetch-sessions': z.object({ sessions: z.array(SessionSummarySchema), next: z.string().nullable() }),
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
    /** more sessions than fit one frame: fetch-sessions with this cursor gives the next page */
    moreSessions: z.string().optional(),
    /** the teams chats can be routed and transferred to */
    teams: z.array(TeamSchema).optional(),
    /** what uploads the relay takes (absent from relays without attachments) */
    attachments: AttachmentLimitsSchema.optional(),
    /**
     * to a connection that signed in with the password: its next connections send `Authorization: Bearer <token>`
     * instead (no password check per reconnect); a 401 to it means sign in with the password again
     */
    signInToken: z.string().optional(),
  }),
  /** an agent's presence, open-chat count, teams, capacity or role changed */
  z.object({ type: z.literal('presence'), agent: AgentInfoSchema }),
  /** a manager removed an account */
  z.object({ type: z.literal('agent-removed'), agentId: AgentIdSchema }),
  /** the list of teams changed (all of it) */
  z.object({ type: z.literal('teams'), teams: z.array(TeamSchema) }),
  /** a session's summary changed (also sent to an agent who just left its audience) */
  z.object({ type: z.literal('session'), session: SessionSummarySchema }),
  /** one live event of a session */
  z.object({ type: z.literal('event'), event: SessionEventSchema }),
  /** events after a seq, in order: on resume, and when an agent joins a session's audience; `next`: fetch-events from there */
  z.object({ type: z.literal('replay'), sessionId: SessionIdSchema, ...EventsPage }),
  /** someone is typing (not persisted) */
  z.object({
    type: z.literal('typing'),
    sessionId: SessionIdSchema,
    who: z.enum(['customer', 'agent']),
    name: z.string(),
    active: z.boolean(),
  }),
  /** a request was created or changed (sent to its creator, its assignee and managers) */
  z.object({ type: z.literal('request'), request: RequestSchema }),
  /** a canned reply was created or changed (shared: every agent; personal: its owner) */
  z.object({ type: z.literal('canned-reply'), reply: CannedReplySchema }),
  z.object({ type: z.literal('canned-reply-deleted'), replyId: CannedReplyIdSchema }),
]);
export type RelayFrame = z.infer<typeof RelayFrameSchema>;
export type RelayFrameOf<T extends RelayFrame['type']> = Extract<RelayFrame, { type: T }>;

// ---------------------------------------------------------------------------------------------
// What a customer sees of a session event: display names and what the page shows, never agents' login ids, who filed
// a request or its internal description (relay/delivery.ts customerView makes these).

const customerEventBase = { sessionId: SessionIdSchema, seq: z.number().int().positive(), at: z.number() };
export const CustomerEventSchema = z.discriminatedUnion('kind', [
  z.object({ ...customerEventBase, kind: z.literal('opened'), customerName: z.string() }),
  z.object({ ...customerEventBase, kind: z.literal('assigned'), agentName: z.string() }),
  z.object({
    ...customerEventBase,
    kind: z.literal('message'),
    messageId: MessageIdSchema,
    author: z.object({ kind: z.enum(['customer', 'agent']), name: z.string() }),
    text: z.string(),
    attachments: z.array(AttachmentSchema).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
    writtenAt: WrittenAtSchema.optional(),
  }),
  z.object({ ...customerEventBase, kind: z.literal('transfer-accepted'), fromName: z.string(), toName: z.string() }),
  z.object({ ...customerEventBase, kind: z.literal('taken-over'), byName: z.string(), fromName: z.string().nullable() }),
  z.object({ ...customerEventBase, kind: z.literal('request-created'), request: z.object({ title: z.string() }) }),
  /** a request from this chat was solved and the customer is told (`tellCustomer`) */
  z.object({ ...customerEventBase, kind: z.literal('request-solved'), title: z.string() }),
  z.object({ ...customerEventBase, kind: z.literal('closed'), by: z.object({ kind: z.enum(['customer', 'agent']), name: z.string() }) }),
]);
export type CustomerEvent = z.infer<typeof CustomerEventSchema>;

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
  /** customer-visible events only (see customerVisibleKinds), in the customer's view */
  z.object({ type: z.literal('event'), event: CustomerEventSchema }),
  /** a resume's events after lastSeq; a long chat comes as several replays in a row */
  z.object({ type: z.literal('replay'), sessionId: SessionIdSchema, events: z.array(CustomerEventSchema) }),
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

/**
 * Parse one text frame: JSON first, then the schema. Never throws. `fast`, if given, is tried first: it returns the
 * schema's own output for the frames it knows, or null, and then the schema decides (and words any error).
 */
export function parseFrame<S extends z.ZodType>(
  schema: S,
  text: string,
  fast?: (raw: unknown) => z.infer<S> | null,
): { ok: true; frame: z.infer<S> } | { ok: false; id?: string; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  const known = fast?.(raw);
  if (known) return { ok: true, frame: known };
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

// ---------------------------------------------------------------------------------------------
// Messages without zod: a chat's traffic is almost all `send` and `customer-send`, and their schema's parse was ~1.5 KB
// of allocation and ~5% of the relay's CPU per message (docs/performance.md, round 16). These check the same rules as
// the schemas above, from the same constants, for a well-formed message only: anything else (a value of the wrong type,
// an empty or too long text, a bad id) returns null, and the schema judges it and words the error. Unknown keys are
// left out, as the schema strips them. tests/common/fast-frames.test.ts holds them to the schemas' output.

type MessageCommand = AgentCommandOf<'send'> | Extract<CustomerCommand, { type: 'customer-send' }>;

function fastMessage(raw: unknown, type: MessageCommand['type']): MessageCommand | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (r.type !== type) return null;
  const { id, sessionId, messageId, text, attachments, writtenAt } = r;
  if (typeof id !== 'string' || id.length < 1 || id.length > COMMAND_ID_MAX) return null;
  if (type === 'send' && (typeof sessionId !== 'string' || sessionId.length < 1 || sessionId.length > SESSION_ID_MAX)) return null;
  if (typeof messageId !== 'string' || messageId.length < MESSAGE_ID_LENGTH.min || messageId.length > MESSAGE_ID_LENGTH.max) return null;
  if (!MESSAGE_ID_PATTERN.test(messageId)) return null;
  let body = '';
  if (text !== undefined) {
    if (typeof text !== 'string') return null;
    body = text.trim();
    if (body.length > MESSAGE_TEXT_MAX) return null;
  }
  const files: string[] = [];
  if (attachments !== undefined) {
    if (!Array.isArray(attachments) || attachments.length > MAX_ATTACHMENTS_PER_MESSAGE) return null;
    for (const file of attachments) {
      if (typeof file !== 'string' || !ATTACHMENT_ID_PATTERN.test(file)) return null;
      files.push(file);
    }
  }
  if (!body.length && !files.length) return null;
  if (writtenAt !== undefined && !(typeof writtenAt === 'number' && Number.isSafeInteger(writtenAt) && writtenAt >= 0)) return null;
  // the schema's key order; writtenAt only when it was given
  const command: MessageCommand =
    type === 'send'
      ? { id, type, sessionId: sessionId as string, messageId, text: body, attachments: files }
      : { id, type, messageId, text: body, attachments: files };
  if (writtenAt !== undefined) command.writtenAt = writtenAt;
  return command;
}

/** A well-formed `customer-send` as CustomerCommandSchema parses it, or null. */
export function fastCustomerCommand(raw: unknown): CustomerCommand | null {
  return fastMessage(raw, 'customer-send') as CustomerCommand | null;
}

/** A well-formed `send` as AgentCommandSchema parses it, or null. */
export function fastAgentCommand(raw: unknown): AgentCommand | null {
  return fastMessage(raw, 'send') as AgentCommand | null;
}
