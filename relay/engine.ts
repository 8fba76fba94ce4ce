// The two deployments of the relay behind one shape: the ports the Hub runs on, health, and shutdown. Embedded: one
// process, SQLite (the default). Cluster: PostgreSQL for everything durable, Redis for fan-out and presence.
import type { AttachmentStore, Clock, CommandRunner, Fanout, Log, Presence, RelayStore, Scheduler } from './ports';
import type { Maintenance } from './retention';

export interface EngineHealth {
  ok: boolean;
  /** what each part reports, for /health */
  parts: Record<string, { ok: boolean } & Record<string, unknown>>;
}

export interface Engine {
  kind: 'embedded' | 'cluster';
  nodeId: string;
  store: RelayStore;
  runner: CommandRunner;
  scheduler: Scheduler;
  presence: Presence;
  fanout: Fanout;
  attachments: AttachmentStore;
  /** retention and erasure: deleting closed chats with everything kept for them */
  maintenance: Maintenance;
  health(): Promise<EngineHealth>;
  /** a node's bus lost messages (cluster), or a commit failed (embedded): connected clients must resume */
  onClientsMustResume(handler: (reason: string) => void): void;
  /** commits what is pending before start-up completes */
  flush(): void;
  /** how often Hub.reconcile runs after start (cluster: nodes die without telling anyone); null: only at start */
  reconcileEveryMs: number | null;
  close(): Promise<void>;
}

export interface EngineContext {
  clock: Clock;
  log: Log;
  /** how long the store's commits (and, embedded, its fsyncs) take, for /metrics */
  onStoreTiming?: (what: 'commit' | 'fsync', seconds: number) => void;
}
