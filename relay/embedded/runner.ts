// The embedded runner: every command runs synchronously on the one SQLite connection, inside the group-commit batch of
// its event-loop turn (one savepoint each), so commands on a session are serialised by the event loop itself and seqs
// are allocated where they are written. What it acknowledges waits for the batch's fsync (`afterCommit`).
import {
  type AgentId,
  applyRequestUpdate,
  type SessionEvent,
  type SessionEventOf,
  type SessionSummary,
} from '../../common/domain';
import { ok, type Result } from '../../common/result';
import {
  audience,
  type Change,
  type Decision,
  type Effect,
  inAudience,
  type Loaded,
  loadedOnly,
  NO_ACCOUNTS,
  NO_ATTACHMENTS,
  type NewEvent,
  refuse,
  sequence,
} from '../core/model';
import type { Applied, Clock, CommandRunner, RoutingSnapshot, Scheduler, SessionCommand } from '../ports';
import { JOINER_LOG_EVENTS } from '../paging';
import type { SqliteRelayStore } from '../store/sqlite';

export class SqliteRunner implements CommandRunner {
  /** for routing ties: the order in which agents last got a chat (in memory; resets on restart) */
  private readonly lastAssigned = new Map<AgentId, number>();
  private assignments = 0;

  constructor(
    private readonly store: SqliteRelayStore,
    private readonly clock: Clock,
    private readonly timers: Scheduler,
  ) {}

  run<R>(command: SessionCommand<R>): Promise<Result<Applied<R>>> {
    return Promise.resolve(this.runNow(command));
  }

  /** The synchronous core of `run`, for callers that are themselves synchronous. */
  runNow<R>(command: SessionCommand<R>): Result<Applied<R>> {
    const { store } = this;
    const before = store.getSession(command.sessionId);
    if (!before) return refuse('not-found');
    if (command.requireOpen && before.state === 'closed') return refuse('session-closed');
    const spec = command.load;
    const request = spec?.request ? store.getRequest(spec.request) : null;
    const loaded: Loaded = {
      session: before,
      // optimistic: a message id repeats only when a client resends, and the insert of the message finds that itself
      duplicateSeq: null,
      transcript: spec?.transcript ? store.eventsAfter(before.id, 0) : null,
      attachments: spec?.attachments?.length ? store.attachments.ofSession(before.id, spec.attachments) : NO_ATTACHMENTS,
      request: request?.sessionId === before.id ? request : null,
      // per command: nothing allocated for what it did not ask for (most commands are messages)
      accounts: spec?.agents?.length
        ? new Map(spec.agents.flatMap((id) => {
            const account = store.getAccount(id);
            return account ? [[id, account] as const] : [];
          }))
        : NO_ACCOUNTS,
    };
    let decision = command.decide(loaded);
    if (!decision.ok) return decision;
    if (spec?.messageId) {
      const sent = this.appendMessageOnly(before, decision.value);
      if (sent) return ok(sent);
      // a resend, or a decision that is more than one message: decide again knowing what is stored
      loaded.duplicateSeq = store.findMessageSeq(before.id, spec.messageId);
      decision = command.decide(loaded);
      if (!decision.ok) return decision;
    }
    return ok(this.apply(before, decision.value));
  }

  /** One message and no other change: one statement, no savepoint. Null when it is not that, or it is a resend. */
  private appendMessageOnly<R>(before: SessionSummary, decided: Change<R>): Applied<R> | null {
    const [draft, ...more] = decided.events;
    if (!draft || more.length || draft.kind !== 'message' || decided.session !== before || decided.effects.length) return null;
    // attachments are marked sent as the message is written (apply)
    if (draft.attachments?.length) return null;
    const { session, events } = sequence(before, before, [draft], this.clock.now());
    const event = events[0] as SessionEventOf<'message'>;
    if (!this.store.single(() => this.store.appendMessage(event, session))) return null;
    return { before, after: session, events, effects: [], value: decided.value, log: null };
  }

  open(session: SessionSummary, events: NewEvent[], tokenHash: string): Promise<Result<Applied>> {
    const applied = this.store.transaction(() => {
      this.store.putCustomerToken(tokenHash, session.id);
      return this.write(session, session, events);
    });
    return Promise.resolve(ok({ before: session, ...applied, effects: [], value: undefined }));
  }

  routeOldest(decide: (loaded: Loaded, snapshot: RoutingSnapshot) => Decision): Promise<Result<Applied> | null> {
    const heads = this.store.queueHeads();
    if (!heads.length) return Promise.resolve(null);
    const snapshot: RoutingSnapshot = {
      accounts: new Map(this.store.listAccounts().map((a) => [a.id, a])),
      openChats: this.store.openChatCounts(),
      lastAssignedAt: this.lastAssigned,
    };
    // each team has its own queue: the oldest chat someone can take now goes first, a queue nobody serves waits
    let unassigned: Result<Applied> | null = null;
    for (const session of heads) {
      const decision = decide(loadedOnly(session), snapshot);
      if (!decision.ok) return Promise.resolve(decision);
      const applied = this.apply(session, decision.value);
      if (!applied.events.length) {
        unassigned = ok(applied);
        continue;
      }
      if (applied.after.ownerId && applied.after.ownerId !== session.ownerId) {
        this.lastAssigned.set(applied.after.ownerId, ++this.assignments);
      }
      return Promise.resolve(ok(applied));
    }
    return Promise.resolve(unassigned);
  }

  afterCommit(task: () => void): void {
    this.store.afterCommit(task);
  }

  private apply<R>(before: SessionSummary, decided: Change<R>): Applied<R> {
    const { session: next, events: drafts, effects, value } = decided;
    if (!drafts.length) return { before, after: before, events: [], effects, value, log: null };
    const written = this.store.transaction(() => this.write(before, next, drafts));
    this.applyTimers(effects);
    return { before, ...written, effects, value };
  }

  /** Appends the events with their seqs, stores the summary, and records new participants. */
  private write(before: SessionSummary, next: SessionSummary, drafts: NewEvent[]) {
    const { store } = this;
    const { session, events } = sequence(before, next, drafts, this.clock.now());
    for (const event of events) {
      store.appendEvent(event);
      if (event.kind === 'request-created') store.addRequest(event.request);
      if (event.kind === 'rated') store.addRating(event.sessionId, event.score, event.comment, event.at);
      else if (event.kind === 'message' && event.attachments) {
        store.attachments.markSent(event.sessionId, event.attachments.map((a) => a.id), event.seq);
      } else if (event.kind === 'request-updated') {
        const request = store.getRequest(event.requestId);
        if (request) store.putRequest(applyRequestUpdate(request, event));
      }
    }
    store.putSession(session);
    let grew = false;
    for (const agentId of audience(session)) {
      if (inAudience(before, agentId)) continue;
      store.addParticipant(session.id, agentId);
      grew = true;
    }
    // the first page of the log: the joiner follows its cursor for the rest (relay/paging.ts)
    const log: SessionEvent[] | null = grew ? store.eventsAfter(session.id, 0, JOINER_LOG_EVENTS) : null;
    return { after: session, events, log };
  }

  /** Timers live in memory here; `Hub.start` re-arms them from the pending transfers after a restart. */
  private applyTimers(effects: Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'arm-timer') void this.timers.arm(effect.key, effect.at);
      else if (effect.type === 'disarm-timer') void this.timers.disarm(effect.key);
    }
  }
}
