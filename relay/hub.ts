// The relay's authoritative state machine: presence, routing, transfers, listeners, messages and requests.
// It has no sockets, disk or timers of its own; everything arrives through the ports in ./ports.
import {
  type AgentId,
  type AgentInfo,
  type Author,
  customerVisibleKinds,
  type Request,
  type SessionEvent,
  type SessionId,
  type SessionSummary,
  type SettableStatus,
  type TransferEndReason,
  type TransferOffer,
} from '../common/domain';
import { type ErrorCode, errorSentences } from '../common/errors';
import {
  type AgentCommand,
  type CustomerCommand,
  type CustomerFrame,
  PROTOCOL_VERSION,
  type RelayFrame,
} from '../common/protocol';
import { fail, ok, type Result } from '../common/result';
import type { Account, Clock, Fanout, Ids, Log, RelayStore, Scheduler, TimerHandle } from './ports';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** an event before the hub gives it its session, seq and time */
export type NewEvent = DistributiveOmit<SessionEvent, 'sessionId' | 'seq' | 'at'>;

export interface HubOptions {
  /** null: transfers wait for an answer forever */
  transferTimeoutMs: number | null;
  offlineGraceMs: number;
  /** open chats per agent before routing passes them by */
  capacity: number;
}

export interface HubDeps {
  clock: Clock;
  ids: Ids;
  store: RelayStore;
  fanout: Fanout;
  scheduler: Scheduler;
  log: Log;
  hashToken: (token: string) => string;
  options: HubOptions;
}

/** Frames for the connection that just said hello, and what to do once they are sent. */
export interface Greeting<F> {
  frames: F[];
  settle: () => void;
}

export interface CustomerGreeting extends Greeting<CustomerFrame> {
  sessionId: SessionId;
  /** the chat is over: the connection is closed after the frames */
  ended: boolean;
}

type CommandOf<T extends AgentCommand['type']> = Extract<AgentCommand, { type: T }>;

interface Presence {
  connections: number;
  grace: TimerHandle | null;
}

const refuse = (code: ErrorCode, message?: string): Result<never> => fail(code, message ?? errorSentences[code]);

export class Hub {
  private readonly online = new Map<AgentId, Presence>();
  /** agents who said hello and see every live chat (managers, can listen in): told of every summary change */
  private readonly dashboardViewers = new Set<AgentId>();
  private readonly expiryTimers = new Map<string, TimerHandle>();
  /** for routing ties: who got a chat least recently (in-memory; resets on restart) */
  private readonly lastAssignedAt = new Map<AgentId, number>();
  private draining = false;
  private assignments = 0;

  constructor(private readonly deps: HubDeps) {}

  /** Re-arm expiry timers of transfers that were pending when the relay stopped. */
  start(): void {
    for (const offer of this.deps.store.listPendingTransfers()) this.armExpiry(offer);
  }

