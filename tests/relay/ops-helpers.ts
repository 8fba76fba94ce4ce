// Helpers for the operations tests: a relay as a child process (so SIGTERM is real), a TCP balancer in front of
// nodes, clients that keep reconnecting and resending like the real ones (the agent's RelayLink itself, and a customer
// that behaves like the chat page), and a reader of Prometheus text.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { WebSocket } from 'ws';
import type { ConnectionState } from '../../common/bridge';
import type { SessionEvent } from '../../common/domain';
import { CloseCodes, CUSTOMER_PATH, PROTOCOL_VERSION, type RelayFrame } from '../../common/protocol';
import { afterEach, expect } from 'vitest';
import { RelayLink } from '../../main/client/relay-link';
import { type Frame, messageId, removeDir, repoRoot, startTestRelay, type TestClient, type TestRelay } from './helpers';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a test file starts: cleanups run after each test (last first), clients closed, relays closed and removed. */
export function testScope() {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const later = (cleanup: () => Promise<unknown> | unknown) => {
    cleanups.push(cleanup);
  };
  const track = <T extends TestClient | LinkedAgent | ResumingCustomer>(client: T): T => {
    later(() => (client instanceof LinkedAgent || client instanceof ResumingCustomer ? client.stop() : client.close()));
    return client;
  };
  const relay = async (options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> => {
    const started = await startTestRelay(options);
    later(() => removeDir(started.dataDir));
    later(() => started.close());
    return started;
  };
  return { later, track, relay };
}

/** The CLI as a child process, without blocking this event loop (a relay under test may run on it). */
export function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], { cwd: repoRoot, env: { ...process.env, BATON_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

// ---------------------------------------------------------------------------------------------
// A relay in a child process

export interface RelayProcess {
  child: ChildProcess;
  nodeId: string;
  httpUrl: string;
  wsUrl: string;
  port: number;
  /** everything it printed so far */
  output(): string;
  /** sends the signal and resolves once it exited: its exit code and how long it took */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
  close(): Promise<void>;
}

/** `npm run relay -- <args>` as a child process; resolves once it listens. */
export async function spawnRelay(args: string[], env: Record<string, string> = {}): Promise<RelayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the relay did not start: ${out}`)), 30_000);
    const read = (chunk: Buffer) => {
      out += chunk;
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then((code) => reject(new Error(`the relay exited with ${code}: ${out}`)));
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const began = Date.now();
    if (child.exitCode === null) child.kill(signal);
    return { code: await exited, ms: Date.now() - began };
  };
  return {
    child,
    nodeId: 'child',
    httpUrl,
    wsUrl: httpUrl.replace('http', 'ws'),
    port: Number(new URL(httpUrl).port),
    output: () => out,
    stop,
    close: async () => {
      await stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A balancer: each new connection goes to the next target that accepts it (like nginx with proxy_next_upstream)

export interface Balancer {
  wsUrl: string;
  /** connections each target port accepted */
  readonly accepted: Map<number, number>;
  close(): Promise<void>;
}

export async function startBalancer(targets: () => number[]): Promise<Balancer> {
  const sockets = new Set<net.Socket>();
  const accepted = new Map<number, number>();
  let turn = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const list = targets();
    const start = turn++;
    const attempt = (i: number) => {
      if (i >= list.length || client.destroyed) {
        client.destroy();
        return;
      }
      const port = list[(start + i) % list.length]!;
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        accepted.set(port, (accepted.get(port) ?? 0) + 1);
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', () => {
        if (!connected) attempt(i + 1);
        else upstream.destroy();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Clients that come back by themselves

/** JSON with keys sorted: an event read back from the store has its keys in the schema's order, a live one in its own */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * Errors after which a send is tried again with the same message id, as the agent's outbox and the page do
 * (`rate-limited` after the wait the relay named: a backlog flushed on reconnect, or a stalled machine, bunches sends).
 */
const RETRYABLE = new Set(['not-connected', 'timeout', 'unavailable', 'rate-limited']);

/** An agent on the real RelayLink, resuming by seq, resending a message until it is acknowledged. */
export class LinkedAgent {
  readonly link: RelayLink;
  readonly states: Array<ConnectionState & { at: number }> = [];
  readonly frames: RelayFrame[] = [];
  /** every event received, per session, by seq (a replay of one it has is the same event) */
  readonly events = new Map<string, Map<number, SessionEvent>>();
  /** seqs received more than once with different content (would be a doubled or rewritten event) */
  readonly conflicts: string[] = [];
  readonly closeCodes: number[] = [];
  readonly sent = new Set<string>();

  constructor(
    url: string,
    readonly user: string,
    backoff = { baseMs: 100, capMs: 1000, resetAfterMs: 2000 },
  ) {
    this.link = new RelayLink({
      relayUrl: url,
      user,
      password: 'demo',
      resume: () => Object.fromEntries([...this.events.keys()].map((id) => [id, this.contiguous(id)])),
      onWelcome: () => {},
      onFrame: (frame) => this.received(frame),
      log: (entry) => {
        if (entry.event === 'link-closed') this.closeCodes.push(entry.code as number);
      },
      tuning: { backoff, commandTimeoutMs: 8000, connectTimeoutMs: 8000 },
    });
    this.link.onState((state) => this.states.push({ ...state, at: Date.now() }));
  }

  async start(): Promise<this> {
    const outcome = await this.link.start();
    if (outcome.kind !== 'welcome') throw new Error(`${this.user} could not sign in: ${JSON.stringify(outcome)}`);
    return this;
  }

  stop(): void {
    this.link.stop();
  }

  private received(frame: RelayFrame): void {
    this.frames.push(frame);
    const events = frame.type === 'event' ? [frame.event] : frame.type === 'replay' ? frame.events : [];
    for (const event of events) {
      const seen = this.events.get(event.sessionId) ?? new Map<number, SessionEvent>();
      this.events.set(event.sessionId, seen);
      const before = seen.get(event.seq);
      if (before && canonical(before) !== canonical(event)) this.conflicts.push(`${event.sessionId}#${event.seq}`);
      seen.set(event.seq, event);
    }
  }

  /** the last seq held with none missing before it */
  contiguous(sessionId: string): number {
    const seen = this.events.get(sessionId);
    let seq = 0;
    while (seen?.has(seq + 1)) seq += 1;
    return seq;
  }

  /** chats this agent owns now, from the summaries it was sent */
  owned(): string[] {
    const latest = new Map<string, Frame>();
    for (const frame of this.frames) if (frame.type === 'session') latest.set(frame.session.id, frame.session);
    return [...latest.values()].filter((s) => s.ownerId === this.user && s.state === 'active').map((s) => s.id);
  }

  /** Sends a chat message, resending it with the same id until the relay acknowledges it. */
  async send(sessionId: string, text: string): Promise<string> {
    const id = messageId();
    this.sent.add(id);
    let last = '';
    for (let attempt = 0; attempt < 100; attempt++) {
      const answer = await this.link.request({ type: 'send', sessionId, messageId: id, text });
      if (answer.ok) return id;
      last = `${answer.error.code}: ${answer.error.message}`;
      if (!RETRYABLE.has(answer.error.code)) throw new Error(`${this.user}: send failed: ${last}`);
      await sleep(Math.max(100, answer.error.retryAfterMs ?? 0));
      await waitUntil(() => this.link.online, 20_000, `${this.user} online again`);
    }
    throw new Error(`${this.user}: send never acknowledged; last answer ${last}`);
  }

  /** Periods the link spent not online after being online, in ms (each reconnect) */
  gaps(): Array<{ ms: number; offline: boolean }> {
    const gaps: Array<{ ms: number; offline: boolean }> = [];
    let leftAt: number | null = null;
    let offline = false;
    for (const state of this.states) {
      if (state.status === 'online') {
        if (leftAt !== null) gaps.push({ ms: state.at - leftAt, offline });
        leftAt = null;
        offline = false;
      } else if (leftAt === null && this.states.some((s) => s.status === 'online' && s.at <= state.at)) {
        leftAt = state.at;
      }
      if (state.status === 'offline' && leftAt !== null) offline = true;
    }
    return gaps;
  }
}

