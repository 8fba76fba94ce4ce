// The relay's settings: one table, one entry per setting (its flag, environment variable, config-file key, default,
// meaning and how it becomes a RelayOptions field), one zod schema over all of them, and the resolution of a value
// from a flag, the environment, a config file or the default, in that order. docs/relay.md lists the same table.
import fs from 'node:fs';
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { COLOUR } from '../common/widget-settings';
import { GC_MODES } from './gc-mode';
import { parseOpeningHours, validTimeZone } from './opening-hours';
import { DEFAULT_ATTACHMENT_MAX_BYTES, defaultAttachmentTypes } from '../common/domain';
import { RELAY_DEFAULTS, type RelayOptions } from './server';
import { SIGN_IN_DEFAULTS } from './sign-in';

type Kind = 'string' | 'number' | 'boolean' | 'list';

/** What a setting adds to the relay's options (deep-merged with what the others add). */
type OptionsPart = { [K in keyof RelayOptions]?: RelayOptions[K] extends object | undefined ? Partial<NonNullable<RelayOptions[K]>> : RelayOptions[K] };

export interface Setting<S extends z.ZodType = z.ZodType> {
  /** the command-line flag, without the dashes */
  flag: string;
  /** the environment variable; default BATON_ and the key in capitals (postgresUrl: BATON_POSTGRES_URL) */
  env?: string;
  kind: Kind;
  /** what the flag takes, for the usage and the docs ("<seconds>") */
  arg?: string;
  /** validates the value wherever it came from; `.default()` gives the default */
  schema: S;
  /** how the default reads in the settings table when there is no value ("off") */
  unset?: string;
  meaning: string;
  /** never printed or echoed back: a URL's password is masked, a token is hidden whole */
  secret?: 'url' | 'token';
  /** a file or folder: a relative path in a config file is read from the file's folder */
  path?: boolean;
  options: (value: z.infer<S>) => OptionsPart;
}

const setting = <S extends z.ZodType>(entry: Setting<S>): Setting<S> => entry;

// ---------------------------------------------------------------------------------------------
// Value checks, each failing with one sentence that follows the setting's name

function wholeNumber(min: number, max: number | null, message: string) {
  const base = z.number({ error: message }).int({ error: message }).min(min, { error: message });
  return max === null ? base : base.max(max, { error: message });
}

function decimal(min: number, message: string) {
  return z.number({ error: message }).min(min, { error: message });
}

function text(message: string) {
  return z.string({ error: message }).trim().min(1, { error: message });
}

function flagOn() {
  return z.boolean({ error: 'must be true or false' });
}

function url(protocols: string[], example: string) {
  const message = `must be a URL such as ${example}`;
  return z.string({ error: message }).refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, message);
}

const PORT = 'must be a whole number between 0 and 65535';
const ORIGIN = /^https?:\/\/[^/\s]+$/;

// ---------------------------------------------------------------------------------------------
// The settings

