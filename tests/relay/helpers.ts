// Test helpers for the relay: start one on a temp folder, and connect agents and customers that record every frame.
import { spawn } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { type AgentRole, fold, type SessionEvent, type SessionSummary } from '../../common/domain';
import type { z } from 'zod';
import {
  AGENT_PATH,
  CUSTOMER_PATH,
  CustomerFrameSchema,
  describeZodError,
  PROTOCOL_VERSION,
  RelayFrameSchema,
} from '../../common/protocol';
import { basicAuthHeader, hashPassword } from '../../relay/auth';
import { type RelayOptions, type RunningRelay, startRelay } from '../../relay/server';
import { openSqliteStore } from '../../relay/store/sqlite';

// biome-ignore lint/suspicious/noExplicitAny: frames are inspected loosely in tests
export type Frame = Record<string, any>;

export function tempDir(): string {
  return fs.mkdtempSync(`${os.tmpdir()}/baton-`);
}

export interface TestRelay extends RunningRelay {
  dataDir: string;
  logs: Frame[];
}

/** Starts a deployment for a test: one embedded relay, or a cluster whose nodes share the connections. */
export type StartRelay = (options?: Partial<RelayOptions>) => Promise<TestRelay>;

/**
 * For a suite run against `start`: the relays and clients made through it are closed, and their folders removed,
 * after each test.
 */
export function deployment(start: StartRelay) {
  const running: TestRelay[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const relay of running.splice(0)) {
      await relay.close();
      removeDir(relay.dataDir);
    }
  });
  const track = <T extends TestClient>(client: T): T => {
    clients.push(client);
    return client;
  };
  return {
    relay: async (options: Partial<RelayOptions> = {}) => {
      const relay = await start(options);
      running.push(relay);
      return relay;
    },
    agent: async (relay: TestRelay, user: string, options: Parameters<typeof connectAgent>[2] = {}) =>
      track(await connectAgent(relay, user, options)),
    customer: async (relay: TestRelay, hello: Parameters<typeof connectCustomer>[1] = { name: 'Customer' }) =>
      track(await connectCustomer(relay, hello)),
    track,
  };
}

/** A relay with the demo accounts (alice, bob, carol, maria; password "demo") in a fresh temp folder. */
export async function startTestRelay(options: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const dataDir = options.dataDir ?? tempDir();
  const logs: Frame[] = [];
  const relay = await startRelay({
    demo: true,
    synchronous: 'NORMAL',
    offlineGraceMs: 200,
    ...options,
    dataDir,
    log: (entry) => logs.push(entry as Frame),
  });
  return { ...relay, dataDir, logs };
}

/** Adds an account to a relay data folder (the relay reads accounts on every sign-in). */
export function addAccount(
  dataDir: string,
  account: { id: string; name?: string; role?: AgentRole; canListenIn?: boolean; password?: string },
): void {
  const store = openSqliteStore(dataDir);
  try {
    store.createAccount({
      id: account.id,
      name: account.name ?? account.id,
      role: account.role ?? 'agent',
      canListenIn: account.canListenIn ?? false,
      passwordHash: hashPassword(account.password ?? 'demo'),
    });
  } finally {
    store.close();
  }
}

