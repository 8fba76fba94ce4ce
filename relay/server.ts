// The relay process: HTTP (health, readiness, metrics, customer page), WebSocket upgrades, frames in (parse, rate
// limit, hello), the wiring of the hub to its engine (embedded SQLite, or a cluster node) and to this process's
// connections, and the drain that hands every client to another node on SIGTERM.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  type AttachmentLimits,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  defaultAttachmentTypes,
  type SessionId,
} from '../common/domain';
import { customerErrorSentence, errorSentences } from '../common/errors';
import { defaultWidgetSettings } from '../common/widget-settings';
import {
  AgentCommandSchema,
  CloseCodes,
  CustomerCommandSchema,
  fastAgentCommand,
  fastCustomerCommand,
  PROTOCOL_VERSION,
  parseFrame,
} from '../common/protocol';
import type { Result } from '../common/result';
import { createAttachmentRoutes } from './attachments';
import { hashToken } from './auth';
import { type Connection, Connections, type RelaySocket, relaySocketClass } from './connections';
import { seedDemoAccounts } from './demo';
import { openEmbeddedEngine } from './embedded/engine';
import type { Engine } from './engine';
import { httpHandler, type OpsEndpoints } from './http';
import { type CustomerHttp, defaultCustomerPageDir, topicsFor, type WidgetOptions } from './customer-http';
import { Hub } from './hub';
import { Admission, type AdmissionLimits, type Party, type Rate } from './limits';
import { isOpen, parseOpeningHours } from './opening-hours';
import { RelayMetrics } from './metrics';
import { DEFAULT_PAGE_BYTES, pageWelcome } from './paging';
import { type Clock, type Log, type LogEntry, StoreUnavailable } from './ports';
import { type RetentionOptions, RetentionSweeper } from './retention';
import { defaultSignInLimits, type SignInLimits } from './sign-in';
import { loadTls, type TlsFiles } from './tls';
import { issueAgentToken } from './agent-tokens';
import { type Admitted, createAuthenticator, createUpgradeGate, rejectUpgrade } from './upgrade';

export interface RelayOptions {
  host?: string;
  /** 0 picks a free port */
  port?: number;
  dataDir: string;
  /** create the demo accounts when the data folder has no accounts */
  demo?: boolean;
  /** null (default): transfers never expire */
  transferTimeoutMs?: number | null;
  offlineGraceMs?: number;
  capacity?: number;
  /** how often the relay looks whether the CLI changed accounts or teams in its store (default 1000 ms) */
  directoryPollMs?: number;
  /** Origins browsers may connect from; default the relay's own http origin */
  allowedOrigins?: string[];
  maxFrameBytes?: number;
  heartbeatMs?: number;
  // Limits (docs/relay.md lists each with its default and flag). All are kept per node in a cluster.
  /** frames per second per party: an agent over all their connections, a customer's chat over all its sockets */
  rateLimit?: Rate;
  /** frames per second per remote address over all its customer connections */
  addressRateLimit?: Rate;
  newChatsPerAddressPerMinute?: number;
  /** new chats per second over all addresses (this node) */
  newChatsPerSecond?: number;
  /** a new chat is refused with queue-full while this many wait for an agent */
  maxQueuedChats?: number;
  maxConnections?: number;
  /** customer connections and unfinished upgrades per remote address */
  maxConnectionsPerAddress?: number;
  maxConnectionsPerAgent?: number;
  /** a connection that has not said hello after this long is closed (4001) */
  helloTimeoutMs?: number;
  /** behind a reverse proxy: the header it writes the client's address to (e.g. x-forwarded-for); off by default */
  trustedProxyHeader?: string | null;
  /** failed sign-ins and the scrypt threads (relay/sign-in.ts) */
  signIn?: Partial<SignInLimits>;
  /** a connection whose unsent bytes stay above this for `slowConsumerMs` is closed as a slow consumer (1008) */
  maxBufferedBytes?: number;
  slowConsumerMs?: number;
  /** bytes of JSON per page of a large answer (welcome sessions, replays, fetch-events) */
  pageBytes?: number;
  /** serve https and wss with this certificate and key */
  tls?: TlsFiles;
  log?: (entry: object) => void;
  /** folder of the customer chat page (default relay/customer-page) */
  customerPageDir?: string;
  /** SQLite durability; FULL (default) fsyncs every acknowledged change */
  synchronous?: 'FULL' | 'NORMAL';
  /** under FULL, while commits keep coming, the least time between the starts of two fsyncs (relay/store/sqlite.ts) */
  minSyncIntervalMs?: number;
  /** the least time between two of the SQLite checkpoint worker's checkpoints (relay/store/sqlite.ts) */
  checkpointEveryMs?: number;
  /** told each store commit's and fsync's time besides /metrics (the benchmark counts slow commits with it) */
  onStoreTiming?: (what: 'commit' | 'fsync', seconds: number) => void;
  /** better-sqlite3's compiled addon to load (the desktop app's Electron-ABI build) */
  nativeBinding?: string;
  /** the SQLite checkpoint worker's file (the desktop app's copy outside the asar) */
  checkpointThreadPath?: string;
  /** uploads: the largest file (default 10 MB) and the types taken, as sniffed from the bytes (default: images, PDF, text) */
  attachments?: { maxBytes?: number; types?: string[] };
  /** run as a node of a cluster: PostgreSQL for what is durable, Redis for fan-out and presence (both or neither) */
  cluster?: {
    postgresUrl: string;
    redisUrl: string;
    /** default: host name, process id and a random suffix */
    nodeId?: string;
    redisPrefix?: string;
    heartbeatMs?: number;
  };
  /**
   * /metrics: on a port of its own (`port`, on `host`, default 127.0.0.1; /health and /ready are served there too),
   * and/or only to `Authorization: Bearer <token>` (then, without a port, on the public port). Absent: not served.
   */
  metrics?: { port?: number; host?: string; token?: string };
  /** how long close() may take to finish in-flight commands and hand its clients over (default 10 s) */
  drainTimeoutMs?: number;
  /** delete closed chats older than this on a schedule (default: keep everything) */
  retention?: RetentionOptions;
  /** the customer chat page and website widget: who may embed it, its looks and its pre-chat form */
  widget?: WidgetOptions;
}

