// A client for the restart storm: reconnects like the real ones (main/client/backoff.ts with RelayLink's tuning for
// agents, the customer page's ceiling for customers), resumes by seq, keeps an outbox of unacknowledged messages that it
// resends after each greeting, and records every event it holds by seq so that losses and doubles can be counted.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { Backoff, type BackoffOptions, retryAfterHeaderMs } from '../../main/client/backoff';
import { defaultTuning } from '../../main/client/relay-link';
import { basicAuthHeader } from '../../relay/auth';
import { AGENT_PASSWORD, agentName } from './targets';

/** The customer page's reconnect ceiling (relay/customer-page/chat.js, BACKOFF_CAP_MS) with the shared backoff. */
export const CUSTOMER_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 15_000, resetAfterMs: 10_000 };

/** Connection attempts and opened connections per 100 ms, for the peak connection rate. */
export class RateMeter {
  readonly attempts: number[] = [];
  readonly opens: number[] = [];
  constructor(private readonly origin: number) {}
  private bump(series: number[]): void {
    const bucket = Math.max(0, Math.floor((performance.now() - this.origin) / 100));
    while (series.length <= bucket) series.push(0);
    series[bucket]! += 1;
  }
  attempt(): void {
    this.bump(this.attempts);
  }
  opened(): void {
    this.bump(this.opens);
  }
  /** attempts that ended before a welcome, by why (refused, reset, closed by the relay with its code) */
  readonly failures = new Map<string, number>();
  failed(why: string): void {
    this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
  }
  /** the most in any one second (ten consecutive buckets) */
  static peakPerSecond(series: number[], from = 0): number {
    let best = 0;
    for (let i = from; i < series.length; i++) {
      let sum = 0;
      for (let k = i; k < Math.min(series.length, i + 10); k++) sum += series[k]!;
      best = Math.max(best, sum);
    }
    return best;
  }
}

interface OutboxEntry {
  sessionId: string;
  text: string;
}

interface HeldEvent {
  seq: number;
  kind: string;
  messageId?: string;
}

export class StormClient {
  private readonly backoff: Backoff;
  private ws: WebSocket | null = null;
  private stopped = false;
  private helloId = 0;
  /** the customer's resume token, once its chat is open */
  token: string | null = null;
  sessionId: string | null = null;
  /** for an agent: the chats it owns (learned from the welcome, replays and events) */
  readonly owned = new Set<string>();
  /** events held, by session then seq (the client's "cache") */
  readonly held = new Map<string, Map<number, HeldEvent>>();
  /** a seq that arrived again after it was held */
  redelivered = 0;
  /** messageId -> the chat and the seq its `ok` reported */
  readonly acked = new Map<string, { sessionId: string; seq: number }>();
  readonly outbox = new Map<string, OutboxEntry>();
  online = false;
  /** when the last greeting arrived, and when the outbox was empty again after it */
  greetedAt: number | null = null;
  resumedAt: number | null = null;
  closes = 0;
  /** an agent's sign-in token from its last welcome (RelayLink keeps one the same way) */
  private signInToken: string | null = null;
  /** connections this agent dropped because the welcome took longer than RelayLink waits */
  helloTimeouts = 0;
  onOpen: (() => void) | null = null;

  constructor(
    readonly kind: 'agent' | 'customer',
    readonly index: number,
    private readonly port: number,
    private readonly meter: { current: RateMeter | null },
    /** a customer's chat seeded in the data folder: it comes back to it by token instead of opening one */
    chat?: { sessionId: string; token: string },
  ) {
    this.backoff = new Backoff(kind === 'agent' ? defaultTuning.backoff : CUSTOMER_BACKOFF);
    if (chat) {
      this.sessionId = chat.sessionId;
      this.token = chat.token;
    }
  }

