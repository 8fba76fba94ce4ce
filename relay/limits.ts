// Limits per party rather than per socket: token buckets keyed by who is behind a frame (an agent, a customer's chat,
// a remote address), counts of connections per key, and where a connection comes from when a trusted proxy says so.
// All of it is in this process's memory: in a cluster each node keeps its own (docs/relay.md says so).
import type http from 'node:http';

export interface Rate {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** One token bucket per key; a bucket that has filled up again is forgotten, so idle keys cost nothing. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: Rate,
    private readonly now: () => number = Date.now,
  ) {}

  private refill(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.rate.burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** Takes a token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const bucket = this.refill(key);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** How long until `key` has a token again (0 when it has one now). */
  waitMs(key: string): number {
    const bucket = this.refill(key);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / this.rate.perSecond) * 1000);
  }

  /** Drops buckets that are full again (called now and then). */
  sweep(): void {
    const now = this.now();
    const fullAfterMs = (this.rate.burst / this.rate.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= fullAfterMs) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** How many of something each key holds (connections per address, per agent). */
export class Counts {
  private readonly counts = new Map<string, number>();

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }

  remove(key: string): void {
    const left = this.get(key) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }
}

/**
 * The address a request comes from: the socket's peer, or, behind a reverse proxy that the operator named the header
 * of, the last address that proxy wrote (the entries before it were written by the client and prove nothing).
 */
export function remoteAddress(req: http.IncomingMessage, trustedProxyHeader: string | null): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (!trustedProxyHeader) return peer;
  const value = req.headers[trustedProxyHeader.toLowerCase()];
  const text = Array.isArray(value) ? value.at(-1) : value;
  const last = text?.split(',').at(-1)?.trim();
  return last && last.length <= 64 ? last : peer;
}

export interface AdmissionLimits {
  /** frames per second from one party: an agent (all their connections), a customer's chat (all its sockets) */
  rateLimit: Rate;
  /** frames per second from one address over all its customer connections */
  addressRateLimit: Rate;
  newChatsPerAddressPerMinute: number;
  /** new chats per second over every address (a burst of twice that): what a flood can make the relay write */
  newChatsPerSecond: number;
  maxQueuedChats: number;
  maxConnections: number;
  /** customer connections and upgrades still being checked, per address (signed-in agents are counted per agent) */
  maxConnectionsPerAddress: number;
  maxConnectionsPerAgent: number;
}

export type Refusal = { status: number; text: string; retryAfterMs?: number };

/** The party whose frames share one rate-limit bucket. */
export interface Party {
  id: string;
  kind: 'agent' | 'customer';
  agentId: string | null;
  sessionId: string | null;
  remote: string;
  /**
   * Admission's own: the party's bucket key, made when its first frame is counted and again once the chat changes
   * (a key made per frame was a new string to hash in every lookup, 1.5% of a message's CPU)
   */
  rateKey: { sessionId: string | null; key: string } | null;
}

/**
 * Decides what is let in: upgrades against the connection caps (total, per address, per agent), frames against the
 * per-party and per-address rates, and new chats against the per-address rate and the queue cap. The sentence of each
 * refusal is here, so docs/relay.md can list them from one place.
 */
