// The wire protocol between the relay and its clients (agents and customers): every frame as a zod schema.
// Frames are JSON text. Commands carry an `id` and are answered by exactly one `ok` or `error` with that id
// (`hello` is answered by `welcome`, `customer-hello` by `customer-welcome`).
import { z } from 'zod';
import {
  AgentIdSchema,
  AgentInfoSchema,
  AttachmentIdSchema,
  AttachmentLimitsSchema,
  CannedReplyIdSchema,
  CannedReplySchema,
  CannedReplyScopeSchema,
  CannedReplyTextSchema,
  CannedReplyTitleSchema,
  MAX_ATTACHMENTS_PER_MESSAGE,
  MessageIdSchema,
  MessageTextSchema,
  RequestSchema,
  RequestStatusSchema,
  SessionEventSchema,
  SessionIdSchema,
  SessionSummarySchema,
  SettableStatusSchema,
  WrittenAtSchema,
} from './domain';
import { ErrorCodeSchema } from './errors';

export const PROTOCOL_VERSION = 1;

/** WebSocket paths on the relay. Agents authenticate at the upgrade with HTTP Basic credentials. */
export const AGENT_PATH = '/agent';
export const CUSTOMER_PATH = '/customer';

/** Close codes the relay uses, with a human reason string beside each close. */
export const CloseCodes = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooLarge: 1009,
  unsupportedProtocol: 4002,
  rateLimited: 4008,
  sessionEnded: 4010,
  /** reconnect now, without backoff, to any node, and resume by seq (a drain, or a node that lost its bus) */
  reconnect: 4012,
} as const;

const CommandId = z.string().min(1).max(64);
const cmd = { id: CommandId };

/**
 * What a message carries besides its id: text, attachments (uploaded first over HTTP, see docs/protocol.md) or both,
 * and when it was written if that was earlier than now (an outbox sending later).
 */
const messageBody = {
  text: z.string().trim().max(8000).default(''),
  attachments: z.array(AttachmentIdSchema).max(MAX_ATTACHMENTS_PER_MESSAGE).default([]),
  writtenAt: WrittenAtSchema.optional(),
};
const hasContent = (m: { text: string; attachments: unknown[] }) => m.text.length > 0 || m.attachments.length > 0;
const needsContent = { message: 'a message cannot be empty: give it text or an attachment', path: ['text'] };

/** HTTP paths beside the sockets: uploads into a chat, and downloads of what a chat holds. */
export const attachmentUploadPath = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}/attachments`;
export const attachmentPath = (attachmentId: string) => `/attachments/${encodeURIComponent(attachmentId)}`;
/** upload headers: the client's id of this upload (a resend with it stores nothing new) and the file's name */
export const UPLOAD_ID_HEADER = 'x-upload-id';
export const FILE_NAME_HEADER = 'x-file-name';

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
  /** events of a session the caller may see (owner, listener, offered, manager, can-listen-in) after a seq */
  z.object({ ...cmd, type: z.literal('fetch-events'), sessionId: SessionIdSchema, afterSeq: z.number().int().nonnegative() }),
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
    /** resume: the token from an earlier customer-welcome */
    token: z.string().min(16).max(128).optional(),
    lastSeq: z.number().int().nonnegative().default(0),
  }),
  z
    .object({ ...cmd, type: z.literal('customer-send'), messageId: MessageIdSchema, ...messageBody })
    .refine(hasContent, needsContent),
  z.object({ ...cmd, type: z.literal('customer-typing'), active: z.boolean() }),
  z.object({ ...cmd, type: z.literal('customer-close') }),
]);
export type CustomerCommand = z.infer<typeof CustomerCommandSchema>;

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
  'add-note': z.object({ seq: z.number().int().positive(), duplicate: z.boolean() }),
  'update-request': z.object({ request: RequestSchema }),
  'list-canned': z.object({ replies: z.array(CannedReplySchema) }),
  'save-canned': z.object({ reply: CannedReplySchema }),
  'offer-transfer': z.object({ transferId: z.string() }),
  'create-request': z.object({ request: RequestSchema }),
  'list-requests': z.object({ requests: z.array(RequestSchema) }),
  'fetch-events': z.object({ events: z.array(SessionEventSchema) }),
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
    /** what uploads the relay takes (absent from relays without attachments) */
    attachments: AttachmentLimitsSchema.optional(),
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
  /** a request was created or changed (sent to its creator, its assignee and managers) */
  z.object({ type: z.literal('request'), request: RequestSchema }),
  /** a canned reply was created or changed (shared: every agent; personal: its owner) */
  z.object({ type: z.literal('canned-reply'), reply: CannedReplySchema }),
  z.object({ type: z.literal('canned-reply-deleted'), replyId: CannedReplyIdSchema }),
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