  stop(): void {
    for (const timer of this.expiryTimers.values()) timer.cancel();
    this.expiryTimers.clear();
    for (const presence of this.online.values()) presence.grace?.cancel();
    this.online.clear();
    this.dashboardViewers.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Agents: connect, hello, disconnect

  /** Called once `hello` is accepted. Frames: welcome, then a replay per session the agent is in. */
  agentHello(agentId: AgentId, commandId: string, resume: Record<SessionId, number>): Greeting<RelayFrame> {
    const { store, clock } = this.deps;
    const wasStatus = this.statusOf(agentId);
    const presence = this.online.get(agentId);
    if (presence) {
      presence.connections += 1;
      presence.grace?.cancel();
      presence.grace = null;
    } else {
      this.online.set(agentId, { connections: 1, grace: null });
    }
    const account = this.account(agentId);
    if (this.seesDashboard(account)) this.dashboardViewers.add(agentId);
    const counts = store.openChatCounts();
    const agents = store.listAccounts().map((a) => this.info(a, counts));
    const me = this.info(account, counts);

    const visible = new Map<SessionId, SessionSummary>();
    const dashboard = this.seesDashboard(account);
    for (const session of store.listLiveSessions()) {
      if (dashboard || inAudience(session, agentId)) visible.set(session.id, session);
    }
    for (const sessionId of Object.keys(resume)) {
      if (visible.has(sessionId)) continue;
      const session = store.getSession(sessionId);
      if (session && (inAudience(session, agentId) || store.isParticipant(sessionId, agentId))) {
        visible.set(sessionId, session);
      }
    }
    const frames: RelayFrame[] = [
      {
        type: 'welcome',
        id: commandId,
        protocol: PROTOCOL_VERSION,
        serverTime: clock.now(),
        me,
        agents,
        sessions: [...visible.values()],
      },
    ];
    for (const session of visible.values()) {
      const resumeFrom = resume[session.id];
      const isMember = inAudience(session, agentId);
      if (!isMember && resumeFrom === undefined) continue;
      const afterSeq = Math.min(resumeFrom ?? 0, session.lastSeq);
      if (afterSeq >= session.lastSeq) continue;
      frames.push({ type: 'replay', sessionId: session.id, events: store.eventsAfter(session.id, afterSeq) });
    }
    return {
      frames,
      settle: () => {
        if (this.statusOf(agentId) !== wasStatus) this.broadcastPresence([agentId]);
        this.drainQueue();
      },
    };
  }

  /** The last connection of an agent went away: they become offline after the grace period. */
  agentDisconnected(agentId: AgentId): void {
    const presence = this.online.get(agentId);
    if (!presence) return;
    presence.connections = Math.max(0, presence.connections - 1);
    if (presence.connections > 0 || presence.grace) return;
    presence.grace = this.deps.scheduler.schedule(this.deps.options.offlineGraceMs, () => {
      const current = this.online.get(agentId);
      if (!current || current.connections > 0) return;
      this.online.delete(agentId);
      this.dashboardViewers.delete(agentId);
      this.deps.log({ event: 'presence-offline', agentId });
      this.broadcastPresence([agentId]);
      this.cancelOffersTo(agentId, 'target-unavailable');
    });
  }

  statusOf(agentId: AgentId) {
    const account = this.deps.store.getAccount(agentId);
    if (!account || !this.online.has(agentId)) return 'offline' as const;
    return account.chosenStatus;
  }

  // ---------------------------------------------------------------------------------------------
  // Customers

  customerHello(commandId: string, hello: Extract<CustomerCommand, { type: 'customer-hello' }>): Result<CustomerGreeting> {
    const { store, ids, clock } = this.deps;
    if (hello.token) {
      const sessionId = store.sessionForToken(this.deps.hashToken(hello.token));
      const session = sessionId ? store.getSession(sessionId) : null;
      if (!session) return refuse('not-found', 'That chat could not be found. Start a new chat.');
      const events = store.eventsAfter(session.id, hello.lastSeq).filter((e) => customerVisibleKinds.has(e.kind));
      const frames: CustomerFrame[] = [this.customerWelcome(commandId, session, hello.token)];
      if (events.length) frames.push({ type: 'replay', sessionId: session.id, events });
      return ok({ sessionId: session.id, frames, ended: session.state === 'closed', settle: () => {} });
    }
    if (!hello.name) return refuse('bad-frame', 'customer-hello needs a name (new chat) or a token (resume).');
    const token = ids.secret();
    const now = clock.now();
    const session: SessionSummary = {
      id: ids.id('ses'),
      customerName: hello.name,
      state: 'queued',
      ownerId: null,
      listeners: [],
      pendingTransfer: null,
      createdAt: now,
      closedAt: null,
      lastSeq: 0,
      lastMessage: null,
      waitingSince: null,
    };
    const after = store.transaction(() => {
      store.putCustomerToken(this.deps.hashToken(token), session.id);
      return this.commit(session, session, [{ kind: 'opened', customerName: hello.name! }]);
    });
    this.deps.log({ event: 'chat-opened', sessionId: session.id });
    return ok({
      sessionId: session.id,
      // the `opened` event reaches the new customer live, through publish() in settle
      frames: [this.customerWelcome(commandId, after.session, token)],
      ended: false,
      settle: () => {
        this.publish(session, after.session, after.events);
        this.drainQueue();
      },
    });
  }

  handleCustomer(sessionId: SessionId, command: Exclude<CustomerCommand, { type: 'customer-hello' }>): Result<unknown> {
    const session = this.deps.store.getSession(sessionId);
    if (!session) return refuse('not-found');
    switch (command.type) {
      case 'customer-send': {
        if (session.state === 'closed') return refuse('session-closed');
        const existing = this.deps.store.findMessageSeq(sessionId, command.messageId);
        if (existing !== null) return ok({ seq: existing, duplicate: true });
        const author: Author = { kind: 'customer', id: null, name: session.customerName };
        const seq = this.apply(session, (s) => s, [
          { kind: 'message', messageId: command.messageId, author, text: command.text },
        ]);
        return ok({ seq, duplicate: false });
      }
      case 'customer-typing': {
        if (session.state === 'closed') return refuse('session-closed');
        const frame: RelayFrame = {
          type: 'typing',
          sessionId,
          who: 'customer',
          name: session.customerName,
          active: command.active,
        };
        for (const agentId of audience(session)) this.deps.fanout.toAgent(agentId, frame);
        return ok(undefined);
      }
      case 'customer-close': {
        if (session.state === 'closed') return refuse('session-closed');
        this.closeSession(session, { kind: 'customer', id: null, name: session.customerName });
        return ok(undefined);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Agent commands

  handleAgent(agentId: AgentId, command: Exclude<AgentCommand, { type: 'hello' }>): Result<unknown> {
    switch (command.type) {
      case 'set-status':
        return this.setStatus(agentId, command.status);
      case 'send':
        return this.send(agentId, command);
      case 'typing':
        return this.typing(agentId, command);
      case 'offer-transfer':
        return this.offer(agentId, command);
      case 'accept-transfer':
        return this.accept(agentId, command);
      case 'reject-transfer':
        return this.reject(agentId, command);
      case 'cancel-transfer':
        return this.cancel(agentId, command);
      case 'take-over':
        return this.takeOver(agentId, command);
      case 'listen':
        return this.listen(agentId, command);
      case 'close-window':
        return this.closeWindow(agentId, command);
      case 'close-chat':
        return this.closeChat(agentId, command);
      case 'create-request':
        return this.createRequest(agentId, command);
      case 'list-requests': {
        const account = this.account(agentId);
        const requests = this.deps.store.listRequests(account.role === 'manager' ? null : agentId);
        return ok({ requests });
      }
      case 'fetch-events': {
        const account = this.account(agentId);
        const session = this.deps.store.getSession(command.sessionId);
        if (!session) return refuse('not-found');
        const allowed =
          this.seesDashboard(account) ||
          inAudience(session, agentId) ||
          this.deps.store.isParticipant(session.id, agentId);
        if (!allowed) return refuse('forbidden', 'You are not part of that chat.');
        return ok({ events: this.deps.store.eventsAfter(session.id, command.afterSeq) });
      }
    }
  }

  private setStatus(agentId: AgentId, status: SettableStatus): Result<unknown> {
    const before = this.statusOf(agentId);
    this.deps.store.setChosenStatus(agentId, status);
    this.deps.log({ event: 'presence-set', agentId, status });
    if (before !== this.statusOf(agentId)) this.broadcastPresence([agentId]);
    if (status === 'away') this.cancelOffersTo(agentId, 'target-unavailable');
    else this.drainQueue();
    return ok(undefined);
  }

  private send(agentId: AgentId, command: CommandOf<'send'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    if (session.ownerId !== agentId) return refuse('not-owner');
    const existing = this.deps.store.findMessageSeq(session.id, command.messageId);
    if (existing !== null) return ok({ seq: existing, duplicate: true });
    const account = this.account(agentId);
    const author: Author = { kind: 'agent', id: agentId, name: account.name };
    const seq = this.apply(session, (s) => s, [
      { kind: 'message', messageId: command.messageId, author, text: command.text },
    ]);
    return ok({ seq, duplicate: false });
  }

  private typing(agentId: AgentId, command: CommandOf<'typing'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    if (session.ownerId !== agentId) return refuse('not-owner');
    const name = this.account(agentId).name;
    const frame = { type: 'typing', sessionId: session.id, who: 'agent', name, active: command.active } as const;
    for (const member of audience(session)) if (member !== agentId) this.deps.fanout.toAgent(member, frame);
    this.deps.fanout.toCustomer(session.id, frame);
    return ok(undefined);
  }

  private offer(agentId: AgentId, command: CommandOf<'offer-transfer'>): Result<unknown> {
    const { store, clock, ids, options } = this.deps;
    const session = store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    const caller = this.account(agentId);
    if (session.ownerId !== agentId && caller.role !== 'manager') return refuse('not-owner');
    if (!session.ownerId) return refuse('not-owner', 'A queued chat has no owner to transfer from. Take it over first.');
    if (session.pendingTransfer) return refuse('transfer-pending');
    if (command.to === agentId) return refuse('self-transfer');
    if (command.to === session.ownerId) return refuse('already-owner', 'That agent already owns this chat.');
    const target = store.getAccount(command.to);
    if (!target) return refuse('unknown-agent');
    if (this.statusOf(target.id) !== 'present') return refuse('not-present');
    const now = clock.now();
    const transfer: TransferOffer = {
      id: ids.id('tr'),
      sessionId: session.id,
      fromId: session.ownerId,
      offeredBy: agentId,
      toId: target.id,
      note: command.note ? command.note : null,
      createdAt: now,
      expiresAt: options.transferTimeoutMs === null ? null : now + options.transferTimeoutMs,
    };
    this.apply(session, (s) => ({ ...s, pendingTransfer: transfer }), [{ kind: 'transfer-offered', transfer }]);
    this.logTransfer('offered', transfer, { by: agentId });
    this.armExpiry(transfer);
    return ok({ transferId: transfer.id });
  }

  private accept(agentId: AgentId, command: CommandOf<'accept-transfer'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    const transfer = session.pendingTransfer;
    if (!transfer || transfer.id !== command.transferId) return refuse('transfer-not-pending');
    if (transfer.toId !== agentId) return refuse('not-target');
    const from = session.ownerId!;
    const fromName = this.nameOf(from);
    const toName = this.nameOf(agentId);
    this.disarmExpiry(transfer.id);
    this.apply(
      session,
      (s) => ({
        ...s,
        ownerId: agentId,
        pendingTransfer: null,
        listeners: addTo(
          s.listeners.filter((l) => l !== agentId),
          from,
        ),
      }),
      [{ kind: 'transfer-accepted', transferId: transfer.id, fromId: from, fromName, toId: agentId, toName }],
    );
    this.logTransfer('accepted', transfer, { by: agentId });
    return ok(undefined);
  }

  private reject(agentId: AgentId, command: CommandOf<'reject-transfer'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    const transfer = session.pendingTransfer;
    if (!transfer || transfer.id !== command.transferId) return refuse('transfer-not-pending');
    if (transfer.toId !== agentId) return refuse('not-target');
    this.disarmExpiry(transfer.id);
    const reason = command.reason ? command.reason : null;
    this.apply(session, (s) => ({ ...s, pendingTransfer: null }), [
      { kind: 'transfer-rejected', transferId: transfer.id, byId: agentId, reason },
    ]);
    this.logTransfer('rejected', transfer, { by: agentId, reason });
    return ok(undefined);
  }

  private cancel(agentId: AgentId, command: CommandOf<'cancel-transfer'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    const transfer = session.pendingTransfer;
    if (!transfer || transfer.id !== command.transferId) return refuse('transfer-not-pending');
    if (transfer.offeredBy !== agentId && this.account(agentId).role !== 'manager') return refuse('not-offerer');
    this.endTransfer(session, 'cancelled', agentId);
    return ok(undefined);
  }

  private takeOver(agentId: AgentId, command: CommandOf<'take-over'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    const caller = this.account(agentId);
    if (caller.role !== 'manager') return refuse('not-manager');
    if (session.ownerId === agentId) return refuse('already-owner');
    const events: NewEvent[] = [];
    const pending = session.pendingTransfer;
    if (pending) {
      this.disarmExpiry(pending.id);
      events.push({ kind: 'transfer-cancelled', transferId: pending.id, reason: 'taken-over', byId: agentId });
    }
    const fromId = session.ownerId;
    events.push({
      kind: 'taken-over',
      byId: agentId,
      byName: caller.name,
      fromId,
      fromName: fromId ? this.nameOf(fromId) : null,
    });
    this.apply(
      session,
      (s) => {
        const listeners = s.listeners.filter((l) => l !== agentId);
        return {
          ...s,
          state: 'active',
          ownerId: agentId,
          pendingTransfer: null,
          listeners: fromId ? addTo(listeners, fromId) : listeners,
        };
      },
      events,
    );
    if (pending) this.logTransfer('cancelled', pending, { by: agentId, reason: 'taken-over' });
    this.deps.log({ event: 'transfer-taken-over', sessionId: session.id, by: agentId, from: fromId });
    return ok(undefined);
  }

  private listen(agentId: AgentId, command: CommandOf<'listen'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    const caller = this.account(agentId);
    if (!this.seesDashboard(caller)) return refuse('cannot-listen');
    if (session.ownerId === agentId) return refuse('already-owner');
    if (session.listeners.includes(agentId)) return refuse('already-listening');
    this.apply(session, (s) => ({ ...s, listeners: addTo(s.listeners, agentId) }), [
      { kind: 'listener-joined', agentId, agentName: caller.name },
    ]);
    return ok(undefined);
  }

  private closeWindow(agentId: AgentId, command: CommandOf<'close-window'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    if (!session.listeners.includes(agentId)) return refuse('not-listener');
    this.apply(session, (s) => ({ ...s, listeners: s.listeners.filter((l) => l !== agentId) }), [
      { kind: 'listener-left', agentId, agentName: this.nameOf(agentId) },
    ]);
    return ok(undefined);
  }

  private closeChat(agentId: AgentId, command: CommandOf<'close-chat'>): Result<unknown> {
    const session = this.deps.store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    if (session.state === 'closed') return refuse('session-closed');
    if (session.ownerId !== agentId) return refuse('not-owner');
    this.closeSession(session, { kind: 'agent', id: agentId, name: this.nameOf(agentId) });
    return ok(undefined);
  }

  private createRequest(agentId: AgentId, command: CommandOf<'create-request'>): Result<unknown> {
    const { store, clock, ids } = this.deps;
    const session = store.getSession(command.sessionId);
    if (!session) return refuse('not-found');
    const caller = this.account(agentId);
    if (session.ownerId !== agentId && caller.role !== 'manager') return refuse('not-owner');
    const transcript = store
      .eventsAfter(session.id, 0)
      .flatMap((e) => (e.kind === 'message' ? [{ at: e.at, author: e.author.name, text: e.text }] : []));
    const request: Request = {
      id: ids.id('req'),
      sessionId: session.id,
      title: command.title,
      description: command.description ? command.description : null,
      customerName: session.customerName,
      createdBy: agentId,
      createdAt: clock.now(),
      transcript,
    };
    this.apply(session, (s) => s, [{ kind: 'request-created', request }], () => store.addRequest(request));
    const frame: RelayFrame = { type: 'request', request };
    const recipients = new Set([agentId, ...store.listAccounts().filter((a) => a.role === 'manager').map((a) => a.id)]);
    for (const id of recipients) this.deps.fanout.toAgent(id, frame);
    return ok({ request });
  }

  // ---------------------------------------------------------------------------------------------
  // Transitions shared by several commands

  private closeSession(session: SessionSummary, by: { kind: 'customer' | 'agent'; id: AgentId | null; name: string }) {
    const events: NewEvent[] = [];
    const pending = session.pendingTransfer;
    if (pending) {
      this.disarmExpiry(pending.id);
      events.push({ kind: 'transfer-cancelled', transferId: pending.id, reason: 'closed', byId: by.id });
    }
    events.push({ kind: 'closed', by });
    const now = this.deps.clock.now();
    this.apply(
      session,
      (s) => ({ ...s, state: 'closed', pendingTransfer: null, closedAt: now, waitingSince: null }),
      events,
    );
    if (pending) this.logTransfer('cancelled', pending, { by: by.id, reason: 'closed' });
    this.deps.log({ event: 'chat-closed', sessionId: session.id, by: by.kind, byId: by.id });
    this.deps.fanout.endCustomer(session.id);
  }

  private endTransfer(session: SessionSummary, reason: TransferEndReason, byId: AgentId | null): void {
    const transfer = session.pendingTransfer!;
    this.disarmExpiry(transfer.id);
    this.apply(session, (s) => ({ ...s, pendingTransfer: null }), [
      { kind: 'transfer-cancelled', transferId: transfer.id, reason, byId },
    ]);
    this.logTransfer(reason === 'timeout' ? 'expired' : 'cancelled', transfer, { by: byId, reason });
  }

  private cancelOffersTo(agentId: AgentId, reason: TransferEndReason): void {
    for (const session of this.deps.store.listLiveSessions()) {
      if (session.pendingTransfer?.toId === agentId) this.endTransfer(session, reason, null);
    }
  }

  private armExpiry(offer: TransferOffer): void {
    if (offer.expiresAt === null) return;
    const delay = Math.max(0, offer.expiresAt - this.deps.clock.now());
    this.expiryTimers.set(
      offer.id,
      this.deps.scheduler.schedule(delay, () => {
        this.expiryTimers.delete(offer.id);
        const session = this.deps.store.getSession(offer.sessionId);
        if (session?.state !== 'closed' && session?.pendingTransfer?.id === offer.id) {
          this.endTransfer(session, 'timeout', null);
        }
      }),
    );
  }

  private disarmExpiry(transferId: string): void {
    this.expiryTimers.get(transferId)?.cancel();
    this.expiryTimers.delete(transferId);
  }

  /** Give queued chats, oldest first, to the Present agent with the fewest open chats below capacity. */
  drainQueue(): void {
    // apply() calls back in here when capacity changes; the outer loop re-reads the store, so one pass is enough
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const { store, options } = this.deps;
        const session = store.oldestQueuedSession();
        if (!session) return;
        const counts = store.openChatCounts();
        const open: Account[] = [];
        for (const [agentId, presence] of this.online) {
          const account = presence.connections > 0 ? store.getAccount(agentId) : null;
          if (account?.role === 'agent' && account.chosenStatus === 'present' && (counts.get(agentId) ?? 0) < options.capacity) {
            open.push(account);
          }
        }
        if (!open.length) return;
        open.sort(
          (a, b) =>
            (counts.get(a.id) ?? 0) - (counts.get(b.id) ?? 0) ||
            (this.lastAssignedAt.get(a.id) ?? 0) - (this.lastAssignedAt.get(b.id) ?? 0) ||
            a.id.localeCompare(b.id),
        );
        const chosen = open[0]!;
        this.lastAssignedAt.set(chosen.id, ++this.assignments);
        this.apply(session, (s) => ({ ...s, state: 'active', ownerId: chosen.id }), [
          { kind: 'assigned', agentId: chosen.id, agentName: chosen.name },
        ]);
        this.deps.log({ event: 'chat-assigned', sessionId: session.id, agentId: chosen.id });
      }
    } finally {
      this.draining = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Commit and publish

  /**
   * Commits the change and its events in one transaction, then tells everyone concerned.
   * Returns the seq of the last event.
   */
  private apply(
    before: SessionSummary,
    change: (s: SessionSummary) => SessionSummary,
    events: NewEvent[],
    alsoInTransaction?: () => void,
  ): number {
    const committed = this.deps.store.transaction(() => {
      alsoInTransaction?.();
      return this.commit(before, change(before), events);
    });
    this.publish(before, committed.session, committed.events);
    const ownerChanged = before.ownerId !== committed.session.ownerId || before.state !== committed.session.state;
    if (ownerChanged) {
      const affected = [before.ownerId, committed.session.ownerId].filter((a): a is AgentId => a !== null);
      this.broadcastPresence([...new Set(affected)]);
      this.drainQueue();
    }
    return committed.session.lastSeq;
  }

  private commit(before: SessionSummary, after: SessionSummary, newEvents: NewEvent[]) {
    const { store, clock } = this.deps;
    const at = clock.now();
    let session = { ...after, lastSeq: before.lastSeq };
    const events: SessionEvent[] = [];
    for (const draft of newEvents) {
      const event = { ...draft, sessionId: session.id, seq: session.lastSeq + 1, at } as SessionEvent;
      events.push(event);
      session = { ...session, lastSeq: event.seq };
      if (event.kind === 'message') {
        session.lastMessage = { text: event.text, at, authorKind: event.author.kind, authorName: event.author.name };
        session.waitingSince = event.author.kind === 'customer' ? (session.waitingSince ?? at) : null;
      }
      store.appendEvent(event);
    }
    store.putSession(session);
    for (const agentId of audience(session)) {
      if (!inAudience(before, agentId)) store.addParticipant(session.id, agentId);
    }
    return { session, events };
  }

  private publish(before: SessionSummary, after: SessionSummary, events: SessionEvent[]): void {
    const { fanout, store } = this.deps;
    const was = new Set(audience(before));
    const now = new Set(audience(after));
    const joiners = [...now].filter((a) => !was.has(a));
    const told = new Set([...was, ...now]);
    // one frame object per event, so the fan-out can serialise it once for every recipient
    const eventFrames = events.map((event) => ({ type: 'event', event }) as const);
    for (const agentId of told) {
      if (joiners.includes(agentId)) continue;
      for (const frame of eventFrames) fanout.toAgent(agentId, frame);
    }
    for (const frame of eventFrames) {
      if (customerVisibleKinds.has(frame.event.kind)) fanout.toCustomer(after.id, frame);
    }
    const summaryFrame: RelayFrame = { type: 'session', session: after };
    for (const agentId of new Set([...told, ...this.dashboardViewers])) {
      if (!joiners.includes(agentId)) fanout.toAgent(agentId, summaryFrame);
    }
    if (joiners.length) {
      const log = store.eventsAfter(after.id, 0);
      for (const agentId of joiners) {
        fanout.toAgent(agentId, summaryFrame);
        fanout.toAgent(agentId, { type: 'replay', sessionId: after.id, events: log });
      }
    }
  }

  private broadcastPresence(agentIds: AgentId[]): void {
    const counts = this.deps.store.openChatCounts();
    for (const id of agentIds) {
      const account = this.deps.store.getAccount(id);
      if (account) this.deps.fanout.toAllAgents({ type: 'presence', agent: this.info(account, counts) });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Small readers

  private customerWelcome(commandId: string, session: SessionSummary, token: string): CustomerFrame {
    return {
      type: 'customer-welcome',
      id: commandId,
      protocol: PROTOCOL_VERSION,
      sessionId: session.id,
      token,
      customerName: session.customerName,
      state: session.state,
      agentName: session.ownerId ? this.nameOf(session.ownerId) : null,
    };
  }

  private info(account: Account, counts: Map<AgentId, number>): AgentInfo {
    return {
      id: account.id,
      name: account.name,
      role: account.role,
      canListenIn: account.canListenIn,
      status: this.online.has(account.id) ? account.chosenStatus : 'offline',
      openChats: counts.get(account.id) ?? 0,
    };
  }

  private account(agentId: AgentId): Account {
    const account = this.deps.store.getAccount(agentId);
    if (!account) throw new Error(`no account ${agentId}`);
    return account;
  }

  private nameOf(agentId: AgentId): string {
    return this.deps.store.getAccount(agentId)?.name ?? agentId;
  }

  private seesDashboard(account: Account): boolean {
    return account.role === 'manager' || account.canListenIn;
  }

  private logTransfer(transition: string, transfer: TransferOffer, extra: Record<string, unknown>): void {
    this.deps.log({
      event: `transfer-${transition}`,
      sessionId: transfer.sessionId,
      transferId: transfer.id,
      from: transfer.fromId,
      to: transfer.toId,
      ...extra,
    });
  }
}

/** Owner, listeners and the pending target: the agents who receive a session's events. */
export function audience(session: SessionSummary): AgentId[] {
  const members = new Set<AgentId>(session.listeners);
  if (session.ownerId) members.add(session.ownerId);
  if (session.pendingTransfer) members.add(session.pendingTransfer.toId);
  return [...members];
}

function inAudience(session: SessionSummary, agentId: AgentId): boolean {
  return (
    session.ownerId === agentId || session.listeners.includes(agentId) || session.pendingTransfer?.toId === agentId
  );
}

function addTo(list: AgentId[], id: AgentId): AgentId[] {
  return list.includes(id) ? list : [...list, id];
}