/** scrypt at a low cost, for tests whose subject is not sign-in speed */
export function cheapHash(password: string): string {
  const salt = Buffer.from('model-test-salt!');
  const hash = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** A client's text frame (masked, as RFC 6455 requires of clients), for payloads under 64 KB. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const head = payload.length < 126 ? 2 : 4;
  const frame = Buffer.alloc(head + 4 + payload.length);
  frame[0] = 0x81;
  if (head === 2) frame[1] = 0x80 | payload.length;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(payload.length, 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, head);
  for (let i = 0; i < payload.length; i++) frame[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

let counter = 0;
export const nextId = (prefix = 'c') => `${prefix}${++counter}`;
export const messageId = () => `msg-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export class TestClient {
  readonly frames: Frame[] = [];
  private readonly consumed = new Set<Frame>();
  private readonly consumedEvents = new Set<Frame>();
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed = false;

  /** frames that did not match the protocol's schema: any one fails the test that waits on this client */
  readonly invalid: string[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly label: string,
    /** what this client may receive; a frame outside it is an error, never skipped */
    private readonly schema: z.ZodType | null = null,
  ) {
    ws.on('message', (data) => {
      const text = data.toString();
      let frame: Frame;
      try {
        frame = JSON.parse(text);
      } catch {
        this.invalid.push(`not JSON: ${text.slice(0, 200)}`);
        this.wake();
        return;
      }
      const checked = this.schema?.safeParse(frame);
      if (checked && !checked.success) this.invalid.push(`${describeZodError(checked.error)}: ${text.slice(0, 300)}`);
      this.frames.push(frame);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => {});
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  send(frame: Frame | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * Sends commands (ids added) in one write to the socket, so the relay reads them in one chunk and handles them in
   * one turn, one after another with nothing in between; returns their ids.
   */
  fireTogether(frames: Frame[]): string[] {
    const ids = frames.map((frame) => (frame.id as string | undefined) ?? nextId());
    const bytes = frames.map((frame, i) => maskedTextFrame(JSON.stringify({ ...frame, id: ids[i] })));
    // (ws keeps no queue of its own while nothing else is being sent: these bytes go out as they are)
    (this.ws as unknown as { _socket: { write(bytes: Buffer): void } })._socket.write(Buffer.concat(bytes));
    return ids;
  }

  /** Sends a command (an id is added when missing) without waiting; returns its id. */
  fire(frame: Frame): string {
    const id = (frame.id as string | undefined) ?? nextId();
    this.send({ ...frame, id });
    return id;
  }

  /** Sends a command and resolves with its `ok` or `error` answer. */
  async command(frame: Frame): Promise<Frame> {
    return this.answer(this.fire(frame));
  }

  /** Like command, but fails the test unless the answer is `ok`; resolves with its result. */
  async ok(frame: Frame): Promise<Frame> {
    const answer = await this.command(frame);
    if (answer.type !== 'ok') throw new Error(`${this.label}: ${frame.type} failed: ${JSON.stringify(answer)}`);
    return answer.result;
  }

  /**
   * Like ok, for a client writing as fast as it is answered: a `rate-limited` answer is sent again after the wait it
   * names, as the agent's outbox and the customer page do (same message id, so nothing is stored twice).
   */
  async okPaced(frame: Frame, attempts = 20): Promise<Frame> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.command(frame);
      if (answer.type === 'ok') return answer.result;
      if (answer.code !== 'rate-limited' || attempt >= attempts) {
        throw new Error(`${this.label}: ${frame.type} failed: ${JSON.stringify(answer)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(20, answer.retryAfterMs ?? 100)));
    }
  }

  answer(id: string, timeoutMs = 5000): Promise<Frame> {
    return this.next((f) => (f.type === 'ok' || f.type === 'error') && f.id === id, timeoutMs, `answer to ${id}`);
  }

  /** The first frame not yet returned by `next` that matches; fails after the timeout. */
  next(predicate: (frame: Frame) => boolean, timeoutMs = 5000, what = 'a matching frame'): Promise<Frame> {
    return this.waitFor(
      () => this.frames.find((f) => !this.consumed.has(f) && predicate(f)),
      (found) => this.consumed.add(found),
      () => `last frames: ${JSON.stringify(this.frames.slice(-6)).slice(0, 2000)}`,
      what,
      timeoutMs,
    );
  }

  /** The next session event of a kind not yet returned here, whether it came live or in a replay. */
  event(kind: string, sessionId?: string, timeoutMs = 5000): Promise<Frame> {
    return this.eventWhere((e) => e.kind === kind && (!sessionId || e.sessionId === sessionId), `event ${kind}`, timeoutMs);
  }

  eventWhere(predicate: (event: Frame) => boolean, what = 'a matching event', timeoutMs = 5000): Promise<Frame> {
    const events = () => this.frames.flatMap((f) => (f.type === 'event' ? [f.event] : f.type === 'replay' ? f.events : []));
    return this.waitFor(
      () => events().find((e: Frame) => !this.consumedEvents.has(e) && predicate(e)),
      (found) => this.consumedEvents.add(found),
      () => `events seen: ${events().map((e: Frame) => e.kind).join(', ')}`,
      what,
      timeoutMs,
    );
  }

  /** Resolves with what `find` returns once it returns something, re-checking on each frame; fails on timeout or close. */
  private waitFor(
    find: () => Frame | undefined,
    take: (found: Frame) => void,
    seen: () => string,
    what: string,
    timeoutMs: number,
  ): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.label}: timed out waiting for ${what}; ${seen()}`));
      }, timeoutMs);
      const check = () => {
        if (this.invalid.length) {
          clearTimeout(timer);
          reject(new Error(`${this.label} received a frame outside the protocol: ${this.invalid[0]}`));
          return;
        }
        const found = find();
        if (found) {
          clearTimeout(timer);
          take(found);
          resolve(found);
        } else if (this.isClosed) {
          clearTimeout(timer);
          reject(new Error(`${this.label}: connection closed while waiting for ${what}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }


  /** Resolves once `holds` is true of what this connection has received (checked on every frame). */
  until(holds: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return this.waitFor(
      () => (holds() ? ({} as Frame) : undefined),
      () => {},
      () => `last frames: ${JSON.stringify(this.frames.slice(-6)).slice(0, 2000)}`,
      what,
      timeoutMs,
    ).then(() => {});
  }

  /**
   * The session as a client holds it: the last summary received (a `session` frame or the welcome), with the message
   * events received after it folded in, as the relay expects of a chat's audience (protocol.md).
   */
  view(sessionId: string): Frame | null {
    let summary: Frame | null = null;
    let from = 0;
    for (let i = this.frames.length - 1; i >= 0 && !summary; i--) {
      const f = this.frames[i]!;
      if (f.type === 'session' && f.session.id === sessionId) summary = f.session;
      else if (f.type === 'welcome') summary = f.sessions.find((s: Frame) => s.id === sessionId) ?? null;
      if (summary) from = i + 1;
      else if (f.type === 'welcome') break;
    }
    if (!summary) return null;
    for (const f of this.frames.slice(from)) {
      if (f.type === 'event' && f.event.sessionId === sessionId && f.event.kind === 'message' && f.event.seq > summary.lastSeq) {
        summary = fold(summary as SessionSummary, f.event as SessionEvent);
      }
    }
    return summary;
  }

  /** Resolves with the session as this client holds it (see `view`) once `holds` is true of it. */
  async viewWhere(sessionId: string, holds: (session: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    await this.until(() => {
      const session = this.view(sessionId);
      return session !== null && holds(session);
    }, `a view of ${sessionId} that matches`, timeoutMs);
    return this.view(sessionId)!;
  }

  /** The last summary of a session this connection received. */
  lastSummary(sessionId: string): Frame | undefined {
    return this.frames.filter((f) => f.type === 'session' && f.session.id === sessionId).at(-1)?.session;
  }

  /** The next summary of a session that satisfies a condition. */
  session(sessionId: string, predicate: (session: Frame) => boolean = () => true, timeoutMs?: number): Promise<Frame> {
    return this.next(
      (f) => f.type === 'session' && f.session.id === sessionId && predicate(f.session),
      timeoutMs,
      `session ${sessionId} summary`,
    ).then((f) => f.session);
  }

  /** Every event this connection received for a session, live or replayed, in arrival order. */
  eventsOf(sessionId: string): Frame[] {
    return this.frames.flatMap((f) => {
      if (f.type === 'event' && f.event.sessionId === sessionId) return [f.event];
      if (f.type === 'replay' && f.sessionId === sessionId) return f.events;
      return [];
    });
  }

  async close(): Promise<void> {
    if (!this.isClosed) this.ws.close();
    await this.closed;
    if (this.invalid.length) throw new Error(`${this.label} received a frame outside the protocol: ${this.invalid[0]}`);
  }
}

