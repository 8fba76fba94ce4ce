// Test harness for the client core: a real relay, scripted customers, and clients whose events can be awaited.
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import type { ClientEvent, ClientSnapshot } from '../../common/bridge';
import type { SessionEvent } from '../../common/domain';
import { CUSTOMER_PATH, type CustomerFrame, CustomerFrameSchema, PROTOCOL_VERSION, parseFrame } from '../../common/protocol';
import type { Result } from '../../common/result';
import { type AgentClient, type AgentClientOptions, createAgentClient, type PasswordVault } from '../../main/client';
import { type RelayOptions, type RunningRelay, startRelay } from '../../relay/server';
import { tempDir } from './fixtures';
import { startTcpProxy } from './tcp-proxy';

export const fastTuning = {
  pingIntervalMs: 100,
  deadAfterMs: 400,
  commandTimeoutMs: 3_000,
  connectTimeoutMs: 3_000,
  backoff: { baseMs: 20, capMs: 200, resetAfterMs: 500 },
};

export async function testRelay(
  dataDir = tempDir(),
  options: Partial<RelayOptions> = {},
): Promise<RunningRelay & { dataDir: string }> {
  const relay = await startRelay({ dataDir, port: 0, demo: true, log: () => {}, offlineGraceMs: 60_000, ...options });
  return Object.assign(relay, { dataDir });
}

export class MemoryVault implements PasswordVault {
  readonly entries = new Map<string, string>();
  load(key: string) {
    return this.entries.get(key) ?? null;
  }
  save(key: string, password: string) {
    this.entries.set(key, password);
  }
  clear(key: string) {
    this.entries.delete(key);
  }
}

/** An AgentClient plus everything it emitted, with a way to wait for a state. */
export class Probe {
  readonly events: ClientEvent[] = [];
  readonly client: AgentClient;
  private waiters = new Set<() => void>();

  constructor(options: AgentClientOptions) {
    this.client = createAgentClient({ tuning: fastTuning, ...options });
    this.client.subscribe((event) => {
      this.events.push(event);
      for (const w of [...this.waiters]) w();
    });
  }

  static async started(options: AgentClientOptions): Promise<Probe> {
    const probe = new Probe(options);
    await probe.client.start();
    return probe;
  }

  async invoke<T = unknown>(channel: string, args: unknown = {}): Promise<Result<T>> {
    return (await this.client.invoke(channel, args)) as Result<T>;
  }

  async must<T = unknown>(channel: string, args: unknown = {}): Promise<T> {
    const result = await this.invoke<T>(channel, args);
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
    return result.value;
  }

  async signIn(relayUrl: string, user: string, password = 'demo', remember = true) {
    return this.must<{ me: { id: string } }>('auth:signIn', { relayUrl, user, password, remember });
  }

  snapshot(): Promise<ClientSnapshot> {
    return this.must<ClientSnapshot>('app:snapshot');
  }

  /** Resolves once `check` returns a value other than undefined/false, re-checked after every event. */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined && value !== false) {
          cleanup();
          resolve(value as T);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  untilEvent<T extends ClientEvent['type']>(
    type: T,
    match: (event: Extract<ClientEvent, { type: T }>) => boolean = () => true,
    from = 0,
  ): Promise<Extract<ClientEvent, { type: T }>> {
    return this.until(
      () => this.events.slice(from).find((e): e is Extract<ClientEvent, { type: T }> => e.type === type && match(e as never)),
      `a ${type} event`,
    );
  }

  untilConnection(status: string, from = 0) {
    return this.untilEvent('connection', (e) => e.connection.status === status, from);
  }

  /** Every session event the client emitted for a session, in emission order. */
  emittedEvents(sessionId: string): SessionEvent[] {
    return this.events.flatMap((e) => (e.type === 'events' && e.sessionId === sessionId ? e.events : []));
  }

  messageTexts(sessionId: string): string[] {
    return this.emittedEvents(sessionId).flatMap((e) => (e.kind === 'message' ? [e.text] : []));
  }
}

let customerMessageCounter = 0;

/** A customer on the chat page, speaking the customer protocol directly. */
export class Customer {
  readonly frames: CustomerFrame[] = [];
  sessionId = '';
  private waiters = new Set<() => void>();
  private nextId = 1;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const parsed = parseFrame(CustomerFrameSchema, data.toString());
      if (parsed.ok) this.frames.push(parsed.frame);
      for (const w of [...this.waiters]) w();
    });
  }

  static async open(wsUrl: string, name: string): Promise<Customer> {
    const ws = new WebSocket(`${wsUrl}${CUSTOMER_PATH}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const customer = new Customer(ws);
    customer.raw({ id: 'h', type: 'customer-hello', protocol: PROTOCOL_VERSION, name });
    const welcome = await customer.until((f) => f.type === 'customer-welcome');
    if (welcome.type === 'customer-welcome') customer.sessionId = welcome.sessionId;
    return customer;
  }

  raw(frame: object) {
    this.ws.send(JSON.stringify(frame));
  }

  async say(text: string): Promise<void> {
    customerMessageCounter += 1;
    const id = `q${this.nextId++}`;
    this.raw({ id, type: 'customer-send', messageId: `cust${String(customerMessageCounter).padStart(6, '0')}`, text });
    await this.until((f) => (f.type === 'ok' || f.type === 'error') && f.id === id);
  }

  seenTexts(): string[] {
    const texts: string[] = [];
    const seen = new Set<number>();
    for (const f of this.frames) {
      const events = f.type === 'event' ? [f.event] : f.type === 'replay' ? f.events : [];
      for (const e of events) if (e.kind === 'message' && !seen.has(e.seq)) {
        seen.add(e.seq);
        texts.push(e.text);
      }
    }
    return texts;
  }

  until(match: (frame: CustomerFrame) => boolean, timeoutMs = 10_000): Promise<CustomerFrame> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const found = this.frames.find(match);
        if (found) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error('timed out waiting for a customer frame'));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  close() {
    this.ws.close();
  }
}

/**
 * Per-test resources for a test file: relays, clients and customers opened through it are released after each
 * test, newest first.
 */
export function testScope() {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  const defer = (fn: () => Promise<void> | void) => {
    cleanups.push(fn);
  };
  return {
    defer,
    async relay(options: Partial<RelayOptions> = {}) {
      const relay = await testRelay(tempDir(), options);
      defer(() => relay.close());
      return relay;
    },
    async probe(options: Partial<ConstructorParameters<typeof Probe>[0]> = {}) {
      const probe = await Probe.started({ dataDir: tempDir(), ...options });
      defer(() => probe.client.dispose());
      return probe;
    },
    /** A relay and a TCP proxy in front of it that the test can cut or stall. */
    async relayBehindProxy(options: Partial<RelayOptions> = {}) {
      const relay = await testRelay(tempDir(), options);
      defer(() => relay.close());
      const proxy = await startTcpProxy(relay.port);
      defer(() => proxy.close());
      return { relay, proxy };
    },
    async customer(wsUrl: string, name: string) {
      const customer = await Customer.open(wsUrl, name);
      defer(() => customer.close());
      return customer;
    },
  };
}
