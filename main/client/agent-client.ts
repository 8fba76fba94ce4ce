// AgentClient: the client core behind the bridge — state the UI reduces, relay frames cached then emitted, commands
// mapped to the relay, one cache per account (opened at start for the last account, so the app works offline).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  type BridgeChannel,
  type BridgeHandler,
  type BridgeParsedArgs,
  type BridgeResult,
  bridgeCommands,
  type ClientEvent,
  type ClientSnapshot,
  type ConnectionState,
  defaultSettings,
  isBridgeChannel,
  isUnencryptedRemoteRelay,
  type Settings,
} from '../../common/bridge';
import { z } from 'zod';
import {
  type AgentInfo,
  AgentInfoSchema,
  type AttachmentLimits,
  AttachmentLimitsSchema,
  fold,
  type Request,
  roleIn,
  type SessionEvent,
  type SessionSummary,
  type Team,
  TeamSchema,
} from '../../common/domain';
import { errorSentences } from '../../common/errors';
import { CommandResultSchemas, describeZodError, type RelayFrame } from '../../common/protocol';
import { fail, ok, type Result } from '../../common/result';
import { AccountStore } from './account-store';
import { AccountIndex, type Identity, sameAccount } from './accounts';
import { AttentionPolicy } from './attention';
import { type Cache, CacheError } from './cache';
import { IdlePolicy } from './idle';
import { linkFailureSentence, unencryptedRelaySentence } from './link-words';
import { becameMyNewChat, gotByRouting, NotificationPolicy } from './notifications';
import { type AgentCommandInput, type LinkOutcome, RelayLink, type RelayLinkTuning, type WelcomeFrame } from './relay-link';
import { ConversationTools } from './tools';

export interface PasswordVault {
  load(key: string): string | null;
  save(key: string, password: string): void;
  clear(key: string): void;
}

export interface AgentClientOptions {
  /** the account index and one folder per account's cache live here */
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
  /** internal: timers of the attention reminders (tests pass a fake clock) */
  schedule?: (ms: number, fn: () => void) => () => void;
  /** which better-sqlite3 addon and search thread script to use; the Electron shell sets both, Node needs neither */
  sqlite?: { nativeBinding?: string; searchThreadPath?: string };
}

export interface StartOptions {
  /**
   * Sign in as this account at start (web mode's `--user`): its cache opens at once, and an unreachable relay is
   * retried until it answers, so the agent works offline meanwhile. A wrong password ends in `auth-failed`.
   */
  signIn?: { relayUrl: string; user: string; password: string; allowUnencrypted?: boolean };
}

export interface AgentClient extends BridgeHandler {
  /** opens the last account's cache (or `signIn`'s) and signs in with remembered or given credentials */
  start(options?: StartOptions): Promise<void>;
  /** closes socket, timers, cache */
  dispose(): Promise<void>;
}

const vaultKey = (identity: Identity) => `baton:${identity.user}@${identity.relayUrl}`;
/** replays are stored in slices so no single transaction holds the event loop for long */
const INGEST_SLICE = 100;
const SIGN_IN_FIRST = 'Sign in first: your chats are kept for each account separately.';
/** the teams as the relay last told them, kept with the account's settings */
const TEAMS_KEY = 'teams';
const LIMITS_KEY = 'attachmentLimits';
/** how far back in a chat's log the change of owner that made a chat mine is looked for */
const OWNER_LOOKBACK = 50;

type Handlers = {
  [C in BridgeChannel]: (args: BridgeParsedArgs<C>) => Promise<Result<BridgeResult<C>>> | Result<BridgeResult<C>>;
};

export function createAgentClient(options: AgentClientOptions): AgentClient {
  return new AgentClientCore(options);
}

/** The link that is running, what it signs in as, and the store its frames go to. */
interface LinkRun {
  link: RelayLink;
  identity: Identity;
  store: AccountStore;
  allowUnencrypted: boolean;
  /** for the HTTP calls beside the socket (attachments) */
  password: string;
}

