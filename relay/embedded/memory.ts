// The embedded deployment's in-memory ports: presence counts, timers and a fan-out that is a function call.
import type { AgentId } from '../../common/domain';
import type { TimerKey } from '../core/model';
import type { Clock, Fanout, Log, Presence, Publication, Scheduler } from '../ports';

export class MemoryPresence implements Presence {
  private readonly counts = new Map<AgentId, number>();

  attach(agentId: AgentId): Promise<void> {
    this.counts.set(agentId, (this.counts.get(agentId) ?? 0) + 1);
    return Promise.resolve();
  }

  detach(agentId: AgentId): Promise<boolean> {
    const left = Math.max(0, (this.counts.get(agentId) ?? 0) - 1);
    if (left) this.counts.set(agentId, left);
    else this.counts.delete(agentId);
    return Promise.resolve(left === 0);
  }

  connected(): Iterable<AgentId> {
    return this.counts.keys();
  }

  isConnectedNow(agentId: AgentId): Promise<boolean> {
    return Promise.resolve(this.counts.has(agentId));
  }

  connectedNow(): Promise<ReadonlySet<AgentId>> {
    return Promise.resolve(new Set(this.counts.keys()));
  }
}

/**
 * Timers on the event loop. Not durable by themselves: what they fire for is (pending transfers, online agents), and
 * the hub re-arms them from the store when the relay starts.
 */
export class MemoryScheduler implements Scheduler {
  private readonly timers = new Map<TimerKey, NodeJS.Timeout>();
  private onDue: ((key: TimerKey) => Promise<void>) | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly log: Log,
  ) {}

  arm(key: TimerKey, at: number): Promise<void> {
    if (!this.timers.has(key)) {
      const timer = setTimeout(() => this.fire(key), Math.max(0, at - this.clock.now()));
      timer.unref?.();
      this.timers.set(key, timer);
    }
    return Promise.resolve();
  }

  disarm(key: TimerKey): Promise<void> {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    return Promise.resolve();
  }

  start(onDue: (key: TimerKey) => Promise<void>): void {
    this.onDue = onDue;
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.onDue = null;
  }

  /** keys armed now (tests) */
  armed(): TimerKey[] {
    return [...this.timers.keys()];
  }

  private fire(key: TimerKey): void {
    this.timers.delete(key);
    this.onDue?.(key).catch((error) =>
      this.log({ event: 'internal-error', where: 'timer', key, error: String((error as Error)?.stack ?? error) }),
    );
  }
}

/** One process: a publication is delivered where it was made, synchronously, in commit order. */
export class LocalFanout implements Fanout {
  private deliver: ((publication: Publication, origin: 'local' | 'remote') => void) | null = null;

  publish(publication: Publication): void {
    this.deliver?.(publication, 'local');
  }

  subscribe(deliver: (publication: Publication, origin: 'local' | 'remote') => void): void {
    this.deliver = deliver;
  }
}
