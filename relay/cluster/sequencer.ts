// Puts each session's publications back in seq order on a node. Two nodes commit consecutive events of one chat and
// publish them over separate Redis connections, so they can arrive here in either order: a publication that skips
// seqs waits briefly for the one before it, and when that does not come (pub/sub is at most once) the gap is read
// from PostgreSQL. Customers cannot detect a gap (they see only some kinds), so order is kept here, not by them.
import type { SessionEvent, SessionId } from '../../common/domain';
import type { Publication } from '../ports';

type SessionPublication = Extract<Publication, { kind: 'session' }>;

interface Waiting {
  /** publications that arrived early, by the seq of their first event */
  early: Map<number, SessionPublication>;
  timer: NodeJS.Timeout;
}

export interface SequencerOptions {
  deliver: (publication: SessionPublication) => void;
  /** events of a session after `afterSeq` up to `toSeq`, from the store */
  readGap: (sessionId: SessionId, afterSeq: number, toSeq: number) => Promise<SessionEvent[]>;
  /** how long an early publication waits for the one before it before the gap is read (default 40 ms) */
  waitMs?: number;
  /** sessions remembered; the least recently seen are forgotten beyond this (default 50,000) */
  maxSessions?: number;
  onError?: (error: unknown) => void;
}

export class SessionSequencer {
  /** the last seq delivered on this node, per session */
  private readonly delivered = new Map<SessionId, number>();
  private readonly waiting = new Map<SessionId, Waiting>();
  private readonly waitMs: number;
  private readonly maxSessions: number;

  constructor(private readonly options: SequencerOptions) {
    this.waitMs = options.waitMs ?? 40;
    this.maxSessions = options.maxSessions ?? 50_000;
  }

  offer(publication: SessionPublication): void {
    const id = publication.session.id;
    const first = publication.events[0]?.seq;
    const last = this.delivered.get(id);
    if (first === undefined) this.options.deliver(publication);
    // the first publication this node sees of a session sets its place: its audience here was greeted from the store
    else if (last === undefined || first === last + 1) this.pass(publication);
    else if (publication.events.at(-1)!.seq <= last) {
      // already delivered (a gap read overtook it, or a duplicate)
    } else if (first <= last) this.pass({ ...publication, events: publication.events.filter((e) => e.seq > last) });
    else this.hold(publication, first);
  }

  /** Forgets every session: after a lost subscription the node's clients resume from the store themselves. */
  reset(): void {
    for (const waiting of this.waiting.values()) clearTimeout(waiting.timer);
    this.waiting.clear();
    this.delivered.clear();
  }

  private pass(publication: SessionPublication): void {
    const id = publication.session.id;
    this.options.deliver(publication);
    this.remember(id, publication.events.at(-1)?.seq ?? this.delivered.get(id) ?? 0);
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    const next = waiting.early.get((this.delivered.get(id) ?? 0) + 1);
    if (!next) return;
    waiting.early.delete(next.events[0]!.seq);
    if (!waiting.early.size) {
      clearTimeout(waiting.timer);
      this.waiting.delete(id);
    }
    this.pass(next);
  }

  private hold(publication: SessionPublication, first: number): void {
    const id = publication.session.id;
    let waiting = this.waiting.get(id);
    if (!waiting) {
      waiting = { early: new Map(), timer: setTimeout(() => void this.fillGap(id), this.waitMs) };
      waiting.timer.unref();
      this.waiting.set(id, waiting);
    }
    waiting.early.set(first, publication);
  }

  /** The publication before the early ones did not come: read the missing events and deliver them, then the rest. */
  private async fillGap(id: SessionId): Promise<void> {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    const early = [...waiting.early.values()].sort((a, b) => a.events[0]!.seq - b.events[0]!.seq);
    const after = this.delivered.get(id) ?? 0;
    const upTo = early[0]!.events[0]!.seq - 1;
    try {
      const missing = (await this.options.readGap(id, after, upTo)).filter((e) => e.seq > after && e.seq <= upTo);
      // the missing events go to the audience of the first early publication, the nearest state there is
      if (missing.length) this.pass({ ...early[0]!, events: missing, log: null, endCustomer: false });
    } catch (error) {
      this.options.onError?.(error);
    }
    // what could not be read is skipped: an agent whose summary is ahead of its events fetches the rest itself
    if ((this.delivered.get(id) ?? 0) < upTo) this.remember(id, upTo);
    for (const publication of early) this.offer(publication);
  }

  private remember(id: SessionId, seq: number): void {
    // delete and set: the map stays in least-recently-seen order, so the oldest is forgotten first
    this.delivered.delete(id);
    this.delivered.set(id, seq);
    if (this.delivered.size > this.maxSessions) {
      const oldest = this.delivered.keys().next().value;
      if (oldest !== undefined) this.delivered.delete(oldest);
    }
  }
}
