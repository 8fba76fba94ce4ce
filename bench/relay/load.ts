// The load generator's side: customers and agents on loopback (relay protocol, or the forwarder's pairing), and the
// open-loop paced phase that measures delivery latency from when each message was due.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';
import { AGENT_PASSWORD, agentName, type Target } from './targets';
import { type GcPauses, GcWatch, type LoopDelay, readLoopDelay, type SlowCommits, watchLoopDelay } from './server-stats';

export const FILLER = 'Hello, I ordered a blue kettle last week and it still has not arrived. Order 48213.';

export function open(url: string, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`connecting to ${url} timed out`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Resolves with the first text frame that satisfies `match`. */
export function waitFrame(ws: WebSocket, match: (text: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const text = data.toString();
      if (!match(text)) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(text);
    };
    ws.on('message', onMessage);
  });
}

export async function inBatches<T>(count: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    out.push(...(await Promise.all(Array.from({ length: end - start }, (_, k) => make(start + k)))));
  }
  return out;
}

/** Terminates every socket and waits until each has closed, so its file is free before the next target starts. */
export async function closeAll(sockets: Iterable<WebSocket>): Promise<void> {
  const closed: Promise<void>[] = [];
  for (const ws of sockets) {
    if (ws.readyState === WebSocket.CLOSED) continue;
    closed.push(new Promise((resolve) => ws.once('close', () => resolve())));
    ws.terminate();
  }
  await Promise.all(closed);
}

/** An agent signed in with the benchmark password and greeted (hello answered by welcome). */
export async function openAgent(port: number, index: number): Promise<{ ws: WebSocket; welcome: string }> {
  const ws = await open(`ws://127.0.0.1:${port}${AGENT_PATH}`, { Authorization: basicAuthHeader(agentName(index), AGENT_PASSWORD) });
  const welcome = waitFrame(ws, (t) => t.startsWith('{"type":"welcome"') || t.startsWith('{"type":"error"'), 'welcome');
  ws.send(JSON.stringify({ type: 'hello', id: 'h', protocol: PROTOCOL_VERSION, resume: {} }));
  const answer = await welcome;
  if (!answer.startsWith('{"type":"welcome"')) throw new Error(`hello refused: ${answer}`);
  return { ws, welcome: answer };
}

export interface OpenedCustomer {
  ws: WebSocket;
  sessionId: string;
  token: string;
  /** the name of the agent routing gave the chat to (customers are not told login ids) */
  agentName: string;
}

/** A customer who opened a chat and was given an agent. */
export async function openCustomer(port: number, name: string): Promise<OpenedCustomer> {
  const ws = await open(`ws://127.0.0.1:${port}${CUSTOMER_PATH}`);
  const welcome = waitFrame(ws, (t) => t.startsWith('{"type":"customer-welcome"') || t.startsWith('{"type":"error"'), `${name}'s welcome`);
  const assigned = waitFrame(ws, (t) => t.includes('"kind":"assigned"'), `${name} to be assigned an agent`);
  // a refused hello throws below; the wait for an assignment that will not come must not become an unhandled rejection
  assigned.catch(() => {});
  ws.send(JSON.stringify({ type: 'customer-hello', id: 'h', protocol: PROTOCOL_VERSION, name }));
  const greeting = JSON.parse(await welcome);
  if (greeting.type !== 'customer-welcome') throw new Error(`customer-hello refused: ${greeting.message}`);
  const { event } = JSON.parse(await assigned);
  return { ws, sessionId: greeting.sessionId, token: greeting.token, agentName: event.agentName };
}

/** A customer back on a chat it holds the token of; resolves once welcomed (the replay follows in the same write). */
export async function resumeCustomer(port: number, token: string, lastSeq = 0): Promise<WebSocket> {
  const ws = await open(`ws://127.0.0.1:${port}${CUSTOMER_PATH}`);
  const welcome = waitFrame(ws, (t) => t.startsWith('{"type":"customer-welcome"') || t.startsWith('{"type":"error"'), 'customer-welcome');
  ws.send(JSON.stringify({ type: 'customer-hello', id: 'h', protocol: PROTOCOL_VERSION, token, lastSeq }));
  const answer = await welcome;
  if (!answer.startsWith('{"type":"customer-welcome"')) throw new Error(`resume refused: ${answer}`);
  return ws;
}

