// Where each queued chat stands: after any change that moves the queue (a chat opened, taken, or closed while waiting)
// the positions are read from the store once (changes in the same turn share the read) and published, so every node
// tells its own customers. The wait is estimated from how fast this node saw chats leave the queue lately.
import type { SessionId, SessionSummary } from '../common/domain';
import type { Log, QueuePosition } from './ports';

/** Beyond this many waiting chats the rest are not told their place (the frame would grow with the queue). */
const MAX_TOLD = 1000;
/** How many recent assignments the pace is taken from. */
const PACE_WINDOW = 10;

export interface QueueWatchDeps {
  /** the queued chats, oldest first, at most `limit` */
  listQueued(limit: number): Promise<SessionSummary[]>;
  publish(positions: QueuePosition[]): void;
  now(): number;
  log: Log;
}

export class QueueWatch {
  /** when chats left the queue, most recent last */
  private readonly taken: number[] = [];
  private pending: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: QueueWatchDeps) {}

  /** A queued chat was given to an agent. */
  assigned(): void {
    this.taken.push(this.deps.now());
    if (this.taken.length > PACE_WINDOW) this.taken.shift();
  }

  /** How long the queue takes to move one place, from the recent assignments; null with fewer than two. */
  private paceMs(): number | null {
    if (this.taken.length < 2) return null;
    const first = this.taken[0]!;
    const last = this.taken.at(-1)!;
    // a queue that stopped moving a while ago moves no faster than the time since
    const sinceLast = this.deps.now() - last;
    return Math.max((last - first) / (this.taken.length - 1), sinceLast);
  }

  private positions(queued: SessionSummary[]): QueuePosition[] {
    const pace = this.paceMs();
    return queued
      .slice(0, MAX_TOLD)
      .map((session, index) => ({
        sessionId: session.id,
        position: index + 1,
        estimatedWaitMs: pace === null ? null : Math.round(pace * (index + 1)),
      }));
  }

  async positionOf(sessionId: SessionId): Promise<QueuePosition | null> {
    return this.positions(await this.deps.listQueued(MAX_TOLD)).find((p) => p.sessionId === sessionId) ?? null;
  }

  /** The queue moved: publish where everyone stands (once for all the changes of this turn). */
  moved(): void {
    if (this.stopped) return;
    if (this.pending) {
      this.again = true;
      return;
    }
    this.pending = (async () => {
      try {
        do {
          this.again = false;
          // let the other changes of this turn land first, so one read serves them all
          await new Promise<void>((resolve) => setImmediate(resolve));
          const positions = this.positions(await this.deps.listQueued(MAX_TOLD));
          if (positions.length && !this.stopped) this.deps.publish(positions);
        } while (this.again && !this.stopped);
      } catch (error) {
        this.deps.log({ event: 'internal-error', where: 'queue-positions', error: String(error) });
      } finally {
        this.pending = null;
      }
    })();
  }

  stop(): void {
    this.stopped = true;
  }
}
