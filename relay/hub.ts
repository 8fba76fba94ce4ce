// The relay's runner: for each command it loads, lets the pure decision (relay/core) decide, appends through the
// CommandRunner port, and publishes what changed. Presence, timers and fan-out are ports too, so the same hub runs
// embedded (one process, SQLite) and in a cluster (PostgreSQL + Redis). Its only state is a directory of accounts.
import {
  type AgentId,
  type AgentInfo,
  type AgentStatus,
  type AttachmentLimits,
  isOfferedTo,
  offerTargets,
  type Request,
  type SessionId,
  type SessionSummary,
  type SettableStatus,
  type Team,
  type TeamId,
} from '../common/domain';
import {
  type AgentCommand,
  type AgentCommandOf,
  CloseCodes,
  type CustomerCommand,
  type CustomerFrame,
  type OfflineMessage,
  PROTOCOL_VERSION,
  type RatingSubmission,
  type RelayFrame,
} from '../common/protocol';
import { ok, type Result } from '../common/result';
import { isAdminCommand, runAdminCommand } from './admin';
import { CannedReplies, deliverCanned } from './canned';
import { agentMayType, agentSend, customerSend, type Sent } from './core/messages';
import { computeMetrics } from './core/metrics';
import {
  audience,
  capacityOf,
  change,
  type CoreOptions,
  type Facts,
  graceTimerKey,
  inAudience,
  NO_ACCOUNTS,
  refuse,
  seesDashboard,
  shownStatus,
  type TimerKey,
  transferTimerKey,
} from './core/model';
import { closeWindow, listen, takeOver } from './core/listening';
import { addNote, forReader, readsNotes } from './core/notes';
import { rateChat } from './core/ratings';
import { createRequest, offlineRequest, updateRequest } from './core/requests';
import { chooseAgent } from './core/routing';
import { assign, closeByAgent, closeByCustomer, openChat } from './core/sessions';
import { accept, cancel, expire, offer, reject, targetUnavailable } from './core/transfers';
import { customerReplays, deliverQueue, deliverRequest, deliverSession, deliverTyping } from './delivery';
import { type DirectoryView, diffDirectory } from './directory';
import { readEventsPage } from './paging';
import { QueueWatch } from './queue';
import type {
  Account,
  Applied,
  Clock,
  CommandRunner,
  Fanout,
  Ids,
  LocalSockets,
  Log,
  Presence,
  Publication,
  RelayStore,
  Scheduler,
  SessionCommand,
} from './ports';

export interface HubOptions extends CoreOptions {
  /** how often the directory version is read, to notice accounts and teams changed by the CLI (default 1000 ms) */
  directoryPollMs?: number;
}

/** The sentences a client shows when a manager closed its account's connections. */
export const accountClosedReasons = {
  disabled: 'Your account was disabled by a manager.',
  removed: 'Your account was removed by a manager.',
  permissions: 'Your permissions changed; reconnecting.',
} as const;

export interface HubDeps {
  clock: Clock;
  ids: Ids;
  store: RelayStore;
  runner: CommandRunner;
  presence: Presence;
  scheduler: Scheduler;
  fanout: Fanout;
  /** this process's connections, which deliveries are written to */
  sockets: LocalSockets;
  log: Log;
  hashToken: (token: string) => string;
  options: HubOptions;
  /** bytes of JSON per page of a large answer (relay/paging.ts) */
  pageBytes: number;
  /** what uploads take, told to agents in the welcome (absent: no attachments) */
  attachmentLimits?: AttachmentLimits;
}

export interface CustomerGreeting {
  sessionId: SessionId;
  frames: CustomerFrame[];
  /** the chat is over: the connection is closed after the frames */
  ended: boolean;
  /** run once the connection is registered: a new chat's `opened` event reaches it live */
  settle: () => void;
}

/** fetch-sessions pages a connection's welcome: the server answers it from the connection */
type AgentCommandBody = Exclude<AgentCommand, { type: 'hello' | 'fetch-sessions' }>;
type CustomerCommandBody = Exclude<CustomerCommand, { type: 'customer-hello' }>;
type CustomerSend = Extract<CustomerCommand, { type: 'customer-send' }>;