export interface PhaseResult {
  offered: number;
  sent: number;
  received: number;
  deliveredPerSecond: number;
  /** the rate the generator managed to send at: below `offered` when it could not keep to its schedule */
  sentPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** how far behind schedule the generator itself got (it shares the 2 cores with the server) */
  maxSendLagMs: number;
  serverCpu: number;
  generatorCpu: number;
  serverLoop: number;
  /** server CPU time per delivered message */
  cpuMicrosPerMessage: number;
  /** the server's read- and write-like system calls per delivered message (NaN where /proc/self/io is missing) */
  readsPerMessage: number;
  writesPerMessage: number;
  /** bytes of files the server gave the disk to write per delivered message (NaN where /proc/self/io is missing) */
  storedBytesPerMessage: number;
  /** the store's commits in this phase, and how many took over 5, 10 and 25 ms (null: a server without a store) */
  commits: SlowCommits | null;
  /** the store's WAL fsyncs in this phase, counted the same way (null: a server without a store) */
  fsyncs: SlowCommits | null;
  /** how late the server's and the generator's event loops ran a 10 ms timer in this phase: their stalls */
  serverLoopDelay: LoopDelay;
  generatorLoopDelay: LoopDelay;
  /** the collector's pauses in this phase, the server's and the generator's */
  serverGc: GcPauses;
  generatorGc: GcPauses;
  rssMb: number;
  peakRssMb: number;
}

const perMessage = (before: number | undefined, after: number | undefined, messages: number) =>
  before === undefined || after === undefined ? Number.NaN : (after - before) / Math.max(1, messages);

const commitsBetween = (before: SlowCommits | null, after: SlowCommits | null): SlowCommits | null =>
  before && after
    ? {
        total: after.total - before.total,
        over5ms: after.over5ms - before.over5ms,
        over10ms: after.over10ms - before.over10ms,
        over25ms: after.over25ms - before.over25ms,
      }
    : null;

export const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;

interface Phase {
  name: string;
  /** messages received in this phase, and their latencies from the moment each was due to be sent */
  received: number;
  latencies: Float64Array;
  lastReceivedAt: number;
}

/** Connected customers and agents of one target, and the counters of what went wrong on them. */
export class Load {
  private phase: Phase | null = null;
  errorFrames = 0;
  firstError = '';
  unexpectedCloses = 0;
  private stopping = false;
  readonly sockets: WebSocket[] = [];

  private onDelivered(text: string): void {
    const bar = text.indexOf('|');
    const tag = text.slice(0, bar);
    if (!this.phase || tag !== this.phase.name) return;
    const due = Number.parseFloat(text.slice(bar + 1));
    const now = performance.now();
    if (this.phase.received < this.phase.latencies.length) this.phase.latencies[this.phase.received] = now - due;
    this.phase.received += 1;
    this.phase.lastReceivedAt = now;
  }

  private watch(ws: WebSocket): void {
    this.sockets.push(ws);
    ws.on('close', (code) => {
      if (!this.stopping) {
        this.unexpectedCloses += 1;
        this.firstError ||= `connection closed with code ${code}`;
      }
    });
    ws.on('error', () => {});
  }

  /** Agents first (so every customer is routed at once), then customers; resolves with the customers' sockets. */
  async connectRelay(target: Target, agents: number, customers: number, batch = 50): Promise<WebSocket[]> {
    await inBatches(agents, batch, (i) => this.connectRelayAgent(target, i));
    return inBatches(customers, batch, (i) => this.connectRelayCustomer(target, i));
  }

  /** Agent `i`, counting the messages it is delivered in the current phase. */
  async connectRelayAgent(target: Target, i: number): Promise<WebSocket> {
    const { ws } = await openAgent(target.agentPort, i);
    this.watch(ws);
    ws.on('message', (data) => {
      const text = data.toString();
      if (!text.startsWith('{"type":"event"')) return;
      const { event } = JSON.parse(text);
      if (event.kind === 'message') this.onDelivered(event.text);
    });
    return ws;
  }

