// The hub without sockets: a manual clock and scheduler make timeouts deterministic, and random command
// sequences check that a chat never has two owners and the event log stays gap-free.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../common/domain';
import type { CustomerFrame, RelayFrame } from '../../common/protocol';
import { hashPassword, hashToken } from '../../relay/auth';
import { audience, Hub, type HubOptions } from '../../relay/hub';
import type { Fanout, Scheduler } from '../../relay/ports';
import { openSqliteStore, type SqliteRelayStore } from '../../relay/store/sqlite';
import { removeDir, tempDir } from './helpers';

class ManualScheduler implements Scheduler {
  now = 1_000;
  private tasks: Array<{ at: number; task: () => void; cancelled: boolean }> = [];
  schedule(delayMs: number, task: () => void) {
    const entry = { at: this.now + delayMs, task, cancelled: false };
    this.tasks.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }
  advance(ms: number) {
    this.now += ms;
    for (const entry of this.tasks.filter((t) => !t.cancelled && t.at <= this.now)) {
      entry.cancelled = true;
      entry.task();
    }
  }
}

class RecordingFanout implements Fanout {
  toAgents: Array<{ agentId: string; frame: RelayFrame }> = [];
  toCustomers: Array<{ sessionId: string; frame: CustomerFrame }> = [];
  ended: string[] = [];
  toAgent(agentId: string, frame: RelayFrame) {
    this.toAgents.push({ agentId, frame });
  }
  toAllAgents(frame: RelayFrame) {
    this.toAgents.push({ agentId: '*', frame });
  }
  toCustomer(sessionId: string, frame: CustomerFrame) {
    this.toCustomers.push({ sessionId, frame });
  }
  endCustomer(sessionId: string) {
    this.ended.push(sessionId);
  }
}

const dirs: string[] = [];
const stores: SqliteRelayStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) removeDir(dir);
});

const passwordHash = hashPassword('x');

function makeHub(options: Partial<HubOptions> = {}) {
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
  const fanout = new RecordingFanout();
  let n = 0;
  const hub = new Hub({
    clock: { now: () => scheduler.now },
    ids: { id: (prefix) => `${prefix}_${++n}`, secret: () => `secret-token-${++n}-abcdefghijkl` },
    store,
    fanout,
    scheduler,
    log: () => {},
    hashToken,
    options: { transferTimeoutMs: null, offlineGraceMs: 1000, capacity: 4, ...options },
  });
  hub.start();
  const signIn = (agentId: string) => hub.agentHello(agentId, 'h', {}).settle();
  const openChat = (name = 'Dana') => {
    const greeting = hub.customerHello('c', { id: 'c', type: 'customer-hello', protocol: 1, name, lastSeq: 0 });
    if (!greeting.ok) throw new Error(greeting.error.message);
    greeting.value.settle();
    return greeting.value.sessionId;
  };
  return { hub, store, scheduler, fanout, signIn, openChat, dir };
}

describe('hub', () => {
  it('expires a pending transfer exactly at the timeout, and a reject after that changes nothing', () => {
    const { hub, store, scheduler, signIn, openChat } = makeHub({ transferTimeoutMs: 30_000 });
    signIn('alice');
    const sessionId = openChat();
    signIn('bob');
    const offered = hub.handleAgent('alice', { id: '1', type: 'offer-transfer', sessionId, to: 'bob' });
    const transferId = (offered as { ok: true; value: { transferId: string } }).value.transferId;
    scheduler.advance(29_999);
    expect(store.getSession(sessionId)!.pendingTransfer?.id).toBe(transferId);
    scheduler.advance(1);
    expect(store.getSession(sessionId)!.pendingTransfer).toBeNull();
    expect(store.eventsAfter(sessionId, 0).at(-1)).toMatchObject({ kind: 'transfer-cancelled', reason: 'timeout' });
    const late = hub.handleAgent('bob', { id: '2', type: 'reject-transfer', sessionId, transferId });
    expect(late).toMatchObject({ ok: false, error: { code: 'transfer-not-pending' } });
    expect(store.eventsAfter(sessionId, 0).filter((e) => e.kind.startsWith('transfer-') && e.kind !== 'transfer-offered')).toHaveLength(1);
  });

  it('routing ties go to whoever got a chat least recently, then alphabetically', () => {
    const { store, signIn, openChat } = makeHub();
    signIn('bob');
    signIn('alice');
    const owners = [openChat(), openChat(), openChat()].map((id) => store.getSession(id)!.ownerId);
    expect(owners).toEqual(['alice', 'bob', 'alice']);
  });

  it('an agent offline past the grace period stops being offered chats; offers to them end', () => {
    const { hub, store, scheduler, signIn, openChat } = makeHub();
    signIn('alice');
    const sessionId = openChat();
    signIn('bob');
    hub.handleAgent('alice', { id: '1', type: 'offer-transfer', sessionId, to: 'bob' });
    hub.agentDisconnected('bob');
    scheduler.advance(999);
    expect(hub.statusOf('bob')).toBe('present');
    scheduler.advance(1);
    expect(hub.statusOf('bob')).toBe('offline');
    expect(store.eventsAfter(sessionId, 0).at(-1)).toMatchObject({ kind: 'transfer-cancelled', reason: 'target-unavailable' });
  });

  it('customers are sent only customer-visible events', () => {
    const { hub, fanout, signIn, openChat } = makeHub();
    signIn('alice');
    const sessionId = openChat();
    signIn('bob');
    signIn('carol');
    hub.handleAgent('carol', { id: '1', type: 'listen', sessionId });
    hub.handleAgent('alice', { id: '2', type: 'offer-transfer', sessionId, to: 'bob' });
    const kinds = fanout.toCustomers.flatMap(({ frame }) => (frame.type === 'event' ? [frame.event.kind] : []));
    expect(kinds).toEqual(['opened', 'assigned']);
  });

  it('random command sequences keep one owner per active chat, a gap-free log and consistent audiences', () => {
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
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const { hub, store, scheduler, signIn, openChat } = makeHub({ transferTimeoutMs: 10_000, capacity: 2 });
        for (const a of agents) signIn(a);
        const sessions = [openChat('A'), openChat('B'), openChat('C')];
        for (const s of steps) {
          if (s.kind === 'tick') {
            scheduler.advance(s.ms);
            continue;
          }
          if (s.kind === 'status') {
            hub.handleAgent(s.by, { id: 'x', type: 'set-status', status: s.status });
            continue;
          }
          const sessionId = sessions[s.s]!;
          const transferId = store.getSession(sessionId)!.pendingTransfer?.id ?? 'none';
          const before = store.getSession(sessionId)!;
          const result =
            s.kind === 'offer'
              ? hub.handleAgent(s.by, { id: 'x', type: 'offer-transfer', sessionId, to: s.to })
              : s.kind === 'accept'
                ? hub.handleAgent(s.by, { id: 'x', type: 'accept-transfer', sessionId, transferId })
                : s.kind === 'reject'
                  ? hub.handleAgent(s.by, { id: 'x', type: 'reject-transfer', sessionId, transferId })
                  : s.kind === 'cancel'
                    ? hub.handleAgent(s.by, { id: 'x', type: 'cancel-transfer', sessionId, transferId })
                    : hub.handleAgent(s.by, { id: 'x', type: s.kind, sessionId });
          if (!result.ok) expect(store.getSession(sessionId)).toEqual(before);
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
