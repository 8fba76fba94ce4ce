// AgentClient: the client core behind the bridge — state the UI reduces, relay frames cached then emitted, commands mapped to the relay.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import {
  type BridgeChannel,
  type BridgeParsedArgs,
  type BridgeResult,
  type BridgeHandler,
  bridgeCommands,
  type ClientEvent,
  type ClientSnapshot,
  type ConnectionState,
  isBridgeChannel,
  type Settings,
  SettingsSchema,
} from '../../common/bridge';
import { type AgentInfo, AgentInfoSchema, type Request, roleIn, type SessionEvent, type SessionSummary } from '../../common/domain';
import { errorSentences } from '../../common/errors';
import { CommandResultSchemas, describeZodError, type RelayFrame } from '../../common/protocol';
import { fail, ok, type Result } from '../../common/result';
import path from 'node:path';
import { CACHE_FILE, Cache, CacheError, SearchWorker } from './cache';
import { NotificationPolicy } from './notifications';
import { Outbox } from './outbox';
import { type AgentCommandInput, RelayLink, type RelayLinkTuning, type WelcomeFrame } from './relay-link';

export interface PasswordVault {
  load(key: string): string | null;
  save(key: string, password: string): void;
  clear(key: string): void;
}

export interface AgentClientOptions {
  /** the cache file lives here (cache.sqlite) */
  dataDir: string;
  /** absent: passwords are never remembered */
  vault?: PasswordVault;
  log?: (entry: Record<string, unknown>) => void;
  /** closed sessions kept this long (default 90) */
  retentionDays?: number;
  /** internal: link timings (tests use short heartbeats) */
  tuning?: Partial<RelayLinkTuning>;
  /** internal: the clock */
  now?: () => number;
  /** which better-sqlite3 addon and search thread script to use; the Electron shell sets both, Node needs neither */
  sqlite?: { nativeBinding?: string; searchThreadPath?: string };
}

export interface AgentClient extends BridgeHandler {
  /** opens the cache; signs in with remembered credentials if any */
  start(): Promise<void>;
  /** closes socket, timers, cache */
  dispose(): Promise<void>;
}

const defaultSettings: Settings = { notifyNewChats: true, notifyMessages: true };
const IdentitySchema = z.object({ relayUrl: z.string(), user: z.string() });
type Identity = z.infer<typeof IdentitySchema>;
const vaultKey = (identity: Identity) => `baton:${identity.user}@${identity.relayUrl}`;
/** replays are stored in slices so no single transaction holds the event loop for long */
const INGEST_SLICE = 100;

type Handlers = {
  [C in BridgeChannel]: (args: BridgeParsedArgs<C>) => Promise<Result<BridgeResult<C>>> | Result<BridgeResult<C>>;
};

export function createAgentClient(options: AgentClientOptions): AgentClient {
  return new AgentClientCore(options);
}

class AgentClientCore implements AgentClient {
  private readonly options: AgentClientOptions;
  private readonly now: () => number;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly listeners = new Set<(event: ClientEvent) => void>();
  private readonly notifications = new NotificationPolicy();
  private cache: Cache | null = null;
  private searcher: SearchWorker | null = null;
  private outbox: Outbox | null = null;
  private link: RelayLink | null = null;
  private linkIdentity: Identity | null = null;
  private connection: ConnectionState = { status: 'signed-out' };
  private me: AgentInfo | null = null;
  private agents = new Map<string, AgentInfo>();
  private sessions = new Map<string, SessionSummary>();
  private unread = new Map<string, number>();
  private settings: Settings = defaultSettings;
  private queue: Promise<void> = Promise.resolve();
  private readonly gapFills = new Map<string, Promise<void>>();
  private disposed = false;

