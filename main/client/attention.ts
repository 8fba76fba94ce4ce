// Attention policy: which moments need the agent (a chat newly theirs, a transfer offered to them, a customer's new
// message in a chat they own) and the reminders that repeat while an offer or a new chat stays unanswered. It only
// decides and emits `attention` events; the renderer plays the sound, the desktop shell flashes the taskbar.
import type { AttentionKind, ClientEvent, Settings } from '../../common/bridge';
import { type AgentId, isOfferedTo, type SessionEvent, type SessionSummary } from '../../common/domain';

/** Something that waits for an answer and keeps reminding until it gets one. */
interface Waiting {
  kind: Extract<AttentionKind, 'new-chat' | 'transfer-offer'>;
  /** the transfer id for an offer (a second offer on the same chat starts over), the session id for a new chat */
  key: string;
  lastAlertAt: number;
}

export interface AttentionDeps {
  now: () => number;
  emit: (event: ClientEvent) => void;
  /** runs `fn` after `ms`; returns a cancel function (tests pass a fake clock) */
  schedule?: (ms: number, fn: () => void) => () => void;
}

/** Mine, open, and no agent has answered in it yet. */
const stillNewAndMine = (session: SessionSummary, me: AgentId | null) =>
  me !== null && session.ownerId === me && session.state === 'active' && session.lastMessage?.authorKind !== 'agent';

const realSchedule = (ms: number, fn: () => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

export class AttentionPolicy {
  private readonly waiting = new Map<string, Waiting>();
  private readonly deps: AttentionDeps;
  private readonly schedule: NonNullable<AttentionDeps['schedule']>;
  private cancelTimer: (() => void) | null = null;
  private settings: Settings['reminder'] = { on: false, everySeconds: 30 };

  constructor(deps: AttentionDeps) {
    this.deps = deps;
    this.schedule = deps.schedule ?? realSchedule;
  }

  /** The reminder settings changed (or were loaded): the next reminder is re-planned. */
  configure(reminder: Settings['reminder']): void {
    this.settings = reminder;
    this.plan();
  }

  /**
   * A full list of what the agent may see (a welcome): an offer made while we were away still needs an answer, and
   * whatever vanished from the list no longer waits.
   */
  welcome(sessions: readonly SessionSummary[], me: AgentId | null): void {
    const present = new Set(sessions.map((s) => s.id));
    for (const id of [...this.waiting.keys()]) if (!present.has(id)) this.waiting.delete(id);
    // a welcome lists every chat I have: none of them is new just because the link came back
    for (const session of sessions) this.follow(session, undefined, me);
    this.plan();
  }

  /** One live summary change. */
  sessionChanged(session: SessionSummary, previous: SessionSummary | undefined, me: AgentId | null): void {
    this.follow(session, previous, me);
    this.plan();
  }

  /**
   * Routing gave me this chat (the client decides from the log: a chat I took over or accepted is not new). It rings,
   * and keeps reminding until an agent answers in it.
   */
  newChat(session: SessionSummary, me: AgentId | null): void {
    if (this.waiting.has(session.id)) return;
    this.alert('new-chat', session.id, false);
    if (stillNewAndMine(session, me)) this.waiting.set(session.id, { kind: 'new-chat', key: session.id, lastAlertAt: this.deps.now() });
    this.plan();
  }

  /** A live event (never a replay: history does not ring). */
  liveEvent(event: SessionEvent, session: SessionSummary | undefined, me: AgentId | null): void {
    if (event.kind !== 'message' || !me) return;
    if (event.author.kind === 'agent') {
      // an agent wrote: the new chat has its answer
      if (this.waiting.get(event.sessionId)?.kind === 'new-chat') this.waiting.delete(event.sessionId);
      this.plan();
      return;
    }
    if (session?.ownerId === me && session.state === 'active') this.alert('message', event.sessionId, false);
  }

  /** Sign-out or another account: nothing waits any more. */
  reset(): void {
    this.waiting.clear();
    this.plan();
  }

  /** Session ids still waiting for an answer, with what they wait for (diagnostics and tests). */
  pending(): Array<{ sessionId: string; kind: Waiting['kind'] }> {
    return [...this.waiting].map(([sessionId, w]) => ({ sessionId, kind: w.kind }));
  }

  private follow(session: SessionSummary, _previous: SessionSummary | undefined, me: AgentId | null): void {
    const id = session.id;
    const current = this.waiting.get(id);
    const offer = session.pendingTransfer;
    const offeredToMe = me !== null && offer !== null && isOfferedTo(offer, me) && session.state !== 'closed';
    if (offeredToMe) {
      if (current?.kind !== 'transfer-offer' || current.key !== offer.id) {
        this.waiting.set(id, { kind: 'transfer-offer', key: offer.id, lastAlertAt: this.deps.now() });
        this.alert('transfer-offer', id, false);
      }
      return;
    }
    if (current?.kind === 'transfer-offer') this.waiting.delete(id);
    if (current?.kind === 'new-chat' && !stillNewAndMine(session, me)) this.waiting.delete(id);
  }

  private alert(kind: AttentionKind, sessionId: string, reminder: boolean): void {
    this.deps.emit({ type: 'attention', kind, sessionId, reminder });
  }

  /** One timer for the earliest reminder due; none while reminders are off or nothing waits. */
  private plan(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (!this.settings.on || this.waiting.size === 0) return;
    const every = this.settings.everySeconds * 1000;
    const now = this.deps.now();
    const due = Math.min(...[...this.waiting.values()].map((w) => w.lastAlertAt + every));
    this.cancelTimer = this.schedule(Math.max(0, due - now), () => {
      this.cancelTimer = null;
      this.remind();
    });
  }

  private remind(): void {
    const every = this.settings.everySeconds * 1000;
    const now = this.deps.now();
    for (const [sessionId, waiting] of this.waiting) {
      if (now - waiting.lastAlertAt < every) continue;
      waiting.lastAlertAt = now;
      this.alert(waiting.kind, sessionId, true);
    }
    this.plan();
  }
}
