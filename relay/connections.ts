// This process's live connections: who is behind each (agent, customer of a chat), how frames reach them (held during
// a greeting, gated by the commit hook, corked per turn, serialised and framed once), slow consumers (a backlog that lasts, not
// one big write), connections that never say hello, closes and heartbeats.
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { AgentId, SessionId } from '../common/domain';
import type { ErrorCode } from '../common/errors';
import { CloseCodes, type CustomerFrame, type RelayFrame } from '../common/protocol';
import type { SessionPages } from './paging';
import type { LocalSockets, Log } from './ports';
import { agentInfoJson, EVENT_FRAME, eventJson, PRESENCE_FRAME, welcomeJson } from './wire';

/**
 * The relay's WebSocket class (ws's `WebSocket` server option): it carries its Connection, so one set of listeners
 * serves every socket (`this` is the socket) instead of closures per connection, and ws's own 1009 close gets a
 * sentence. Made once per relay, for its frame cap.
 */
export function relaySocketClass(maxFrameBytes: number) {
  return class RelaySocket extends WebSocket {
    connection: Connection | null = null;

    override close(code?: number, reason?: string | Buffer): void {
      super.close(code, code === CloseCodes.tooLarge && !reason ? `frame larger than ${maxFrameBytes} bytes` : reason);
    }
  };
}
export type RelaySocket = InstanceType<ReturnType<typeof relaySocketClass>>;

/**
 * A text frame as a server sends it (final, unmasked, uncompressed: the relay's server offers no permessage-deflate),
 * header and UTF-8 payload in one buffer. Framed once per text, it is written to every recipient's socket as it is:
 * ws's `send` built two option objects and two socket writes per frame and recipient (docs/performance.md, round 9).
 * `before` and `after` (ASCII) are written around `text`, not joined to it: a joined string would be copied whole once
 * more to be measured and written (~700 B per message, round 16).
 */
export function textFrame(text: string, before = '', after = ''): Buffer {
  const length = before.length + Buffer.byteLength(text) + after.length;
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  let at = head;
  if (before) at += frame.write(before, at, 'latin1');
  at += frame.write(text, at, 'utf8');
  if (after) frame.write(after, at, 'latin1');
  return frame;
}

export interface Connection {
  id: string;
  ws: RelaySocket;
  /** the TCP socket under `ws`, corked while a batch of frames is written to it */
  socket: Duplex;
  /** corked in this turn, listed in Connections' `corked` */
  corked: boolean;
  kind: 'agent' | 'customer';
  remote: string;
  /** the agent, for agent connections */
  agentId: AgentId | null;
  /** signed in with the password: its welcome carries a sign-in token for the connections after it */
  issueToken: boolean;
  /** the chat, for customer connections once they said hello */
  sessionId: SessionId | null;
  ready: boolean;
  /** while the greeting is read, what is sent to this connection waits here (framed), to follow the greeting */
  held: Buffer[] | null;
  /** an agent who sees every live chat */
  dashboard: boolean;
  alive: boolean;
  /** its place in the heartbeat's round (`startHeartbeat`), -1 before the heartbeat starts */
  heartbeatSlot: number;
  /** frames refused in a row for the rate limit */
  strikes: number;
  /** since when the backlog has been above the limit at every sample (null: it is not) */
  backlogSince: number | null;
  helloTimer: NodeJS.Timeout | null;
  /** the welcome's sessions not sent yet, and the cursor that asks for them */
  sessionPages: SessionPages | null;
  /** its rate-limit bucket's key (relay/limits.ts `Party`) */
  rateKey: { sessionId: string | null; key: string } | null;
}

export interface ConnectionsOptions {
  /** the engine's commit hook: nothing leaves before the writes it reports are committed */
  afterCommit: (task: () => void) => void;
  /** a connection whose unsent bytes stay above this for `slowConsumerMs` is closed as a slow consumer */
  maxBufferedBytes: number;
  slowConsumerMs: number;
  /** a connection that has not said hello after this long is closed */
  helloTimeoutMs: number;
  log: Log;
  /** counts each frame written (for /metrics) */
  frameOut?: (kind: Connection['kind']) => void;
}

/**
 * The heartbeat pings a slice of the connections every this many milliseconds, not all of them at once: 2,000 pings in
 * one turn (and their 2,000 pongs) stalled the relay's loop for ~40 ms and the peers' for up to 70, which was most of the
 * paced p99 of bench:relay (docs/performance.md, round 20).
 */
const HEARTBEAT_TICK_MS = 250;

/** A backlog this many times the limit is closed at once: memory is not held for a peer that will not read it. */
const HARD_BACKLOG_FACTOR = 16;