export const settings = {
  port: setting({
    flag: 'port',
    kind: 'number',
    schema: wholeNumber(0, 65535, PORT).default(7420),
    meaning: 'port for agents, customers and the chat page; 0 picks a free one (printed at start)',
    options: (port) => ({ port }),
  }),
  host: setting({
    flag: 'host',
    kind: 'string',
    arg: '<address>',
    schema: text('must be a host name or address').default('127.0.0.1'),
    meaning: 'address to listen on (0.0.0.0: every interface)',
    options: (host) => ({ host }),
  }),
  data: setting({
    flag: 'data',
    kind: 'string',
    arg: '<dir>',
    schema: text('must be a folder').default('./.baton-data/relay'),
    meaning: 'folder of relay.sqlite (unused by a cluster node)',
    path: true,
    options: (data) => ({ dataDir: path.resolve(data) }),
  }),
  demo: setting({
    flag: 'demo',
    kind: 'boolean',
    schema: flagOn().default(false),
    meaning: 'on an empty store, create alice, bob (agents), carol (agent, can listen in) and maria (manager), password "demo"',
    options: (demo) => ({ demo }),
  }),
  transferTimeout: setting({
    flag: 'transfer-timeout',
    kind: 'number',
    arg: '<seconds>',
    schema: decimal(1, 'must be a number of seconds of at least 1').optional(),
    unset: 'off',
    meaning: 'a pending transfer ends with reason timeout after this long',
    options: (seconds) => ({ transferTimeoutMs: seconds === undefined ? null : seconds * 1000 }),
  }),
  offlineGrace: setting({
    flag: 'offline-grace',
    kind: 'number',
    arg: '<seconds>',
    schema: decimal(0, 'must be a number of seconds, 0 or more').default(RELAY_DEFAULTS.offlineGraceMs / 1000),
    meaning: 'how long an agent whose last connection dropped keeps their status before going offline',
    options: (seconds) => ({ offlineGraceMs: seconds * 1000 }),
  }),
  capacity: setting({
    flag: 'capacity',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.capacity),
    meaning: 'routing passes over agents with this many open chats',
    options: (capacity) => ({ capacity }),
  }),
  allowedOrigins: setting({
    flag: 'allowed-origin',
    kind: 'list',
    arg: '<origin>',
    schema: z
      .array(z.string().regex(ORIGIN, { error: 'must look like https://example.com' }), { error: 'must be a list of origins' })
      .optional(),
    unset: "the relay's own origin",
    meaning: 'Origins browsers may connect from; the flag repeats, the variable is comma-separated, the file key a list',
    options: (allowedOrigins) => ({ allowedOrigins }),
  }),
  widgetOrigins: setting({
    flag: 'widget-origin',
    kind: 'list',
    arg: '<origin>',
    schema: z
      .array(z.string().regex(ORIGIN, { error: 'must look like https://example.com' }), { error: 'must be a list of origins' })
      .optional(),
    unset: 'none (the chat page cannot be embedded)',
    meaning: 'websites that may embed the chat widget (frame-ancestors); repeats like allowedOrigin',
    options: (origins) => ({ widget: { origins: origins ?? [] } }),
  }),
  widgetTitle: setting({
    flag: 'widget-title',
    kind: 'string',
    arg: '<text>',
    schema: z.string({ error: 'must be a text of 1-80 characters' }).trim().min(1).max(80, { error: 'must be at most 80 characters' }).optional(),
    unset: 'Chat with us',
    meaning: "the chat page's and widget's title",
    options: (title) => (title ? { widget: { title } } : {}),
  }),
  widgetGreeting: setting({
    flag: 'widget-greeting',
    kind: 'string',
    arg: '<text>',
    schema: z.string({ error: 'must be a text of 1-500 characters' }).trim().min(1).max(500, { error: 'must be at most 500 characters' }).optional(),
    unset: 'Hi there! Tell us your name…',
    meaning: 'the words above the pre-chat form',
    options: (greeting) => (greeting ? { widget: { greeting } } : {}),
  }),
  widgetColour: setting({
    flag: 'widget-colour',
    kind: 'string',
    arg: '<#rrggbb>',
    schema: z.string().regex(COLOUR, { error: 'must be a colour such as #2457c5' }).optional(),
    unset: '#2457c5',
    meaning: "the chat page's and launcher's accent colour",
    options: (colour) => (colour ? { widget: { colour } } : {}),
  }),
  widgetEmailRequired: setting({
    flag: 'widget-email-required',
    kind: 'boolean',
    schema: flagOn().default(false),
    meaning: 'the pre-chat form asks for an e-mail address, and the relay refuses a new chat without one (email-required)',
    options: (emailRequired) => ({ widget: { emailRequired } }),
  }),
  widgetTopics: setting({
    flag: 'widget-topic',
    kind: 'list',
    arg: '<topic>',
    schema: z.array(z.string().trim().min(1).max(80), { error: 'must be a list of topics of 1-80 characters' }).max(20).optional(),
    unset: "the teams' names (none: no topic asked)",
    meaning:
      "topics offered in the pre-chat form, each routed to the team it names by id or name (else any agent); a widget's data-team picks one; repeats",
    options: (topics) => (topics?.length ? { widget: { topics } } : {}),
  }),
  widgetOfflineForm: setting({
    flag: 'widget-offline-form',
    kind: 'boolean',
    schema: flagOn().default(false),
    meaning: 'when nobody is Present, the page offers a form that leaves a request (with the e-mail) instead of a place in the queue',
    options: (offlineForm) => ({ widget: { offlineForm } }),
  }),
  widgetOpeningHours: setting({
    flag: 'widget-opening-hours',
    kind: 'string',
    arg: '<hours>',
    schema: z
      .string()
      .trim()
      .refine((text) => typeof parseOpeningHours(text) !== 'string', {
        error: (issue) => `must be like "mon-fri 09:00-17:00, sat 10:00-14:00": ${parseOpeningHours(String(issue.input))}`,
      })
      .optional(),
    unset: 'always open',
    meaning: 'outside these hours (in widgetTimeZone) the page offers the offline form instead of a chat',
    options: (openingHours) => (openingHours ? { widget: { openingHours } } : {}),
  }),
  widgetTimeZone: setting({
    flag: 'widget-time-zone',
    kind: 'string',
    arg: '<zone>',
    schema: z.string().refine(validTimeZone, { error: 'must be a time zone such as Europe/Vienna or UTC' }).default('UTC'),
    meaning: 'the time zone of widgetOpeningHours',
    options: (timeZone) => ({ widget: { timeZone } }),
  }),
  widgetOfflineReply: setting({
    flag: 'widget-offline-reply',
    kind: 'string',
    arg: '<text>',
    schema: z.string({ error: 'must be a text of 1-200 characters' }).trim().min(1).max(200, { error: 'must be at most 200 characters' }).optional(),
    unset: 'within one working day',
    meaning: 'when the offline form says an answer comes ("We will answer by e-mail …")',
    options: (offlineReply) => (offlineReply ? { widget: { offlineReply } } : {}),
  }),
  attachmentMaxMb: setting({
    flag: 'attachment-max-mb',
    kind: 'number',
    arg: '<MB>',
    schema: decimal(0.001, 'must be a number of megabytes above 0').default(DEFAULT_ATTACHMENT_MAX_BYTES / (1024 * 1024)),
    meaning: 'the largest file an agent or a customer may send into a chat',
    options: (mb) => ({ attachments: { maxBytes: Math.round(mb * 1024 * 1024) } }),
  }),
  attachmentTypes: setting({
    flag: 'attachment-type',
    kind: 'list',
    arg: '<type>',
    schema: z
      .array(z.enum(defaultAttachmentTypes, { error: `must be one of ${defaultAttachmentTypes.join(', ')}` }), {
        error: 'must be a list of file types',
      })
      .optional(),
    unset: defaultAttachmentTypes.join(', '),
    meaning: 'the file types accepted (sniffed from the bytes, never taken from the upload); the flag repeats',
    options: (types) => (types ? { attachments: { types } } : {}),
  }),
  postgresUrl: setting({
    flag: 'postgres',
    kind: 'string',
    arg: '<url>',
    schema: url(['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/baton').optional(),
    unset: '—',
    meaning: 'PostgreSQL of a cluster (with redisUrl the relay is a cluster node)',
    secret: 'url',
    options: (postgresUrl) => (postgresUrl ? { cluster: { postgresUrl } } : {}),
  }),
  redisUrl: setting({
    flag: 'redis',
    kind: 'string',
    arg: '<url>',
    schema: url(['redis:', 'rediss:'], 'redis://host:6379').optional(),
    unset: '—',
    meaning: 'Redis of a cluster: fan-out and presence',
    secret: 'url',
    options: (redisUrl) => (redisUrl ? { cluster: { redisUrl } } : {}),
  }),
  nodeId: setting({
    flag: 'node-id',
    kind: 'string',
    arg: '<name>',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'must be 1-64 letters, digits, ".", "_" or "-"' })
      .optional(),
    unset: 'host name, process id, random suffix',
    meaning: "a cluster node's name in logs, /health, /metrics and Redis keys",
    options: (nodeId) => (nodeId ? { cluster: { nodeId } } : {}),
  }),
  redisPrefix: setting({
    flag: 'redis-prefix',
    kind: 'string',
    arg: '<prefix>',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: 'must be 1-64 letters, digits, ".", "_", ":" or "-"' })
      .optional(),
    unset: 'baton',
    meaning: 'Redis key and channel prefix, so several clusters can share one Redis',
    options: (redisPrefix) => (redisPrefix ? { cluster: { redisPrefix } } : {}),
  }),
  metricsPort: setting({
    flag: 'metrics-port',
    kind: 'number',
    schema: wholeNumber(0, 65535, PORT).optional(),
    unset: 'off',
    meaning: 'serve /metrics (and /health, /ready) on this port of metricsHost instead of the public port',
    options: (port) => (port === undefined ? {} : { metrics: { port } }),
  }),
  metricsHost: setting({
    flag: 'metrics-host',
    kind: 'string',
    arg: '<address>',
    schema: text('must be a host name or address').default('127.0.0.1'),
    meaning: 'address of the metrics port',
    options: (host) => ({ metrics: { host } }),
  }),
  metricsToken: setting({
    flag: 'metrics-token',
    kind: 'string',
    arg: '<secret>',
    schema: z
      .string()
      .min(16, { error: 'must be at least 16 characters (for example: openssl rand -hex 32)' })
      .optional(),
    unset: '—',
    meaning:
      '/metrics answers only `Authorization: Bearer <secret>`; without metricsPort it is then served on the public port. ' +
      'Prefer the variable or the file to the flag (other users can read flags in ps)',
    secret: 'token',
    options: (token) => (token ? { metrics: { token } } : {}),
  }),
  drainTimeout: setting({
    flag: 'drain-timeout',
    kind: 'number',
    arg: '<seconds>',
    schema: decimal(1, 'must be a number of seconds of at least 1').default(RELAY_DEFAULTS.drainTimeoutMs / 1000),
    meaning: 'on SIGTERM, how long the relay may take to finish and hand its clients over before it exits anyway',
    options: (seconds) => ({ drainTimeoutMs: seconds * 1000 }),
  }),
  retentionDays: setting({
    flag: 'retention-days',
    kind: 'number',
    arg: '<days>',
    schema: wholeNumber(1, null, 'must be a whole number of days of at least 1').optional(),
    unset: 'off (keep everything)',
    meaning: 'closed chats (their events, participants, listeners, customer tokens, attachments) older than this are deleted every hour',
    options: (days) => (days === undefined ? {} : { retention: { maxAgeMs: days * 86_400_000 } }),
  }),
  // Limits (docs/relay.md, "Limits"): each is kept per node in a cluster, except the queue cap (it reads the queue)
  rateLimit: setting({
    flag: 'rate-limit',
    kind: 'number',
    arg: '<frames/s>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.rateLimit.perSecond),
    meaning: 'frames per second from one party (an agent over all their connections, a chat over all its sockets), bursts of twice that; more are dropped with rate-limited',
    options: (perSecond) => ({ rateLimit: { perSecond, burst: perSecond * 2 } }),
  }),
  addressRateLimit: setting({
    flag: 'address-rate-limit',
    kind: 'number',
    arg: '<frames/s>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.addressRateLimit.perSecond),
    meaning: 'frames per second from one address over all its customer connections, bursts of twice that',
    options: (perSecond) => ({ addressRateLimit: { perSecond, burst: perSecond * 2 } }),
  }),
  newChatsPerAddressPerMinute: setting({
    flag: 'chats-per-address',
    kind: 'number',
    arg: '<per minute>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.newChatsPerAddressPerMinute),
    meaning: 'new chats one address may start per minute; more are refused with rate-limited and a sentence',
    options: (newChatsPerAddressPerMinute) => ({ newChatsPerAddressPerMinute }),
  }),
  newChatsPerSecond: setting({
    flag: 'chats-per-second',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.newChatsPerSecond),
    meaning: 'new chats per second over every address (bursts of twice that): what a flood from many addresses can make the relay write',
    options: (newChatsPerSecond) => ({ newChatsPerSecond }),
  }),
  maxQueuedChats: setting({
    flag: 'max-queued-chats',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.maxQueuedChats),
    meaning: 'while this many chats wait for an agent, a new customer is told the queue is full (queue-full)',
    options: (maxQueuedChats) => ({ maxQueuedChats }),
  }),
  maxConnections: setting({
    flag: 'max-connections',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.maxConnections),
    meaning: 'connections and upgrades being checked, in all; more are refused with HTTP 503',
    options: (maxConnections) => ({ maxConnections }),
  }),
  maxConnectionsPerAddress: setting({
    flag: 'max-connections-per-address',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.maxConnectionsPerAddress),
    meaning: 'customer connections and upgrades being checked from one address; more are refused with HTTP 429',
    options: (maxConnectionsPerAddress) => ({ maxConnectionsPerAddress }),
  }),
  maxConnectionsPerAgent: setting({
    flag: 'max-connections-per-agent',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(RELAY_DEFAULTS.maxConnectionsPerAgent),
    meaning: 'connections of one signed-in agent (counted per agent, not per address); more are refused with HTTP 429',
    options: (maxConnectionsPerAgent) => ({ maxConnectionsPerAgent }),
  }),
  helloTimeout: setting({
    flag: 'hello-timeout',
    kind: 'number',
    arg: '<seconds>',
    schema: decimal(0.1, 'must be a number of seconds of at least 0.1').default(RELAY_DEFAULTS.helloTimeoutMs / 1000),
    meaning: 'a connection that has not said hello by then is closed (4001); until then it counts against the caps',
    options: (seconds) => ({ helloTimeoutMs: seconds * 1000 }),
  }),
  trustProxyHeader: setting({
    flag: 'trust-proxy-header',
    kind: 'string',
    arg: '<header>',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'must be a header name such as x-forwarded-for' })
      .optional(),
    unset: "off (the socket's peer address)",
    meaning: 'behind a reverse proxy: the header it writes the client address to; the last address in it is the one limited',
    options: (trustedProxyHeader) => (trustedProxyHeader ? { trustedProxyHeader } : {}),
  }),
  signInThreads: setting({
    flag: 'sign-in-threads',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, 64, 'must be a whole number between 1 and 64').optional(),
    unset: 'cores - 1, between 2 and 4',
    meaning: 'password checks (scrypt) running at once, each on a low-priority thread of its own, never on the pool the store needs',
    options: (concurrent) => (concurrent === undefined ? {} : { signIn: { concurrent } }),
  }),
  signInQueue: setting({
    flag: 'sign-in-queue',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(SIGN_IN_DEFAULTS.waiting),
    meaning: 'sign-ins waiting for a check; when full, the least trusted is refused with HTTP 503 (busy)',
    options: (waiting) => ({ signIn: { waiting } }),
  }),
  signInFreeFailures: setting({
    flag: 'sign-in-free-failures',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(0, null, 'must be a whole number, 0 or more').default(SIGN_IN_DEFAULTS.freeFailures),
    meaning: 'failed sign-ins per user name or address before each next try waits longer (1 s, 2 s, 4 s, ...; HTTP 429)',
    options: (freeFailures) => ({ signIn: { freeFailures } }),
  }),
  signInLockoutAfter: setting({
    flag: 'sign-in-lockout-after',
    kind: 'number',
    arg: '<n>',
    schema: wholeNumber(1, null, 'must be a whole number of at least 1').default(SIGN_IN_DEFAULTS.lockoutAfter),
    meaning: 'failed sign-ins per user name or address that lock it out (logged as sign-in-locked)',
    options: (lockoutAfter) => ({ signIn: { lockoutAfter } }),
  }),
  signInLockout: setting({
    flag: 'sign-in-lockout',
    kind: 'number',
    arg: '<seconds>',
    schema: decimal(1, 'must be a number of seconds of at least 1').default(SIGN_IN_DEFAULTS.lockoutMs / 1000),
    meaning: 'how long a lockout lasts; failures are forgotten after this long without one',
    options: (seconds) => ({ signIn: { lockoutMs: seconds * 1000 } }),
  }),
  slowConsumerBytes: setting({
    flag: 'slow-consumer-bytes',
    kind: 'number',
    arg: '<bytes>',
    schema: wholeNumber(1024, null, 'must be a whole number of bytes of at least 1024').default(RELAY_DEFAULTS.maxBufferedBytes),
    meaning: 'a connection whose unsent bytes stay above this for slowConsumerAfter is closed (1008); 16 times this closes it at once',
    options: (maxBufferedBytes) => ({ maxBufferedBytes }),
  }),
  slowConsumerAfter: setting({
    flag: 'slow-consumer-after',
    kind: 'number',
    arg: '<seconds>',
    schema: decimal(0.1, 'must be a number of seconds of at least 0.1').default(RELAY_DEFAULTS.slowConsumerMs / 1000),
    meaning: 'how long a backlog above slowConsumerBytes may last before the connection is closed as a slow consumer',
    options: (seconds) => ({ slowConsumerMs: seconds * 1000 }),
  }),
  maxFrameBytes: setting({
    flag: 'max-frame-bytes',
    kind: 'number',
    arg: '<bytes>',
    schema: wholeNumber(1024, null, 'must be a whole number of bytes of at least 1024').default(RELAY_DEFAULTS.maxFrameBytes),
    meaning: 'largest frame a client may send; a larger one closes its connection (1009)',
    options: (maxFrameBytes) => ({ maxFrameBytes }),
  }),
  pageBytes: setting({
    flag: 'page-bytes',
    kind: 'number',
    arg: '<bytes>',
    schema: wholeNumber(1024, 16 * 1024 * 1024, 'must be a whole number of bytes between 1024 and 16777216').default(RELAY_DEFAULTS.pageBytes),
    meaning: 'JSON per page of a large answer (welcome chats, replays, fetch-events); the client follows the cursor for the rest',
    options: (pageBytes) => ({ pageBytes }),
  }),
  gc: setting({
    flag: 'gc',
    kind: 'string',
    arg: '<mode>',
    schema: z.enum(GC_MODES, { error: `must be one of ${GC_MODES.join(', ')}` }).default('auto'),
    meaning:
      "V8's garbage collection: main-thread marks and sweeps on the relay's own thread (the tail latency of one core), " +
      'concurrent adds helper threads (V8\'s default); auto picks main-thread when the process may use one core only (affinity, cgroup CPU quota)',
    // not a relay option: the process's, applied by `relay` before the relay starts (relay/gc-mode.ts)
    options: () => ({}),
  }),
  tlsCert: setting({
    flag: 'tls-cert',
    kind: 'string',
    arg: '<file>',
    schema: text('must be a file').optional(),
    unset: 'off (plain http and ws)',
    meaning: 'PEM certificate (its chain after it): serve https and wss; with tlsKey. A reverse proxy that ends TLS is the alternative',
    path: true,
    options: (file) => (file ? { tls: { certFile: path.resolve(file) } } : {}),
  }),
  tlsKey: setting({
    flag: 'tls-key',
    kind: 'string',
    arg: '<file>',
    schema: text('must be a file').optional(),
    unset: '—',
    meaning: 'PEM private key of tlsCert, without a passphrase',
    path: true,
    options: (file) => (file ? { tls: { keyFile: path.resolve(file) } } : {}),
  }),
} as const;

