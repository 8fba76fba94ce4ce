// The bridge between the renderer and the client core: one map from channel to argument and result schemas,
// the events the core pushes to the renderer, and the `window.baton` shape. Electron IPC (preload) and the
// web-mode WebSocket both carry exactly this contract.
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
  MessageIdSchema,
  RatingFiguresSchema,
  RequestSchema,
  RequestStatusSchema,
  SessionEventSchema,
  SessionIdSchema,
  SessionSummarySchema,
  SettableStatusSchema,
  TeamIdSchema,
  TeamSchema,
} from './domain';
import { MetricsSchema } from './metrics';
import { AdminCommandSchema, CommandResultSchemas } from './protocol';
import type { Result } from './result';

export const ConnectionStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed-out') }),
  z.object({ status: z.literal('connecting'), attempt: z.number().int().nonnegative() }),
  z.object({ status: z.literal('online'), since: z.number() }),
  /** nextRetryAt is null while no retry is scheduled (e.g. the machine reports no network) */
  z.object({
    status: z.literal('offline'),
    attempt: z.number().int().nonnegative(),
    nextRetryAt: z.number().nullable(),
    /** the link's own words (for logs and tests) */
    reason: z.string(),
    /** the same as a sentence for a person: "The relay at ws://… did not answer." */
    message: z.string().optional(),
  }),
  z.object({ status: z.literal('auth-failed'), message: z.string() }),
  z.object({ status: z.literal('version-mismatch'), message: z.string() }),
]);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

export const OutboxItemSchema = z.object({
  messageId: MessageIdSchema,
  sessionId: SessionIdSchema,
  /** a message to the customer, or an internal note (agents only) */
  kind: z.enum(['message', 'note']).default('message'),
  text: z.string(),
  /** the file it carries, uploaded before the message is sent */
  attachment: z.object({ name: z.string(), size: z.number().int().nonnegative() }).nullable().default(null),
  /** when it was written (it is sent later when the relay is out of reach) */
  createdAt: z.number(),
  state: z.enum(['pending', 'sent', 'failed']),
  /** why it failed, as a sentence; null unless failed */
  error: z.string().nullable(),
});
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

/** What gets the agent's attention: a chat newly theirs, a transfer offered to them, a customer's new message. */
export const AttentionKindSchema = z.enum(['new-chat', 'transfer-offer', 'message']);
export type AttentionKind = z.infer<typeof AttentionKindSchema>;

/** One sound: on or off, and how loud (0 silent … 1 full). */
export const SoundSettingSchema = z.object({ on: z.boolean(), volume: z.number().min(0).max(1) });
export type SoundSetting = z.infer<typeof SoundSettingSchema>;

