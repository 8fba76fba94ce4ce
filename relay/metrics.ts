// The relay's metrics in Prometheus text format (prom-client): what is counted on the hot path is a plain number
// added to (frames, chat messages, transfers) and turned into counters only when scraped; gauges (connections, chats,
// queue, store and bus state) are read at scrape time; histograms time acknowledgements and commits.
import { performance } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client';
import type { SessionSummary } from '../common/domain';
import { PROTOCOL_VERSION } from '../common/protocol';
import type { EngineHealth } from './engine';
import type { Fanout, LogEntry, Publication } from './ports';

type Kind = 'agent' | 'customer';

/** What the gauges read when scraped. */
export interface MetricsSources {
  engine: 'embedded' | 'cluster';
  nodeId: string;
  connections: () => Iterable<{ kind: Kind }>;
  liveSessions: () => Promise<SessionSummary[]>;
  health: () => Promise<EngineHealth>;
  ready: () => Promise<boolean>;
  draining: () => boolean;
  now: () => number;
}

/**
 * Log events that are refusals, by the reason they are counted under: a new refusal logged by the relay is one entry.
 * (Frames dropped by the rate limit are not logged one by one; the server counts them with `refused`.)
 */
const REFUSALS: Record<string, string> = {
  'auth-failed': 'auth',
  'origin-refused': 'origin',
  'protocol-mismatch': 'protocol',
  'rate-limited-close': 'rate-limit-close',
  'slow-consumer': 'slow-consumer',
  'heartbeat-timeout': 'heartbeat-timeout',
  'upgrade-refused-draining': 'draining',
  'connection-refused': 'connection-cap',
  'hello-timeout': 'hello-timeout',
  'chat-refused': 'new-chat',
  'sign-in-throttled': 'sign-in-throttled',
  'sign-in-busy': 'sign-in-busy',
};
const STORE_ERRORS = new Set(['store-unavailable', 'store-error', 'commit-failed']);
const BUS_EVENTS = new Set([
  'bus-error',
  'bus-publish-failed',
  'bus-subscription-lost',
  'bus-subscription-stuck',
  'bus-resubscribed',
  'bus-gap-unread',
  'clients-resume',
]);

/** Seconds: from a millisecond of local work to what a person notices. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * A histogram whose observation is a search of a dozen bounds and three additions. prom-client's own takes
 * microseconds (an object per call, label validation and hashing), which once per command is most of what the
 * metrics would cost the message path; this one is read by the same registry, as prom-client's metrics are.
 */
class LeanHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, { buckets: Float64Array; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly label: string | null,
    private readonly bounds: readonly number[],
  ) {
    // an unlabelled histogram is exported (at zero) before anything is observed, like prom-client's
    if (label === null) this.seriesOf('');
  }

  observe(seconds: number, labelValue = ''): void {
    const series = this.series.get(labelValue) ?? this.seriesOf(labelValue);
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    if (i < bounds.length) series.buckets[i]! += 1;
    series.sum += seconds;
    series.count += 1;
  }

  private seriesOf(labelValue: string) {
    const series = { buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
    this.series.set(labelValue, series);
    return series;
  }

  /** What prom-client's registry reads from a metric when it is scraped. */
  get() {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const [labelValue, series] of this.series) {
      const labels: Record<string, string | number> = this.label ? { [this.label]: labelValue } : {};
      let below = 0;
      this.bounds.forEach((le, i) => {
        below += series.buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: below });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
    if (this.label === null) this.seriesOf('');
  }
}

let processRegistry: Registry | null = null;