  async connectRelayCustomer(target: Target, i: number): Promise<WebSocket> {
    const { ws } = await openCustomer(target.port, `Customer ${i}`);
    this.watch(ws);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"error"')) {
        this.errorFrames += 1;
        this.firstError ||= text;
      }
    });
    return ws;
  }

  /** A customer of a chat seeded in the data folder, back by its token. */
  async connectResumedCustomer(target: Target, token: string): Promise<WebSocket> {
    const ws = await resumeCustomer(target.port, token);
    this.watch(ws);
    return ws;
  }

  async connectForwarder(target: Target, agents: number, customers: number, batch = 50): Promise<WebSocket[]> {
    await inBatches(agents, batch, (i) => this.connectForwarderAgent(target, i));
    return inBatches(customers, batch, (i) => this.connectForwarderCustomer(target, i));
  }

  async connectForwarderAgent(target: Target, i: number): Promise<WebSocket> {
    const ws = await open(`ws://127.0.0.1:${target.port}/agent?i=${i}`);
    this.watch(ws);
    ws.on('message', (data) => this.onDelivered(JSON.parse(data.toString()).text));
    return ws;
  }

  async connectForwarderCustomer(target: Target, i: number): Promise<WebSocket> {
    const ws = await open(`ws://127.0.0.1:${target.port}/customer?i=${i}`);
    this.watch(ws);
    return ws;
  }

  /** A socket opened by someone else (a scenario's own clients) whose unexpected close counts here too. */
  adopt(ws: WebSocket): void {
    this.watch(ws);
  }

  async close(): Promise<void> {
    this.stopping = true;
    await closeAll(this.sockets);
  }

  problems(): string | null {
    if (!this.errorFrames && !this.unexpectedCloses) return null;
    return `${this.errorFrames} error frames, ${this.unexpectedCloses} connections closed by the server; first: ${this.firstError.slice(0, 300)}`;
  }

  /** Open-loop: message k is due at start + k/rate whatever happened to earlier ones; latency counts from that moment. */
  async runPhase(target: Target, senders: WebSocket[], name: string, offered: number, secs: number, drainMs: number): Promise<PhaseResult> {
    const total = Math.round(offered * secs);
    this.phase = { name, received: 0, latencies: new Float64Array(total), lastReceivedAt: 0 };
    const current = this.phase;
    const before = await target.stats();
    const generatorDelay = watchLoopDelay();
    const generatorGc = new GcWatch();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    let sent = 0;
    let maxSendLagMs = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - start) * offered) / 1000) + 1);
        if (sent < due) maxSendLagMs = Math.max(maxSendLagMs, now - (start + (sent * 1000) / offered));
        while (sent < due) {
          const dueAt = start + (sent * 1000) / offered;
          const ws = senders[sent % senders.length]!;
          if (ws.readyState === WebSocket.OPEN) {
            ws.send(
              `{"type":"customer-send","id":"s${sent}","messageId":"${name}-${sent}-msg","text":"${name}|${dueAt.toFixed(3)}|${FILLER}"}`,
            );
          }
          sent += 1;
        }
        if (sent >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const sendEnd = performance.now();
    await new Promise<void>((resolve) => {
      const check = () => {
        if (current.received >= total || performance.now() - sendEnd > drainMs) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    const wall = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    generatorDelay.disable();
    const generatorPauses = generatorGc.take();
    generatorGc.stop();
    const after = await target.stats();
    this.phase = null;
    const sorted = current.latencies.slice(0, Math.min(current.received, total)).sort();
    const activeSeconds = ((current.lastReceivedAt || sendEnd) - start) / 1000;
    return {
      offered,
      sent: total,
      received: current.received,
      deliveredPerSecond: current.received / activeSeconds,
      sentPerSecond: total / ((sendEnd - start) / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      maxSendLagMs,
      serverCpu: (after.cpuSeconds - before.cpuSeconds) / ((after.at - before.at) / 1000),
      cpuMicrosPerMessage: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / Math.max(1, current.received),
      readsPerMessage: perMessage(before.syscalls?.reads, after.syscalls?.reads, current.received),
      writesPerMessage: perMessage(before.syscalls?.writes, after.syscalls?.writes, current.received),
      storedBytesPerMessage: perMessage(before.syscalls?.storedBytes, after.syscalls?.storedBytes, current.received),
      commits: commitsBetween(before.commits, after.commits),
      fsyncs: commitsBetween(before.fsyncs, after.fsyncs),
      serverLoopDelay: after.loopDelay,
      generatorLoopDelay: readLoopDelay(generatorDelay),
      serverGc: after.gc,
      generatorGc: generatorPauses,
      generatorCpu: (cpu.user + cpu.system) / 1e6 / wall,
      serverLoop: after.loopUtilization,
      rssMb: after.rss / 2 ** 20,
      peakRssMb: after.peakRss / 2 ** 20,
    };
  }
}