  /** The first connection: resolves once greeted (and, for a customer, given an agent). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onOpen = resolve;
      this.connect(reject);
    });
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
  }

  /** Sends now when online, else when the next greeting is done; a resend keeps the message id (stored once). */
  send(sessionId: string, messageId: string, text: string): void {
    this.outbox.set(messageId, { sessionId, text });
    if (this.online) this.transmit(messageId);
  }

  private transmit(messageId: string): void {
    const entry = this.outbox.get(messageId)!;
    const frame =
      this.kind === 'agent'
        ? { type: 'send', id: messageId, sessionId: entry.sessionId, messageId, text: entry.text }
        : { type: 'customer-send', id: messageId, messageId, text: entry.text };
    this.ws?.send(JSON.stringify(frame));
  }

  private hello(): object {
    const id = `h${++this.helloId}`;
    if (this.kind === 'agent') {
      const resume: Record<string, number> = {};
      for (const [sessionId, events] of this.held) resume[sessionId] = contiguous(events);
      return { type: 'hello', id, protocol: PROTOCOL_VERSION, resume };
    }
    if (!this.token) return { type: 'customer-hello', id, protocol: PROTOCOL_VERSION, name: `Customer ${this.index}` };
    const events = this.held.get(this.sessionId!);
    // customers see only some kinds, so their seqs have gaps: resume after the highest one held
    const lastSeq = events ? Math.max(0, ...events.keys()) : 0;
    return { type: 'customer-hello', id, protocol: PROTOCOL_VERSION, token: this.token, lastSeq };
  }