class AgentClientCore implements AgentClient {
  private readonly options: AgentClientOptions;
  private readonly now: () => number;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly listeners = new Set<(event: ClientEvent) => void>();
  private readonly notifications = new NotificationPolicy();
  private readonly attention: AttentionPolicy;
  private accounts: AccountIndex | null = null;
  /** the account whose chats are shown; null before anyone signed in on this machine */
  private store: AccountStore | null = null;
  private run: LinkRun | null = null;
  private connection: ConnectionState = { status: 'signed-out' };
  private me: AgentInfo | null = null;
  private agents = new Map<string, AgentInfo>();
  private teams: Team[] = [];
  private readonly idle = new IdlePolicy((idle) => {
    void this.relayDone({ type: 'set-idle', idle }).then((result) => {
      if (!result.ok && result.error.code !== 'offline') this.log({ level: 'warn', event: 'set-idle-failed', code: result.error.code });
    });
  });
  private sessions = new Map<string, SessionSummary>();
  private unread = new Map<string, number>();
  private settings: Settings = defaultSettings;
  private queue: Promise<void> = Promise.resolve();
  private readonly gapFills = new Map<string, Promise<void>>();
  /** chats that just became mine: new chats if routing gave them, told once their log says how they came */
  private readonly maybeNewChats = new Set<string>();
  private limits: AttachmentLimits | null = null;
  private started = false;
  private disposed = false;
  private readonly tools = new ConversationTools({
    store: () => this.requireStore(),
    credentials: () => {
      const run = this.run;
      if (!run?.link.online || run.store !== this.store) return null;
      return { relayUrl: run.identity.relayUrl, user: run.identity.user, password: run.password };
    },
    relay: (command) => this.relay(command),
    relayResult: (command, schema) => this.relayResult(command, schema),
    emit: (event) => this.emit(event),
    knowsSession: (sessionId) => this.sessions.has(sessionId),
    limits: () => this.limits,
    onlineSince: () => (this.connection.status === 'online' ? this.connection.since : null),
  });

  constructor(options: AgentClientOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.attention = new AttentionPolicy({ now: this.now, emit: (event) => this.emit(event), schedule: options.schedule });
  }

  private get cache() {
    return this.store?.cache ?? null;
  }

  private get link() {
    return this.run?.link ?? null;
  }

  // -- lifecycle -------------------------------------------------------------------------------------