export type SettingKey = keyof typeof settings;
type Schemas = { [K in SettingKey]: (typeof settings)[K]['schema'] };

const CONFIG_FLAG = 'config';
const CONFIG_ENV = 'BATON_CONFIG';

export function envName(key: SettingKey): string {
  const entry: Setting = settings[key];
  return entry.env ?? `BATON_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const keys = Object.keys(settings) as SettingKey[];

/** The one schema: every setting's check. */
export const ConfigSchema = z.object(Object.fromEntries(keys.map((key) => [key, settings[key].schema])) as unknown as Schemas);

/** What running the relay needs on top: the checks that span settings. */
const ServeSchema = ConfigSchema.superRefine((config, ctx) => {
  if (Boolean(config.postgresUrl) !== Boolean(config.redisUrl)) {
    ctx.addIssue({
      code: 'custom',
      path: [config.postgresUrl ? 'redisUrl' : 'postgresUrl'],
      message: 'goes with the other: a cluster node needs both --postgres and --redis (postgresUrl and redisUrl), or neither for the embedded relay',
    });
  }
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    ctx.addIssue({
      code: 'custom',
      path: [config.tlsCert ? 'tlsKey' : 'tlsCert'],
      message: 'is needed too: --tls-cert and --tls-key go together (tlsCert and tlsKey), give both files or neither',
    });
  }
  if (!config.postgresUrl && (config.nodeId || config.redisPrefix)) {
    ctx.addIssue({ code: 'custom', path: [config.nodeId ? 'nodeId' : 'redisPrefix'], message: 'needs --postgres and --redis (a cluster node)' });
  }
});

export type RelayConfig = z.infer<typeof ConfigSchema>;
export type Source = 'flag' | 'environment' | 'file' | 'default';

export interface LoadedConfig {
  config: RelayConfig;
  /** where each value came from */
  sources: Record<SettingKey, Source>;
  /** the config file read, if any */
  file: string | null;
  positionals: string[];
  /** the command's own options (not settings), as parseArgs read them */
  extra: Record<string, string | boolean | string[] | undefined>;
}

/** A setting or a flag was wrong; the message names it and says what it must be. */
export class ConfigError extends Error {}

export interface LoadOptions {
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** the settings this command takes as flags (default: all); the others may still come from the environment or a file */
  flags?: readonly SettingKey[];
  /** the command's own options */
  extra?: ParseArgsConfig['options'];
  /** running the relay: the checks that span settings apply too */
  serving?: boolean;
}

/** Reads the settings: flag > environment > config file (--config / BATON_CONFIG) > default, checked by one schema. */
export function loadConfig({ args, env = process.env, flags = keys, extra = {}, serving = false }: LoadOptions): LoadedConfig {
  const options: NonNullable<ParseArgsConfig['options']> = { ...extra, [CONFIG_FLAG]: { type: 'string' } };
  for (const key of flags) {
    const entry: Setting = settings[key];
    options[entry.flag] = { type: entry.kind === 'boolean' ? 'boolean' : 'string', ...(entry.kind === 'list' ? { multiple: true } : {}) };
  }
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });

  const configPath = (values[CONFIG_FLAG] as string | undefined) ?? (env[CONFIG_ENV] || undefined);
  const fromFile = configPath ? readConfigFile(configPath) : {};
  const fileLabel = configPath ? path.basename(configPath) : '';

  const raw: Record<string, unknown> = {};
  const sources = {} as Record<SettingKey, Source>;
  const where = {} as Record<SettingKey, string>;
  /** what was given, as it was written: "abc" from a flag, not the NaN made from it */
  const given = {} as Record<SettingKey, unknown>;
  for (const key of keys) {
    const entry: Setting = settings[key];
    const flagValue = flags.includes(key) ? values[entry.flag] : undefined;
    const envValue = env[envName(key)];
    if (flagValue !== undefined) {
      raw[key] = entry.kind === 'boolean' || entry.kind === 'list' ? flagValue : fromText(entry.kind, flagValue as string);
      given[key] = flagValue;
      sources[key] = 'flag';
      where[key] = `--${entry.flag}`;
    } else if (envValue !== undefined && envValue !== '') {
      raw[key] = fromText(entry.kind, envValue);
      given[key] = envValue;
      sources[key] = 'environment';
      where[key] = envName(key);
    } else if (key in fromFile) {
      const value = fromFile[key];
      raw[key] = entry.path && typeof value === 'string' && configPath ? path.resolve(path.dirname(configPath), value) : value;
      given[key] = value;
      sources[key] = 'file';
      where[key] = `${fileLabel}: ${key}:`;
    } else {
      sources[key] = 'default';
      where[key] = key;
    }
  }
  const parsed = (serving ? ServeSchema : ConfigSchema).safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as SettingKey | undefined;
      if (!key || !(key in settings)) return issue.message;
      const entry: Setting = settings[key];
      const shown = given[key] === undefined || entry.secret || issue.code === 'custom' ? '' : `, not ${JSON.stringify(given[key])}`;
      // a key that was never given is named by its flag: that is what a person adds
      if (sources[key] === 'default') return `--${entry.flag} ${issue.message}.`;
      return `${where[key]} ${issue.message}${shown}.`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const extraValues: LoadedConfig['extra'] = {};
  for (const name of Object.keys(extra)) extraValues[name] = values[name] as LoadedConfig['extra'][string];
  return { config: parsed.data, sources, file: configPath ? path.resolve(configPath) : null, positionals, extra: extraValues };
}

/** A flag or a variable is text; the schema checks the number, the boolean or the list made from it. */
function fromText(kind: Kind, value: string): unknown {
  if (kind === 'number') return value.trim() === '' ? Number.NaN : Number(value);
  if (kind === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    return value;
  }
  if (kind === 'list') {
    return value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }
  return value;
}

function readConfigFile(file: string): Record<string, unknown> {
  const label = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${label}: is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${label}: must be a JSON object of settings, such as { "port": 7420 }.`);
  }
  const unknown = Object.keys(value).filter((key) => !(key in settings));
  if (unknown.length) {
    const lines = unknown.map((key) => {
      const near = keys.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_]/g, ''));
      return `${label}: ${key}: is not a setting${near ? ` (did you mean ${near}?)` : ''}; the settings are listed in docs/relay.md.`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  return value as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Using and showing the settings