/** What the relay does when an option is not given (the CLI shows these as its defaults). */
export const RELAY_DEFAULTS = {
  offlineGraceMs: 15_000,
  capacity: 4,
  drainTimeoutMs: 10_000,
  maxFrameBytes: 64 * 1024,
  rateLimit: { perSecond: 50, burst: 100 },
  addressRateLimit: { perSecond: 200, burst: 400 },
  newChatsPerAddressPerMinute: 30,
  newChatsPerSecond: 20,
  maxQueuedChats: 1000,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 100,
  maxConnectionsPerAgent: 20,
  helloTimeoutMs: 5_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  slowConsumerMs: 5_000,
  pageBytes: DEFAULT_PAGE_BYTES,
} as const;

export interface RunningRelay {
  /** 'embedded', or this node's id in a cluster */
  nodeId: string;
  port: number;
  httpUrl: string;
  wsUrl: string;
  /** the metrics port's URL, when it has one */
  metricsUrl?: string | null;
  /**
   * Drains, then stops: no new connections, in-flight commands finish and are answered, every client is told to
   * reconnect now (close code 4012, to any node), and the stores close; within `drainTimeoutMs`.
   */
  close(): Promise<void>;
}

const defaultLog = (entry: object) => process.stdout.write(`${JSON.stringify(entry)}\n`);