/** A customer that behaves like the chat page: token and last seq kept, 4012 reconnects at once, resends unacknowledged messages. */
export class ResumingCustomer {
  sessionId: string | null = null;
  private token: string | null = null;
  private lastSeq = 0;
  private ws: WebSocket | null = null;
  private stopped = false;
  private welcomed: (() => void) | null = null;
  /** messages not acknowledged yet, by id */
  readonly unacked = new Map<string, string>();
  readonly acked = new Set<string>();
  /** events by seq, as received (live or replayed) */
  readonly events = new Map<number, Frame>();
  readonly conflicts: string[] = [];
  readonly closeCodes: number[] = [];
  /** when each connection closed and when the next was welcomed */
  readonly gaps: number[] = [];
  private closedAt: number | null = null;
  private pending = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly url: () => string,
    readonly name: string,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve) => {
      this.welcomed = resolve;
      this.connect();
    });
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.sessionId !== null && this.closedAt === null;
  }

  send(text: string): string {
    const id = messageId();
    this.unacked.set(id, text);
    if (this.connected) this.transmit(id, text);
    return id;
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  messages(): Frame[] {
    return [...this.events.values()].filter((e) => e.kind === 'message');
  }

  private transmit(id: string, text: string): void {
    const commandId = `k${++this.counter}`;
    this.pending.set(commandId, id);
    this.ws?.send(JSON.stringify({ type: 'customer-send', id: commandId, messageId: id, text }));
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(`${this.url()}${CUSTOMER_PATH}`);
    this.ws = ws;
    ws.on('open', () => {
      const hello = this.token ? { token: this.token, lastSeq: this.lastSeq } : { name: this.name };
      ws.send(JSON.stringify({ type: 'customer-hello', id: 'hello', protocol: PROTOCOL_VERSION, ...hello }));
    });
    ws.on('message', (data) => this.received(JSON.parse(data.toString()) as Frame));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.closeCodes.push(code);
      this.closedAt ??= Date.now();
      this.pending.clear();
      if (this.stopped) return;
      // like the page: "reconnect now" at once, anything else after a short wait
      if (code === CloseCodes.reconnect) this.connect();
      else setTimeout(() => this.connect(), 100);
    });
  }

  private received(frame: Frame): void {
    if (frame.type === 'customer-welcome') {
      this.token = frame.token;
      this.sessionId = frame.sessionId;
      if (this.closedAt !== null) this.gaps.push(Date.now() - this.closedAt);
      this.closedAt = null;
      for (const [id, text] of this.unacked) this.transmit(id, text);
      this.welcomed?.();
      this.welcomed = null;
      return;
    }
    const events = frame.type === 'event' ? [frame.event] : frame.type === 'replay' ? frame.events : [];
    for (const event of events) {
      const before = this.events.get(event.seq);
      if (before && canonical(before) !== canonical(event)) this.conflicts.push(`#${event.seq}: ${canonical(before)} then ${canonical(event)}`);
      this.events.set(event.seq, event);
      this.lastSeq = Math.max(this.lastSeq, event.seq);
    }
    if (frame.type === 'ok') {
      const id = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      if (id) {
        this.unacked.delete(id);
        this.acked.add(id);
      }
    }
    // an error (unavailable, draining): the message stays unacknowledged and goes again after the next welcome
  }
}