export class Connections implements LocalSockets {
  readonly all = new Set<Connection>();
  private readonly agents = new Map<AgentId, Set<Connection>>();
  private readonly customers = new Map<SessionId, Set<Connection>>();
  private readonly dashboards = new Set<AgentId>();
  /**
   * A committed batch sends several frames to the same sockets (event, summary, ok): corking each socket until the
   * current task ends turns them into one write system call per socket instead of one per frame. These are the
   * connections corked in this turn, in the first `corkedCount` slots: an array whose slots are reused rather than a
   * Set cleared each turn (the Set's table, grown again every turn, was 7% of what the message path gave the old
   * generation, docs/performance.md round 15).
   */
  private corked: (Connection | undefined)[] = [];
  private corkedCount = 0;
  /** the other list: a connection corked while `uncorkAll` runs goes to the next turn's list, not the one being read */
  private spare: (Connection | undefined)[] = [];
  /** the hub hands the same frame object to every recipient (owner, listeners, dashboards, customer) */
  private readonly serialised = new WeakMap<object, Buffer>();
  private lastEvent: object | null = null;
  private lastEventFrame: Buffer = Buffer.alloc(0);
  private heartbeat: NodeJS.Timeout | null = null;
  /** the heartbeat's slices: each tick pings one, so each connection is pinged once per period */
  private heartbeatSlots: Set<Connection>[] = [];
  private nextHeartbeatSlot = 0;
  private sampler: NodeJS.Timeout | null = null;

  constructor(private readonly options: ConnectionsOptions) {}

  add(ws: RelaySocket, socket: Duplex, kind: 'agent' | 'customer', agentId: AgentId | null, remote: string): Connection {
    const conn: Connection = {
      id: `c_${randomBytes(6).toString('base64url')}`,
      ws,
      socket,
      corked: false,
      kind,
      remote,
      agentId,
      issueToken: false,
      sessionId: null,
      ready: false,
      held: null,
      dashboard: false,
      alive: true,
      heartbeatSlot: -1,
      strikes: 0,
      backlogSince: null,
      helloTimer: null,
      sessionPages: null,
      rateKey: null,
    };
    ws.connection = conn;
    const { helloTimeoutMs } = this.options;
    conn.helloTimer = setTimeout(() => {
      conn.helloTimer = null;
      if (conn.ready) return;
      this.options.log({ event: 'hello-timeout', connId: conn.id, kind, remote });
      this.closeNow(conn, CloseCodes.helloTimeout, `no hello within ${Math.round(helloTimeoutMs / 100) / 10} seconds`);
    }, helloTimeoutMs);
    conn.helloTimer.unref();
    this.all.add(conn);
    this.joinHeartbeat(conn);
    return conn;
  }

  private joinHeartbeat(conn: Connection): void {
    const slots = this.heartbeatSlots;
    if (!slots.length) return;
    conn.heartbeatSlot = this.nextHeartbeatSlot;
    slots[conn.heartbeatSlot]!.add(conn);
    this.nextHeartbeatSlot = (this.nextHeartbeatSlot + 1) % slots.length;
  }

  /** The connection said hello: it is no longer closed for keeping quiet. */
  private greeted(conn: Connection): void {
    if (conn.helloTimer) clearTimeout(conn.helloTimer);
    conn.helloTimer = null;
  }

  /** The agent's connection said hello: it receives what is published for the agent (held until its greeting). */
  registerAgent(conn: Connection, dashboard: boolean): void {
    const agentId = conn.agentId!;
    conn.ready = true;
    this.greeted(conn);
    conn.held = [];
    conn.dashboard = dashboard;
    const conns = this.agents.get(agentId) ?? new Set<Connection>();
    this.agents.set(agentId, conns);
    conns.add(conn);
    if (dashboard) this.dashboards.add(agentId);
  }

  registerCustomer(conn: Connection, sessionId: SessionId): void {
    this.greeted(conn);
    conn.sessionId = sessionId;
    const conns = this.customers.get(sessionId) ?? new Set<Connection>();
    this.customers.set(sessionId, conns);
    conns.add(conn);
  }

  unregisterCustomer(conn: Connection): void {
    if (!conn.sessionId) return;
    const conns = this.customers.get(conn.sessionId);
    conns?.delete(conn);
    if (conns && !conns.size) this.customers.delete(conn.sessionId);
    conn.sessionId = null;
  }