  private connect(failFirst?: (error: Error) => void): void {
    if (this.stopped) return;
    this.meter.current?.attempt();
    const path = this.kind === 'agent' ? AGENT_PATH : CUSTOMER_PATH;
    // as RelayLink does: the welcome's sign-in token instead of the password, once there is one
    const token = this.signInToken;
    const headers: Record<string, string> =
      this.kind === 'agent'
        ? { Authorization: token === null ? basicAuthHeader(agentName(this.index), AGENT_PASSWORD) : `Bearer ${token}` }
        : {};
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}${path}`, {
      headers,
      perMessageDeflate: false,
      handshakeTimeout: defaultTuning.connectTimeoutMs,
    });
    this.ws = ws;
    let greeted = false;
    // RelayLink gives up on a relay that does not answer hello in time and tries again; the customer page waits
    const welcomeTimer =
      this.kind === 'agent'
        ? setTimeout(() => {
            if (!greeted) {
              this.helloTimeouts += 1;
              ws.terminate();
            }
          }, defaultTuning.connectTimeoutMs)
        : undefined;
    ws.on('open', () => {
      this.meter.current?.opened();
      ws.send(JSON.stringify(this.hello()));
    });
    ws.on('message', (data) => {
      const text = data.toString();
      // every agent hears of every other agent's presence; nothing here needs it
      if (text.startsWith('{"type":"presence"')) return;
      const frame = JSON.parse(text);
      if (!greeted && (frame.type === 'welcome' || frame.type === 'customer-welcome')) {
        greeted = true;
        clearTimeout(welcomeTimer);
        this.greeted(frame);
        return;
      }
      this.onFrame(frame, failFirst);
    });
    let failure: string | null = null;
    let retryAfterMs: number | null = null;
    ws.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= error.code ?? error.message;
    });
    // as RelayLink does: a refused upgrade's Retry-After is believed (jittered), the backoff is for silent failures
    ws.on('unexpected-response', (_request, response) => {
      failure = `HTTP ${response.statusCode}`;
      retryAfterMs = this.kind === 'agent' ? retryAfterHeaderMs(response.headers['retry-after']) : null;
      // a refused token: the password, at once
      if (response.statusCode === 401 && token !== null) {
        this.signInToken = null;
        retryAfterMs = 0;
      }
      response.resume();
      ws.terminate();
    });
    ws.on('close', (code) => {
      clearTimeout(welcomeTimer);
      if (!greeted && !this.stopped) this.meter.current?.failed(failure ?? `closed ${code}`);
      if (this.ws === ws) this.ws = null;
      this.online = false;
      this.closes += 1;
      if (greeted) this.backoff.disconnected();
      if (this.stopped) return;
      if (this.onOpen && failFirst && !greeted) {
        failFirst(new Error(`${this.kind} ${this.index} could not connect`));
        return;
      }
      setTimeout(() => this.connect(), retryAfterMs === null ? this.backoff.next() : this.backoff.told(retryAfterMs));
    });
  }

  private greeted(frame: {
    type: string;
    sessionId?: string;
    token?: string;
    signInToken?: string;
    sessions?: Array<{ id: string; ownerId: string | null }>;
  }): void {
    if (frame.signInToken !== undefined) this.signInToken = frame.signInToken;
    this.backoff.connected();
    this.online = true;
    this.greetedAt = performance.now();
    this.resumedAt = null;
    if (frame.type === 'customer-welcome') {
      this.sessionId = frame.sessionId!;
      this.token = frame.token!;
    } else {
      for (const session of frame.sessions ?? []) if (session.ownerId === agentName(this.index)) this.owned.add(session.id);
    }
    for (const messageId of this.outbox.keys()) this.transmit(messageId);
    this.checkResumed();
    if (this.onOpen && (this.kind === 'agent' || this.assigned())) this.firstReady();
  }

  /** A customer's chat has an agent (a new chat waits for its assignment; a resumed one replays it). */
  private assigned(): boolean {
    return [...(this.held.get(this.sessionId!)?.values() ?? [])].some((e) => e.kind === 'assigned');
  }

  private firstReady(): void {
    const done = this.onOpen;
    this.onOpen = null;
    done?.();
  }

  private checkResumed(): void {
    if (this.online && this.resumedAt === null && this.outbox.size === 0) this.resumedAt = performance.now();
  }

  private onFrame(frame: Record<string, unknown>, failFirst?: (error: Error) => void): void {
    if (frame.type === 'event') {
      this.hold(frame.event as HeldEvent & { sessionId: string; ownerId?: string; agentId?: string });
    } else if (frame.type === 'replay') {
      for (const event of frame.events as HeldEvent[]) this.hold({ ...event, sessionId: frame.sessionId as string });
    } else if (frame.type === 'session') {
      const session = frame.session as { id: string; ownerId: string | null };
      if (session.ownerId === agentName(this.index)) this.owned.add(session.id);
    } else if (frame.type === 'ok' && this.outbox.has(frame.id as string)) {
      const messageId = frame.id as string;
      this.acked.set(messageId, { sessionId: this.outbox.get(messageId)!.sessionId, seq: (frame.result as { seq: number }).seq });
      this.outbox.delete(messageId);
      this.checkResumed();
    } else if (frame.type === 'error' && this.onOpen && failFirst) {
      failFirst(new Error(`${this.kind} ${this.index}: ${frame.message}`));
    }
    if (this.onOpen && this.kind === 'customer' && this.sessionId && this.assigned()) this.firstReady();
  }

  private hold(event: HeldEvent & { sessionId: string; agentId?: string }): void {
    let events = this.held.get(event.sessionId);
    if (!events) {
      events = new Map();
      this.held.set(event.sessionId, events);
    }
    if (events.has(event.seq)) {
      this.redelivered += 1;
      return;
    }
    events.set(event.seq, { seq: event.seq, kind: event.kind, messageId: event.messageId });
    if (this.kind === 'agent' && event.kind === 'assigned' && event.agentId === agentName(this.index)) this.owned.add(event.sessionId);
  }
}

/** The highest seq up to which every seq is held (agents see every event of their chats). */
function contiguous(events: Map<number, HeldEvent>): number {
  let seq = 0;
  while (events.has(seq + 1)) seq += 1;
  return seq;
}