export class Hub {
  /** accounts by id: every decision reads names, roles and statuses, so they are kept here and refreshed on change */
  private readonly accounts = new Map<AgentId, Account>();
  /**
   * Reads of accounts are numbered as they start, and each copy in `accounts` remembers the read it came from: a copy
   * is never replaced by one from a read that started earlier. Reads overlap (a directory reload, a hello, a presence
   * read, a status change's read-back, on a pool of connections in a cluster), and a slow one finishing last would
   * otherwise put back what was true before a change this node has already shown: a colleague seen Busy again after
   * the Away everyone was told, or routed chats while Busy. A read started after a change's publication arrived sees
   * the change, so whatever the publication shows stays.
   */
  private accountReads = 0;
  private readonly accountReadOf = new Map<AgentId, number>();
  /** the teams, in name order, as last loaded */
  private teams: Team[] = [];
  /** what `facts` reads, for every command (HubFacts) */
  private readonly factSource: FactSource = {
    ids: () => this.deps.ids,
    options: () => this.deps.options,
    accounts: this.accounts,
    teams: () => this.teams,
    members: (team) => this.members(team),
  };
  /** the directory version behind `accounts` and `teams`; a different one in the store means: reload */
  private directoryVersion = -1;
  /**
   * The directory as this node last told its connections about it. A change is found against this, never against
   * `accounts` and `teams`: a hello or a reconcile refreshes those from the store without telling anyone, and a poll
   * after that would find nothing new and swallow what another process changed.
   */
  private announced: DirectoryView = { accounts: new Map(), teams: [] };
  private directoryQueue: Promise<void> = Promise.resolve();
  private directoryWatch: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  /** presence frames are read before they are sent: keep them in the order they were published */
  private presenceQueue: Promise<void> = Promise.resolve();
  /**
   * Agents whose presence changed since the last delivery, and whether any change came from another node. Delivered
   * once per turn of the event loop: a burst of new chats (a restart, the morning) changes many agents' open-chat
   * counts at once, and every change goes to every agent; gathered, each agent's socket gets them in one write.
   */
  private presencePending = new Map<AgentId, 'local' | 'remote'>();
  /** each agent's directory entry as last described, kept while their account and open-chat count stay the same */
  private readonly infos = new Map<AgentId, { account: Account; openChats: number; info: AgentInfo }>();
  private presenceScheduled = false;
  private stopped = false;
  /**
   * Commands the runner is running, or has run and the hub has not applied yet (`ran`). While there are any (in
   * the embedded relay, for one microtask: frames read from one socket in one turn), a message goes the async way
   * too, so its events are published behind theirs, in seq order, and not before them (`customerSendNow`).
   */
  private applying = 0;
  private readonly canned: CannedReplies;
  /** where each queued chat stands, told to its customer whenever the queue moves */
  private readonly queue: QueueWatch;

  constructor(private readonly deps: HubDeps) {
    this.canned = new CannedReplies(deps);
    this.queue = new QueueWatch({
      listQueued: (limit) => deps.store.listQueuedSessions(limit),
      publish: (positions) => deps.fanout.publish({ kind: 'queue', positions }),
      now: () => deps.clock.now(),
      log: deps.log,
    });
  }

  /** The number of a read of accounts about to start (see `accountReads`). */
  private accountRead(): number {
    return ++this.accountReads;
  }

  /** Keeps a copy of an account unless the one held came from a read that started later. */
  private keepAccount(account: Account, read: number): void {
    if ((this.accountReadOf.get(account.id) ?? 0) > read) return;
    this.accountReadOf.set(account.id, read);
    this.accounts.set(account.id, account);
  }

  /** Reads one account and keeps it (as `keepAccount`); what is held afterwards, or `fallback` when there is none. */
  private async refreshAccount(id: AgentId, fallback: Account): Promise<Account> {
    const read = this.accountRead();
    const account = await this.deps.store.getAccount(id);
    this.keepAccount(account ?? fallback, read);
    return this.accounts.get(id) ?? fallback;
  }

  /** Loads the accounts, starts the timers and delivery, and re-arms what the store says is pending. */
  async start(): Promise<void> {
    const { store } = this.deps;
    this.directoryVersion = await store.directoryVersion();
    const read = this.accountRead();
    for (const account of await store.listAccounts()) this.keepAccount(account, read);
    this.teams = await store.listTeams();
    this.announced = { accounts: new Map(this.accounts), teams: this.teams };
    this.deps.fanout.subscribe((publication, origin) => this.deliver(publication, origin));
    this.deps.scheduler.start((key) => this.timerDue(key));
    this.directoryWatch = setInterval(() => void this.directoryChanged(false), this.deps.options.directoryPollMs ?? 1000);
    this.directoryWatch.unref();
    await this.reconcile();
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
    this.deps.scheduler.stop();
    if (this.directoryWatch) clearInterval(this.directoryWatch);
  }

  /**
   * Makes the durable state and the timers agree: an agent marked online with no connection anywhere gets the offline
   * grace (so after a restart, or a node's death, they go offline like after a disconnect), every pending transfer
   * with a timeout has its timer, and an offer to an agent who is not Present ends. Idempotent; run at start (and
   * periodically in a cluster).
   */
  async reconcile(): Promise<void> {
    const { store, presence, scheduler, clock, options } = this.deps;
    const connected = await presence.connectedNow();
    // read as stored: in a cluster another node may have changed them since this one last looked
    const read = this.accountRead();
    for (const account of await store.listAccounts()) {
      this.keepAccount(account, read);
      if (account.online && !connected.has(account.id)) {
        await scheduler.arm(graceTimerKey(account.id), clock.now() + options.offlineGraceMs);
      }
    }
    for (const offer of await store.listPendingTransfers()) {
      const gone = offerTargets(offer).filter((id) => !this.takesTransfers(id));
      for (const agentId of gone) {
        await this.runCommand({
          sessionId: offer.sessionId,
          requireOpen: false,
          decide: ({ session }) => targetUnavailable(session, agentId),
        });
      }
      if (gone.length < offerTargets(offer).length && offer.expiresAt !== null) {
        await scheduler.arm(transferTimerKey(offer), offer.expiresAt);
      }
    }
    // a chance to route that was missed (a node died between a commit and its routing) is taken here
    void this.drainQueue();
  }

  statusOf(agentId: AgentId): AgentStatus {
    return shownStatus(this.accounts.get(agentId));
  }

  /** Present and Busy agents take transfers; an offer to anyone else ends. */
  private takesTransfers(agentId: AgentId): boolean {
    const status = this.statusOf(agentId);
    return status === 'present' || status === 'busy';
  }

  // ---------------------------------------------------------------------------------------------
  // Agents: hello, disconnect