export const SettingsSchema = z.object({
  notifyNewChats: z.boolean(),
  notifyMessages: z.boolean(),
  /** one sound per kind of attention */
  sounds: z.object({ 'new-chat': SoundSettingSchema, 'transfer-offer': SoundSettingSchema, message: SoundSettingSchema }).strict(),
  /** repeat the sound (and the taskbar flash) while an offer or a new chat stays unanswered */
  reminder: z.object({ on: z.boolean(), everySeconds: z.number().int().min(10).max(600) }).strict(),
  /** flash the taskbar button / bounce the Dock icon when something needs the agent and Baton is not in front */
  flashWindow: z.boolean(),
  /** show me Away after this long without input (the computer's on the desktop, this page's in a browser) */
  autoAway: z.object({ on: z.boolean(), minutes: z.number().int().min(1).max(240) }).strict(),
  /** the Dashboard colours waiting times against this target */
  waitTargetSeconds: z.number().int().min(10).max(3600),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const defaultSettings: Settings = {
  notifyNewChats: true,
  notifyMessages: true,
  sounds: {
    'new-chat': { on: true, volume: 0.8 },
    'transfer-offer': { on: true, volume: 0.8 },
    message: { on: true, volume: 0.5 },
  },
  reminder: { on: true, everySeconds: 30 },
  flashWindow: true,
  autoAway: { on: true, minutes: 10 },
  waitTargetSeconds: 60,
};

const loopbackNames = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
/** localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return loopbackNames.has(name) || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * True for a ws:// address on another machine: the password (Basic auth at the upgrade) and every chat would cross
 * the network unencrypted, so the client asks for an explicit confirmation first. wss:// and loopback are fine.
 */
export function isUnencryptedRemoteRelay(relayUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(relayUrl.trim());
  } catch {
    return false;
  }
  return url.protocol === 'ws:' && !isLoopbackHost(url.hostname);
}

/** Everything the renderer needs to draw the workspace from nothing (after start, sign-in, reconnect). */
export const ClientSnapshotSchema = z.object({
  me: AgentInfoSchema.nullable(),
  connection: ConnectionStateSchema,
  agents: z.array(AgentInfoSchema),
  /** sessions the agent owns, listens to or is offered, plus all live ones for dashboard viewers */
  sessions: z.array(SessionSummarySchema),
  outbox: z.array(OutboxItemSchema),
  unread: z.record(SessionIdSchema, z.number().int().nonnegative()),
  requests: z.array(RequestSchema),
  settings: SettingsSchema,
  /** the teams chats can be transferred to (absent from a core that predates them) */
  teams: z.array(TeamSchema).optional(),
  /** the shared canned replies and my personal ones, as last known (they work offline) */
  cannedReplies: z.array(CannedReplySchema).default([]),
  /** what the relay takes in uploads; null before the first welcome */
  attachmentLimits: AttachmentLimitsSchema.nullable().default(null),
});
export type ClientSnapshot = z.infer<typeof ClientSnapshotSchema>;

/** A piece of a search snippet; `match` parts are the searched words, to be highlighted. */
export const SearchHitSchema = z.object({
  sessionId: SessionIdSchema,
  seq: z.number().int(),
  /** a message, or an internal note (shown marked as one) */
  kind: z.enum(['message', 'note']).default('message'),
  customerName: z.string(),
  authorName: z.string(),
  at: z.number(),
  parts: z.array(z.object({ text: z.string(), match: z.boolean() })),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

/** A notification the core wants shown; the desktop shell uses the OS, web mode the browser. */
export const NotificationIntentSchema = z.object({
  id: z.string(),
  kind: z.enum(['transfer-offer', 'new-chat', 'message', 'note', 'transfer-ended']),
  title: z.string(),
  body: z.string(),
  sessionId: SessionIdSchema,
  transferId: z.string().nullable(),
});
export type NotificationIntent = z.infer<typeof NotificationIntentSchema>;

/** base64 of the largest file the bridge carries (web mode's socket takes frames up to 32 MiB) */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MAX_FILE_BASE64 = Math.ceil(MAX_FILE_BYTES / 3) * 4;

const none = z.object({}).strict();
const sessionRef = z.object({ sessionId: SessionIdSchema }).strict();
const transferRef = z.object({ sessionId: SessionIdSchema, transferId: z.string().min(1).max(64) }).strict();
const done = z.null();

export const bridgeCommands = {
  /** what the sign-in screen can prefill */
  'auth:saved': {
    args: none,
    result: z.object({ relayUrl: z.string().nullable(), user: z.string().nullable(), hasPassword: z.boolean() }),
  },
  'auth:signIn': {
    args: z
      .object({
        relayUrl: z
          .string()
          .trim()
          .regex(/^wss?:\/\/[^\s/]+/i, 'the relay address starts with ws:// or wss://'),
        user: AgentIdSchema,
        password: z.string().min(1, 'enter your password').max(256),
        remember: z.boolean().default(true),
        /** the agent confirmed signing in over ws:// to another machine (see isUnencryptedRemoteRelay) */
        allowUnencrypted: z.boolean().default(false),
      })
      .strict(),
    result: z.object({ me: AgentInfoSchema }),
  },
  'auth:signOut': { args: none, result: done },
  'app:snapshot': { args: none, result: ClientSnapshotSchema },
  'settings:set': { args: SettingsSchema.partial().strict(), result: SettingsSchema },
  'agent:setStatus': { args: z.object({ status: SettableStatusSchema }).strict(), result: done },
  /** how long the agent has given no input (the OS's idle time, or this page's): the core applies auto-away */
  'agent:activity': { args: z.object({ idleSeconds: z.number().nonnegative().max(1e9) }).strict(), result: done },
  /** resolves once the message is durably in the outbox; delivery is reported by `outbox` events */
  'chat:send': {
    args: z.object({ sessionId: SessionIdSchema, text: z.string().trim().min(1, 'a message cannot be empty').max(8000) }).strict(),
    result: z.object({ messageId: MessageIdSchema }),
  },
  /** an internal note (or a whisper to the owner): durable in the outbox like a message, never shown to the customer */
  'chat:note': {
    args: z.object({ sessionId: SessionIdSchema, text: z.string().trim().min(1, 'a note cannot be empty').max(8000) }).strict(),
    result: z.object({ messageId: MessageIdSchema }),
  },
  /**
   * A file (base64) with an optional caption: kept in the outbox, uploaded with progress (`upload-progress` events),
   * then sent as a message. A resend uploads under the same id, so the relay stores it once.
   */
  'chat:sendFile': {
    args: z
      .object({
        sessionId: SessionIdSchema,
        name: z.string().trim().min(1).max(255),
        data: z.string().max(MAX_FILE_BASE64).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'the file must be base64'),
        text: z.string().trim().max(8000).default(''),
      })
      .strict(),
    result: z.object({ messageId: MessageIdSchema }),
  },
  /** a file a message carries, from the local cache, or fetched from the relay (and then kept for offline use) */
  'attachment:read': {
    args: z.object({ sessionId: SessionIdSchema, attachmentId: AttachmentIdSchema }).strict(),
    result: z.object({ name: z.string(), type: z.string(), size: z.number().int(), data: z.string() }),
  },
  'chat:retry': { args: z.object({ messageId: MessageIdSchema }).strict(), result: done },
  'chat:typing': { args: z.object({ sessionId: SessionIdSchema, active: z.boolean() }).strict(), result: done },
  'chat:markRead': { args: z.object({ sessionId: SessionIdSchema, seq: z.number().int().nonnegative() }).strict(), result: done },
  /** a page of a session's events from the local cache, newest last; `beforeSeq` pages backwards */
  'chat:transcript': {
    args: z
      .object({
        sessionId: SessionIdSchema,
        beforeSeq: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    result: z.object({ events: z.array(SessionEventSchema), hasMore: z.boolean() }),
  },
  'transfer:offer': {
    args: z
      .object({
        sessionId: SessionIdSchema,
        /** an agent, or a team (exactly one) */
        to: AgentIdSchema.optional(),
        team: TeamIdSchema.optional(),
        note: z.string().trim().max(1000).optional(),
      })
      .strict()
      .refine((a) => (a.to === undefined) !== (a.team === undefined), 'choose an agent or a team'),
    result: CommandResultSchemas['offer-transfer'],
  },
  'transfer:accept': { args: transferRef, result: done },
  'transfer:reject': {
    args: transferRef.extend({ reason: z.string().trim().max(1000).optional() }).strict(),
    result: done,
  },
  'transfer:cancel': { args: transferRef, result: done },
  'session:takeOver': { args: sessionRef, result: done },
  'session:listen': { args: sessionRef, result: done },
  'session:closeWindow': { args: sessionRef, result: done },
  'session:closeChat': { args: sessionRef, result: done },
  'request:create': {
    args: z
      .object({
        sessionId: SessionIdSchema,
        title: z.string().trim().min(1, 'a request needs a title').max(200),
        description: z.string().trim().max(5000).optional(),
      })
      .strict(),
    result: z.object({ request: RequestSchema }),
  },
  'request:list': { args: none, result: z.object({ requests: z.array(RequestSchema) }) },
  /** the customers' ratings of the last 7 days, from the relay (Dashboard viewers) */
  'dashboard:ratings': { args: none, result: RatingFiguresSchema },
  /** figures per agent and team over [since, until), computed by the relay (managers and can-listen-in) */
  'metrics:get': {
    args: z
      .object({ since: z.number().int().nonnegative(), until: z.number().int().positive() })
      .strict()
      .refine((a) => a.until > a.since, 'the window must end after it starts'),
    result: MetricsSchema,
  },
  /** a manager's administration (Team view): one relay command, as the protocol defines it */
  'admin:command': { args: AdminCommandSchema, result: done },
  /** status and/or assignee; `tellCustomer` with solved tells the customer */
  'request:update': {
    args: z
      .object({
        requestId: z.string().min(1).max(64),
        status: RequestStatusSchema.optional(),
        assigneeId: AgentIdSchema.nullable().optional(),
        tellCustomer: z.boolean().default(false),
      })
      .strict(),
    result: z.object({ request: RequestSchema }),
  },
  /** the canned replies as last known (they are refreshed from the relay at every sign-in and kept live) */
  'canned:list': { args: none, result: z.object({ replies: z.array(CannedReplySchema) }) },
  'canned:save': {
    args: z
      .object({
        replyId: CannedReplyIdSchema.optional(),
        scope: CannedReplyScopeSchema,
        title: CannedReplyTitleSchema,
        text: CannedReplyTextSchema,
      })
      .strict(),
    result: z.object({ reply: CannedReplySchema }),
  },
  'canned:delete': { args: z.object({ replyId: CannedReplyIdSchema }).strict(), result: done },
  /** closed sessions in the local cache, newest first */
  'history:list': {
    args: z
      .object({ limit: z.number().int().min(1).max(500).default(100), beforeClosedAt: z.number().optional() })
      .strict(),
    result: z.object({ sessions: z.array(SessionSummarySchema) }),
  },
  /** full-text search over cached messages, newest first */
  'history:search': {
    args: z
      .object({
        text: z.string().trim().min(1, 'type something to search for').max(200),
        customer: z.string().trim().max(80).optional(),
        from: z.number().optional(),
        to: z.number().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    result: z.object({ hits: z.array(SearchHitSchema) }),
  },
} as const;

export type BridgeChannel = keyof typeof bridgeCommands;
/** What a caller passes (defaults may be omitted). */
export type BridgeArgs<C extends BridgeChannel> = z.input<(typeof bridgeCommands)[C]['args']>;
/** What a handler receives after validation. */
export type BridgeParsedArgs<C extends BridgeChannel> = z.output<(typeof bridgeCommands)[C]['args']>;
export type BridgeResult<C extends BridgeChannel> = z.output<(typeof bridgeCommands)[C]['result']>;
export const bridgeChannels = Object.keys(bridgeCommands) as BridgeChannel[];
export const isBridgeChannel = (name: unknown): name is BridgeChannel =>
  typeof name === 'string' && Object.hasOwn(bridgeCommands, name);

/** Events pushed from the core to the renderer. */
export const ClientEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), snapshot: ClientSnapshotSchema }),
  z.object({ type: z.literal('connection'), connection: ConnectionStateSchema }),
  z.object({ type: z.literal('presence'), agent: AgentInfoSchema }),
  z.object({ type: z.literal('agent-removed'), agentId: AgentIdSchema }),
  z.object({ type: z.literal('teams'), teams: z.array(TeamSchema) }),
  z.object({ type: z.literal('session'), session: SessionSummarySchema }),
  /** new session events, in seq order (live or replayed; the renderer ignores seqs it already holds) */
  z.object({ type: z.literal('events'), sessionId: SessionIdSchema, events: z.array(SessionEventSchema) }),
  z.object({
    type: z.literal('typing'),
    sessionId: SessionIdSchema,
    who: z.enum(['customer', 'agent']),
    name: z.string(),
    active: z.boolean(),
  }),
  z.object({ type: z.literal('outbox'), item: OutboxItemSchema }),
  z.object({ type: z.literal('unread'), sessionId: SessionIdSchema, count: z.number().int().nonnegative() }),
  z.object({ type: z.literal('request'), request: RequestSchema }),
  /** every canned reply the agent sees, whenever one changed */
  z.object({ type: z.literal('canned-replies'), replies: z.array(CannedReplySchema) }),
  /** how far the upload of an outbox item's file has got */
  z.object({
    type: z.literal('upload-progress'),
    messageId: MessageIdSchema,
    sent: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('settings'), settings: SettingsSchema }),
  z.object({ type: z.literal('notification'), notification: NotificationIntentSchema }),
  z.object({ type: z.literal('notification-closed'), id: z.string() }),
  /** the shell asks the UI to show a session (notification click, tray) */
  z.object({ type: z.literal('focus-session'), sessionId: SessionIdSchema }),
  /**
   * Something needs the agent: the renderer plays its sound, the desktop shell flashes the taskbar. Raised whatever
   * the notification settings say; `reminder` repeats for an offer or a new chat still unanswered.
   */
  z.object({ type: z.literal('attention'), kind: AttentionKindSchema, sessionId: SessionIdSchema, reminder: z.boolean() }),
  /** web mode only: the page's token no longer opens the bridge (the host was restarted); `message` says what to do */
  z.object({ type: z.literal('link-expired'), message: z.string() }),
  z.object({ type: z.literal('signed-out') }),
]);
export type ClientEvent = z.infer<typeof ClientEventSchema>;
export type ClientEventOf<T extends ClientEvent['type']> = Extract<ClientEvent, { type: T }>;

/** `window.baton`: the only thing of the main process the renderer can reach. */
export interface BatonBridge {
  readonly platform: 'desktop' | 'web';
  invoke<C extends BridgeChannel>(channel: C, args: BridgeArgs<C>): Promise<Result<BridgeResult<C>>>;
  onEvent(listener: (event: ClientEvent) => void): () => void;
}

/** The client core as the shells see it: validates its own arguments, never throws. */
export interface BridgeHandler {
  invoke(channel: string, args: unknown): Promise<Result<unknown>>;
  subscribe(listener: (event: ClientEvent) => void): () => void;
}

/** Web-mode framing of the bridge over a local WebSocket. */
export const WebBridgeRequestSchema = z.object({
  kind: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(64),
  args: z.unknown(),
});
export type WebBridgeRequest = z.infer<typeof WebBridgeRequestSchema>;
export type WebBridgeMessage =
  | { kind: 'result'; id: number; result: Result<unknown> }
  | { kind: 'event'; event: ClientEvent };

export const DESKTOP_EVENT_CHANNEL = 'baton:event';

declare global {
  interface Window {
    baton: BatonBridge;
  }
}