export function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      // the refusal's sentence and Retry-After, for tests of the limits
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const refused = () => {
        const body = Buffer.concat(chunks).toString('utf8').trim();
        reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body, retryAfter: res.headers['retry-after'] }));
        ws.terminate();
      };
      res.once('end', refused);
      res.once('close', refused);
    });
    ws.once('error', reject);
  });
}

/** Connects and (by default) says hello; the welcome is left in `frames`. */
export async function connectAgent(
  relay: RunningRelay,
  user: string,
  options: { password?: string; token?: string; hello?: boolean; resume?: Record<string, number> } = {},
): Promise<TestClient> {
  const ws = await openSocket(`${relay.wsUrl}${AGENT_PATH}`, {
    Authorization: options.token ? `Bearer ${options.token}` : basicAuthHeader(user, options.password ?? 'demo'),
  });
  const client = new TestClient(ws, user, RelayFrameSchema);
  if (options.hello !== false) {
    const id = client.fire({ type: 'hello', protocol: PROTOCOL_VERSION, resume: options.resume ?? {} });
    await client.next((f) => f.type === 'welcome' && f.id === id, 5000, 'welcome');
  }
  return client;
}

export interface TestCustomer extends TestClient {
  sessionId: string;
  token: string;
}

export async function connectCustomer(
  relay: RunningRelay,
  hello: { name?: string; token?: string; lastSeq?: number; team?: string; email?: string; topic?: string } = { name: 'Customer' },
  headers: Record<string, string> = {},
): Promise<TestCustomer> {
  const ws = await openSocket(`${relay.wsUrl}${CUSTOMER_PATH}`, headers);
  const client = new TestClient(ws, `customer ${hello.name ?? 'resume'}`, CustomerFrameSchema);
  const id = client.fire({ type: 'customer-hello', protocol: PROTOCOL_VERSION, ...hello });
  const welcome = await client.next((f) => f.id === id, 5000, 'customer-welcome');
  if (welcome.type !== 'customer-welcome') throw new Error(`customer-hello failed: ${JSON.stringify(welcome)}`);
  return Object.assign(client, { sessionId: welcome.sessionId as string, token: welcome.token as string });
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Runs the relay CLI without blocking this process's event loop (a relay under test may share its store). */
export function runCli(args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}