export class Admission {
  private readonly byParty: TokenBuckets;
  private readonly byAddress: TokenBuckets;
  private readonly chatsByAddress: TokenBuckets;
  private readonly chats: TokenBuckets;
  private readonly addresses = new Counts();
  private readonly agents = new Counts();
  /** upgrades being checked (sign-in, Origin) and connections open */
  private total = 0;
  /** the store's count of queued chats at `readAt`, and the chats this node let open since (most are routed at once) */
  private queued: { count: number; openedSince: number; readAt: number; reading: Promise<number> | null } = {
    count: 0,
    openedSince: 0,
    readAt: 0,
    reading: null,
  };
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly limits: AdmissionLimits,
    private readonly countQueued: () => Promise<number>,
    private readonly now: () => number = Date.now,
  ) {
    this.byParty = new TokenBuckets(limits.rateLimit, now);
    this.byAddress = new TokenBuckets(limits.addressRateLimit, now);
    const perMinute = limits.newChatsPerAddressPerMinute;
    this.chatsByAddress = new TokenBuckets({ perSecond: perMinute / 60, burst: perMinute }, now);
    this.chats = new TokenBuckets({ perSecond: limits.newChatsPerSecond, burst: limits.newChatsPerSecond * 2 }, now);
    this.sweeper = setInterval(() => {
      this.byParty.sweep();
      this.byAddress.sweep();
      this.chatsByAddress.sweep();
      this.chats.sweep();
    }, 10_000);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /**
   * An upgrade arrives: refused when the relay or this address is full; otherwise it counts (as a connection from its
   * address) from now until `release` is called, whether it becomes a connection or not.
   */
  arrive(address: string): { refused: Refusal } | { release: () => void; signedIn: (agentId: string) => Refusal | null } {
    const { maxConnections, maxConnectionsPerAddress, maxConnectionsPerAgent } = this.limits;
    if (this.total >= maxConnections) {
      return { refused: { status: 503, text: 'the relay has as many connections as it takes; try again in a minute', retryAfterMs: 60_000 } };
    }
    if (this.addresses.get(address) >= maxConnectionsPerAddress) {
      return { refused: { status: 429, text: 'too many connections from your address; close some and try again', retryAfterMs: 10_000 } };
    }
    this.total += 1;
    this.addresses.add(address);
    let counted: 'address' | 'agent' | null = 'address';
    let agent: string | null = null;
    return {
      release: () => {
        if (counted === null) return;
        this.total -= 1;
        if (counted === 'address') this.addresses.remove(address);
        else this.agents.remove(agent!);
        counted = null;
      },
      // a signed-in agent is counted as themselves, not against the address many colleagues may share
      signedIn: (agentId) => {
        if (this.agents.get(agentId) >= maxConnectionsPerAgent) {
          return { status: 429, text: `you already have ${maxConnectionsPerAgent} connections to the relay; close a Baton window and try again`, retryAfterMs: 10_000 };
        }
        if (counted === 'address') this.addresses.remove(address);
        this.agents.add(agentId);
        counted = 'agent';
        agent = agentId;
        return null;
      },
    };
  }

  /** One frame from this party: false when its bucket (or, for customers, its address's) is empty. */
  frame(party: Party): boolean {
    if (party.kind === 'customer' && !this.byAddress.take(party.remote)) return false;
    return this.byParty.take(this.keyOf(party));
  }

  /** An agent's connections share the agent's bucket, a customer's those of the chat (before it, the connection's). */
  private keyOf(party: Party): string {
    const cached = party.rateKey;
    if (cached !== null && cached.sessionId === party.sessionId) return cached.key;
    const key = party.kind === 'agent' ? `agent:${party.agentId}` : party.sessionId ? `chat:${party.sessionId}` : `conn:${party.id}`;
    party.rateKey = { sessionId: party.sessionId, key };
    return key;
  }

  /** How long this party should wait before its next frame. */
  frameWaitMs(party: Party): number {
    const key = this.keyOf(party);
    return Math.max(this.byParty.waitMs(key), party.kind === 'customer' ? this.byAddress.waitMs(party.remote) : 0);
  }

  /** A customer asks for a new chat: refused when this address opened too many this minute, or the queue is full. */
  async newChat(address: string): Promise<{ code: 'rate-limited' | 'queue-full'; message: string; retryAfterMs?: number } | null> {
    const waitMs = this.chatsByAddress.waitMs(address);
    if (waitMs > 0) {
      return {
        code: 'rate-limited',
        message: 'Too many chats were started from your network in the last minute. Wait a moment and try again.',
        retryAfterMs: waitMs,
      };
    }
    const busyMs = this.chats.waitMs('all');
    if (busyMs > 0) {
      return {
        code: 'rate-limited',
        message: 'Many chats are being started right now. Wait a moment and try again.',
        retryAfterMs: Math.max(busyMs, 1000),
      };
    }
    if ((await this.queuedChats()) >= this.limits.maxQueuedChats) {
      return {
        code: 'queue-full',
        message: 'All our agents are busy and the queue is full. Please try again in a few minutes.',
        retryAfterMs: 60_000,
      };
    }
    this.chatsByAddress.take(address);
    this.chats.take('all');
    this.queued.openedSince += 1;
    return null;
  }

  /**
   * Queued chats: the store's count, read at most once a second, plus the chats this node opened since. That sum is an
   * upper bound (a chat opened since may have been routed at once), so before it refuses anyone it is read again: a
   * burst of more new chats per second than the queue's limit, all of them answered, is not "full". A queue that is
   * full adds nothing to the estimate (the refused open no chat), so refusing costs no more reads than once a second.
   */
  private async queuedChats(): Promise<number> {
    const q = this.queued;
    const age = this.now() - q.readAt;
    const doubtful = q.openedSince > 0 && q.count + q.openedSince >= this.limits.maxQueuedChats;
    if ((age >= 1000 || doubtful) && !q.reading) {
      q.reading = this.countQueued().finally(() => {
        q.reading = null;
      });
      const opened = q.openedSince;
      const count = await q.reading;
      // chats opened while the store was read may be in its count or not: kept in the estimate, as an upper bound
      q.count = count;
      q.openedSince -= opened;
      q.readAt = this.now();
    } else if (q.reading) {
      await q.reading;
    }
    return q.count + q.openedSince;
  }
}