  /**
   * The agent's connection said hello (the caller holds what is delivered to it until these frames are sent): the
   * agent is online, and is sent a welcome, then a replay per session it is in.
   */
  async agentHello(agentId: AgentId, commandId: string, resume: Record<SessionId, number>): Promise<RelayFrame[]> {
    const { store, clock } = this.deps;
    const account = await this.arrive(agentId);
    const dashboard = seesDashboard(account);
    const read = this.accountRead();
    const [all, counts, live, teams] = await Promise.all([
      store.listAccounts(),
      store.openChatCounts(),
      // the Dashboard shows every live chat; anyone else is sent the chats they are in (read by index)
      dashboard ? store.listLiveSessions() : store.listLiveSessionsOf(agentId),
      store.listTeams(),
    ]);
    for (const a of all) this.keepAccount(a, read);
    this.teams = teams;
    const visible = new Map<SessionId, SessionSummary>();
    for (const session of live) visible.set(session.id, session);
    for (const sessionId of Object.keys(resume)) {
      if (visible.has(sessionId)) continue;
      const session = await store.getSession(sessionId);
      if (session && (inAudience(session, agentId) || (await store.isParticipant(sessionId, agentId)))) {
        visible.set(sessionId, session);
      }
    }
    const frames: RelayFrame[] = [
      {
        type: 'welcome',
        id: commandId,
        protocol: PROTOCOL_VERSION,
        serverTime: clock.now(),
        me: this.info(this.accounts.get(agentId) ?? account, counts),
        agents: all.map((a) => this.info(this.accounts.get(a.id) ?? a, counts)),
        sessions: [...visible.values()],
        teams: this.teams,
        ...(this.deps.attachmentLimits ? { attachments: this.deps.attachmentLimits } : {}),
      },
    ];
    for (const session of visible.values()) {
      const resumeFrom = resume[session.id];
      if (!inAudience(session, agentId) && resumeFrom === undefined) continue;
      const afterSeq = Math.min(resumeFrom ?? 0, session.lastSeq);
      if (afterSeq >= session.lastSeq) continue;
      const notes = inAudience(session, agentId) || readsNotes(session, account, await store.isParticipant(session.id, agentId));
      const page = await readEventsPage(store, session.id, afterSeq, session.lastSeq, this.deps.pageBytes);
      frames.push({
        type: 'replay',
        sessionId: session.id,
        events: forReader(page.events, notes),
        ...(page.next === null ? {} : { next: page.next }),
      });
    }
    void this.drainQueue();
    return frames;
  }

  /** A connection of the agent said hello: they are online (grace cancelled) and told so to everyone. */
  private async arrive(agentId: AgentId): Promise<Account> {
    const { store, presence, scheduler } = this.deps;
    await presence.attach(agentId);
    await scheduler.disarm(graceTimerKey(agentId));
    let read = this.accountRead();
    const account = await store.getAccount(agentId);
    if (!account) throw new Error(`no account ${agentId}`);
    // a new connection brings back the status the agent chose: the client says again if it is still idle
    const changed = account.idle || !account.online;
    if (account.idle) await store.setIdle(agentId, false);
    if (!account.online) await store.setOnline(agentId, true);
    if (changed) read = this.accountRead();
    const arrived = { ...(changed ? ((await store.getAccount(agentId)) ?? account) : account), online: true, idle: false };
    this.keepAccount(arrived, read);
    if (changed) this.publishPresence([agentId]);
    return arrived;
  }

  /** A connection of the agent went away: when it was their last anywhere, they go offline after the grace period. */
  async agentDisconnected(agentId: AgentId): Promise<void> {
    const { presence, scheduler, clock, options } = this.deps;
    if (await presence.detach(agentId)) await scheduler.arm(graceTimerKey(agentId), clock.now() + options.offlineGraceMs);
  }