/** The relay's options from the settings: each setting contributes its part. */
export function toRelayOptions(config: RelayConfig): Omit<RelayOptions, 'log'> {
  const merged: Record<string, unknown> = {};
  for (const key of keys) {
    const entry = settings[key] as Setting;
    deepMerge(merged, entry.options(config[key]) as Record<string, unknown>);
  }
  // metrics settings without a port or a token change nothing: /metrics stays off
  const metrics = merged.metrics as RelayOptions['metrics'];
  if (metrics && metrics.port === undefined && !metrics.token) delete merged.metrics;
  return merged as unknown as Omit<RelayOptions, 'log'>;
}

function deepMerge(into: Record<string, unknown>, part: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(part)) {
    const current = into[name];
    if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
      deepMerge(current as Record<string, unknown>, value as Record<string, unknown>);
    } else if (value !== undefined) {
      into[name] = value;
    }
  }
}

/** A URL's password, or a token whole, replaced for printing. */
export function mask(entry: Pick<Setting, 'secret'>, value: unknown): unknown {
  if (value === undefined || !entry.secret) return value;
  if (entry.secret === 'token') return '***';
  try {
    const parsed = new URL(String(value));
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '***';
  }
}

/** The settings as the relay will use them, one line each, secrets masked, with where each came from. */
export function describeConfig({ config, sources, file }: Pick<LoadedConfig, 'config' | 'sources' | 'file'>): string {
  const width = Math.max(...keys.map((k) => k.length));
  const lines = keys.map((key) => {
    const entry: Setting = settings[key];
    const value = config[key];
    const shown = value === undefined ? (entry.unset ?? '—') : JSON.stringify(mask(entry, value));
    const from = sources[key] === 'environment' ? envName(key) : sources[key] === 'flag' ? `--${entry.flag}` : sources[key];
    return `  ${key.padEnd(width)}  ${shown}  (${from})`;
  });
  const order = `flag > environment > ${file ? path.basename(file) : 'config file'} > default`;
  return [`Settings (${order}):`, ...lines].join('\n');
}