/** A socket's error listener for its whole life: a shared function, not a closure per socket. */
function destroySocket(this: Duplex) {
  this.destroy();
}

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const host = options.host ?? '127.0.0.1';
  const maxFrameBytes = options.maxFrameBytes ?? RELAY_DEFAULTS.maxFrameBytes;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const limits = relayLimits(options);
  const signInLimits: SignInLimits = { ...defaultSignInLimits(), ...options.signIn };
  const pageBytes = options.pageBytes ?? RELAY_DEFAULTS.pageBytes;
  // read before anything opens, so a bad file stops the start with its sentence
  const tls = options.tls ? loadTls(options.tls) : null;
  const sink = options.log ?? defaultLog;
  const metrics = new RelayMetrics();
  const extraTiming = options.onStoreTiming;
  const onStoreTiming = extraTiming
    ? (what: 'commit' | 'fsync', seconds: number) => {
        metrics.storeTiming(what, seconds);
        extraTiming(what, seconds);
      }
    : metrics.storeTiming;
  const log: Log = (entry: LogEntry) => {
    metrics.logged(entry);
    try {
      sink({ t: new Date().toISOString(), ...entry });
    } catch {
      // a failing log sink must not take the relay down
    }
  };
  const startedAt = Date.now();
  if (tls?.warning) log({ event: 'tls-certificate-warning', warning: tls.warning });

  const clock: Clock = { now: () => Date.now() };
  const engine: Engine = options.cluster
    ? await (await import('./cluster/engine')).openClusterEngine(
        {
          ...options.cluster,
          nodeId: options.cluster.nodeId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
        },
        { clock, log, onStoreTiming },
      )
    : openEmbeddedEngine(options, { clock, log, onStoreTiming });
  const { store, runner } = engine;
  engine.onClientsMustResume((reason) => {
    log({ event: 'clients-resume', reason, connections: connections.all.size });
    connections.closeAll(CloseCodes.reconnect, reason);
  });
  if (options.demo && (await seedDemoAccounts(store))) {
    log({ event: 'demo-accounts-created', users: ['alice', 'bob', 'carol', 'maria'] });
  }

  let closing: Promise<void> | null = null;
  let ready = false;
  const connections = new Connections({
    afterCommit: (task) => runner.afterCommit(task),
    maxBufferedBytes: options.maxBufferedBytes ?? RELAY_DEFAULTS.maxBufferedBytes,
    slowConsumerMs: options.slowConsumerMs ?? RELAY_DEFAULTS.slowConsumerMs,
    helloTimeoutMs: options.helloTimeoutMs ?? RELAY_DEFAULTS.helloTimeoutMs,
    log,
    frameOut: (kind) => metrics.frameOut(kind),
  });
  const admission = new Admission(limits, () => store.countQueued());

  const ids = {
    id: (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`,
    secret: () => randomBytes(32).toString('base64url'),
  };
  const attachmentLimits: AttachmentLimits = {
    maxBytes: options.attachments?.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES,
    types: options.attachments?.types ?? [...defaultAttachmentTypes],
  };

  /** The id of a frame we will not (or could not) handle, so the refusal still answers its command. */
  const commandIdOf = (text: string): string | undefined => {
    try {
      const raw = JSON.parse(text) as { id?: unknown } | null;
      return typeof raw?.id === 'string' ? raw.id.slice(0, 64) : undefined;
    } catch {
      return undefined;
    }
  };

  const hub = new Hub({
    clock,
    ids,
    store,
    runner,
    presence: engine.presence,
    scheduler: engine.scheduler,
    fanout: metrics.counting(engine.fanout),
    sockets: connections,
    log,
    hashToken,
    options: {
      transferTimeoutMs: options.transferTimeoutMs ?? null,
      offlineGraceMs: options.offlineGraceMs ?? RELAY_DEFAULTS.offlineGraceMs,
      capacity: options.capacity ?? RELAY_DEFAULTS.capacity,
      directoryPollMs: options.directoryPollMs,
    },
    pageBytes,
    attachmentLimits,
  });
  await hub.start();
  // start-up writes (demo accounts, re-armed timers) are on disk before anyone is told the relay is up
  engine.flush();
  const reconciling =
    engine.reconcileEveryMs === null
      ? null
      : setInterval(() => {
          hub.reconcile().catch((error: unknown) => log({ event: 'reconcile-failed', error: String(error) }));
        }, engine.reconcileEveryMs);
  reconciling?.unref();

  // -------------------------------------------------------------------------------------------
  // Frames

  const answer = (conn: Connection, id: string, result: Result<unknown>, command: string, readAt: number) => {
    if (result.ok) connections.send(conn, result.value === undefined ? { type: 'ok', id } : { type: 'ok', id, result: result.value });
    else connections.sendError(conn, id, result.error.code, result.error.message);
    // queued behind the answer: observed once it has been written
    runner.afterCommit(() => metrics.answered(command, readAt));
  };

  /** A hello of another protocol version may not match our schema at all, so look at it before validating. */
  const wrongProtocol = (text: string, helloType: string): { id?: string; protocol: unknown } | null => {
    try {
      const raw = JSON.parse(text) as { type?: unknown; protocol?: unknown; id?: unknown };
      if (raw && typeof raw === 'object' && raw.type === helloType && raw.protocol !== PROTOCOL_VERSION) {
        return { id: typeof raw.id === 'string' ? raw.id.slice(0, 64) : undefined, protocol: raw.protocol };
      }
    } catch {
      // not JSON: reported as a bad frame by the parser
    }
    return null;
  };

  const refuseProtocol = (conn: Connection, id: string | undefined, protocol: unknown) => {
    const message = `This relay speaks protocol ${PROTOCOL_VERSION}, the client sent ${JSON.stringify(protocol) ?? 'none'}. Update the client or the relay.`;
    connections.sendError(conn, id, 'unsupported-protocol', message);
    log({ event: 'protocol-mismatch', connId: conn.id, protocol });
    connections.close(conn, CloseCodes.unsupportedProtocol, `unsupported protocol; this relay speaks ${PROTOCOL_VERSION}`);
  };

  const onAgentFrame = async (conn: Connection, text: string) => {
    const readAt = performance.now();
    const agentId = conn.agentId!;
    if (!conn.ready) {
      const mismatch = wrongProtocol(text, 'hello');
      if (mismatch) return refuseProtocol(conn, mismatch.id, mismatch.protocol);
    }
    const parsed = parseFrame(AgentCommandSchema, text, fastAgentCommand);
    if (!parsed.ok) return connections.sendError(conn, parsed.id, 'bad-frame', parsed.message);
    const command = parsed.frame;
    if (command.type === 'hello') {
      if (conn.ready) return connections.sendError(conn, command.id, 'bad-frame', 'hello was already accepted on this connection.');
      // registered before the greeting is read, so nothing committed meanwhile is missed; held until it is sent
      connections.registerAgent(conn, hub.seesDashboard(agentId));
      // a token for the connections after this one, when this one paid for the password (relay/agent-tokens.ts)
      const token = conn.issueToken
        ? await issueAgentToken(store, agentId, clock.now()).catch((error: unknown) => {
            // without one the client keeps signing in with the password: slower, not wrong
            log({ event: 'internal-error', where: 'sign-in-token', error: String(error) });
            return null;
          })
        : null;
      const frames = await hub.agentHello(agentId, command.id, command.resume);
      if (token !== null && frames[0]?.type === 'welcome') frames[0] = { ...frames[0], signInToken: token };
      const greeting = pageWelcome(frames, pageBytes);
      conn.sessionPages = greeting.pages;
      connections.greet(conn, greeting.frames);
      runner.afterCommit(() => metrics.answered('hello', readAt));
      return;
    }
    if (!conn.ready) return connections.sendError(conn, command.id, 'bad-frame', 'The first frame must be hello.');
    if (command.type === 'fetch-sessions') {
      const page = conn.sessionPages?.take(command.cursor);
      if (!page) return connections.sendError(conn, command.id, 'bad-frame', 'That page of chats is not waiting on this connection.');
      if (page.next === null) conn.sessionPages = null;
      return answer(conn, command.id, { ok: true, value: page }, command.type, readAt);
    }
    // a message is decided and applied at once where the runner allows it (the embedded relay): no promise per message
    const now = command.type === 'send' ? hub.agentSendNow(agentId, command) : null;
    answer(conn, command.id, now ?? (await hub.handleAgent(agentId, command)), command.type, readAt);
  };

  const onCustomerFrame = async (conn: Connection, text: string) => {
    const readAt = performance.now();
    if (!conn.ready) {
      const mismatch = wrongProtocol(text, 'customer-hello');
      if (mismatch) return refuseProtocol(conn, mismatch.id, mismatch.protocol);
    }
    const parsed = parseFrame(CustomerCommandSchema, text, fastCustomerCommand);
    if (!parsed.ok) return connections.sendError(conn, parsed.id, 'bad-frame', parsed.message);
    const command = parsed.frame;
    if (command.type === 'customer-hello') {
      if (conn.ready) return connections.sendError(conn, command.id, 'bad-frame', 'customer-hello was already accepted.');
      // the page asks for it too; this holds for any client, and for a page that loaded its settings before the change
      if (!command.token && options.widget?.emailRequired && !command.email) {
        return connections.sendError(conn, command.id, 'email-required', customerErrorSentence('email-required'));
      }
      if (!command.token) {
        const refused = await admission.newChat(conn.remote);
        if (refused) {
          log({ event: 'chat-refused', connId: conn.id, remote: conn.remote, code: refused.code });
          return connections.sendError(conn, command.id, refused.code, refused.message, refused.retryAfterMs);
        }
      }
      conn.ready = true;
      conn.held = [];
      // registered as soon as the chat is known, before its events are read: held until the greeting is sent
      const register = (sessionId: SessionId) => connections.registerCustomer(conn, sessionId);
      const greeting = await hub.customerHello(command.id, command, register);
      if (!greeting.ok) {
        connections.unregisterCustomer(conn);
        conn.ready = false;
        conn.held = null;
        return connections.sendError(conn, command.id, greeting.error.code, greeting.error.message);
      }
      const { sessionId, frames, ended, settle } = greeting.value;
      log({ event: 'customer-joined', connId: conn.id, sessionId, resumed: Boolean(command.token) });
      connections.greet(conn, frames);
      runner.afterCommit(() => metrics.answered('customer-hello', readAt));
      settle();
      if (ended) connections.close(conn, CloseCodes.sessionEnded, 'the chat has ended');
      return;
    }
    if (!conn.ready || !conn.sessionId) {
      return connections.sendError(conn, command.id, 'bad-frame', 'The first frame must be customer-hello.');
    }
    const now = command.type === 'customer-send' ? hub.customerSendNow(conn.sessionId, command) : null;
    answer(conn, command.id, now ?? (await hub.handleCustomer(conn.sessionId, command)), command.type, readAt);
  };

  /** frames being handled: a drain waits for them to be answered before it closes their connections */
  let handling = 0;
  let idle: (() => void) | null = null;
  const handled = () => {
    handling -= 1;
    if (!handling) idle?.();
  };

  const onMessage = (conn: Connection, data: Buffer, isBinary: boolean) => {
    // draining: what arrives now is not read; the client sends it again after reconnecting (ids make that harmless)
    if (closing) return;
    metrics.frameIn(conn.kind);
    conn.alive = true;
    const party: Party = conn;
    if (!admission.frame(party)) {
      metrics.refused('rate-limited');
      conn.strikes += 1;
      if (conn.strikes >= limits.rateLimit.burst) {
        log({ event: 'rate-limited-close', connId: conn.id, agentId: conn.agentId, remote: conn.remote });
        connections.close(conn, CloseCodes.rateLimited, 'too many frames; slow down');
      } else {
        // answered with the command's id, so the client knows which command to send again, and when
        const retryAfterMs = admission.frameWaitMs(party);
        const id = isBinary ? undefined : commandIdOf(data.toString('utf8'));
        connections.sendError(conn, id, 'rate-limited', 'Too many frames at once; this one was dropped. Slow down.', retryAfterMs);
      }
      return;
    }
    conn.strikes = 0;
    if (isBinary) return connections.sendError(conn, undefined, 'bad-frame', 'Binary frames are not accepted; send JSON text.');
    const text = data.toString('utf8');
    handling += 1;
    (conn.kind === 'agent' ? onAgentFrame(conn, text) : onCustomerFrame(conn, text)).catch((error: unknown) => {
      if (error instanceof StoreUnavailable) log({ event: 'store-unavailable', connId: conn.id, error: error.message });
      else log({ event: 'internal-error', connId: conn.id, error: String((error as Error)?.stack ?? error) });
      const id = commandIdOf(text);
      if (conn.held) connections.greet(conn, []);
      if (error instanceof StoreUnavailable) connections.sendError(conn, id, 'unavailable', errorSentences.unavailable);
      else connections.sendError(conn, id, 'internal', 'Something went wrong on the relay. Try again.');
    }).finally(handled);
  };

  // -------------------------------------------------------------------------------------------
  // Connections

  // clientTracking off: `connections` already knows every socket, and ws's own set costs a closure per socket
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrameBytes,
    clientTracking: false,
    WebSocket: relaySocketClass(maxFrameBytes),
  });

  /** agents' departures being recorded (presence, grace timer): a drain lets them finish before the stores close */
  const departures = new Set<Promise<void>>();

  // one set of listeners for every socket (`this` is the socket): per-connection closures are memory times 15,000
  const connectionOf = (ws: WebSocket) => (ws as RelaySocket).connection!;
  function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean) {
    onMessage(connectionOf(this), data as Buffer, isBinary);
  }
  function onSocketPong(this: WebSocket) {
    connectionOf(this).alive = true;
  }
  function onSocketError(this: WebSocket, error: Error) {
    log({ event: 'connection-error', connId: connectionOf(this).id, error: error.message });
  }
  function onSocketClose(this: WebSocket, code: number, reason: Buffer) {
    const conn = connectionOf(this);
    const { kind, agentId } = conn;
    log({ event: 'connection-close', connId: conn.id, kind, agentId, code, reason: reason.toString() });
    if (connections.remove(conn) && agentId) {
      const leaving = hub
        .agentDisconnected(agentId)
        .catch((error: unknown) => log({ event: 'internal-error', connId: conn.id, error: String(error) }))
        .finally(() => departures.delete(leaving));
      departures.add(leaving);
    }
  }

  const onConnection = (ws: RelaySocket, socket: Duplex, admitted: Admitted) => {
    const { agentId, remote } = admitted;
    const kind = agentId ? 'agent' : 'customer';
    const conn = connections.add(ws, socket, kind, agentId, remote);
    conn.issueToken = admitted.via === 'password';
    log({ event: 'connection-open', connId: conn.id, kind, agentId, remote });
    ws.on('message', onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('error', onSocketError);
    ws.on('close', onSocketClose);
  };

  const refuseDraining = (socket: Duplex, remote: string) => {
    log({ event: 'upgrade-refused-draining', remote });
    rejectUpgrade(socket, 503, 'the relay is restarting; connect to another node');
  };

  const allowedOrigins = new Set<string>();
  const authenticator = createAuthenticator(store, signInLimits, log, () => clock.now());
  const gate = createUpgradeGate({
    allowedOrigins,
    admission,
    authenticator,
    trustedProxyHeader: options.trustedProxyHeader ?? null,
    mayConnect: (agentId) => hub.mayConnect(agentId),
    log,
  });
  // uploads and downloads sign agents in as the socket does: the same throttle, the same refusal of a disabled account
  const authenticateHttp = async (header: string | undefined, remote: string) => {
    const outcome = await authenticator.signIn(header, remote);
    return outcome.kind === 'signed-in' && (await hub.mayConnect(outcome.agentId)) ? outcome.agentId : null;
  };
  const serveAttachments = createAttachmentRoutes({
    store,
    attachments: engine.attachments,
    authenticate: authenticateHttp,
    hashToken,
    trustedProxyHeader: options.trustedProxyHeader ?? null,
    ids,
    clock,
    log,
    limits: attachmentLimits,
  });

  /** Until its socket closes, an upgrade counts against the caps of its address (the gate releases it on close). */
  const onUpgrade = async (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket);
    if (closing) return refuseDraining(socket, req.socket.remoteAddress ?? 'unknown');
    const admitted = await gate.admit(req, socket);
    if (!admitted) return;
    if (closing) {
      admitted.release();
      return refuseDraining(socket, admitted.remote);
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket, admitted));
  };

  // -------------------------------------------------------------------------------------------
  // HTTP

  const widget = options.widget ?? { origins: [] };
  const parsedHours = widget.openingHours ? parseOpeningHours(widget.openingHours) : null;
  if (typeof parsedHours === 'string') throw new Error(`widget opening hours: ${parsedHours}`);
  const hours = parsedHours;
  const customerRoutes: CustomerHttp = {
    pageDir: options.customerPageDir ?? defaultCustomerPageDir(),
    widgetOrigins: widget.origins,
    settings: async () => ({
      ...defaultWidgetSettings,
      ...Object.fromEntries(
        Object.entries(widget).filter(
          ([key, value]) => !['origins', 'offlineForm', 'timeZone', 'topics'].includes(key) && value !== undefined,
        ),
      ),
      topics: topicsFor(widget.topics, hub.teamList()),
      available: (!hours || isOpen(hours, widget.timeZone ?? 'UTC', clock.now())) && (!widget.offlineForm || hub.anyonePresent()),
      limits: limits.rateLimit,
      maxAttachmentBytes: attachmentLimits.maxBytes,
    }),
    rate: (submission) => hub.rateChat(submission),
    offline: (message) => hub.offlineMessage(message),
  };
  const liveCounts = async () => {
    const live = await store.listLiveSessions().catch(() => []);
    const queued = live.filter((s) => s.state === 'queued').length;
    return { queued, active: live.length - queued };
  };
  const ops: OpsEndpoints = {
    health: async () => {
      const [sessions, health] = await Promise.all([liveCounts(), engine.health()]);
      return {
        ok: health.ok,
        body: {
          status: health.ok ? 'ok' : 'unhealthy',
          engine: engine.kind,
          nodeId: engine.nodeId,
          ...health.parts,
          protocol: PROTOCOL_VERSION,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          connections: connections.all.size,
          sessions,
          draining: closing !== null,
        },
      };
    },
    ready: async () => {
      const health = await engine.health();
      const reasons = [
        ...(ready ? [] : ['starting']),
        ...(closing ? ['draining'] : []),
        ...Object.entries(health.parts).flatMap(([part, state]) => (state.ok ? [] : [`${part} down`])),
      ];
      return { ok: !reasons.length, body: { ready: !reasons.length, nodeId: engine.nodeId, reasons } };
    },
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
  };
  metrics.attach({
    engine: engine.kind,
    nodeId: engine.nodeId,
    connections: () => connections.all,
    liveSessions: () => store.listLiveSessions(),
    health: () => engine.health(),
    ready: async () => (await ops.ready()).ok,
    draining: () => closing !== null,
    now: () => clock.now(),
  });
  const metricsToken = options.metrics?.token;
  const metricsAccess = metricsToken ? { token: metricsToken } : ('open' as const);
  const separateMetrics = options.metrics?.port !== undefined;
  const publicHandler = httpHandler({
    ops,
    customer: customerRoutes,
    teams: () => hub.teamList(),
    attachments: serveAttachments,
    log,
    metrics: !separateMetrics && metricsToken ? metricsAccess : 'off',
  });
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, publicHandler) : http.createServer(publicHandler);
  const metricsServer = separateMetrics ? http.createServer(httpHandler({ ops, log, metrics: metricsAccess })) : null;
  server.on('upgrade', (req, socket, head) => {
    onUpgrade(req, socket, head).catch((error) => {
      if (error instanceof StoreUnavailable) {
        log({ event: 'store-unavailable', where: 'upgrade', error: error.message });
        if (!socket.destroyed) rejectUpgrade(socket, 503, 'the relay cannot reach its database; try again in a moment');
        return;
      }
      log({ event: 'internal-error', where: 'upgrade', error: String(error) });
      socket.destroy();
    });
  });

  const listen = (target: http.Server | https.Server, port: number, on: string, what: string) =>
    new Promise<number>((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'it is in use' : error.code === 'EADDRNOTAVAIL' ? 'no interface has that address' : error.message;
        reject(new Error(`cannot listen on ${on}:${port} for ${what}: ${why}`));
      };
      target.once('error', failed);
      target.listen(port, on, () => {
        target.off('error', failed);
        const address = target.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const urlOf = (on: string, port: number, scheme = 'http') => `${scheme}://${on.includes(':') ? `[${on}]` : on}:${port}`;
  const metricsHost = options.metrics?.host ?? '127.0.0.1';
  let port: number;
  let metricsUrl: string | null = null;
  try {
    port = await listen(server, options.port ?? 0, host, 'agents and customers');
    if (metricsServer) metricsUrl = urlOf(metricsHost, await listen(metricsServer, options.metrics?.port ?? 0, metricsHost, 'metrics'));
  } catch (error) {
    // nothing was started for anyone: let go of what start-up opened
    hub.stop();
    if (reconciling) clearInterval(reconciling);
    server.close();
    await engine.close();
    throw error;
  }
  const scheme = tls ? 'https' : 'http';
  const httpUrl = urlOf(host, port, scheme);
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  for (const origin of options.allowedOrigins ?? [httpUrl, ...(host === '127.0.0.1' ? [urlOf('localhost', port, scheme)] : [])]) {
    allowedOrigins.add(origin);
  }

  connections.startHeartbeat(heartbeatMs);
  connections.startSampling();

  const sweeper = options.retention
    ? new RetentionSweeper(options.retention, {
        maintenance: engine.maintenance,
        clock,
        log,
        dataDir: options.cluster ? null : options.dataDir,
        onPurged: (chats) => metrics.retentionPurged(chats),
      })
    : null;
  sweeper?.start();
  ready = true;

  log({ event: 'relay-started', httpUrl, wsUrl, metricsUrl, dataDir: options.dataDir, protocol: PROTOCOL_VERSION });

  const drainTimeoutMs = options.drainTimeoutMs ?? RELAY_DEFAULTS.drainTimeoutMs;
  const drain = async () => {
    const began = Date.now();
    const deadline = began + drainTimeoutMs;
    /** how long each step took, for the log: a drain that runs into its bound says where it waited */
    const steps: Record<string, number> = {};
    const step = async (name: string, work: Promise<unknown>) => {
      const at = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
      });
      const outcome = await Promise.race([work.then(() => 'done' as const), late]);
      clearTimeout(timer);
      steps[name] = Date.now() - at;
      if (outcome === 'late') {
        log({ event: 'drain-timeout', step: name, handling, connections: connections.all.size, departures: departures.size });
      }
    };
    log({ event: 'relay-draining', connections: connections.all.size, handling });
    // newcomers are refused from here on (a balancer sends them to another node); /ready answers 503
    server.close();
    connections.stopHeartbeat();
    // what was read is run to its answer, and committed (embedded: fsynced) before its connection is closed
    if (handling) {
      await step(
        'commands',
        new Promise<void>((resolve) => {
          idle = resolve;
        }),
      );
    }
    engine.flush();
    const clients = [...connections.all];
    const closed = clients.map((conn) =>
      conn.ws.readyState === conn.ws.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => conn.ws.once('close', () => resolve())),
    );
    for (const conn of clients) connections.close(conn, CloseCodes.reconnect, 'the relay is restarting; reconnect now');
    await step('clients', Promise.all(closed));
    for (const conn of connections.all) conn.ws.terminate();
    // the agents who left are recorded (presence, their grace timer) while the stores are still open
    await step('departures', Promise.allSettled([...departures]));
    await sweeper?.stop();
    hub.stop();
    authenticator.close();
    admission.stop();
    if (reconciling) clearInterval(reconciling);
    wss.close();
    server.closeAllConnections();
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    const closingStores = Date.now();
    await engine.close();
    steps.stores = Date.now() - closingStores;
    log({ event: 'relay-stopped', drainMs: Date.now() - began, clients: clients.length, unanswered: handling, steps });
  };

  return {
    nodeId: engine.nodeId,
    port,
    httpUrl,
    wsUrl,
    metricsUrl,
    close() {
      closing ??= drain();
      return closing;
    },
  };
}

/** The limits with their defaults (docs/relay.md has the table). */
function relayLimits(options: RelayOptions): AdmissionLimits {
  const d = RELAY_DEFAULTS;
  return {
    rateLimit: options.rateLimit ?? d.rateLimit,
    addressRateLimit: options.addressRateLimit ?? d.addressRateLimit,
    newChatsPerAddressPerMinute: options.newChatsPerAddressPerMinute ?? d.newChatsPerAddressPerMinute,
    newChatsPerSecond: options.newChatsPerSecond ?? d.newChatsPerSecond,
    maxQueuedChats: options.maxQueuedChats ?? d.maxQueuedChats,
    maxConnections: options.maxConnections ?? d.maxConnections,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? d.maxConnectionsPerAddress,
    maxConnectionsPerAgent: options.maxConnectionsPerAgent ?? d.maxConnectionsPerAgent,
  };
}