  /** The connection closed; true when it was a greeted agent connection (the hub is told the agent left). */
  remove(conn: Connection): boolean {
    this.all.delete(conn);
    this.heartbeatSlots[conn.heartbeatSlot]?.delete(conn);
    this.greeted(conn);
    conn.sessionPages = null;
    if (conn.kind !== 'agent' || !conn.agentId) {
      this.unregisterCustomer(conn);
      return false;
    }
    const conns = this.agents.get(conn.agentId);
    if (!conns?.delete(conn) || !conn.ready) return false;
    if (!conns.size) {
      this.agents.delete(conn.agentId);
      this.dashboards.delete(conn.agentId);
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /** Sends once everything written so far is committed (and, embedded, fsynced). */
  private sendRaw(conn: Connection, frame: Buffer): void {
    this.options.afterCommit(() => this.sendNow(conn, frame));
  }

  private sendNow(conn: Connection, frame: Buffer): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (!conn.corked) {
      if (!this.corkedCount) process.nextTick(this.uncorkAll);
      conn.corked = true;
      this.corked[this.corkedCount++] = conn;
      conn.socket.cork();
    }
    // straight to the socket, already framed: ws's sender keeps no queue of its own for a server without compression
    // that sends no Blobs, so its pings and close frames keep their order with these (ws.bufferedAmount reads the socket)
    conn.socket.write(frame);
    this.options.frameOut?.(conn.kind);
    // right after a write the count includes what the kernel has not been offered yet, so only a backlog far past the
    // limit is judged here; a slow reader is judged by samples over time (startSampling)
    if (conn.ws.bufferedAmount > this.options.maxBufferedBytes * HARD_BACKLOG_FACTOR) this.slowConsumer(conn);
  }

  private slowConsumer(conn: Connection): void {
    this.options.log({ event: 'slow-consumer', connId: conn.id, agentId: conn.agentId, bufferedBytes: conn.ws.bufferedAmount });
    this.closeNow(conn, CloseCodes.policy, 'slow consumer: too much unread data');
  }

  private readonly uncorkAll = () => {
    const list = this.corked;
    const count = this.corkedCount;
    this.corked = this.spare;
    this.spare = list;
    this.corkedCount = 0;
    for (let i = 0; i < count; i++) {
      const conn = list[i]!;
      // cleared, not shortened: the slots stay for the next turn, and no closed connection is kept alive by them
      list[i] = undefined;
      conn.corked = false;
      conn.socket.uncork();
    }
  };

  /** A connection still being greeted keeps what it is sent until the greeting has gone out. */
  private deliver(conn: Connection, frame: Buffer): void {
    if (conn.held) conn.held.push(frame);
    else this.sendRaw(conn, frame);
  }

  send(conn: Connection, frame: RelayFrame | CustomerFrame): void {
    this.deliver(conn, textFrame(JSON.stringify(frame)));
  }

  /** `retryAfterMs`: for `rate-limited`, how long until this connection may send its next frame */
  sendError(conn: Connection, id: string | undefined, code: ErrorCode, message: string, retryAfterMs?: number): void {
    this.send(conn, { type: 'error', ...(id ? { id } : {}), code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }

  /** The greeting's frames, then whatever was held while it was read, in that order. */
  greet(conn: Connection, frames: Array<RelayFrame | CustomerFrame>): void {
    for (const frame of frames) this.sendRaw(conn, textFrame(frame.type === 'welcome' ? welcomeJson(frame) : JSON.stringify(frame)));
    const held = conn.held ?? [];
    conn.held = null;
    for (const framed of held) this.sendRaw(conn, framed);
  }

  /** a customer's event frames are framed in `toCustomer`, uncached; every other frame comes here */
  private framedOf(frame: RelayFrame | Exclude<CustomerFrame, { type: 'event' }>): Buffer {
    // an event frame's text is the event's one serialisation with a fixed head: no WeakMap entry of its own (one per
    // message frame cost the garbage collector more than it saved), only the last one framed, for the next recipient
    if (frame.type === 'event') {
      if (frame.event !== this.lastEvent) {
        this.lastEvent = frame.event;
        this.lastEventFrame = textFrame(eventJson(frame.event), EVENT_FRAME.before, EVENT_FRAME.after);
      }
      return this.lastEventFrame;
    }
    let framed = this.serialised.get(frame);
    if (framed === undefined) {
      framed = textFrame(JSON.stringify(frame));
      this.serialised.set(frame, framed);
    }
    return framed;
  }

  // -------------------------------------------------------------------------------------------
  // LocalSockets (what deliveries write to)

  toAgent(agentId: AgentId, frame: RelayFrame): void {
    const conns = this.agents.get(agentId);
    if (!conns?.size) return;
    const framed = this.framedOf(frame);
    for (const conn of conns) this.deliver(conn, framed);
  }

  toAllAgents(frame: RelayFrame): void {
    const framed =
      frame.type === 'presence'
        ? textFrame(agentInfoJson(frame.agent), PRESENCE_FRAME.before, PRESENCE_FRAME.after)
        : textFrame(JSON.stringify(frame));
    for (const conns of this.agents.values()) for (const conn of conns) this.deliver(conn, framed);
  }

  dashboardViewers(): Iterable<AgentId> {
    return this.dashboards;
  }

  toCustomer(sessionId: SessionId, frame: CustomerFrame): void {
    const conns = this.customers.get(sessionId);
    if (!conns?.size) return;
    // a customer's view of an event is made for this one delivery: serialised here, not cached (two WeakMap entries
    // per message cost more than they could ever save)
    const framed =
      frame.type === 'event' ? textFrame(JSON.stringify(frame.event), EVENT_FRAME.before, EVENT_FRAME.after) : this.framedOf(frame);
    for (const conn of conns) this.deliver(conn, framed);
  }

  closeAgent(agentId: AgentId, code: number, reason: string): void {
    for (const conn of this.agents.get(agentId) ?? []) this.close(conn, code, reason);
    // a connection still between the upgrade and its hello is closed as well
    for (const conn of this.all) if (conn.kind === 'agent' && conn.agentId === agentId && !conn.ready) this.close(conn, code, reason);
  }

  endCustomer(sessionId: SessionId): void {
    // after the current command's answer has been queued on the socket
    setImmediate(() => {
      for (const conn of this.customers.get(sessionId) ?? []) this.close(conn, CloseCodes.sessionEnded, 'the chat has ended');
    });
  }

  // -------------------------------------------------------------------------------------------
  // Closing and liveness

  /** Closes once what was sent before is committed (so the close does not overtake an answer). */
  close(conn: Connection, code: number, reason: string): void {
    this.options.afterCommit(() => this.closeNow(conn, code, reason));
  }

  closeNow(conn: Connection, code: number, reason: string): void {
    if (conn.ws.readyState === conn.ws.CLOSED || conn.ws.readyState === conn.ws.CLOSING) return;
    conn.ws.close(code, reason);
    // a peer that does not read cannot finish the closing handshake either
    setTimeout(() => conn.ws.terminate(), 2000).unref();
  }

  /** Every connection, closed now with this code (commit failed, bus lost messages, shutdown). */
  closeAll(code: number, reason: string): void {
    for (const conn of this.all) this.closeNow(conn, code, reason);
  }

  /**
   * Pings every connection once per period; one that did not answer its previous ping (nor sent any frame since) is
   * terminated. The connections are pinged a slice at a time, every `HEARTBEAT_TICK_MS`, so the pings and their pongs
   * are spread over the period instead of arriving in one burst.
   */
  startHeartbeat(periodMs: number): void {
    this.stopHeartbeatTimer();
    const slices = Math.max(1, Math.round(periodMs / HEARTBEAT_TICK_MS));
    this.heartbeatSlots = Array.from({ length: slices }, () => new Set<Connection>());
    this.nextHeartbeatSlot = 0;
    for (const conn of this.all) this.joinHeartbeat(conn);
    let slot = 0;
    this.heartbeat = setInterval(() => {
      const due = this.heartbeatSlots[slot]!;
      slot = (slot + 1) % slices;
      for (const conn of due) {
        if (!conn.alive) {
          this.options.log({ event: 'heartbeat-timeout', connId: conn.id, agentId: conn.agentId });
          conn.ws.terminate();
          continue;
        }
        conn.alive = false;
        try {
          conn.ws.ping();
        } catch {
          conn.ws.terminate();
        }
      }
    }, periodMs / slices);
    this.heartbeat.unref();
  }

  private stopHeartbeatTimer(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  stopHeartbeat(): void {
    this.stopHeartbeatTimer();
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
  }

  /**
   * Samples every connection's unsent bytes a few times per `slowConsumerMs`: one whose backlog was above the limit at
   * every sample for that long does not keep up and is closed. A fast reader of a big answer drains between samples.
   */
  startSampling(): void {
    const { maxBufferedBytes, slowConsumerMs } = this.options;
    this.sampler = setInterval(
      () => {
        const now = Date.now();
        for (const conn of this.all) {
          if (conn.ws.readyState !== conn.ws.OPEN) continue;
          if (conn.ws.bufferedAmount <= maxBufferedBytes) conn.backlogSince = null;
          else if (conn.backlogSince === null) conn.backlogSince = now;
          else if (now - conn.backlogSince >= slowConsumerMs) this.slowConsumer(conn);
        }
      },
      Math.max(10, Math.min(1000, Math.floor(slowConsumerMs / 4))),
    );
    this.sampler.unref();
  }
}