  async start(options: StartOptions = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    const accounts = AccountIndex.open(this.options.dataDir, { log: this.log, now: this.now });
    this.accounts = accounts;
    if (options.signIn) {
      const parsed = bridgeCommands['auth:signIn'].args.safeParse(options.signIn);
      if (!parsed.success) throw new Error(`Cannot sign in at start: ${describeZodError(parsed.error)}`);
      const { relayUrl, user, password, allowUnencrypted } = parsed.data;
      if (isUnencryptedRemoteRelay(relayUrl) && !allowUnencrypted) throw new Error(unencryptedRelaySentence(relayUrl));
      const identity = { relayUrl, user };
      this.install(this.openStore(identity));
      void this.connect(identity, password, false, allowUnencrypted);
      return;
    }
    const last = accounts.last();
    if (!last) return;
    // Opens on the last account's cache whether or not the relay answers: History, search and the outbox work offline.
    this.install(this.openStore(last));
    const password = this.options.vault?.load(vaultKey(last)) ?? null;
    const confirmed = !isUnencryptedRemoteRelay(last.relayUrl) || last.allowUnencrypted;
    if (password && confirmed) {
      void this.connect(last, password, false, last.allowUnencrypted).then((outcome) => {
        if (outcome.kind === 'auth-failed') this.options.vault?.clear(vaultKey(last));
      });
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.detachLink();
    this.attention.reset();
    await this.queue;
    await Promise.allSettled([...this.gapFills.values()]);
    const store = this.store;
    this.store = null;
    await store?.close();
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
    if (!this.accounts || this.disposed) return fail('cache-unavailable', errorSentences['cache-unavailable']);
    try {
      const handler = this.handlers[channel] as (a: unknown) => Promise<Result<unknown>> | Result<unknown>;
      return await handler(parsed.data);
    } catch (error) {
      if (error instanceof CacheError) return fail(error.code, error.message);
      this.log({ level: 'error', event: 'command-threw', channel, error: String((error as Error)?.stack ?? error) });
      return fail('internal', 'Something went wrong in Baton. Try again.');
    }
  }

  // -- accounts --------------------------------------------------------------------------------------

  private openStore(identity: Identity): AccountStore {
    const accounts = this.requireAccounts();
    const store: AccountStore = AccountStore.open({
      identity,
      dir: accounts.dirFor(identity),
      now: this.now,
      log: this.log,
      retentionDays: this.options.retentionDays ?? 90,
      sqlite: this.options.sqlite,
      emit: (event) => {
        if (this.store === store) this.emit(event);
      },
      send: (item, attachment) => this.tools.send(item, attachment),
      upload: (item, bytes, name, onProgress) => this.tools.upload(item, bytes, name, onProgress),
      canSend: () => this.store === store && this.link?.online === true,
    });
    return store;
  }

  /** Makes `store` the account shown: its last known agent, agents, live chats and settings, read from its cache. */
  private install(store: AccountStore): void {
    this.store = store;
    const cache = store.cache;
    this.settings = store.settings();
    this.attention.configure(this.settings.reminder);
    this.me = cache.getSetting('me', AgentInfoSchema);
    this.limits = cache.getSetting(LIMITS_KEY, AttachmentLimitsSchema);
    this.maybeNewChats.clear();
    this.agents = new Map(cache.agents().map((a) => [a.id, a]));
    this.teams = cache.getSetting(TEAMS_KEY, z.array(TeamSchema)) ?? [];
    this.sessions = new Map(cache.liveSessions().map((s) => [s.id, s]));
    this.unread = new Map([...this.sessions.keys()].map((id) => [id, cache.unreadCount(id)]));
  }

  /** Another account got in: the previous one's store is closed (its chats and outbox stay in its own folder). */
  private async switchTo(store: AccountStore): Promise<void> {
    const previous = this.store;
    for (const event of this.notifications.closeAll()) this.emit(event);
    this.attention.reset();
    this.install(store);
    if (previous && previous !== store) {
      this.log({ level: 'info', event: 'account-switched', from: previous.identity.user, to: store.identity.user, unsentMessagesKept: previous.cache.outboxItems().length });
      await previous.close();
    }
  }

  // -- commands --------------------------------------------------------------------------------------

  private readonly handlers: Handlers = {
    ...this.tools.handlers,
    'auth:saved': () => {
      const last = this.requireAccounts().last();
      return ok({
        relayUrl: last?.relayUrl ?? null,
        user: last?.user ?? null,
        hasPassword: Boolean(last && this.options.vault?.load(vaultKey(last))),
      });
    },
    'auth:signIn': async ({ relayUrl, user, password, remember, allowUnencrypted }) => {
      if (isUnencryptedRemoteRelay(relayUrl) && !allowUnencrypted) return fail('forbidden', unencryptedRelaySentence(relayUrl));
      const identity = { relayUrl, user };
      const outcome = await this.connect(identity, password, true, allowUnencrypted);
      if (outcome.kind !== 'welcome') {
        const code = { 'auth-failed': 'unauthorized', 'version-mismatch': 'unsupported-protocol', unreachable: 'not-connected' } as const;
        const message = outcome.kind === 'unreachable' ? linkFailureSentence(relayUrl, outcome.message) : outcome.message;
        return fail(code[outcome.kind], message);
      }
      await this.queue;
      if (remember) this.options.vault?.save(vaultKey(identity), password);
      else this.options.vault?.clear(vaultKey(identity));
      return ok({ me: this.me ?? outcome.welcome.me });
    },
    'auth:signOut': () => {
      const identity = this.run?.identity ?? this.store?.identity ?? null;
      this.detachLink();
      if (identity) this.options.vault?.clear(vaultKey(identity));
      this.setConnection({ status: 'signed-out' });
      for (const event of this.notifications.closeAll()) this.emit(event);
      this.attention.reset();
      this.idle.reset();
      this.emit({ type: 'signed-out' });
      return ok(null);
    },
    'app:snapshot': () => ok(this.snapshot()),
    'settings:set': (changes) => {
      const store = this.requireStore();
      this.settings = { ...this.settings, ...changes };
      store.saveSettings(this.settings);
      this.attention.configure(this.settings.reminder);
      this.idle.configure(this.settings.autoAway);
      this.emit({ type: 'settings', settings: this.settings });
      return ok(this.settings);
    },
    'agent:setStatus': ({ status }) => this.relayDone({ type: 'set-status', status }),
    'agent:activity': ({ idleSeconds }) => {
      this.idle.report(idleSeconds, this.settings.autoAway);
      return ok(null);
    },
    'chat:send': ({ sessionId, text }) => {
      const store = this.requireStore();
      if (!this.sessions.has(sessionId) && !store.cache.getSession(sessionId)) return fail('not-found', errorSentences['not-found']);
      const item = store.outbox.add(sessionId, text);
      return ok({ messageId: item.messageId });
    },
    'chat:retry': ({ messageId }) => this.requireStore().outbox.retry(messageId),
    'chat:typing': ({ sessionId, active }) => this.relayDone({ type: 'typing', sessionId, active }),
    'chat:markRead': ({ sessionId, seq }) => {
      this.requireStore().cache.setReadMark(sessionId, seq);
      this.refreshUnread(sessionId);
      return ok(null);
    },
    'chat:transcript': async ({ sessionId, beforeSeq, limit }) => {
      const cache = this.requireStore().cache;
      const run = this.run;
      if (beforeSeq === undefined && run?.link.online && run.store === this.store) {
        const summary = this.sessions.get(sessionId);
        if (summary && summary.lastSeq > cache.heldSeq(sessionId)) await this.fillGap(run, sessionId);
      }
      return ok(cache.transcript(sessionId, limit, beforeSeq));
    },
    'transfer:offer': async ({ sessionId, to, team, note }) =>
      this.relayResult(
        { type: 'offer-transfer', sessionId, ...(to !== undefined ? { to } : { team }), ...(note ? { note } : {}) },
        CommandResultSchemas['offer-transfer'],
      ),
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
      const cache = this.requireStore().cache;
      if (this.link?.online) {
        const result = await this.relayResult({ type: 'list-requests' }, CommandResultSchemas['list-requests']);
        if (result.ok) {
          cache.upsertRequests(result.value.requests);
          return result;
        }
        if (result.error.code !== 'not-connected' && result.error.code !== 'timeout') return result;
      }
      return ok({ requests: cache.requests() });
    },
    'dashboard:ratings': () => this.relayResult({ type: 'rating-figures', days: 7 }, CommandResultSchemas['rating-figures']),
    'metrics:get': ({ since, until }) => this.relayResult({ type: 'get-metrics', since, until }, CommandResultSchemas['get-metrics']),
    'admin:command': (command) => this.relayDone(command),
    'history:list': ({ limit, beforeClosedAt }) => ok({ sessions: this.requireStore().cache.closedSessions(limit, beforeClosedAt) }),
    'history:search': async ({ text, customer, from, to, limit }) => {
      const store = this.requireStore();
      const query = { text, customer, from, to, limit };
      if (store.searcher.usable) {
        try {
          return ok({ hits: await store.searcher.search(query) });
        } catch (error) {
          this.log({ level: 'warn', event: 'search-worker-error', error: String(error) });
          if (this.disposed || this.store !== store) return fail('cache-unavailable', errorSentences['cache-unavailable']);
        }
      }
      return ok({ hits: store.cache.search(query) });
    },
  };

