import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../common/domain';
import type { CustomerFrame, RelayFrame } from '../../common/protocol';
import { hashPassword, hashToken } from '../../relay/auth';
import type { TimerKey } from '../../relay/core/model';
import { LocalFanout, MemoryPresence } from '../../relay/embedded/memory';
import { SqliteRunner } from '../../relay/embedded/runner';
import { sqliteReads } from '../../relay/embedded/store';
import { audience, Hub, type HubOptions } from '../../relay/hub';
import { DEFAULT_PAGE_BYTES } from '../../relay/paging';
import type { LocalSockets, RelayStore, Scheduler } from '../../relay/ports';
import { openSqliteStore, type SqliteRelayStore } from '../../relay/store/sqlite';
import { removeDir, tempDir } from './helpers';

/** Timers on a manual clock: `advance` fires what is due, in order, and waits for what each firing does. */
class ManualScheduler implements Scheduler {
  now = 1_000;
  private readonly due = new Map<TimerKey, number>();
  private onDue: ((key: TimerKey) => Promise<void>) | null = null;
  arm(key: TimerKey, at: number) {
    if (!this.due.has(key)) this.due.set(key, at);
    return Promise.resolve();
  }
  disarm(key: TimerKey) {
    this.due.delete(key);
    return Promise.resolve();
  }
  start(onDue: (key: TimerKey) => Promise<void>) {
    this.onDue = onDue;
  }
  stop() {
    this.due.clear();
  }
  async advance(ms: number) {
    this.now += ms;
    for (;;) {
      const next = [...this.due].filter(([, at]) => at <= this.now).sort((a, b) => a[1] - b[1])[0];
      if (!next) return;
      this.due.delete(next[0]);
      await this.onDue?.(next[0]);
    }
  }
}

class RecordingSockets implements LocalSockets {
  toAgents: Array<{ agentId: string; frame: RelayFrame }> = [];
  toCustomers: Array<{ sessionId: string; frame: CustomerFrame }> = [];
  ended: string[] = [];
  toAgent(agentId: string, frame: RelayFrame) {
    this.toAgents.push({ agentId, frame });
  }
  toAllAgents(frame: RelayFrame) {
    this.toAgents.push({ agentId: '*', frame });
  }
  dashboardViewers() {
    return [];
  }
  toCustomer(sessionId: string, frame: CustomerFrame) {
    this.toCustomers.push({ sessionId, frame });
  }
  endCustomer(sessionId: string) {
    this.ended.push(sessionId);
  }
  closeAgent() {}
}

const dirs: string[] = [];
const stores: SqliteRelayStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) removeDir(dir);
});

const passwordHash = hashPassword('x');

async function makeHub(options: Partial<HubOptions> = {}, reads: (store: RelayStore) => RelayStore = (store) => store) {
  const dir = tempDir();
  dirs.push(dir);
  const store = openSqliteStore(dir, { synchronous: 'NORMAL' });
  stores.push(store);
  for (const [id, role, canListenIn] of [
    ['alice', 'agent', false],
    ['bob', 'agent', false],
    ['carol', 'agent', true],
    ['maria', 'manager', true],
  ] as const) {
    store.createAccount({ id, name: id.toUpperCase(), role, canListenIn, passwordHash });
  }
  const scheduler = new ManualScheduler();
  const clock = { now: () => scheduler.now };
  const fanout = new RecordingSockets();
  let n = 0;
  const hub = new Hub({
    clock,
    ids: { id: (prefix) => `${prefix}_${++n}`, secret: () => `secret-token-${++n}-abcdefghijkl` },
    store: reads(sqliteReads(store)),
    runner: new SqliteRunner(store, clock, scheduler),
    presence: new MemoryPresence(),
    scheduler,
    fanout: new LocalFanout(),
    sockets: fanout,
    log: () => {},
    hashToken,
    options: { transferTimeoutMs: null, offlineGraceMs: 1000, capacity: 4, ...options },
    pageBytes: DEFAULT_PAGE_BYTES,
  });
  await hub.start();
  const signIn = async (agentId: string) => {
    await hub.agentHello(agentId, 'h', {});
    await hub.drainQueue();
  };
  const openChat = async (name = 'Dana') => {
    const greeting = await hub.customerHello('c', { id: 'c', type: 'customer-hello', protocol: 1, name, lastSeq: 0 });
    if (!greeting.ok) throw new Error(greeting.error.message);
    greeting.value.settle();
    await hub.drainQueue();
    return greeting.value.sessionId;
  };
  return { hub, store, scheduler, fanout, signIn, openChat, dir };
}

type RandomStep =
  | { kind: 'offer'; by: string; to: string; s: number }
  | { kind: 'accept' | 'reject' | 'cancel' | 'take-over' | 'listen' | 'close-window' | 'close-chat'; by: string; s: number };

const MANAGERS = new Set(['maria']);
const LISTEN_IN = new Set(['carol', 'maria']);