/** The flags of `relay` (serving), for the usage text: `[--port <n>] [--demo] [--allowed-origin <origin>]...` */
export function settingsUsage(indent: string, width = 118): string {
  const items = [`[--${CONFIG_FLAG} <file>]`, ...keys.map((key) => {
    const entry: Setting = settings[key];
    const arg = entry.kind === 'boolean' ? '' : ` ${entry.arg ?? '<n>'}`;
    return `[--${entry.flag}${arg}]${entry.kind === 'list' ? '...' : ''}`;
  })];
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && indent.length + line.length + 1 + item.length > width) {
      lines.push(line);
      line = item;
    } else line = line ? `${line} ${item}` : item;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/** The settings table of docs/relay.md, from the entries themselves (tests/relay/ops-config.test.ts keeps them equal). */
export function settingsTable(): string {
  const rows = keys.map((key) => {
    const entry: Setting = settings[key];
    const flag = `\`--${entry.flag}${entry.kind === 'boolean' ? '' : ` ${entry.arg ?? '<n>'}`}\``;
    const parsedDefault = entry.schema.safeParse(undefined);
    const value = parsedDefault.success ? parsedDefault.data : undefined;
    const fallback = value === undefined ? (entry.unset ?? '—') : `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
    return `| ${flag} | \`${envName(key)}\` | \`${key}\` | ${fallback} | ${entry.meaning} |`;
  });
  return [
    '| flag | environment variable | file key | default | meaning |',
    '|---|---|---|---|---|',
    `| \`--config <file>\` | \`${CONFIG_ENV}\` | — | — | a JSON file of settings (the keys below) |`,
    ...rows,
  ].join('\n');
}
