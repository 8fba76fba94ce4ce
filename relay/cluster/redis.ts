// What the cluster keeps in Redis, all of it rebuildable: the fan-out bus (pub/sub, published after commit) and
// presence (per-node hashes of connection counts, kept alive by the node's heartbeat). Pub/sub is at most once, so a
// node whose subscription dropped or stalled tells its clients to resume from PostgreSQL, and a canary message it
// sends itself proves the subscription still delivers (a subscribed socket can stop delivering and look healthy).
import { Redis } from 'ioredis';
import type { AgentId, SessionEvent, SessionId } from '../../common/domain';
import type { Fanout, Log, Presence, Publication } from '../ports';
import { SessionSequencer } from './sequencer';

export interface RedisBusOptions {
  url: string;
  nodeId: string;
  /** keys and the channel are prefixed with this, so several clusters (or tests) can share one Redis */
  prefix?: string;
  log: Log;
  /** how often the node refreshes its keys and checks its subscription (default 1000 ms) */
  heartbeatMs?: number;
  /** events of a session after a seq, from PostgreSQL: fills gaps in what the bus delivered */
  readGap: (sessionId: SessionId, afterSeq: number, toSeq: number) => Promise<SessionEvent[]>;
}

/** heartbeats without the node's own canary coming back before its subscription counts as stuck */
const STUCK_AFTER_BEATS = 4;

interface BusBody {
  p?: Publication;
  /** the canary: a node's own heartbeat message, seen on its own subscription */
  ping?: number;
}

const isPublication = (p: Publication): boolean => {
  switch (p?.kind) {
    case 'session':
      return typeof p.session?.id === 'string' && Array.isArray(p.events) && Array.isArray(p.was);
    case 'presence':
      return Array.isArray(p.agents);
    case 'typing':
      return typeof p.frame?.sessionId === 'string' && Array.isArray(p.agents);
    case 'request':
      return typeof p.request?.id === 'string' && Array.isArray(p.to);
    case 'queue':
      return Array.isArray(p.positions) && p.positions.every((q) => typeof q?.sessionId === 'string' && Number.isInteger(q.position));
    case 'directory':
      return true;
    case 'canned':
      return typeof p.reply?.id === 'string' && typeof p.deleted === 'boolean';
    default:
      return false;
  }
};

export interface BusHealth {
  /** commands to Redis succeed */
  connected: boolean;
  /** subscribed, and the last canary came back in time */
  subscribed: boolean;
  lastCanaryMs: number | null;
}

/** The bus channel of a cluster with this key prefix. */
const busChannel = (prefix: string) => `${prefix}:bus`;

/**
 * Tells every node of the cluster at once that accounts or teams changed (the CLI, after writing PostgreSQL), as a
 * node's own publication would; without it the nodes still notice within their directory poll.
 */
export async function announceDirectoryChange(url: string, prefix = 'baton'): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    // the bus's wire (RedisBus.wire): the sender's name on the first line, then the body
    const body: BusBody = { p: { kind: 'directory' } };
    await client.publish(busChannel(prefix), `cli\n${JSON.stringify(body)}`);
  } finally {
    client.disconnect();
  }
}

export class RedisBus implements Fanout, Presence {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly keys: { node: (id: string) => string; conns: (id: string) => string; nodes: string };
  private readonly heartbeatMs: number;
  private readonly ttlMs: number;
  private readonly log: Log;
  private readonly nodeId: string;
  private readonly sequencer: SessionSequencer;
  private deliver: ((publication: Publication, origin: 'local' | 'remote') => void) | null = null;
  /** this node's connections per agent: the truth the Redis hash is rebuilt from */
  private readonly local = new Map<AgentId, number>();
  /** agents connected anywhere, as of the last heartbeat (plus this node's own, at once) */
  private mirror = new Set<AgentId>();
  private heartbeat: NodeJS.Timeout | null = null;
  private canarySent = 0;
  private canarySeenAt = Date.now();
  private subscribed = false;
  private wasSubscribed = false;
  private closing = false;
  /** the subscription came back after a drop: what was published meanwhile is lost here, so clients must resume */
  onResync: (() => void) | null = null;