  private requireAccounts(): AccountIndex {
    if (!this.accounts) throw new CacheError('cache-unavailable', errorSentences['cache-unavailable']);
    return this.accounts;
  }

  private requireStore(): AccountStore {
    if (!this.store) throw new CacheError('cache-unavailable', SIGN_IN_FIRST);
    return this.store;
  }

  private relay(command: AgentCommandInput): Promise<Result<unknown>> {
    const run = this.run;
    // a link still signing in as another account must not act for the one shown
    if (!run?.link.online || run.store !== this.store) return Promise.resolve(fail('offline', errorSentences.offline));
    return run.link.request(command);
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

  private detachLink(): void {
    const run = this.run;
    this.run = null;
    run?.link.stop();
  }

  /**
   * Starts a link for `identity`. Another account's store is opened beside the shown one and takes its place only
   * at the welcome, so a sign-in that fails (wrong password, relay down) leaves the shown account as it was.
   */
  private async connect(identity: Identity, password: string, interactive: boolean, allowUnencrypted: boolean): Promise<LinkOutcome> {
    this.detachLink();
    const current = this.store && sameAccount(this.store.identity, identity) ? this.store : null;
    const store = current ?? this.openStore(identity);
    const link: RelayLink = new RelayLink({
      relayUrl: identity.relayUrl,
      user: identity.user,
      password,
      resume: () => store.cache.resumeMap(),
      onWelcome: (welcome) => this.enqueue(() => this.onWelcome(run, welcome)),
      onFrame: (frame) => this.enqueue(() => (this.run === run ? this.onFrame(run, frame) : undefined)),
      log: this.log,
      now: this.now,
      tuning: this.options.tuning,
    });
    const run: LinkRun = { link, identity, store, allowUnencrypted, password };
    this.run = run;
    link.onState((state) => {
      if (this.run === run) this.setConnection(state);
    });
    const outcome = await link.start(interactive);
    if (outcome.kind !== 'welcome' && store !== this.store) {
      await store.close();
      this.requireAccounts().discardUnused(identity);
    }
    return outcome;
  }

  private setConnection(state: ConnectionState): void {
    const identity = this.run?.identity;
    // the banner and the header read this: a sentence, not "connect ECONNREFUSED"
    const shown = state.status === 'offline' && identity ? { ...state, message: linkFailureSentence(identity.relayUrl, state.reason) } : state;
    this.connection = shown;
    this.emit({ type: 'connection', connection: shown });
  }

  // -- incoming frames: cache first, then tell the UI -------------------------------------------------

  private enqueue(task: () => void | Promise<void>): void {
    this.queue = this.queue
      .then(() => (this.disposed ? undefined : task()))
      .catch((error) => this.log({ level: 'error', event: 'frame-failed', error: String((error as Error)?.stack ?? error) }));
  }

  private async onWelcome(run: LinkRun, welcome: WelcomeFrame): Promise<void> {
    if (this.run !== run) return;
    if (this.store !== run.store) await this.switchTo(run.store);
    welcome = await this.restOfWelcome(run, welcome);
    if (this.run !== run) return;
    const cache = run.store.cache;
    this.requireAccounts().remember(run.identity, { allowUnencrypted: run.allowUnencrypted });
    cache.replaceAgents(welcome.agents);
    cache.upsertSessions(welcome.sessions);
    cache.setSetting('me', welcome.me);
    this.teams = welcome.teams ?? [];
    cache.setSetting(TEAMS_KEY, this.teams);
    cache.setSetting(LIMITS_KEY, welcome.attachments ?? null);
    this.limits = welcome.attachments ?? null;
    this.me = welcome.me;
    this.agents = new Map(welcome.agents.map((a) => [a.id, a]));
    this.sessions = new Map(welcome.sessions.map((s) => [s.id, s]));
    this.unread = new Map(welcome.sessions.filter((s) => s.state !== 'closed').map((s) => [s.id, cache.unreadCount(s.id)]));
    for (const event of this.notifications.sessionsChanged(welcome.sessions, this.notifyContext(), true)) this.emit(event);
    this.emit({ type: 'snapshot', snapshot: this.snapshot() });
    this.attention.welcome(welcome.sessions, welcome.me.id);
    this.idle.reconnected();
    void run.store.outbox.reconnected();
    void this.afterWelcome(run);
  }

  /** A welcome with more sessions than fit one frame names the next page: fetched here, before anything is shown. */
  private async restOfWelcome(run: LinkRun, welcome: WelcomeFrame): Promise<WelcomeFrame> {
    const sessions = [...welcome.sessions];
    for (let cursor = welcome.moreSessions; cursor && this.run === run; ) {
      const page = await this.relayResult({ type: 'fetch-sessions', cursor }, CommandResultSchemas['fetch-sessions']);
      if (!page.ok) {
        this.log({ level: 'warn', event: 'welcome-page-failed', code: page.error.code });
        break;
      }
      sessions.push(...page.value.sessions);
      cursor = page.value.next ?? undefined;
    }
    return { ...welcome, sessions };
  }

  /**
   * Replays for the resume map arrive right behind the welcome, so a round trip started now answers after them:
   * then any session still behind its summary (dashboard sessions, gaps) is fetched.
   */
  private async afterWelcome(run: LinkRun): Promise<void> {
    const result = await this.relayResult({ type: 'list-requests' }, CommandResultSchemas['list-requests']);
    if (result.ok) this.enqueue(() => (this.run === run ? this.storeRequests(result.value.requests, false) : undefined));
    if (this.run === run) await this.tools.refreshCannedReplies();
    await this.queue;
    if (this.run !== run || !this.me) return;
    const me = this.me.id;
    for (const session of this.sessions.values()) {
      if (roleIn(session, me) === 'none') continue;
      if (session.lastSeq > run.store.cache.heldSeq(session.id)) void this.fillGap(run, session.id);
    }
  }

  private fillGap(run: LinkRun, sessionId: string): Promise<void> {
    const running = this.gapFills.get(sessionId);
    if (running) return running;
    const cache = run.store.cache;
    const task = (async () => {
      // the relay answers a page at a time and names the next (`next`); when it names none, the summary says whether
      // anything is still missing (events committed since)
      let afterSeq = cache.heldSeq(sessionId);
      for (let round = 0; round < 100_000; round++) {
        if (this.run !== run || this.disposed) return;
        const result = await this.relayResult({ type: 'fetch-events', sessionId, afterSeq }, CommandResultSchemas['fetch-events']);
        if (!result.ok || result.value.events.length === 0) return;
        await new Promise<void>((resolve) =>
          this.enqueue(async () => {
            if (this.run === run) await this.storeEvents(sessionId, result.value.events, false);
            resolve();
          }),
        );
        const held = cache.heldSeq(sessionId);
        const next = result.value.next ?? null;
        if (next !== null && next > afterSeq) {
          afterSeq = next;
          continue;
        }
        const summary = this.sessions.get(sessionId);
        if (this.run !== run || !summary || held >= summary.lastSeq || held === afterSeq) return;
        afterSeq = held;
      }
    })().finally(() => this.gapFills.delete(sessionId));
    this.gapFills.set(sessionId, task);
    return task;
  }

  private async onFrame(run: LinkRun, frame: RelayFrame): Promise<void> {
    const cache = run.store.cache;
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
      case 'agent-removed':
        cache.removeAgent(frame.agentId);
        this.agents.delete(frame.agentId);
        this.emit({ type: 'agent-removed', agentId: frame.agentId });
        return;
      case 'teams':
        this.teams = frame.teams;
        cache.setSetting(TEAMS_KEY, frame.teams);
        this.emit({ type: 'teams', teams: frame.teams });
        return;
      case 'session':
        this.sessionChanged(cache, frame.session);
        return;
      case 'event': {
        const { event } = frame;
        // the relay sends a chat's audience no summary after a message: it follows from the event (protocol.md)
        const known = this.sessions.get(event.sessionId);
        if (event.kind === 'message' && known && event.seq > known.lastSeq) this.sessionChanged(cache, fold(known, event));
        const fresh = await this.storeEvents(event.sessionId, [event], true);
        if (fresh.length > 0 && event.seq > cache.heldSeq(event.sessionId)) void this.fillGap(run, event.sessionId);
        return;
      }
      case 'replay':
        await this.storeEvents(frame.sessionId, frame.events, false);
        // a long chat's replay is its first page: the rest is fetched
        if (frame.next !== undefined && frame.next !== null) void this.fillGap(run, frame.sessionId);
        return;
      case 'typing':
        this.emit({ type: 'typing', sessionId: frame.sessionId, who: frame.who, name: frame.name, active: frame.active });
        return;
      case 'request':
        this.storeRequests([frame.request]);
        return;
      default:
        if (this.tools.onFrame(frame)) return;
        this.log({ level: 'warn', event: 'unexpected-frame', type: frame.type });
    }
  }