/** The commands DESIGN.md's table allows in this state, judged from the summary alone (a model of the rules). */
function plainlyAllowed(step: RandomStep, session: SessionSummary, statusOf: (id: string) => string): boolean {
  if (session.state === 'closed') return false;
  const owner = session.ownerId;
  const pending = session.pendingTransfer;
  switch (step.kind) {
    case 'offer':
      return (
        owner !== null &&
        (owner === step.by || MANAGERS.has(step.by)) &&
        pending === null &&
        step.to !== step.by &&
        step.to !== owner &&
        statusOf(step.to) === 'present'
      );
    case 'accept':
    case 'reject':
      return pending !== null && pending.toId === step.by;
    case 'cancel':
      return pending !== null && (pending.offeredBy === step.by || MANAGERS.has(step.by));
    case 'take-over':
      return MANAGERS.has(step.by) && owner !== step.by;
    case 'listen':
      return LISTEN_IN.has(step.by) && owner !== step.by && !session.listeners.includes(step.by);
    case 'close-window':
      return session.listeners.includes(step.by);
    case 'close-chat':
      return owner === step.by;
  }
}

const describe_ = (s: SessionSummary) =>
  `${s.state} owner ${s.ownerId} listeners [${s.listeners}] pending ${s.pendingTransfer ? `${s.pendingTransfer.offeredBy}->${s.pendingTransfer.toId}` : 'none'}`;

describe('hub', () => {
  it('expires a pending transfer exactly at the timeout, and a reject after that changes nothing', async () => {
    const { hub, store, scheduler, signIn, openChat } = await makeHub({ transferTimeoutMs: 30_000 });
    await signIn('alice');
    const sessionId = await openChat();
    await signIn('bob');
    const offered = await hub.handleAgent('alice', { id: '1', type: 'offer-transfer', sessionId, to: 'bob' });
    const transferId = (offered as { ok: true; value: { transferId: string } }).value.transferId;
    await scheduler.advance(29_999);
    expect(store.getSession(sessionId)!.pendingTransfer?.id).toBe(transferId);
    await scheduler.advance(1);
    expect(store.getSession(sessionId)!.pendingTransfer).toBeNull();
    expect(store.eventsAfter(sessionId, 0).at(-1)).toMatchObject({ kind: 'transfer-cancelled', reason: 'timeout' });
    const late = await hub.handleAgent('bob', { id: '2', type: 'reject-transfer', sessionId, transferId });
    expect(late).toMatchObject({ ok: false, error: { code: 'transfer-not-pending' } });
    expect(store.eventsAfter(sessionId, 0).filter((e) => e.kind.startsWith('transfer-') && e.kind !== 'transfer-offered')).toHaveLength(1);
  });

  it('routing ties go to whoever got a chat least recently, then alphabetically', async () => {
    const { store, signIn, openChat } = await makeHub();
    await signIn('bob');
    await signIn('alice');
    const owners = [await openChat(), await openChat(), await openChat()].map((id) => store.getSession(id)!.ownerId);
    expect(owners).toEqual(['alice', 'bob', 'alice']);
  });

  it('an agent offline past the grace period stops being offered chats; offers to them end', async () => {
    const { hub, store, scheduler, signIn, openChat } = await makeHub();
    await signIn('alice');
    const sessionId = await openChat();
    await signIn('bob');
    await hub.handleAgent('alice', { id: '1', type: 'offer-transfer', sessionId, to: 'bob' });
    await hub.agentDisconnected('bob');
    await scheduler.advance(999);
    expect(hub.statusOf('bob')).toBe('present');
    await scheduler.advance(1);
    expect(hub.statusOf('bob')).toBe('offline');
    expect(store.eventsAfter(sessionId, 0).at(-1)).toMatchObject({ kind: 'transfer-cancelled', reason: 'target-unavailable' });
  });

  it('customers are sent only customer-visible events', async () => {
    const { hub, fanout, signIn, openChat } = await makeHub();
    await signIn('alice');
    const sessionId = await openChat();
    await signIn('bob');
    await signIn('carol');
    await hub.handleAgent('carol', { id: '1', type: 'listen', sessionId });
    await hub.handleAgent('alice', { id: '2', type: 'offer-transfer', sessionId, to: 'bob' });
    const kinds = fanout.toCustomers.flatMap(({ frame }) => (frame.type === 'event' ? [frame.event.kind] : []));
    expect(kinds).toEqual(['opened', 'assigned']);
  });

  it('random command sequences keep one owner per active chat, a gap-free log and consistent audiences', async () => {
    const agents = ['alice', 'bob', 'carol', 'maria'] as const;
    const sessionIndex = fc.integer({ min: 0, max: 2 });
    const agent = fc.constantFrom(...agents);
    const step = fc.oneof(
      fc.record({ kind: fc.constant('offer' as const), by: agent, to: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('accept' as const), by: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('reject' as const), by: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('cancel' as const), by: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('take-over' as const), by: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('listen' as const), by: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('close-window' as const), by: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('close-chat' as const), by: agent, s: sessionIndex }),
      fc.record({ kind: fc.constant('status' as const), by: agent, status: fc.constantFrom('present' as const, 'away' as const) }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const { hub, store, scheduler, signIn, openChat } = await makeHub({ transferTimeoutMs: 10_000, capacity: 2 });
        for (const a of agents) await signIn(a);
        const sessions = [await openChat('A'), await openChat('B'), await openChat('C')];
        for (const s of steps) {
          if (s.kind === 'tick') {
            await scheduler.advance(s.ms);
            continue;
          }
          if (s.kind === 'status') {
            await hub.handleAgent(s.by, { id: 'x', type: 'set-status', status: s.status });
            await hub.drainQueue();
            continue;
          }
          const sessionId = sessions[s.s]!;
          const transferId = store.getSession(sessionId)!.pendingTransfer?.id ?? 'none';
          const before = store.getSession(sessionId)!;
          const result = await (s.kind === 'offer'
              ? hub.handleAgent(s.by, { id: 'x', type: 'offer-transfer', sessionId, to: s.to })
              : s.kind === 'accept'
                ? hub.handleAgent(s.by, { id: 'x', type: 'accept-transfer', sessionId, transferId })
                : s.kind === 'reject'
                  ? hub.handleAgent(s.by, { id: 'x', type: 'reject-transfer', sessionId, transferId })
                  : s.kind === 'cancel'
                    ? hub.handleAgent(s.by, { id: 'x', type: 'cancel-transfer', sessionId, transferId })
                    : hub.handleAgent(s.by, { id: 'x', type: s.kind, sessionId }));
          if (!result.ok) expect(store.getSession(sessionId)).toEqual(before);
          // progress, not only safety: what the rules plainly allow must succeed (a hub refusing everything fails)
          const allowed = plainlyAllowed(s, before, (id) => hub.statusOf(id));
          if (allowed) expect(result, `${s.by} ${s.kind} on ${describe_(before)}`).toMatchObject({ ok: true });
          await hub.drainQueue();
        }
        for (const sessionId of sessions) {
          const session: SessionSummary = store.getSession(sessionId)!;
          const log = store.eventsAfter(sessionId, 0);
          expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
          expect(session.lastSeq).toBe(log.length);
          if (session.state === 'active') expect(session.ownerId).not.toBeNull();
          if (session.state === 'queued') expect(session.ownerId).toBeNull();
          if (session.ownerId) expect(session.listeners).not.toContain(session.ownerId);
          if (session.pendingTransfer) {
            expect(session.state).toBe('active');
            expect(session.pendingTransfer.toId).not.toBe(session.ownerId);
            expect(session.pendingTransfer.fromId).toBe(session.ownerId);
          }
          expect(new Set(audience(session)).size).toBe(audience(session).length);
          const offers = log.filter((e) => e.kind === 'transfer-offered').length;
          const endings = log.filter((e) => ['transfer-accepted', 'transfer-rejected', 'transfer-cancelled'].includes(e.kind)).length;
          expect(offers - endings).toBe(session.pendingTransfer ? 1 : 0);
        }
        hub.stop();
      }),
      { numRuns: 60 },
    );
  });
});