  private async graceExpired(agentId: AgentId): Promise<void> {
    if (await this.deps.presence.isConnectedNow(agentId)) return;
    const account = await this.deps.store.getAccount(agentId);
    if (!account) return;
    // offline first (no new offer can reach them), then their offers end, then everyone is told: whoever sees them
    // offline sees no offer to them either
    if (account.online) {
      await this.deps.store.setOnline(agentId, false);
      await this.refreshAccount(agentId, { ...account, online: false });
    }
    await this.cancelOffersTo(agentId);
    if (account.online) {
      this.deps.log({ event: 'presence-offline', agentId });
      this.publishPresence([agentId]);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Customers

  async customerHello(
    commandId: string,
    hello: Extract<CustomerCommand, { type: 'customer-hello' }>,
    /** called once the chat is known and before it is read, so the caller misses nothing committed meanwhile */
    register: (sessionId: SessionId) => void = () => {},
  ): Promise<Result<CustomerGreeting>> {
    const { store, ids, clock } = this.deps;
    if (hello.token) {
      const sessionId = await store.sessionForToken(this.deps.hashToken(hello.token));
      if (sessionId) register(sessionId);
      const session = sessionId ? await store.getSession(sessionId) : null;
      if (!session) return refuse('not-found', 'That chat could not be found. Start a new chat.');
      const frames: CustomerFrame[] = [this.customerWelcome(commandId, session, hello.token)];
      for (let after: number | null = hello.lastSeq; after !== null && after < session.lastSeq; ) {
        const page = await readEventsPage(store, session.id, after, session.lastSeq, this.deps.pageBytes);
        frames.push(...customerReplays(session.id, page.events, this.deps.pageBytes));
        after = page.next;
      }
      if (session.state === 'queued') {
        const place = await this.queue.positionOf(session.id);
        if (place) frames.push({ type: 'queue', ...place });
      }
      return ok({ sessionId: session.id, frames, ended: session.state === 'closed', settle: () => {} });
    }
    if (!hello.name) return refuse('bad-frame', 'customer-hello needs a name (new chat) or a token (resume).');
    const token = ids.secret();
    // a team added a moment ago on another node (or by the CLI) is looked up before it is called unknown
    if (hello.team !== undefined && !this.teams.some((t) => t.id === hello.team)) await this.directoryChanged(false);
    // a widget set up with a team that no longer exists still gets its customers an agent: any agent
    const team = hello.team !== undefined && this.teams.some((t) => t.id === hello.team) ? hello.team : null;
    if (hello.team !== undefined && team === null) this.deps.log({ event: 'unknown-team', team: hello.team });
    const opened = openChat(ids.id('ses'), { name: hello.name, email: hello.email, topic: hello.topic }, clock.now(), team);
    register(opened.session.id);
    const applied = await this.ran(() => this.deps.runner.open(opened.session, opened.events, this.deps.hashToken(token)));
    if (!applied.ok) return applied;
    this.deps.log({ event: 'chat-opened', sessionId: opened.session.id });
    return ok({
      sessionId: opened.session.id,
      // the `opened` event reaches the new customer live, through the publication in settle
      frames: [this.customerWelcome(commandId, applied.value.after, token)],
      ended: false,
      settle: () => {
        this.applied(applied.value);
        void this.drainQueue();
      },
    });
  }

  async handleCustomer(sessionId: SessionId, command: CustomerCommandBody): Promise<Result<unknown>> {
    switch (command.type) {
      case 'customer-send':
        return this.runCommand(this.customerSendCommand(sessionId, command));
      case 'customer-typing': {
        const session = await this.deps.store.getSession(sessionId);
        if (!session) return refuse('not-found');
        if (session.state === 'closed') return refuse('session-closed');
        this.deps.fanout.publish({
          kind: 'typing',
          frame: { type: 'typing', sessionId, who: 'customer', name: session.customerName, active: command.active },
          agents: audience(session),
          customer: false,
        });
        return ok(undefined);
      }
      case 'customer-close':
        return this.runCommand({
          sessionId,
          requireOpen: true,
          decide: ({ session }) => closeByCustomer(session, this.deps.clock.now()),
        });
    }
  }

  /**
   * A customer's message decided and applied before this returns, when the runner can (`runNow`: the embedded relay);
   * null otherwise, and the caller goes through `handleCustomer`. The same command either way, without the promises
   * and awaits of that path, once per message (docs/performance.md, round 16).
   */
  customerSendNow(sessionId: SessionId, command: CustomerSend): Result<unknown> | null {
    const { runner } = this.deps;
    if (!runner.runNow || this.applying) return null;
    return this.finish(runner.runNow(this.customerSendCommand(sessionId, command)));
  }

  /** An agent's message, as `customerSendNow`; null as well when their account is not in memory (it is read first). */
  agentSendNow(agentId: AgentId, command: AgentCommandOf<'send'>): Result<unknown> | null {
    const { runner } = this.deps;
    const actor = this.accounts.get(agentId);
    if (!runner.runNow || !actor || this.applying) return null;
    return this.finish(runner.runNow(this.agentSendCommand(actor, command)));
  }

  private customerSendCommand(sessionId: SessionId, command: CustomerSend): SessionCommand<Sent> {
    return {
      sessionId,
      requireOpen: true,
      load: { messageId: command.messageId, attachments: command.attachments },
      decide: (loaded) => customerSend(loaded.session, command, loaded, this.facts()),
    };
  }

  private agentSendCommand(actor: Account, command: AgentCommandOf<'send'>): SessionCommand<Sent> {
    return {
      sessionId: command.sessionId,
      requireOpen: true,
      load: { messageId: command.messageId, attachments: command.attachments },
      decide: (loaded) => agentSend(loaded.session, actor, command, loaded, this.facts()),
    };
  }

  /** The rating a customer posts over HTTP once the chat has ended (their connection is closed by then). */
  async rateChat(submission: RatingSubmission): Promise<Result<unknown>> {
    const sessionId = await this.deps.store.sessionForToken(this.deps.hashToken(submission.token));
    if (!sessionId) return refuse('not-found', 'That chat could not be found.');
    const comment = submission.comment ? submission.comment : null;
    return this.runCommand({
      sessionId,
      requireOpen: false,
      load: { transcript: true },
      decide: (loaded) => rateChat(loaded.session, submission.score, comment, loaded),
    });
  }

  /** The offline form: a request the customer leaves when nobody can chat, sent to the managers like any new one. */
  async offlineMessage(form: OfflineMessage): Promise<Result<{ requestId: string }>> {
    const { ids, clock } = this.deps;
    const filed = offlineRequest(ids.id('ses'), form, { now: clock.now(), newId: (prefix) => ids.id(prefix) });
    const applied = await this.ran(() => this.deps.runner.open(filed.session, filed.events, this.deps.hashToken(ids.secret())));
    if (!applied.ok) return applied;
    this.deps.log({ event: 'offline-request', sessionId: filed.session.id, requestId: filed.request.id });
    this.applied(applied.value);
    const managers = [...this.accounts.values()].filter((a) => a.role === 'manager').map((a) => a.id);
    this.deps.fanout.publish({ kind: 'request', request: filed.request, to: managers });
    return ok({ requestId: filed.request.id });
  }

  /** Whether a new chat would find someone: an agent online and Present (else the page offers its offline form). */
  anyonePresent(): boolean {
    for (const account of this.accounts.values()) if (account.online && account.chosenStatus === 'present') return true;
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Agent commands

  async handleAgent(agentId: AgentId, command: AgentCommandBody): Promise<Result<unknown>> {
    const actor = this.accounts.get(agentId) ?? (await this.deps.store.getAccount(agentId));
    if (!actor) return refuse('unauthorized', 'Your account no longer exists.');
    const on = <R>(decide: SessionCommand<R>['decide'], load?: SessionCommand<R>['load']) =>
      this.runCommand({ sessionId: (command as { sessionId: SessionId }).sessionId, requireOpen: true, load, decide });
    if (isAdminCommand(command)) return this.administer(actor, command);
    switch (command.type) {
      case 'set-status':
        return this.setStatus(actor, command.status);
      case 'set-idle':
        return this.setIdle(actor, command.idle);
      case 'get-metrics':
        return this.metrics(actor, command);
      case 'send':
        return this.runCommand(this.agentSendCommand(actor, command));
      case 'add-note':
        return on((loaded) => addNote(loaded.session, actor, command, loaded, this.facts()), { messageId: command.noteId });
      case 'typing':
        return this.typing(actor, command);
      case 'offer-transfer': {
        // a team's members as they are now, even if another node or the CLI changed them a moment ago
        if (command.team !== undefined) await this.directoryChanged(false);
        // read before the session is locked: capacity is advice to the sender and a filter on team candidates
        const counts = await this.deps.store.openChatCounts();
        // the targets' statuses as stored now, in the command's transaction, not as this node last heard of them
        const agents = command.to !== undefined ? [command.to] : command.team !== undefined ? this.members(command.team) : [];
        return on(({ session, accounts }) => offer(session, actor, command, this.facts(counts, accounts)), { agents });
      }
      case 'accept-transfer':
        return on(({ session }) => accept(session, actor, command, this.facts()));
      case 'reject-transfer':
        return on(({ session }) => reject(session, actor, command));
      case 'cancel-transfer':
        return on(({ session }) => cancel(session, actor, command));
      case 'take-over':
        return on(({ session }) => takeOver(session, actor, this.facts()));
      case 'listen':
        return on(({ session }) => listen(session, actor));
      case 'close-window':
        return on(({ session }) => closeWindow(session, actor));
      case 'close-chat':
        return on(({ session }) => closeByAgent(session, actor, this.deps.clock.now()));
      case 'create-request':
        return this.createRequest(actor, command);
      case 'list-requests':
        return ok({ requests: await this.deps.store.listRequests(actor.role === 'manager' ? null : actor.id) });
      case 'update-request':
        return this.updateRequest(actor, command);
      case 'list-canned':
        return this.canned.list(actor);
      case 'save-canned':
        return this.canned.save(actor, command);
      case 'delete-canned':
        return this.canned.delete(actor, command);
      case 'fetch-events': {
        const { store } = this.deps;
        const session = await store.getSession(command.sessionId);
        if (!session) return refuse('not-found');
        const participant = await store.isParticipant(session.id, actor.id);
        const allowed = seesDashboard(actor) || inAudience(session, actor.id) || participant;
        if (!allowed) return refuse('forbidden', 'You are not part of that chat.');
        const page = await readEventsPage(store, session.id, command.afterSeq, session.lastSeq, this.deps.pageBytes);
        return ok({ ...page, events: forReader(page.events, readsNotes(session, actor, participant)) });
      }
      case 'rating-figures': {
        if (!seesDashboard(actor)) return refuse('forbidden', 'Only those who see the Dashboard see its figures.');
        const since = this.deps.clock.now() - command.days * 86_400_000;
        const { count, average } = await this.deps.store.ratingsSince(since);
        return ok({ days: command.days, count, average: average === null ? null : Math.round(average * 10) / 10 });
      }
    }
  }

  private async setStatus(actor: Account, status: SettableStatus): Promise<Result<unknown>> {
    await this.deps.store.setChosenStatus(actor.id, status);
    this.deps.log({ event: 'presence-set', agentId: actor.id, status });
    return this.statusChanged(actor, { chosenStatus: status });
  }

  /** Auto-away: the client reports the agent idle (shown Away, chosen status kept) or back. */
  private async setIdle(actor: Account, idle: boolean): Promise<Result<unknown>> {
    await this.deps.store.setIdle(actor.id, idle);
    this.deps.log({ event: 'presence-idle', agentId: actor.id, idle });
    return this.statusChanged(actor, { idle });
  }

  private async statusChanged(actor: Account, change: Partial<Pick<Account, 'chosenStatus' | 'idle'>>): Promise<Result<unknown>> {
    const before = this.statusOf(actor.id);
    // read back: the time of the change is the store's, the same one every node reads
    await this.refreshAccount(actor.id, { ...actor, ...change });
    const now = this.statusOf(actor.id);
    // as going offline: offers to an agent who went Away end before anyone sees them Away
    if (now === 'away') await this.cancelOffersTo(actor.id);
    if (before !== now) this.publishPresence([actor.id]);
    if (now !== 'away') void this.drainQueue();
    return ok(undefined);
  }

  private async typing(actor: Account, command: AgentCommandOf<'typing'>): Promise<Result<unknown>> {
    const session = await this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    const refused = agentMayType(session, actor);
    if (refused) return refused;
    this.deps.fanout.publish({
      kind: 'typing',
      frame: { type: 'typing', sessionId: session.id, who: 'agent', name: actor.name, active: command.active },
      agents: audience(session).filter((member) => member !== actor.id),
      customer: true,
    });
    return ok(undefined);
  }

  private async createRequest(actor: Account, command: AgentCommandOf<'create-request'>): Promise<Result<unknown>> {
    const done = await this.ran(() =>
      this.deps.runner.run({
        sessionId: command.sessionId,
        requireOpen: false,
        load: { transcript: true },
        decide: (loaded) => createRequest(loaded.session, actor, command, this.facts(), loaded),
      }),
    );
    if (!done.ok) return done;
    this.applied(done.value);
    const { request } = done.value.value;
    this.publishRequest(request, actor.id);
    return ok({ request });
  }

  private async updateRequest(actor: Account, command: AgentCommandOf<'update-request'>): Promise<Result<unknown>> {
    const stored = await this.deps.store.getRequest(command.requestId);
    if (!stored) return refuse('not-found', 'That request no longer exists.');
    const done = await this.ran(() =>
      this.deps.runner.run({
        sessionId: stored.sessionId,
        requireOpen: false,
        load: { request: stored.id },
        decide: (loaded) => updateRequest(loaded.session, actor, command, this.facts(), loaded),
      }),
    );
    if (!done.ok) return done;
    this.applied(done.value);
    const { request } = done.value.value;
    if (done.value.events.length) this.publishRequest(request, stored.assigneeId);
    return ok({ request });
  }

  /** A request is told to its creator, its assignee (and one it had before), and every manager. */
  private publishRequest(request: Request, also: AgentId | null): void {
    const managers = [...this.accounts.values()].filter((a) => a.role === 'manager').map((a) => a.id);
    const to = [request.createdBy, request.assigneeId, also, ...managers].filter((id): id is AgentId => id !== null);
    this.deps.fanout.publish({ kind: 'request', request, to });
  }

  // ---------------------------------------------------------------------------------------------
  // Supervision: today's figures, administration, and the directory they change

  private async metrics(actor: Account, command: AgentCommandOf<'get-metrics'>): Promise<Result<unknown>> {
    if (!seesDashboard(actor)) return refuse('forbidden', 'Only managers and agents who may listen in can see the figures.');
    const events = await this.deps.store.logsInWindow(command.since, command.until);
    const agents = [...this.accounts.values()].filter((a) => a.role === 'agent').map((a) => ({ id: a.id, name: a.name }));
    return ok(computeMetrics({ since: command.since, until: command.until, events, agents, teams: this.teams }));
  }

  private async administer(actor: Account, command: Parameters<typeof runAdminCommand>[2]): Promise<Result<unknown>> {
    const done = await runAdminCommand(this.deps.store, actor, command);
    if (!done.ok) return done;
    this.deps.log({ event: 'directory-changed', by: actor.id, command: command.type, ...('user' in command ? { user: command.user } : {}) });
    // every node reloads and tells its own connections (the others also notice the version by polling)
    this.deps.fanout.publish({ kind: 'directory' });
    return done;
  }

  /**
   * The directory may have changed (a manager's command on any node, or the CLI writing the store): when its version
   * moved, reload accounts and teams and act on what differs. Serialised, so two reloads never interleave.
   */
  private directoryChanged(force: boolean): Promise<void> {
    const task = async () => {
      if (this.stopped) return;
      const { store } = this.deps;
      try {
        const version = await store.directoryVersion();
        if (!force && version === this.directoryVersion) return;
        this.directoryVersion = version;
        const read = this.accountRead();
        const accounts = await store.listAccounts();
        this.teams = await store.listTeams();
        const listed = new Set(accounts.map((a) => a.id));
        for (const id of this.accounts.keys()) {
          if (!listed.has(id) && (this.accountReadOf.get(id) ?? 0) < read) {
            this.accounts.delete(id);
            this.accountReadOf.delete(id);
          }
        }
        for (const account of accounts) this.keepAccount(account, read);
        const before = this.announced;
        this.announced = { accounts: new Map(this.accounts), teams: this.teams };
        await this.applyDirectory(diffDirectory(before, this.announced));
      } catch (error) {
        this.deps.log({ event: 'internal-error', where: 'directory', error: String((error as Error)?.stack ?? error) });
      }
    };
    this.directoryQueue = this.directoryQueue.then(task, task);
    return this.directoryQueue;
  }

  /** Tells this node's connections what changed; an agent who may no longer sign in is closed out and goes offline. */
  private async applyDirectory(changes: ReturnType<typeof diffDirectory>): Promise<void> {
    const { sockets, store } = this.deps;
    for (const id of changes.removed) {
      this.infos.delete(id);
      sockets.closeAgent(id, CloseCodes.accountClosed, accountClosedReasons.removed);
      sockets.toAllAgents({ type: 'agent-removed', agentId: id });
    }
    for (const id of changes.disabled) sockets.closeAgent(id, CloseCodes.accountClosed, accountClosedReasons.disabled);
    for (const id of changes.permissions) {
      if (!changes.disabled.includes(id)) sockets.closeAgent(id, CloseCodes.reconnect, accountClosedReasons.permissions);
    }
    if (changes.teamsChanged) sockets.toAllAgents({ type: 'teams', teams: this.teams });
    if (changes.changed.length) {
      const counts = await store.openChatCounts();
      for (const id of changes.changed) {
        const account = this.accounts.get(id);
        if (account) sockets.toAllAgents({ type: 'presence', agent: this.info(account, counts) });
      }
    }
    for (const id of [...changes.removed, ...changes.disabled]) {
      // every node does this for itself; it is idempotent, and offers to them end exactly once (the runner serialises)
      const account = this.accounts.get(id);
      if (account?.online) {
        await store.setOnline(id, false);
        await this.refreshAccount(id, { ...account, online: false });
      }
      await this.cancelOffersTo(id);
    }
    void this.drainQueue();
  }

  /** Whether an account may open connections now (not disabled, not removed). */
  async mayConnect(agentId: AgentId): Promise<boolean> {
    const account = await this.deps.store.getAccount(agentId);
    return account !== null && !account.disabled;
  }

  // ---------------------------------------------------------------------------------------------
  // Transitions that span sessions: timers, routing, offers to an agent who left

  private async timerDue(key: TimerKey): Promise<void> {
    if (this.stopped) return;
    if (key.startsWith('grace:')) return this.graceExpired(key.slice('grace:'.length));
    const target = key.slice('transfer:'.length);
    const split = target.lastIndexOf(':');
    const sessionId = target.slice(0, split);
    const transferId = target.slice(split + 1);
    await this.runCommand({ sessionId, requireOpen: false, decide: ({ session }) => expire(session, transferId) });
  }

  private async cancelOffersTo(agentId: AgentId): Promise<void> {
    for (const offer of await this.deps.store.listPendingTransfers()) {
      if (!isOfferedTo(offer, agentId)) continue;
      await this.runCommand({
        sessionId: offer.sessionId,
        requireOpen: false,
        decide: (loaded) => targetUnavailable(loaded.session, agentId),
      });
    }
  }

  /** Gives queued chats, oldest first, to the Present agent with the fewest open chats below capacity. */
  drainQueue(): Promise<void> {
    if (this.draining) {
      // a drain is under way: it goes round once more, so a chance to route that came up meanwhile is not lost
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.drainAgain = false;
          while (!this.stopped && (await this.routeOne()));
        } while (this.drainAgain && !this.stopped);
      } catch (error) {
        this.deps.log({ event: 'internal-error', where: 'routing', error: String((error as Error)?.stack ?? error) });
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  private async routeOne(): Promise<boolean> {
    const { presence, options } = this.deps;
    // asked now rather than from the mirror: an agent who just connected to another node can take the chat
    const connected = await presence.connectedNow();
    const routed = await this.ran(() =>
      this.deps.runner.routeOldest((loaded, snapshot) => {
        const team = loaded.session.team ?? null;
        const agent = chooseAgent({
          connected,
          account: (id) => snapshot.accounts.get(id) ?? null,
          openChats: (id) => snapshot.openChats.get(id) ?? 0,
          lastAssignedAt: (id) => snapshot.lastAssignedAt.get(id) ?? 0,
          capacity: options.capacity,
          // a chat of a team that was removed meanwhile is anyone's
          team: team !== null && this.teams.some((t) => t.id === team) ? team : null,
        });
        return agent ? assign(loaded.session, agent) : change(loaded.session, []);
      }),
    );
    if (!routed?.ok || !routed.value.events.length) return false;
    this.applied(routed.value);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Commit and publish

  private async runCommand<R>(command: SessionCommand<R>): Promise<Result<R>> {
    return this.finish(await this.ran(() => this.deps.runner.run(command)));
  }

  /**
   * The runner's work for a change the hub applies once it is done: counted in `applying` until then. Only where the
   * runner offers runNow can a message skip the wait, so elsewhere (a cluster) the work is returned as it is.
   */
  private ran<T>(work: () => Promise<T>): Promise<T> {
    return this.deps.runner.runNow ? this.counted(work) : work();
  }

  private async counted<T>(work: () => Promise<T>): Promise<T> {
    this.applying += 1;
    try {
      return await work();
    } finally {
      this.applying -= 1;
    }
  }

  private finish<R>(done: Result<Applied<R>>): Result<R> {
    if (!done.ok) return done;
    this.applied(done.value);
    return ok(done.value.value);
  }

  /** What follows a committed change: logs, the publication, presence of owners who changed, routing. */
  private applied(applied: Applied<unknown>): void {
    const { before, after, events, effects } = applied;
    for (const effect of effects) if (effect.type === 'log') this.deps.log(effect.entry);
    if (!events.length) return;
    if (before.state === 'queued' || after.state === 'queued') {
      if (after.state === 'active') this.queue.assigned();
      this.queue.moved();
    }
    this.deps.fanout.publish({
      kind: 'session',
      was: audience(before),
      session: after,
      events,
      log: applied.log,
      endCustomer: effects.some((e) => e.type === 'end-customer'),
    });
    if (before.ownerId !== after.ownerId || before.state !== after.state) {
      const affected = [before.ownerId, after.ownerId].filter((a): a is AgentId => a !== null);
      this.publishPresence([...new Set(affected)]);
      void this.drainQueue();
    }
  }

  private publishPresence(agents: AgentId[]): void {
    if (agents.length) this.deps.fanout.publish({ kind: 'presence', agents });
  }

  /** Delivers a publication to this process's connections. */
  private deliver(publication: Publication, origin: 'local' | 'remote'): void {
    const { sockets } = this.deps;
    if (publication.kind === 'session') deliverSession(publication, sockets, this.deps.pageBytes);
    else if (publication.kind === 'typing') deliverTyping(publication, sockets);
    else if (publication.kind === 'request') deliverRequest(publication, sockets);
    else if (publication.kind === 'queue') deliverQueue(publication, sockets);
    else if (publication.kind === 'directory') void this.directoryChanged(true);
    else if (publication.kind === 'canned') deliverCanned(publication, sockets);
    else this.presenceLater(publication.agents, origin);
  }

  private presenceLater(agents: AgentId[], origin: 'local' | 'remote'): void {
    for (const id of agents) if (this.presencePending.get(id) !== 'remote') this.presencePending.set(id, origin);
    if (this.presenceScheduled) return;
    this.presenceScheduled = true;
    setImmediate(() => {
      this.presenceScheduled = false;
      if (this.stopped) return;
      const pending = this.presencePending;
      this.presencePending = new Map();
      const task = () => this.deliverPresence(pending);
      this.presenceQueue = this.presenceQueue.then(task, task);
    });
  }

  private async deliverPresence(pending: ReadonlyMap<AgentId, 'local' | 'remote'>): Promise<void> {
    const { store, sockets } = this.deps;
    try {
      for (const [id, origin] of pending) {
        if (origin !== 'remote') continue;
        // another node changed them: read them again rather than trust a copy that may be older than ours
        const read = this.accountRead();
        const account = await store.getAccount(id);
        if (account) this.keepAccount(account, read);
      }
      const agents = [...pending.keys()];
      const counts = await store.openChatCounts();
      for (const id of agents) {
        const account = this.accounts.get(id);
        if (account) sockets.toAllAgents({ type: 'presence', agent: this.info(account, counts) });
      }
    } catch (error) {
      this.deps.log({ event: 'internal-error', where: 'presence', error: String((error as Error)?.stack ?? error) });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Small readers

  /** What decisions may consult (HubFacts below: `openChats` read before the session was locked, `fresh` in it). */
  private facts(openChats: ReadonlyMap<AgentId, number> = NO_COUNTS, fresh: ReadonlyMap<AgentId, Account> = NO_ACCOUNTS): Facts {
    // one object per command, its methods on the prototype: every message decides with one (docs/performance.md,
    // round 15: two Maps and eight closures a message before)
    return new HubFacts(this.factSource, this.deps.clock.now(), openChats, fresh);
  }

  /** A team's members as this node knows them, sorted (the order candidates are listed in). */
  private members(team: TeamId): AgentId[] {
    return [...this.accounts.values()].filter((a) => a.teams.includes(team)).map((a) => a.id).sort();
  }

  private customerWelcome(commandId: string, session: SessionSummary, token: string): CustomerFrame {
    return {
      type: 'customer-welcome',
      id: commandId,
      protocol: PROTOCOL_VERSION,
      sessionId: session.id,
      token,
      customerName: session.customerName,
      state: session.state,
      agentName: session.ownerId ? (this.accounts.get(session.ownerId)?.name ?? session.ownerId) : null,
    };
  }

  private info(account: Account, counts: ReadonlyMap<AgentId, number>): AgentInfo {
    // the same object while nothing in it changed, so its JSON is made once (relay/wire.ts agentInfoJson)
    const openChats = counts.get(account.id) ?? 0;
    const known = this.infos.get(account.id);
    if (known && known.account === account && known.openChats === openChats) return known.info;
    const info = Object.freeze(this.describe(account, openChats));
    this.infos.set(account.id, { account, openChats, info });
    return info;
  }

  private describe(account: Account, openChats: number): AgentInfo {
    return {
      id: account.id,
      name: account.name,
      role: account.role,
      canListenIn: account.canListenIn,
      status: shownStatus(account),
      openChats,
      teams: account.teams,
      capacity: capacityOf(account, this.deps.options.capacity),
      statusSince: account.statusSince,
      idle: account.idle,
      disabled: account.disabled,
    };
  }

  /** The teams, as this node last loaded them (the customer page's topics). */
  teamList(): Team[] {
    return this.teams;
  }

  /** Whether the agent sees every live chat (for the server's list of dashboard viewers). */
  seesDashboard(agentId: AgentId): boolean {
    const account = this.accounts.get(agentId);
    return account ? seesDashboard(account) : false;
  }
}

export { audience } from './core/model';

const NO_COUNTS: ReadonlyMap<AgentId, number> = new Map();

/** The hub's state a decision may read (HubFacts): the same object for every command. */
interface FactSource {
  ids(): Ids;
  options(): HubOptions;
  accounts: ReadonlyMap<AgentId, Account>;
  teams(): readonly Team[];
  members(team: TeamId): AgentId[];
}

/**
 * What decisions may consult (relay/core/model.ts `Facts`): `openChats` read before the session was locked
 * (capacity), `fresh` the accounts the runner read in the command's transaction (their statuses decide an offer).
 */
class HubFacts implements Facts {
  readonly options: CoreOptions;

  constructor(
    private readonly source: FactSource,
    readonly now: number,
    private readonly counts: ReadonlyMap<AgentId, number>,
    private readonly fresh: ReadonlyMap<AgentId, Account>,
  ) {
    this.options = source.options();
  }

  newId(prefix: string): string {
    return this.source.ids().id(prefix);
  }

  account(id: AgentId): Account | null {
    return this.fresh.get(id) ?? this.source.accounts.get(id) ?? null;
  }

  statusOf(id: AgentId): AgentStatus {
    return shownStatus(this.account(id));
  }

  team(id: TeamId): Team | null {
    return this.source.teams().find((t) => t.id === id) ?? null;
  }

  members(team: TeamId): AgentId[] {
    return this.source.members(team);
  }

  openChats(id: AgentId): number {
    return this.counts.get(id) ?? 0;
  }

  capacityOf(id: AgentId): number {
    return capacityOf(this.account(id), this.options.capacity);
  }
}