  private sessionChanged(cache: Cache, session: SessionSummary): void {
    cache.upsertSessions([session]);
    const previous = this.sessions.get(session.id);
    this.sessions.set(session.id, session);
    this.emit({ type: 'session', session });
    if (!this.unread.has(session.id)) this.refreshUnread(session.id);
    for (const event of this.notifications.sessionChanged(session, previous, this.notifyContext())) this.emit(event);
    this.attention.sessionChanged(session, previous, this.me?.id ?? null);
    if (becameMyNewChat(session, previous, this.me?.id ?? null)) {
      this.maybeNewChats.add(session.id);
      this.settleNewChat(session.id);
    }
  }

  /** Caches events (in slices), then emits only the ones not seen before; live ones may notify. */
  private async storeEvents(sessionId: string, events: readonly SessionEvent[], live: boolean): Promise<SessionEvent[]> {
    const store = this.store;
    const all: SessionEvent[] = [];
    for (let i = 0; i < events.length; i += INGEST_SLICE) {
      if (i > 0) await yieldToLoop();
      if (!store || this.store !== store || this.disposed) return all;
      const fresh = store.cache.ingestEvents(events.slice(i, i + INGEST_SLICE).filter((e) => e.sessionId === sessionId));
      if (fresh.length === 0) continue;
      this.mergeSoon();
      all.push(...fresh);
      this.emit({ type: 'events', sessionId, events: fresh });
      for (const event of this.notifications.eventsStored(fresh)) this.emit(event);
      if (live) {
        for (const event of fresh) {
          const session = this.sessions.get(sessionId);
          for (const n of this.notifications.liveEvent(event, session, this.notifyContext())) this.emit(n);
          this.attention.liveEvent(event, session, this.me?.id ?? null);
        }
      }
    }
    if (all.some((e) => e.kind === 'message' && e.author.kind === 'customer')) this.refreshUnread(sessionId);
    if (this.maybeNewChats.has(sessionId)) this.settleNewChat(sessionId);
    return all;
  }