describe('the accounts a hub keeps', () => {
  it('a slow read of every account, finishing after a status change, does not bring back the status before it', async () => {
    // a directory reload takes its snapshot, then is held while the agent goes Busy; when it goes on, what it read is
    // older than what everyone was already told
    let held: Promise<void> | null = null;
    let release = () => {};
    const { hub, store, fanout, signIn } = await makeHub({}, (reads) => ({
      ...reads,
      async listAccounts() {
        const snapshot = await reads.listAccounts();
        const hold = held;
        held = null;
        if (hold) await hold;
        return snapshot;
      },
    }));
    await signIn('bob');
    store.updateAccount('bob', { name: 'Bobby' });
    held = new Promise((resolve) => {
      release = resolve;
    });
    const reload = (hub as unknown as { directoryChanged(force: boolean): Promise<void> }).directoryChanged(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(held).toBeNull(); // the reload has its snapshot and waits
    expect(await hub.handleAgent('bob', { id: 'x', type: 'set-status', status: 'busy' })).toMatchObject({ ok: true });
    await new Promise((resolve) => setImmediate(resolve));
    await hub.drainQueue();
    release();
    await reload;
    const bobs = fanout.toAgents.flatMap(({ frame }) => (frame.type === 'presence' && frame.agent.id === 'bob' ? [frame.agent] : []));
    expect(bobs.map((a) => a.status)).toContain('busy');
    expect(bobs.at(-1)).toMatchObject({ name: 'Bobby', status: 'busy' });
  });
});