  constructor(options: RedisBusOptions) {
    const prefix = options.prefix ?? 'baton';
    this.nodeId = options.nodeId;
    this.channel = busChannel(prefix);
    this.keys = {
      node: (id) => `${prefix}:node:${id}`,
      conns: (id) => `${prefix}:conns:${id}`,
      nodes: `${prefix}:nodes`,
    };
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.ttlMs = this.heartbeatMs * 5;
    this.log = options.log;
    const common = {
      // keep trying: Redis holds nothing that cannot be rebuilt, so the node waits for it rather than give up
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      lazyConnect: true,
    };
    // commands fail at once while Redis is away instead of queueing without bound: what they carry is rebuilt later
    this.pub = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // a link that stops answering must not hold heartbeats and presence reads forever
      commandTimeout: Math.max(1000, this.heartbeatMs * 2),
    });
    this.sub = new Redis(options.url, { ...common, enableOfflineQueue: true, autoResubscribe: true });
    for (const [name, client] of [
      ['bus', this.pub],
      ['subscription', this.sub],
    ] as const) {
      client.on('error', (error: Error) => this.log({ event: 'bus-error', client: name, error: error.message }));
    }
    this.sub.on('message', (_channel: string, text: string) => this.received(text));
    this.sub.on('ready', () => void this.subscribeNow());
    this.sub.on('close', () => this.lost('closed'));
    this.sequencer = new SessionSequencer({
      deliver: (publication) => this.deliver?.(publication, this.origin(publication)),
      readGap: options.readGap,
      onError: (error) => this.log({ event: 'bus-gap-unread', error: String((error as Error)?.message ?? error) }),
    });
  }

  /** Connects both clients; resolves once subscribed, or after `waitMs` with the bus still coming up. */
  async start(waitMs = 5000): Promise<void> {
    this.pub.connect().catch(() => {});
    this.sub.connect().catch(() => {});
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    const deadline = Date.now() + waitMs;
    while (!this.subscribed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.beat();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.sequencer.reset();
    try {
      await this.pub.multi().del(this.keys.node(this.nodeId), this.keys.conns(this.nodeId)).srem(this.keys.nodes, this.nodeId).exec();
    } catch {
      // Redis away: the keys expire by themselves
    }
    this.pub.disconnect();
    this.sub.disconnect();
  }

  health(): BusHealth {
    // no canary back for a few heartbeats: deliveries have stopped, whatever the socket says
    const stalled = this.canarySilentMs() > this.heartbeatMs * STUCK_AFTER_BEATS;
    return {
      connected: this.pub.status === 'ready',
      subscribed: this.subscribed && !stalled,
      lastCanaryMs: this.canarySeenAt ? Date.now() - this.canarySeenAt : null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Fanout

  publish(publication: Publication): void {
    // delivered here at once (through the sequencer, which also orders what other nodes send) and to the others
    this.accept(publication, 'local');
    this.pub.publish(this.channel, this.wire({ p: publication })).catch((error: Error) => {
      // the other nodes' clients catch up by seq when the bus is back (their subscriptions dropped too)
      this.log({ event: 'bus-publish-failed', kind: publication.kind, error: error.message });
    });
  }

  subscribe(deliver: (publication: Publication, origin: 'local' | 'remote') => void): void {
    this.deliver = deliver;
  }

  private localPublications = new WeakSet<Publication>();

  private origin(publication: Publication): 'local' | 'remote' {
    return this.localPublications.has(publication) ? 'local' : 'remote';
  }

  private accept(publication: Publication, origin: 'local' | 'remote'): void {
    if (origin === 'local') this.localPublications.add(publication);
    if (publication.kind === 'session') this.sequencer.offer(publication);
    else this.deliver?.(publication, origin);
  }

  /** `<node id>\n<json>`: a node skips its own messages by their first line, without parsing them. */
  private wire(body: BusBody): string {
    return `${this.nodeId}\n${JSON.stringify(body)}`;
  }

  private received(text: string): void {
    const newline = text.indexOf('\n');
    const from = text.slice(0, newline);
    if (from === this.nodeId) {
      if (text.startsWith('{"ping"', newline + 1)) this.canarySeenAt = Date.now();
      return;
    }
    let body: BusBody;
    try {
      body = JSON.parse(text.slice(newline + 1)) as BusBody;
    } catch {
      body = {};
    }
    // what another node wrote, checked for its shape before it is turned into frames for our clients
    if (newline > 0 && body.p && isPublication(body.p)) this.accept(body.p, 'remote');
    else if (newline <= 0 || body.ping === undefined) this.log({ event: 'bus-bad-message', bytes: text.length });
  }

  private async subscribeNow(): Promise<void> {
    try {
      await this.sub.subscribe(this.channel);
    } catch (error) {
      this.log({ event: 'bus-error', client: 'subscription', error: (error as Error).message });
      return;
    }
    this.subscribed = true;
    this.canarySeenAt = Date.now();
    if (this.wasSubscribed) {
      this.log({ event: 'bus-resubscribed', nodeId: this.nodeId });
      this.sequencer.reset();
      this.onResync?.();
    }
    this.wasSubscribed = true;
  }

  private lost(reason: string): void {
    if (!this.subscribed || this.closing) return;
    this.subscribed = false;
    this.log({ event: 'bus-subscription-lost', nodeId: this.nodeId, reason });
  }

  // -------------------------------------------------------------------------------------------
  // Presence

  async attach(agentId: AgentId): Promise<void> {
    this.local.set(agentId, (this.local.get(agentId) ?? 0) + 1);
    this.mirror.add(agentId);
    try {
      await this.pub
        .multi()
        .hincrby(this.keys.conns(this.nodeId), agentId, 1)
        .pexpire(this.keys.conns(this.nodeId), this.ttlMs)
        .exec();
    } catch (error) {
      // rebuilt from `local` by the next heartbeat
      this.log({ event: 'bus-error', client: 'presence', error: (error as Error).message });
    }
  }

  async detach(agentId: AgentId): Promise<boolean> {
    const left = Math.max(0, (this.local.get(agentId) ?? 0) - 1);
    if (left) this.local.set(agentId, left);
    else this.local.delete(agentId);
    try {
      if (left) await this.pub.hset(this.keys.conns(this.nodeId), agentId, left);
      else await this.pub.hdel(this.keys.conns(this.nodeId), agentId);
      if (left) return false;
      const anywhere = await this.isConnectedNow(agentId);
      if (!anywhere) this.mirror.delete(agentId);
      return !anywhere;
    } catch (error) {
      this.log({ event: 'bus-error', client: 'presence', error: (error as Error).message });
      return left === 0;
    }
  }

  connected(): Iterable<AgentId> {
    return this.mirror;
  }

  async isConnectedNow(agentId: AgentId): Promise<boolean> {
    if (this.local.has(agentId)) return true;
    return (await this.connectedNow()).has(agentId);
  }

  /** Agents with a connection on a live node (one whose heartbeat key has not expired). */
  async connectedNow(): Promise<ReadonlySet<AgentId>> {
    const everyone = new Set<AgentId>(this.local.keys());
    try {
      const nodes = await this.pub.smembers(this.keys.nodes);
      const others = nodes.filter((id) => id !== this.nodeId);
      if (!others.length) return everyone;
      const batch = this.pub.pipeline();
      for (const id of others) batch.exists(this.keys.node(id)).hgetall(this.keys.conns(id));
      const replies = (await batch.exec()) ?? [];
      others.forEach((id, i) => {
        const alive = replies[i * 2]?.[1] === 1;
        const conns = (replies[i * 2 + 1]?.[1] ?? {}) as Record<string, string>;
        if (!alive) this.forgetNode(id);
        else for (const [agentId, count] of Object.entries(conns)) if (Number(count) > 0) everyone.add(agentId);
      });
    } catch (error) {
      // Redis away: only this node's own connections are known
      this.log({ event: 'bus-error', client: 'presence', error: (error as Error).message });
    }
    return everyone;
  }

  private forgetNode(id: string): void {
    this.pub.multi().srem(this.keys.nodes, id).del(this.keys.conns(id)).exec().catch(() => {});
  }

  private beating = false;
  /** when the last heartbeat ran: one that runs late means this process stalled, not the bus */
  private lastBeatAt = 0;

  /** Checks the subscription, refreshes this node's keys (rebuilding them after a Redis restart) and the mirror. */
  private async beat(): Promise<void> {
    // every tick counts, a skipped one too (a beat still waiting for Redis): only this process stalling makes one late.
    // After such a stall (a long GC, a CPU-starved machine) timers run before the socket reads that hold the canaries,
    // so silence seen in that turn is ours: the next tick on time judges the bus.
    const now = Date.now();
    const late = this.lastBeatAt !== 0 && now - this.lastBeatAt > this.heartbeatMs * 2;
    this.lastBeatAt = now;
    if (this.closing || this.beating) return;
    this.beating = true;
    try {
      if (!late && this.subscribed && this.sub.status === 'ready' && this.canarySilentMs() > this.heartbeatMs * STUCK_AFTER_BEATS) {
        // subscribed on paper, delivering nothing: drop the connection so it resubscribes and clients resume
        this.log({ event: 'bus-subscription-stuck', nodeId: this.nodeId });
        this.lost('stuck');
        this.sub.disconnect(true);
      }
      const conns = this.keys.conns(this.nodeId);
      const tx = this.pub
        .multi()
        .set(this.keys.node(this.nodeId), String(Date.now()), 'PX', this.ttlMs)
        .sadd(this.keys.nodes, this.nodeId)
        .del(conns);
      if (this.local.size) tx.hset(conns, Object.fromEntries(this.local)).pexpire(conns, this.ttlMs);
      await tx.exec();
      this.mirror = new Set(await this.connectedNow());
      if (this.subscribed) {
        await this.pub.publish(this.channel, this.wire({ ping: ++this.canarySent }));
      }
    } catch (error) {
      this.log({ event: 'bus-error', client: 'heartbeat', error: (error as Error).message });
    } finally {
      this.beating = false;
    }
  }

  /** How long since this node last saw its own canary (one is sent every heartbeat). */
  private canarySilentMs(): number {
    return Date.now() - this.canarySeenAt;
  }
}