  /**
   * A chat that just became mine is new only if routing gave it to me, not if I took it over or accepted it: told
   * once the log holds the change (for a chat I just joined, its log arrives right after its summary).
   */
  private settleNewChat(sessionId: string): void {
    const cache = this.cache;
    const session = this.sessions.get(sessionId);
    const me = this.me?.id ?? null;
    if (!cache || !session || !me || session.ownerId !== me) {
      this.maybeNewChats.delete(sessionId);
      return;
    }
    if (cache.heldSeq(sessionId) < session.lastSeq) return;
    this.maybeNewChats.delete(sessionId);
    if (!gotByRouting(cache.transcript(sessionId, OWNER_LOOKBACK).events, me)) return;
    for (const event of this.notifications.newChat(session, this.notifyContext())) this.emit(event);
    this.attention.newChat(session, me);
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
    this.requireStore().cache.upsertRequests(requests);
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
    const store = this.store;
    return {
      me: store ? this.me : null,
      connection: this.connection,
      agents: store ? [...this.agents.values()] : [],
      sessions: store ? [...this.sessions.values()] : [],
      outbox: store ? store.outbox.items() : [],
      unread: store ? Object.fromEntries([...this.unread].filter(([id]) => this.sessions.has(id))) : {},
      requests: store ? store.cache.requests() : [],
      settings: this.settings,
      teams: store ? this.teams : [],
      cannedReplies: store ? store.cache.cannedReplies() : [],
      attachmentLimits: store ? this.limits : null,
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