/** Process metrics (CPU, memory, GC, event-loop lag) once per process, however many relays it runs (tests). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class RelayMetrics {
  private readonly registry = new Registry();
  private sources: MetricsSources | null = null;
  // plain numbers on the hot path; the counters read them when scraped
  private readonly framesIn: Record<Kind, number> = { agent: 0, customer: 0 };
  private readonly framesOut: Record<Kind, number> = { agent: 0, customer: 0 };
  private readonly chatMessages: Record<Kind, number> = { agent: 0, customer: 0 };
  private readonly transfers = new Map<string, number>();
  private chatsOpened = 0;
  private readonly chatsClosed: Record<Kind, number> = { agent: 0, customer: 0 };
  private readonly ack: LeanHistogram;
  private readonly commit: LeanHistogram;
  private readonly fsync: LeanHistogram;
  private readonly refusals: Counter<'reason'>;
  private readonly storeErrors: Counter<'event'>;
  private readonly busEvents: Counter<'event'>;
  private readonly internalErrors: Counter;
  private readonly purged: Counter;
  private storeEngine: 'sqlite' | 'postgresql' = 'sqlite';

  constructor() {
    const registers = [this.registry];
    const counted = (name: string, help: string, label: string, read: () => Iterable<[string, number]>) =>
      new Counter({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [value, n] of read()) this.inc({ [label]: value }, n);
        },
      });
    counted('baton_frames_received_total', 'WebSocket frames received, by kind of connection', 'kind', () => Object.entries(this.framesIn));
    counted('baton_frames_sent_total', 'WebSocket frames sent, by kind of connection', 'kind', () => Object.entries(this.framesOut));
    counted('baton_chat_messages_total', 'chat messages committed on this node, by author (customer: in, agent: out)', 'author', () =>
      Object.entries(this.chatMessages),
    );
    counted(
      'baton_transfers_total',
      'transfer transitions committed on this node: offered, accepted, rejected, or cancelled with its reason (cancelled, timeout, target-unavailable, taken-over, closed)',
      'outcome',
      () => this.transfers.entries(),
    );
    counted('baton_chats_opened_total', 'chats opened on this node', 'by', () => [['customer', this.chatsOpened]]);
    counted('baton_chats_closed_total', 'chats closed on this node, by who closed them', 'by', () => Object.entries(this.chatsClosed));
    this.refusals = new Counter({
      name: 'baton_refusals_total',
      help: 'connections, upgrades and frames refused: auth, origin, protocol, rate-limited (a frame dropped), rate-limit-close, slow-consumer, heartbeat-timeout, draining, connection-cap, hello-timeout, new-chat (rate or queue-full), sign-in-throttled, sign-in-busy',
      labelNames: ['reason'],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'baton_store_errors_total',
      help: 'store failures by log event (store-unavailable, store-error, commit-failed)',
      labelNames: ['event'],
      registers,
    });
    this.busEvents = new Counter({
      name: 'baton_bus_events_total',
      help: 'cluster bus trouble by log event (bus-error, bus-subscription-lost, bus-resubscribed, clients-resume, ...)',
      labelNames: ['event'],
      registers,
    });
    this.internalErrors = new Counter({ name: 'baton_internal_errors_total', help: 'internal errors logged', registers });
    this.purged = new Counter({ name: 'baton_retention_purged_chats_total', help: 'closed chats deleted by the retention sweep', registers });
    this.ack = new LeanHistogram(
      'baton_ack_seconds',
      'from a command frame read to its answer written to the socket (after its commit, and embedded after its fsync)',
      'command',
      ACK_BUCKETS,
    );
    this.commit = new LeanHistogram(
      'baton_store_commit_seconds',
      "commit latency: SQLite, one group-commit batch's COMMIT; PostgreSQL, one command's transaction from BEGIN to COMMIT",
      'engine',
      STORE_BUCKETS,
    );
    this.fsync = new LeanHistogram(
      'baton_store_fsync_seconds',
      'SQLite (synchronous=FULL): one fsync of the WAL on the thread pool, covering every batch committed before it',
      null,
      STORE_BUCKETS,
    );
    for (const histogram of [this.ack, this.commit, this.fsync]) this.registry.registerMetric(histogram as unknown as Metric);
    this.defineGauges();
  }

  /** Where the gauges read from, once the relay's parts exist. */
  attach(sources: MetricsSources): void {
    this.sources = sources;
    this.storeEngine = sources.engine === 'cluster' ? 'postgresql' : 'sqlite';
    if (sources.engine === 'cluster') this.defineBusGauges();
  }

  // -------------------------------------------------------------------------------------------
  // Counting (called on the hot path: keep these to an addition)

  frameIn(kind: Kind): void {
    this.framesIn[kind] += 1;
  }

  frameOut(kind: Kind): void {
    this.framesOut[kind] += 1;
  }

  refused(reason: string): void {
    this.refusals.inc({ reason });
  }

  /** The answer to a command read at `readAt` (performance.now()) has just been written. */
  answered(command: string, readAt: number): void {
    this.ack.observe((performance.now() - readAt) / 1000, command);
  }

  /** The store's timing hook (relay/store/sqlite.ts, relay/cluster/postgres.ts). */
  readonly storeTiming = (what: 'commit' | 'fsync', seconds: number): void => {
    if (what === 'fsync') this.fsync.observe(seconds);
    else this.commit.observe(seconds, this.storeEngine);
  };

  /** Chats deleted by the retention sweep. */
  retentionPurged(chats: number): void {
    this.purged.inc(chats);
  }

  /** Every log entry passes here: refusals and failures are counted by their event. */
  logged(entry: LogEntry): void {
    const reason = REFUSALS[entry.event];
    if (reason) this.refusals.inc({ reason });
    else if (STORE_ERRORS.has(entry.event)) this.storeErrors.inc({ event: entry.event });
    else if (BUS_EVENTS.has(entry.event)) this.busEvents.inc({ event: entry.event });
    else if (entry.event === 'internal-error') this.internalErrors.inc();
  }

  /** The fan-out the hub publishes through, counting what this node committed on its way out. */
  counting(fanout: Fanout): Fanout {
    return {
      publish: (publication) => {
        if (publication.kind === 'session') this.countCommitted(publication);
        fanout.publish(publication);
      },
      subscribe: (deliver) => fanout.subscribe(deliver),
    };
  }

  private countCommitted(publication: Extract<Publication, { kind: 'session' }>): void {
    for (const event of publication.events) {
      switch (event.kind) {
        case 'message':
          this.chatMessages[event.author.kind] += 1;
          break;
        case 'opened':
          this.chatsOpened += 1;
          break;
        case 'closed':
          this.chatsClosed[event.by.kind] += 1;
          break;
        case 'transfer-offered':
          this.countTransfer('offered');
          break;
        case 'transfer-accepted':
          this.countTransfer('accepted');
          break;
        case 'transfer-rejected':
          this.countTransfer('rejected');
          break;
        case 'transfer-cancelled':
          this.countTransfer(event.reason);
          break;
        default:
          break;
      }
    }
  }

  private countTransfer(outcome: string): void {
    this.transfers.set(outcome, (this.transfers.get(outcome) ?? 0) + 1);
  }

  // -------------------------------------------------------------------------------------------
  // Scraping

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text a Prometheus scrape reads: this relay's metrics, then the process's. */
  async text(): Promise<string> {
    this.scrape = null;
    try {
      return await Registry.merge([this.registry, processMetrics()]).metrics();
    } finally {
      this.scrape = null;
    }
  }

  /** Cluster only: the bus, as /health reports it. */
  private defineBusGauges(): void {
    const health = async () => (await this.snapshot()?.health) ?? null;
    const part = (name: string, help: string, read: (h: EngineHealth) => number | null) =>
      this.gauge(name, help, [], async (g) => {
        const h = await health();
        const value = h ? read(h) : null;
        if (value !== null) g.set(value);
      });
    part('baton_bus_connected', 'cluster: 1 while commands to Redis succeed', (h) => (h.parts.bus?.ok ? 1 : 0));
    part('baton_bus_subscribed', "cluster: 1 while the node's subscription delivers (its canary came back in time)", (h) =>
      h.parts.subscription?.ok ? 1 : 0,
    );
    part('baton_bus_canary_age_seconds', "cluster: time since the node's own canary came back", (h) => {
      const age = h.parts.subscription?.lastCanaryMs;
      return typeof age === 'number' ? age / 1000 : null;
    });
  }

  /** What this scrape read, shared by the gauges that need it (they are collected at the same time). */
  private scrape: { live: Promise<SessionSummary[] | null>; health: Promise<EngineHealth | null>; ready: Promise<boolean> } | null = null;

  private snapshot() {
    const sources = this.sources;
    if (!sources) return null;
    this.scrape ??= {
      live: sources.liveSessions().catch(() => null),
      health: sources.health().catch(() => null),
      ready: sources.ready().catch(() => false),
    };
    return this.scrape;
  }

  private gauge<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    collect: (gauge: Gauge<L>, sources: MetricsSources) => void | Promise<void>,
  ): Gauge<L> {
    const metrics = this;
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        if (metrics.sources) await collect(this, metrics.sources);
      },
    });
  }

  private defineGauges(): void {
    const gauge = this.gauge.bind(this);
    const live = async () => (await this.snapshot()?.live) ?? null;
    const health = async () => (await this.snapshot()?.health) ?? null;
    gauge('baton_relay_info', 'the relay: engine, node id and protocol version (always 1)', ['engine', 'node_id', 'protocol'], (g, s) => {
      g.reset();
      g.set({ engine: s.engine, node_id: s.nodeId, protocol: String(PROTOCOL_VERSION) }, 1);
    });
    gauge('baton_connections', 'open WebSocket connections on this node, by kind', ['kind'], (g, s) => {
      const counts: Record<Kind, number> = { agent: 0, customer: 0 };
      for (const conn of s.connections()) counts[conn.kind] += 1;
      for (const [kind, n] of Object.entries(counts)) g.set({ kind }, n);
    });
    // chats are the deployment's, not the node's: in a cluster every node reports the same numbers
    gauge('baton_chats', 'live chats by state (the whole deployment)', ['state'], async (g) => {
      const sessions = await live();
      if (!sessions) return;
      const queued = sessions.filter((s) => s.state === 'queued').length;
      g.set({ state: 'queued' }, queued);
      g.set({ state: 'active' }, sessions.length - queued);
    });
    gauge('baton_queue_length', 'chats waiting for an agent (the whole deployment)', [], async (g) => {
      const sessions = await live();
      if (sessions) g.set(sessions.filter((s) => s.state === 'queued').length);
    });
    gauge('baton_queue_longest_wait_seconds', 'how long the oldest queued chat has waited for an agent; 0 when none waits', [], async (g, s) => {
      const sessions = await live();
      if (!sessions) return;
      const oldest = sessions.reduce((min, chat) => (chat.state === 'queued' ? Math.min(min, chat.createdAt) : min), Number.POSITIVE_INFINITY);
      g.set(Number.isFinite(oldest) ? Math.max(0, (s.now() - oldest) / 1000) : 0);
    });
    gauge('baton_ready', '1 when the relay takes traffic (/ready answers 200)', [], async (g) => {
      g.set((await this.snapshot()?.ready) ? 1 : 0);
    });
    gauge('baton_draining', '1 while the relay drains for a restart (SIGTERM)', [], (g, s) => {
      g.set(s.draining() ? 1 : 0);
    });
    gauge('baton_store_up', '1 while the store answers (SQLite open; PostgreSQL answers SELECT 1)', [], async (g) => {
      g.set((await health())?.parts.store?.ok ? 1 : 0);
    });
  }
}