// ---------------------------------------------------------------------------------------------
// Prometheus text

/** Every sample of a scrape, keyed as `name{label="value",…}` with the labels in the order they were written. */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** One sample: `sample(m, 'baton_connections', { kind: 'agent' })`; labels may be given in any order. */
export function sample(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const [key, value] of samples) {
    const open = key.indexOf('{');
    if ((open === -1 ? key : key.slice(0, open)) !== name) continue;
    const have = open === -1 ? '' : key.slice(open + 1, -1);
    const parsed = new Map([...have.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (parsed.size === wanted.length && wanted.every(([k, v]) => parsed.get(k) === v)) return value;
  }
  return undefined;
}

export async function scrape(url: string, token?: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

// ---------------------------------------------------------------------------------------------
// After traffic through restarts

/**
 * Nothing lost or doubled: every customer comes to hold each message of its chat once, every agent the log of each
 * chat it owns with no gap, no client was sent two versions of one seq, and the store holds each message sent exactly
 * once (`log`: every stored event per chat, in seq order).
 */
export async function expectNothingLostOrDoubled(log: Map<string, Frame[]>, customers: ResumingCustomer[], agents: LinkedAgent[]): Promise<void> {
  for (const c of customers) {
    const messages = log.get(c.sessionId!)!.filter((e) => e.kind === 'message').map((e) => e.messageId as string);
    await waitUntil(
      () => {
        const held = new Set(c.messages().map((e) => e.messageId));
        return messages.every((id) => held.has(id));
      },
      10_000,
      `${c.name} to hold every message of its chat`,
    );
    expect(c.messages().length, `${c.name} holds each message once`).toBe(messages.length);
    expect(c.conflicts).toEqual([]);
  }
  for (const a of agents) {
    expect(a.conflicts).toEqual([]);
    for (const sessionId of a.owned()) {
      const last = log.get(sessionId)!.at(-1)!.seq as number;
      await waitUntil(() => a.contiguous(sessionId) >= last, 10_000, `${a.user} to hold ${sessionId} to seq ${last} without a gap`);
    }
  }
  const sent = [...customers.flatMap((c) => [...c.acked]), ...agents.flatMap((a) => [...a.sent])];
  const stored = [...log.values()].flat().filter((e) => e.kind === 'message').map((e) => e.messageId as string);
  expect(stored.length, 'each message stored once').toBe(new Set(stored).size);
  expect([...new Set(stored)].sort()).toEqual([...new Set(sent)].sort());
  for (const [sessionId, events] of log) expect(events.map((e) => e.seq), sessionId).toEqual(events.map((_, i) => i + 1));
}