  constructor(options: AgentClientOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  // -- lifecycle -------------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.cache) return;
    const sqlite = this.options.sqlite ?? {};
    const cache = Cache.open(this.options.dataDir, { now: this.now, log: this.log, nativeBinding: sqlite.nativeBinding });
    this.cache = cache;
    this.searcher = new SearchWorker(path.join(this.options.dataDir, CACHE_FILE), this.log, {
      threadPath: sqlite.searchThreadPath,
      nativeBinding: sqlite.nativeBinding,
    });
    const pruned = cache.pruneClosed(this.now(), this.options.retentionDays ?? 90);
    if (pruned > 0) this.log({ level: 'info', event: 'cache-retention', deletedSessions: pruned });
    this.settings = cache.getSetting('notify', SettingsSchema) ?? defaultSettings;
    this.me = cache.getSetting('me', AgentInfoSchema);
    this.agents = new Map(cache.agents().map((a) => [a.id, a]));
    this.sessions = new Map(cache.liveSessions().map((s) => [s.id, s]));
    for (const id of this.sessions.keys()) this.unread.set(id, cache.unreadCount(id));
    this.outbox = new Outbox({
      cache,
      emit: (event) => this.emit(event),
      send: (item) =>
        this.relay({ type: 'send', sessionId: item.sessionId, messageId: item.messageId, text: item.text }),
      canSend: () => this.link?.online === true,
      now: this.now,
      log: this.log,
    });
    const saved = this.savedIdentity();
    const password = saved && this.options.vault ? this.options.vault.load(vaultKey(saved)) : null;
    if (saved && password) {
      void this.connect(saved, password, false).then((outcome) => {
        if (outcome.kind === 'auth-failed') this.options.vault?.clear(vaultKey(saved));
      });
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.detachLink();
    await this.queue;
    await Promise.allSettled([...this.gapFills.values()]);
    await this.searcher?.close();
    this.searcher = null;
    this.cache?.close();
    this.cache = null;
    this.listeners.clear();
  }

  subscribe(listener: (event: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async invoke(channel: string, args: unknown): Promise<Result<unknown>> {
    if (!isBridgeChannel(channel)) return fail('invalid-argument', `Unknown command "${String(channel).slice(0, 64)}".`);
    const parsed = bridgeCommands[channel].args.safeParse(args ?? {});
    if (!parsed.success) return fail('invalid-argument', describeZodError(parsed.error));
    if (!this.cache || this.disposed) return fail('cache-unavailable', errorSentences['cache-unavailable']);
    try {
      const handler = this.handlers[channel] as (a: unknown) => Promise<Result<unknown>> | Result<unknown>;
      return await handler(parsed.data);
    } catch (error) {
      this.log({ level: 'error', event: 'command-threw', channel, error: String((error as Error)?.stack ?? error) });
      if (error instanceof CacheError) return fail(error.code, error.message);
      return fail('internal', 'Something went wrong in Baton. Try again.');
    }
  }

  // -- commands --------------------------------------------------------------------------------------

  private readonly handlers: Handlers = {
    'auth:saved': () => {
      const saved = this.savedIdentity();
      const partial = this.requireCache();
      return ok({
        relayUrl: saved?.relayUrl ?? partial.getSetting('relayUrl', z.string()),
        user: saved?.user ?? partial.getSetting('user', z.string()),
        hasPassword: Boolean(saved && this.options.vault?.load(vaultKey(saved))),
      });
    },
    'auth:signIn': async ({ relayUrl, user, password, remember }) => {
      const identity = { relayUrl, user };
      const outcome = await this.connect(identity, password, true);
      if (outcome.kind !== 'welcome') {
        const code = { 'auth-failed': 'unauthorized', 'version-mismatch': 'unsupported-protocol', unreachable: 'not-connected' } as const;
        return fail(code[outcome.kind], outcome.message);
      }
      await this.queue;
      const cache = this.requireCache();
      cache.setSetting('relayUrl', relayUrl);
      cache.setSetting('user', user);
      if (remember) this.options.vault?.save(vaultKey(identity), password);
      else this.options.vault?.clear(vaultKey(identity));
      return ok({ me: this.me ?? outcome.welcome.me });
    },
    'auth:signOut': () => {
      const identity = this.linkIdentity ?? this.savedIdentity();
      this.detachLink();
      if (identity) this.options.vault?.clear(vaultKey(identity));
      this.setConnection({ status: 'signed-out' });
      for (const event of this.notifications.closeAll()) this.emit(event);
      this.emit({ type: 'signed-out' });
      return ok(null);
    },
    'app:snapshot': () => ok(this.snapshot()),
    'settings:set': (changes) => {
      this.settings = { ...this.settings, ...changes };
      this.requireCache().setSetting('notify', this.settings);
      this.emit({ type: 'settings', settings: this.settings });
      return ok(this.settings);
    },
    'agent:setStatus': ({ status }) => this.relayDone({ type: 'set-status', status }),
    'chat:send': ({ sessionId, text }) => {
      if (!this.sessions.has(sessionId) && !this.requireCache().getSession(sessionId)) {
        return fail('not-found', errorSentences['not-found']);
      }
      const item = this.requireOutbox().add(sessionId, text);
      return ok({ messageId: item.messageId });
    },
    'chat:retry': ({ messageId }) => this.requireOutbox().retry(messageId),
    'chat:typing': ({ sessionId, active }) => this.relayDone({ type: 'typing', sessionId, active }),
    'chat:markRead': ({ sessionId, seq }) => {
      this.requireCache().setReadMark(sessionId, seq);
      this.refreshUnread(sessionId);
      return ok(null);
    },
    'chat:transcript': async ({ sessionId, beforeSeq, limit }) => {
      if (beforeSeq === undefined && this.link?.online) {
        const summary = this.sessions.get(sessionId);
        if (summary && summary.lastSeq > this.requireCache().heldSeq(sessionId)) await this.fillGap(sessionId);
      }
      return ok(this.requireCache().transcript(sessionId, limit, beforeSeq));
    },
    'transfer:offer': async ({ sessionId, to, note }) =>
      this.relayResult({ type: 'offer-transfer', sessionId, to, ...(note ? { note } : {}) }, CommandResultSchemas['offer-transfer']),
    'transfer:accept': ({ sessionId, transferId }) => this.relayDone({ type: 'accept-transfer', sessionId, transferId }),
    'transfer:reject': ({ sessionId, transferId, reason }) =>
      this.relayDone({ type: 'reject-transfer', sessionId, transferId, ...(reason ? { reason } : {}) }),
    'transfer:cancel': ({ sessionId, transferId }) => this.relayDone({ type: 'cancel-transfer', sessionId, transferId }),
    'session:takeOver': ({ sessionId }) => this.relayDone({ type: 'take-over', sessionId }),
    'session:listen': ({ sessionId }) => this.relayDone({ type: 'listen', sessionId }),
    'session:closeWindow': ({ sessionId }) => this.relayDone({ type: 'close-window', sessionId }),
    'session:closeChat': ({ sessionId }) => this.relayDone({ type: 'close-chat', sessionId }),
    'request:create': async ({ sessionId, title, description }) => {
      const result = await this.relayResult(
        { type: 'create-request', sessionId, title, ...(description ? { description } : {}) },
        CommandResultSchemas['create-request'],
      );
      if (result.ok) this.storeRequests([result.value.request]);
      return result;
    },
    'request:list': async () => {
      if (this.link?.online) {
        const result = await this.relayResult({ type: 'list-requests' }, CommandResultSchemas['list-requests']);
        if (result.ok) {
          this.requireCache().upsertRequests(result.value.requests);
          return result;
        }
        if (result.error.code !== 'not-connected' && result.error.code !== 'timeout') return result;
      }
      return ok({ requests: this.requireCache().requests() });
    },
    'history:list': ({ limit, beforeClosedAt }) => ok({ sessions: this.requireCache().closedSessions(limit, beforeClosedAt) }),
    'history:search': async ({ text, customer, from, to, limit }) => {
      const query = { text, customer, from, to, limit };
      const searcher = this.searcher;
      if (searcher?.usable) {
        try {
          return ok({ hits: await searcher.search(query) });
        } catch (error) {
          this.log({ level: 'warn', event: 'search-worker-error', error: String(error) });
          if (this.disposed) return fail('cache-unavailable', errorSentences['cache-unavailable']);
        }
      }
      return ok({ hits: this.requireCache().search(query) });
    },
  };

  private requireCache(): Cache {
    if (!this.cache) throw new CacheError('cache-unavailable', errorSentences['cache-unavailable']);
    return this.cache;
  }

  private requireOutbox(): Outbox {
    if (!this.outbox) throw new CacheError('cache-unavailable', errorSentences['cache-unavailable']);
    return this.outbox;
  }

  private relay(command: AgentCommandInput): Promise<Result<unknown>> {
    const link = this.link;
    if (!link?.online) return Promise.resolve(fail('offline', errorSentences.offline));
    return link.request(command);
  }

  private async relayDone(command: AgentCommandInput): Promise<Result<null>> {
    const result = await this.relay(command);
    return result.ok ? ok(null) : result;
  }

  private async relayResult<T>(command: AgentCommandInput, schema: z.ZodType<T>): Promise<Result<T>> {
    const result = await this.relay(command);
    if (!result.ok) return result;
    const parsed = schema.safeParse(result.value);
    if (parsed.success) return ok(parsed.data);
    this.log({ level: 'warn', event: 'bad-result', command: command.type, message: describeZodError(parsed.error) });
    return fail('internal', 'The relay answered with something Baton could not read.');
  }

  // -- the link --------------------------------------------------------------------------------------

  private savedIdentity(): Identity | null {
    const cache = this.cache;
    if (!cache) return null;
    const relayUrl = cache.getSetting('relayUrl', z.string());
    const user = cache.getSetting('user', z.string());
    return relayUrl && user ? { relayUrl, user } : null;
  }

  private detachLink(): void {
    const link = this.link;
    this.link = null;
    this.linkIdentity = null;
    link?.stop();
  }

  private async connect(identity: Identity, password: string, interactive: boolean) {
    this.detachLink();
    const cache = this.requireCache();
    const cachedFor = cache.getSetting('account', IdentitySchema);
    const sameAccount = cachedFor?.relayUrl === identity.relayUrl && cachedFor.user === identity.user;
    const link: RelayLink = new RelayLink({
      relayUrl: identity.relayUrl,
      user: identity.user,
      password,
      // another account's cache must not steer what the relay replays
      resume: () => (sameAccount || this.accountIs(identity) ? cache.resumeMap() : {}),
      onWelcome: (welcome) => this.enqueue(() => this.onWelcome(link, identity, welcome)),
      onFrame: (frame) => this.enqueue(() => this.onFrame(frame)),
      log: this.log,
      now: this.now,
      tuning: this.options.tuning,
    });
    this.link = link;
    this.linkIdentity = identity;
    link.onState((state) => {
      if (this.link === link) this.setConnection(state);
    });
    return link.start(interactive);
  }

  private accountIs(identity: Identity): boolean {
    const cachedFor = this.cache?.getSetting('account', IdentitySchema);
    return cachedFor?.relayUrl === identity.relayUrl && cachedFor.user === identity.user;
  }

  private setConnection(state: ConnectionState): void {
    this.connection = state;
    this.emit({ type: 'connection', connection: state });
  }

  // -- incoming frames: cache first, then tell the UI -------------------------------------------------

  private enqueue(task: () => void | Promise<void>): void {
    this.queue = this.queue
      .then(() => (this.disposed ? undefined : task()))
      .catch((error) => this.log({ level: 'error', event: 'frame-failed', error: String((error as Error)?.stack ?? error) }));
  }

  private async onWelcome(link: RelayLink, identity: Identity, welcome: WelcomeFrame): Promise<void> {
    if (this.link !== link) return;
    const cache = this.requireCache();
    if (!this.accountIs(identity)) {
      const previous = cache.getSetting('account', IdentitySchema);
      if (previous) {
        // the previous agent's chats and unsent messages are not for this one, but they are not destroyed either
        const archive = path.join(this.options.dataDir, `${CACHE_FILE}.${previous.user}-${this.now()}`);
        cache.archiveTo(archive);
        this.log({ level: 'warn', event: 'cache-account-switch', from: previous.user, to: identity.user, unsentMessages: cache.outboxItems().length, archive });
      }
      cache.wipeAccountData();
      cache.setSetting('account', identity);
      this.unread.clear();
    }
    cache.replaceAgents(welcome.agents);
    cache.upsertSessions(welcome.sessions);
    cache.setSetting('me', welcome.me);
    this.me = welcome.me;
    this.agents = new Map(welcome.agents.map((a) => [a.id, a]));
    this.sessions = new Map(welcome.sessions.map((s) => [s.id, s]));
    this.unread = new Map(welcome.sessions.filter((s) => s.state !== 'closed').map((s) => [s.id, cache.unreadCount(s.id)]));
    for (const event of this.notifications.sessionsChanged(welcome.sessions, this.notifyContext(), true)) this.emit(event);
    this.emit({ type: 'snapshot', snapshot: this.snapshot() });
    void this.requireOutbox().flush();
    void this.afterWelcome(link);
  }

  /**
   * Replays for the resume map arrive right behind the welcome, so a round trip started now answers after them:
   * then any session still behind its summary (dashboard sessions, gaps) is fetched.
   */
  private async afterWelcome(link: RelayLink): Promise<void> {
    const result = await this.relayResult({ type: 'list-requests' }, CommandResultSchemas['list-requests']);
    if (result.ok) this.enqueue(() => this.storeRequests(result.value.requests, false));
    await this.queue;
    if (this.link !== link || !this.cache || !this.me) return;
    const me = this.me.id;
    for (const session of this.sessions.values()) {
      if (roleIn(session, me) === 'none') continue;
      if (session.lastSeq > this.cache.heldSeq(session.id)) void this.fillGap(session.id);
    }
  }

  private fillGap(sessionId: string): Promise<void> {
    const running = this.gapFills.get(sessionId);
    if (running) return running;
    const task = (async () => {
      for (let round = 0; round < 100; round++) {
        const cache = this.cache;
        if (!cache || this.disposed) return;
        const held = cache.heldSeq(sessionId);
        const result = await this.relayResult({ type: 'fetch-events', sessionId, afterSeq: held }, CommandResultSchemas['fetch-events']);
        if (!result.ok || result.value.events.length === 0) return;
        const done = new Promise<void>((resolve) => this.enqueue(async () => {
          await this.storeEvents(sessionId, result.value.events, false);
          resolve();
        }));
        await done;
        const summary = this.sessions.get(sessionId);
        if (!this.cache || !summary || this.cache.heldSeq(sessionId) >= summary.lastSeq || this.cache.heldSeq(sessionId) === held) return;
      }
    })().finally(() => this.gapFills.delete(sessionId));
    this.gapFills.set(sessionId, task);
    return task;
  }

  private async onFrame(frame: RelayFrame): Promise<void> {
    const cache = this.requireCache();
    switch (frame.type) {
      case 'presence': {
        cache.upsertAgent(frame.agent);
        this.agents.set(frame.agent.id, frame.agent);
        if (this.me?.id === frame.agent.id) {
          this.me = frame.agent;
          cache.setSetting('me', frame.agent);
        }
        this.emit({ type: 'presence', agent: frame.agent });
        return;
      }
      case 'session': {
        cache.upsertSessions([frame.session]);
        const previous = this.sessions.get(frame.session.id);
        this.sessions.set(frame.session.id, frame.session);
        this.emit({ type: 'session', session: frame.session });
        if (!this.unread.has(frame.session.id)) this.refreshUnread(frame.session.id);
        for (const event of this.notifications.sessionChanged(frame.session, previous, this.notifyContext())) this.emit(event);
        return;
      }
      case 'event': {
        const fresh = await this.storeEvents(frame.event.sessionId, [frame.event], true);
        if (fresh.length > 0 && frame.event.seq > cache.heldSeq(frame.event.sessionId)) void this.fillGap(frame.event.sessionId);
        return;
      }
      case 'replay':
        await this.storeEvents(frame.sessionId, frame.events, false);
        return;
      case 'typing':
        this.emit({ type: 'typing', sessionId: frame.sessionId, who: frame.who, name: frame.name, active: frame.active });
        return;
      case 'request':
        this.storeRequests([frame.request]);
        return;
      default:
        this.log({ level: 'warn', event: 'unexpected-frame', type: frame.type });
    }
  }

  /** Caches events (in slices), then emits only the ones not seen before; live ones may notify. */
  private async storeEvents(sessionId: string, events: readonly SessionEvent[], live: boolean): Promise<SessionEvent[]> {
    const all: SessionEvent[] = [];
    for (let i = 0; i < events.length; i += INGEST_SLICE) {
      if (i > 0) await yieldToLoop();
      const cache = this.cache;
      if (!cache || this.disposed) return all;
      const fresh = cache.ingestEvents(events.slice(i, i + INGEST_SLICE).filter((e) => e.sessionId === sessionId));
      if (fresh.length === 0) continue;
      this.mergeSoon();
      all.push(...fresh);
      this.emit({ type: 'events', sessionId, events: fresh });
      for (const event of this.notifications.eventsStored(fresh)) this.emit(event);
      if (live) {
        for (const event of fresh) {
          for (const n of this.notifications.liveEvent(event, this.sessions.get(sessionId), this.notifyContext())) this.emit(n);
        }
      }
    }
    if (all.some((e) => e.kind === 'message' && e.author.kind === 'customer')) this.refreshUnread(sessionId);
    return all;
  }

  /** FTS upkeep runs in its own macrotask after ingest, so it never lengthens a block that is already busy. */
  private mergeScheduled = false;
  private mergeSoon(): void {
    if (this.mergeScheduled) return;
    this.mergeScheduled = true;
    setImmediate(() => {
      this.mergeScheduled = false;
      if (this.disposed || !this.cache) return;
      try {
        this.cache.mergeStep();
      } catch (error) {
        this.log({ level: 'warn', event: 'fts-merge-failed', error: String(error) });
      }
    });
  }

  private storeRequests(requests: readonly Request[], emit = true): void {
    this.requireCache().upsertRequests(requests);
    if (emit) for (const request of requests) this.emit({ type: 'request', request });
  }

  private refreshUnread(sessionId: string): void {
    const cache = this.cache;
    if (!cache) return;
    const count = cache.unreadCount(sessionId);
    if (this.unread.get(sessionId) === count) return;
    this.unread.set(sessionId, count);
    this.emit({ type: 'unread', sessionId, count });
  }

  private notifyContext() {
    return {
      me: this.me?.id ?? null,
      settings: this.settings,
      agentName: (id: string) => this.agents.get(id)?.name ?? id,
    };
  }

  private snapshot(): ClientSnapshot {
    const cache = this.requireCache();
    return {
      me: this.me,
      connection: this.connection,
      agents: [...this.agents.values()],
      sessions: [...this.sessions.values()],
      outbox: this.requireOutbox().items(),
      unread: Object.fromEntries([...this.unread].filter(([id]) => this.sessions.has(id))),
      requests: cache.requests(),
      settings: this.settings,
    };
  }

  private emit(event: ClientEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.log({ level: 'error', event: 'listener-threw', error: String(error) });
      }
    }
  }
}
