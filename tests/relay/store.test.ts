// The relay store's performance machinery keeps its promises: the session cache never shows rolled-back writes,
// schema version 1 databases are migrated without losing events, summaries derived from the event log come back exact
// after a reopen, and the checkpoint worker empties the WAL.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionEvent, SessionSummary, TransferOffer } from '../../common/domain';
import { LATEST_VERSION, migrations } from '../../relay/store/migrations';
import { clientIdHash, openSqliteStore, type SqliteRelayStore } from '../../relay/store/sqlite';
import { tempDir } from './helpers';

const dirs: string[] = [];
const stores: SqliteRelayStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

function open(dir: string, options: Parameters<typeof openSqliteStore>[1] = {}): SqliteRelayStore {
  const store = openSqliteStore(dir, options);
  stores.push(store);
  return store;
}

const session = (id: string, over: Partial<SessionSummary> = {}): SessionSummary => ({
  id,
  customerName: 'Pat',
  state: 'active',
  ownerId: 'alice',
  listeners: [],
  pendingTransfer: null,
  createdAt: 1,
  closedAt: null,
  lastSeq: 0,
  lastMessage: null,
  waitingSince: null,
  team: null,
  ...over,
});

const message = (sessionId: string, seq: number, messageId: string): SessionEvent => ({
  kind: 'message',
  sessionId,
  seq,
  at: 1000 + seq,
  messageId,
  author: { kind: 'customer', id: null, name: 'Pat' },
  text: `hello ${seq}`,
});

describe('session cache', () => {
  it('a command that fails rolls back its session change, and reads then show the committed session', () => {
    for (const groupCommit of [false, true]) {
      const store = open(freshDir(), { groupCommit });
      store.transaction(() => store.putSession(session('s1', { listeners: ['bob'] })));
      expect(() =>
        store.transaction(() => {
          store.putSession(session('s1', { lastSeq: 1, listeners: ['carol'] }));
          throw new Error('the command failed after writing');
        }),
      ).toThrow('the command failed');
      expect(store.getSession('s1')).toEqual(session('s1', { listeners: ['bob'] }));
      expect(store.listLiveSessions()).toEqual([session('s1', { listeners: ['bob'] })]);
      store.flush();
    }
  });

  it('a batch whose COMMIT fails is forgotten by the cache as well as by the file', () => {
    const dir = freshDir();
    const store = open(dir, { groupCommit: true });
    store.transaction(() => store.putSession(session('s1')));
    store.flush();
    store.transaction(() => store.putSession(session('s1', { lastSeq: 1 })));
    const failures: unknown[] = [];
    store.onCommitFailed = (error) => failures.push(error);
    store.db.exec('ROLLBACK'); // the batch is gone, so COMMIT fails with "no transaction is active"
    store.flush();
    expect(failures).toHaveLength(1);
    expect(store.getSession('s1')?.lastSeq).toBe(0);
  });

  it('changing a session object after writing or reading it does not change what the store returns', () => {
    const store = open(freshDir());
    const mine = session('s1', { listeners: ['bob'] });
    store.transaction(() => store.putSession(mine));
    mine.listeners.push('carol');
    mine.lastSeq = 7;
    expect(store.getSession('s1')).toEqual(session('s1', { listeners: ['bob'] }));
    const read = store.getSession('s1')!;
    expect(() => {
      read.lastSeq = 9;
    }).toThrow(TypeError);
  });

  it('listeners are rewritten when they change and survive a reopen', () => {
    const dir = freshDir();
    const store = open(dir);
    store.transaction(() => store.putSession(session('s1', { listeners: ['bob', 'carol'] })));
    store.transaction(() => store.putSession(session('s1', { lastSeq: 1, listeners: ['bob', 'carol'] })));
    store.transaction(() => store.putSession(session('s1', { lastSeq: 2, listeners: ['carol'] })));
    store.close();
    expect(open(dir).getSession('s1')).toEqual(session('s1', { lastSeq: 2, listeners: ['carol'] }));
  });

  it('a closed session is read back from the file', () => {
    const store = open(freshDir());
    store.transaction(() => store.putSession(session('s1')));
    store.transaction(() => store.putSession(session('s1', { state: 'closed', closedAt: 5 })));
    expect(store.getSession('s1')).toEqual(session('s1', { state: 'closed', closedAt: 5 }));
    expect(store.listLiveSessions()).toEqual([]);
  });
});

describe('summaries derived from the event log', () => {
  const said = (sessionId: string, seq: number, who: 'customer' | 'agent', at: number): SessionEvent => ({
    kind: 'message',
    sessionId,
    seq,
    at,
    messageId: `message-${seq}`,
    author: who === 'customer' ? { kind: 'customer', id: null, name: 'Pat' } : { kind: 'agent', id: 'alice', name: 'Alice' },
    text: `${who} ${seq}`,
  });
  const joined = (sessionId: string, seq: number, at: number): SessionEvent => ({
    kind: 'listener-joined',
    sessionId,
    seq,
    at,
    agentId: 'bob',
    agentName: 'Bob',
  });

  /** What the hub commits for one command: its events, then the summary folded over them. */
  function command(store: SqliteRelayStore, current: SessionSummary, events: SessionEvent[], change: Partial<SessionSummary> = {}) {
    let next = { ...current, ...change };
    for (const event of events) {
      next = { ...next, lastSeq: event.seq };
      if (event.kind === 'message') {
        const { at, author } = event;
        next.lastMessage = { text: event.text, at, authorKind: author.kind, authorName: author.name };
        next.waitingSince = author.kind === 'customer' ? (next.waitingSince ?? at) : null;
      }
    }
    store.transaction(() => {
      for (const event of events) store.appendEvent(event);
      store.putSession(next);
    });
    return next;
  }

  it('lastSeq, lastMessage and waitingSince survive a reopen and a crash exactly, though messages skip the row', () => {
    for (const groupCommit of [false, true]) {
      const dir = freshDir();
      const store = open(dir, { groupCommit });
      let s1 = command(store, session('s1'), []);
      let s2 = command(store, session('s2', { state: 'queued', ownerId: null, createdAt: 2 }), []);
      s1 = command(store, s1, [said('s1', 1, 'customer', 100)]);
      s1 = command(store, s1, [said('s1', 2, 'customer', 200)]); // still waiting since the first
      s2 = command(store, s2, [said('s2', 1, 'customer', 150)]);
      s1 = command(store, s1, [said('s1', 3, 'agent', 300), said('s1', 4, 'customer', 400)]);
      s1 = command(store, s1, [joined('s1', 5, 500)], { listeners: ['bob'] }); // a change the row must record
      s1 = command(store, s1, [said('s1', 6, 'customer', 600), joined('s1', 7, 700)]);
      store.flush();
      expect(s1).toMatchObject({ lastSeq: 7, waitingSince: 400, lastMessage: { text: 'customer 6', at: 600 } });
      expect(store.getSession('s1')).toEqual(s1);
      // the row really lags (messages only inserted their events), so the reads below prove the derivation
      const rowSeq = (id: string) =>
        (store.db.prepare('SELECT last_seq FROM sessions WHERE id = ?').get(id) as { last_seq: number }).last_seq;
      expect(rowSeq('s1')).toBe(5);
      expect(rowSeq('s2')).toBe(0);

      // a second connection while the first still holds the file reads what a kill -9 would leave
      const crashed = open(dir);
      expect(crashed.getSession('s1')).toEqual(s1);
      expect(crashed.listLiveSessions()).toEqual([s1, s2]);
      expect(crashed.queueHeads()).toEqual([s2]);
      crashed.close();
      store.close();
      const reopened = open(dir);
      expect(reopened.listLiveSessions()).toEqual([s1, s2]);
      expect(reopened.getSession('s2')).toEqual(s2);
    }
  });

  it('a rolled-back message is not derived into the summary, and the next one still is', () => {
    const dir = freshDir();
    const store = open(dir, { groupCommit: true });
    let s1 = command(store, session('s1'), []);
    s1 = command(store, s1, [said('s1', 1, 'customer', 100)]);
    expect(() =>
      store.transaction(() => {
        store.appendEvent(said('s1', 2, 'agent', 200));
        throw new Error('the command failed after writing');
      }),
    ).toThrow('the command failed');
    expect(store.getSession('s1')).toEqual(s1);
    s1 = command(store, s1, [said('s1', 2, 'customer', 250)]);
    store.close();
    expect(open(dir).getSession('s1')).toEqual({
      ...s1,
      lastSeq: 2,
      lastMessage: { text: 'customer 2', at: 250, authorKind: 'customer', authorName: 'Pat' },
      waitingSince: 100,
    });
  });
});

describe('schema migration 2 (events in arrival order)', () => {
  it('keeps every event of a version 1 database, and its duplicate checks', () => {
    const dir = freshDir();
    const db = new Database(path.join(dir, 'relay.sqlite'));
    db.pragma('journal_mode = WAL');
    migrations[0]!.up(db);
    db.pragma('user_version = 1');
    const insert = db.prepare('INSERT INTO events (session_id, seq, kind, message_id, body) VALUES (?, ?, ?, ?, ?)');
    for (const seq of [1, 2, 3]) {
      const event = message('s1', seq, `msg-0000${seq}`);
      insert.run('s1', seq, 'message', `msg-0000${seq}`, JSON.stringify(event));
    }
    db.close();

    const store = open(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(store.eventsAfter('s1', 1).map((e) => e.seq)).toEqual([2, 3]);
    expect(store.findMessageSeq('s1', 'msg-00002')).toBe(2);
    expect(() => store.transaction(() => store.appendEvent(message('s1', 3, 'msg-00009')))).toThrow(/UNIQUE/);
    expect(() => store.transaction(() => store.appendEvent(message('s1', 4, 'msg-00001')))).toThrow(/UNIQUE/);
  });
});

describe('schema migration 5 (teams, capacity, statuses)', () => {
  it('keeps the accounts and chats of a version 4 database, and adds what teams, Busy and the directory need', () => {
    const dir = freshDir();
    const db = new Database(path.join(dir, 'relay.sqlite'));
    db.pragma('journal_mode = WAL');
    for (const m of migrations.filter((m) => m.version <= 4)) m.up(db);
    db.pragma('user_version = 4');
    db.prepare(
      `INSERT INTO accounts (id, name, role, can_listen_in, password_hash, chosen_status, created_at, online)
       VALUES ('ann', 'Ann A', 'agent', 1, 'scrypt$x', 'away', 5, 1)`,
    ).run();
    db.prepare(
      `INSERT INTO sessions (id, customer_name, state, owner_id, pending_transfer, created_at, closed_at, last_seq)
       VALUES ('s1', 'Pat', 'queued', NULL, NULL, 7, NULL, 0)`,
    ).run();
    db.close();

    const store = open(dir);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(store.getAccount('ann')).toMatchObject({
      name: 'Ann A',
      canListenIn: true,
      chosenStatus: 'away',
      online: true,
      teams: [],
      capacity: null,
      disabled: false,
      idle: false,
      statusSince: null,
    });
    expect(store.getSession('s1')).toMatchObject({ state: 'queued', team: null });
    expect(store.directoryVersion()).toBe(0);
    // Busy is now a status an agent may choose, and accounts belong to teams
    store.transaction(() => {
      store.setChosenStatus('ann', 'busy');
      store.createTeam({ id: 'billing', name: 'Billing' });
      store.updateAccount('ann', { teams: ['billing'], capacity: 3 });
    });
    expect(store.getAccount('ann')).toMatchObject({ chosenStatus: 'busy', teams: ['billing'], capacity: 3 });
    expect(store.directoryVersion()).toBe(2);
    // a team's members leave it with the team, and an account's memberships go with the account
    store.transaction(() => store.removeTeam('billing'));
    expect(store.getAccount('ann')?.teams).toEqual([]);
    expect(() => store.transaction(() => store.updateAccount('ann', { teams: ['nope'] }))).toThrow(/FOREIGN KEY/);
  });

  it('a relay sees what another process (the CLI) changed in the same file once the directory version moves', () => {
    const dir = freshDir();
    const relay = open(dir);
    relay.transaction(() => relay.createAccount({ id: 'ann', name: 'Ann', role: 'agent', canListenIn: false, passwordHash: 'h1' }));
    expect(relay.getAccount('ann')?.passwordHash).toBe('h1');
    const cli = open(dir);
    cli.transaction(() => cli.updateAccount('ann', { passwordHash: 'h2', disabled: true }));
    // the relay's copy is stale until it looks at the version, as its poller does every second
    expect(relay.getAccount('ann')?.passwordHash).toBe('h1');
    relay.directoryVersion();
    expect(relay.getAccount('ann')).toMatchObject({ passwordHash: 'h2', disabled: true });
  });
});

describe('checkpoint worker', () => {
  /** rows of `table` in the database file alone, read without the WAL's help: what the checkpoints copied so far */
  const checkpointedRows = (file: string, table: string) => {
    const copy = `${file}.copy`;
    fs.copyFileSync(file, copy);
    const alone = new Database(copy);
    try {
      return (alone.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } catch {
      return 0;
    } finally {
      alone.close();
      fs.rmSync(copy, { force: true });
    }
  };

  it('copies committed pages into the database file without the committing thread checkpointing', async () => {
    const dir = freshDir();
    const store = open(dir, { checkpointWorker: true });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(1000);
    store.transaction(() => store.putSession(session('s1')));
    for (let seq = 1; seq <= 200; seq++) store.transaction(() => store.appendEvent(message('s1', seq, `msg-0000${seq}`)));
    const file = path.join(dir, 'relay.sqlite');
    await expect.poll(() => checkpointedRows(file, 'events'), { timeout: 5000, interval: 50 }).toBe(200);
  });

  it('stops at once when the store closes, even in its pause between two checkpoints', async () => {
    const dir = freshDir();
    const store = open(dir, { checkpointWorker: true, checkpointEveryMs: 60_000 });
    store.transaction(() => store.putSession(session('s1')));
    const file = path.join(dir, 'relay.sqlite');
    // once this commit is checkpointed, the worker pauses for a minute
    await expect.poll(() => checkpointedRows(file, 'sessions'), { timeout: 5000, interval: 50 }).toBe(1);
    const started = performance.now();
    store.close();
    // the close waits for the worker's connection to go (at most 2 s), so the last one out removed the WAL
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });
});

describe('directory and open-chat counts kept in memory', () => {
  const truth = (store: SqliteRelayStore) => {
    const reader = new Database(store.db.name, { readonly: true });
    try {
      const rows = reader.prepare("SELECT owner_id, count(*) AS n FROM sessions WHERE state = 'active' GROUP BY owner_id").all() as Array<{
        owner_id: string;
        n: number;
      }>;
      return new Map(rows.map((r) => [r.owner_id, r.n]));
    } finally {
      reader.close();
    }
  };

  it('open-chat counts follow every assignment, hand-off, close and rollback as the file counts them', () => {
    const dir = freshDir();
    const store = open(dir);
    store.transaction(() => store.putSession(session('s1', { state: 'queued', ownerId: null })));
    expect(store.openChatCounts()).toEqual(new Map());
    store.transaction(() => store.putSession(session('s1')));
    store.transaction(() => store.putSession(session('s2')));
    store.transaction(() => store.putSession(session('s3', { ownerId: 'bob' })));
    expect(store.openChatCounts()).toEqual(new Map([['alice', 2], ['bob', 1]]));
    // a caller counting chats it hands out in the answer does not change the store's
    store.openChatCounts().set('alice', 99);
    store.transaction(() => store.putSession(session('s2', { ownerId: 'bob' }))); // a hand-off
    store.transaction(() => store.putSession(session('s1', { state: 'closed', closedAt: 5 })));
    expect(() =>
      store.transaction(() => {
        store.putSession(session('s3', { state: 'closed', closedAt: 6, ownerId: 'bob' }));
        throw new Error('the command failed after writing');
      }),
    ).toThrow('the command failed');
    store.flush();
    expect(store.openChatCounts()).toEqual(new Map([['bob', 2]]));
    expect(store.openChatCounts()).toEqual(truth(store));
    // a live session the cache does not hold (after a reopen) still moves its owner's count
    store.close();
    const again = open(dir);
    expect(again.openChatCounts()).toEqual(new Map([['bob', 2]]));
    again.transaction(() => again.putSession(session('s4', { ownerId: 'carol' })));
    const uncached = open(dir);
    uncached.openChatCounts();
    uncached.transaction(() => uncached.putSession(session('s4', { ownerId: 'carol', state: 'closed', closedAt: 9 })));
    uncached.flush();
    expect(uncached.openChatCounts()).toEqual(truth(uncached));
    expect(uncached.openChatCounts()).toEqual(new Map([['bob', 2]]));
  });

  it('the list of accounts shows presence changes at once and another process\'s changes once the version moves', () => {
    const dir = freshDir();
    const relay = open(dir);
    relay.transaction(() => relay.createAccount({ id: 'ann', name: 'Ann', role: 'agent', canListenIn: false, passwordHash: 'h1' }));
    expect(relay.listAccounts().map((a) => [a.id, a.online])).toEqual([['ann', false]]);
    relay.transaction(() => relay.setOnline('ann', true));
    relay.transaction(() => relay.setChosenStatus('ann', 'away'));
    expect(relay.listAccounts()).toMatchObject([{ id: 'ann', online: true, chosenStatus: 'away' }]);
    relay.transaction(() => relay.createAccount({ id: 'bea', name: 'Bea', role: 'manager', canListenIn: true, passwordHash: 'h' }));
    expect(relay.listAccounts().map((a) => a.id)).toEqual(['ann', 'bea']);
    const cli = open(dir);
    cli.transaction(() => cli.updateAccount('bea', { name: 'Beatrice', teams: [] }));
    expect(relay.listAccounts()[1]?.name).toBe('Bea');
    relay.directoryVersion();
    expect(relay.listAccounts()[1]?.name).toBe('Beatrice');
  });
});

describe("reads that do not grow with every live chat", () => {
  const offer = (sessionId: string, over: Partial<TransferOffer>): TransferOffer => ({
    id: `tr_${sessionId}`,
    sessionId,
    fromId: 'alice',
    offeredBy: 'alice',
    toId: null,
    note: null,
    createdAt: 1,
    expiresAt: null,
    ...over,
  });
  const billing = { id: 'billing', name: 'Billing' };

  it("an agent's live chats are those they own, listen to or are offered (alone or with their team), from cache or file", () => {
    const dir = freshDir();
    const store = open(dir);
    store.transaction(() => {
      store.putSession(session('owned', { ownerId: 'bob', createdAt: 5 }));
      store.putSession(session('listened', { ownerId: 'carol', listeners: ['dave', 'bob'], createdAt: 2 }));
      store.putSession(session('offered', { pendingTransfer: offer('offered', { toId: 'bob' }), createdAt: 3 }));
      store.putSession(
        session('team', { pendingTransfer: offer('team', { toTeam: billing, candidates: ['carol', 'bob'] }), createdAt: 4 }),
      );
      store.putSession(session('queued', { state: 'queued', ownerId: null, createdAt: 1 }));
      store.putSession(session('others', { pendingTransfer: offer('others', { toId: 'carol' }), listeners: ['dave'], createdAt: 6 }));
      store.putSession(session('team-without-bob', { pendingTransfer: offer('team-without-bob', { toTeam: billing, candidates: ['carol'] }) }));
      store.putSession(session('closed', { ownerId: 'bob', listeners: ['bob'], state: 'closed', closedAt: 9 }));
    });
    const bobs = ['listened', 'offered', 'team', 'owned'];
    expect(store.listLiveSessionsOf('bob').map((s) => s.id)).toEqual(bobs);
    expect(store.listLiveSessionsOf('erin')).toEqual([]);
    // the owner of the offered chats (the offer's sender is not named by it)
    expect(store.listLiveSessionsOf('alice').map((s) => s.id)).toEqual(['team-without-bob', 'offered', 'team', 'others']);
    expect(store.listLiveSessionsOf('dave').map((s) => s.id)).toEqual(['listened', 'others']);
    // the same answer from the file, with nothing cached
    store.close();
    const again = open(dir);
    expect(again.listLiveSessionsOf('bob')).toEqual(again.listLiveSessions().filter((s) => bobs.includes(s.id)));
    expect(again.listLiveSessionsOf('bob').map((s) => s.id)).toEqual(bobs);
    // read through indexes: no statement of the welcome walks every live chat
    const plan = again.db
      .prepare(`EXPLAIN QUERY PLAN ${(again as unknown as { stmt: { liveSessionsOf: { source: string } } }).stmt.liveSessionsOf.source}`)
      .all('bob', 'bob')
      .map((row) => (row as { detail: string }).detail);
    expect(plan).toEqual(
      expect.arrayContaining([
        'SEARCH sessions USING INDEX sessions_live_by_owner (owner_id=?)',
        expect.stringMatching(/^SEARCH listeners USING (COVERING )?INDEX listeners_by_agent \(agent_id=\?\)$/),
        // only the chats with an offer pending: a partial index
        'SCAN sessions USING INDEX sessions_offered',
      ]),
    );
    expect(plan.filter((step) => /^SCAN (sessions|listeners)$/.test(step))).toEqual([]);
  });

  it('the queue is read oldest first up to a limit, and counted without reading its chats', () => {
    const store = open(freshDir());
    store.transaction(() => {
      store.putSession(session('late', { state: 'queued', ownerId: null, createdAt: 30 }));
      store.putSession(session('early', { state: 'queued', ownerId: null, createdAt: 10 }));
      store.putSession(session('active', { createdAt: 5 }));
      store.putSession(session('middle', { state: 'queued', ownerId: null, createdAt: 20, team: 'billing' }));
      store.putSession(session('gone', { state: 'closed', ownerId: null, closedAt: 40, createdAt: 1 }));
    });
    expect(store.listQueuedSessions(10).map((s) => s.id)).toEqual(['early', 'middle', 'late']);
    expect(store.listQueuedSessions(2).map((s) => s.id)).toEqual(['early', 'middle']);
    expect(store.countQueued()).toBe(3);
    store.transaction(() => store.putSession(session('early', { createdAt: 10 })));
    expect(store.countQueued()).toBe(2);
    expect(store.listQueuedSessions(10).map((s) => s.id)).toEqual(['middle', 'late']);
  });
});

describe('durable acknowledgements (synchronous FULL with group commit)', () => {
  it('what a batch acknowledges waits for the fsync of the WAL, and later frames keep their order behind it', async () => {
    const store = open(freshDir(), { groupCommit: true, synchronous: 'FULL' });
    // the commit itself does not sync: SQLite runs with NORMAL and the WAL is fsynced off the event loop
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    const order: string[] = [];
    store.transaction(() => store.putSession(session('s1')));
    store.afterCommit(() => order.push('ack s1'));
    store.flush();
    // committed (a second connection sees it) but not yet acknowledged
    const reader = new Database(path.join(store.db.name), { readonly: true });
    try {
      expect(reader.prepare('SELECT id FROM sessions').all()).toEqual([{ id: 's1' }]);
    } finally {
      reader.close();
    }
    store.afterCommit(() => order.push('error frame, no writes'));
    expect(order).toEqual([]);
    await new Promise<void>((resolve) => store.afterCommit(resolve));
    expect(order).toEqual(['ack s1', 'error frame, no writes']);
    // nothing pending: a task runs at once
    store.afterCommit(() => order.push('now'));
    expect(order.at(-1)).toBe('now');
  });

  it('a batch with more waiting tasks than a call takes arguments (a sign-in storm) acknowledges them all, in order', async () => {
    const store = open(freshDir(), { groupCommit: true, synchronous: 'FULL' });
    store.transaction(() => store.putSession(session('s1')));
    const ran: number[] = [];
    const waiting = 300_000;
    for (let i = 0; i < waiting; i++) store.afterCommit(() => ran.push(i));
    store.flush();
    await new Promise<void>((resolve) => store.afterCommit(resolve));
    expect(ran.length).toBe(waiting);
    expect(ran.every((n, i) => n === i)).toBe(true);
  });

  it('a batch written while an fsync is in flight is committed when it returns, and acknowledged after its own', async () => {
    const store = open(freshDir(), { groupCommit: true, synchronous: 'FULL' });
    const order: string[] = [];
    store.transaction(() => store.putSession(session('s1')));
    store.afterCommit(() => order.push('ack s1'));
    store.flush(); // its fsync is now in flight
    store.transaction(() => store.appendEvent(message('s1', 1, 'message-1')));
    store.afterCommit(() => order.push('ack m1'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    // the turn ended while the fsync ran: the batch is still open, not committed once per turn
    expect(store.db.inTransaction).toBe(order.length === 0);
    await new Promise<void>((resolve) => store.afterCommit(resolve));
    expect(order).toEqual(['ack s1', 'ack m1']);
    expect(store.db.inTransaction).toBe(false);
    expect(store.eventsAfter('s1', 0).map((e) => e.seq)).toEqual([1]);
  });

  it('closing the store syncs and releases what was still waiting for an fsync', () => {
    const store = openSqliteStore(freshDir(), { groupCommit: true, synchronous: 'FULL' });
    const released: string[] = [];
    store.transaction(() => store.putSession(session('s2')));
    store.afterCommit(() => released.push('ack s2'));
    store.flush();
    expect(released).toEqual([]);
    store.close();
    expect(released).toEqual(['ack s2']);
  });

  /** the store's fsyncs of the WAL, by when each started (ms, performance.now) */
  function watchSyncs(): number[] {
    const started: number[] = [];
    const real = fs.fsync;
    const spy = vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (error: Error | null) => void) => {
      started.push(performance.now());
      real(fd, callback);
    }) as typeof fs.fsync);
    restores.push(() => spy.mockRestore());
    return started;
  }
  const restores: Array<() => void> = [];
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
  });

  it('while commits keep coming the next fsync waits out minSyncIntervalMs; a commit on a quiet store is synced at once', async () => {
    const store = open(freshDir(), { groupCommit: true, synchronous: 'FULL', minSyncIntervalMs: 60 });
    const syncs = watchSyncs();
    const acks: Array<[string, number]> = [];
    const ack = (what: string) => () => acks.push([what, performance.now()]);
    store.transaction(() => store.putSession(session('s1')));
    store.afterCommit(ack('s1'));
    store.flush();
    // written while that fsync runs: it waits for the fsync after it, which starts 60 ms after the first began
    store.transaction(() => store.appendEvent(message('s1', 1, 'message-1')));
    store.afterCommit(ack('m1'));
    await new Promise<void>((resolve) => store.afterCommit(resolve));
    expect(acks.map(([what]) => what)).toEqual(['s1', 'm1']);
    expect(syncs).toHaveLength(2);
    expect(syncs[1]! - syncs[0]!).toBeGreaterThanOrEqual(55);
    expect(acks[1]![1]).toBeGreaterThan(syncs[1]!);
    // quiet since: the next commit's fsync starts in the same turn, and its acknowledgement does not wait 60 ms
    await new Promise((resolve) => setTimeout(resolve, 70));
    const flushedAt = performance.now();
    store.transaction(() => store.appendEvent(message('s1', 2, 'message-2')));
    store.afterCommit(ack('m2'));
    store.flush();
    expect(syncs).toHaveLength(3);
    expect(syncs[2]! - flushedAt).toBeLessThan(5);
    await new Promise<void>((resolve) => store.afterCommit(resolve));
    expect(acks.map(([what]) => what)).toEqual(['s1', 'm1', 'm2']);
    expect(store.eventsAfter('s1', 0).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('closing the store while the next fsync is held back syncs and releases what waited for it', async () => {
    const store = openSqliteStore(freshDir(), { groupCommit: true, synchronous: 'FULL', minSyncIntervalMs: 10_000 });
    const released: string[] = [];
    store.transaction(() => store.putSession(session('s4')));
    store.afterCommit(() => released.push('ack s4'));
    store.flush();
    store.transaction(() => store.appendEvent(message('s4', 1, 'message-1')));
    store.afterCommit(() => released.push('ack m1'));
    // the first fsync returned; the batch after it is held for the rest of the 10 s
    await new Promise<void>((resolve) => {
      const poll = () => (released.length ? resolve() : setTimeout(poll, 1));
      poll();
    });
    expect(released).toEqual(['ack s4']);
    store.close();
    expect(released).toEqual(['ack s4', 'ack m1']);
    const reopened = open(path.dirname(store.db.name));
    expect(reopened.eventsAfter('s4', 0).map((e) => e.seq)).toEqual([1]);
  });

  it('NORMAL acknowledges on commit, as before', () => {
    const store = open(freshDir(), { groupCommit: true, synchronous: 'NORMAL' });
    const released: string[] = [];
    store.transaction(() => store.putSession(session('s3')));
    store.afterCommit(() => released.push('ack s3'));
    store.flush();
    expect(released).toEqual(['ack s3']);
  });
});

describe('schema migration 12 (resends found in memory, not by an index)', () => {
  const live = (id: string, lastSeq: number): SessionSummary => session(id, { lastSeq });
  const asMessage = (event: SessionEvent) => event as Extract<SessionEvent, { kind: 'message' }>;
  /** two different ids with the same 30-bit hash: a collision must still store the second one */
  const collidingIds = (): [string, string] => {
    const seen = new Map<number, string>();
    for (let i = 0; ; i++) {
      const id = `msg-id-${i}`;
      const hash = clientIdHash(id);
      const other = seen.get(hash);
      if (other !== undefined) return [other, id];
      seen.set(hash, id);
    }
  };

  it("drops a version 11 database's message-id index and still finds the resends of what it held, after a reopen too", () => {
    const dir = freshDir();
    const db = new Database(path.join(dir, 'relay.sqlite'));
    for (const migration of migrations.filter((m) => m.version <= 11)) migration.up(db);
    db.pragma('user_version = 11');
    const insert = db.prepare('INSERT INTO events (session_id, seq, kind, message_id, body) VALUES (?, ?, ?, ?, ?)');
    for (const seq of [1, 2]) insert.run('s1', seq, 'message', `old-msg-${seq}`, JSON.stringify(message('s1', seq, `old-msg-${seq}`)));
    db.close();

    const store = open(dir);
    store.transaction(() => store.putSession(live('s1', 2))); // a live chat in the cache: its ids are kept
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'events_message_id'").all()).toEqual([]);
    expect(store.findMessageSeq('s1', 'old-msg-2')).toBe(2);
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 3, 'old-msg-1')), live('s1', 3)))).toBe(false);
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 3, 'new-msg-3')), live('s1', 3)))).toBe(true);
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 4, 'new-msg-3')), live('s1', 4)))).toBe(false);
    expect(store.findMessageSeq('s1', 'new-msg-3')).toBe(3);
    expect(store.findMessageSeq('s1', 'never-sent')).toBeNull();
    // a client id is still stored once per chat whichever way it comes in; another chat may use it
    expect(() => store.transaction(() => store.appendEvent(message('s1', 4, 'new-msg-3')))).toThrow(/UNIQUE/);
    store.transaction(() => store.appendEvent(message('s2', 1, 'new-msg-3')));
    store.close();

    const reopened = open(dir);
    expect(reopened.findMessageSeq('s1', 'new-msg-3')).toBe(3);
    expect(reopened.single(() => reopened.appendMessage(asMessage(message('s1', 4, 'new-msg-3')), live('s1', 4)))).toBe(false);
    expect(reopened.eventsAfter('s1', 0).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('an id whose hash another id of the chat has is stored, and each is then found as itself', () => {
    const [first, second] = collidingIds();
    expect(first).not.toBe(second);
    expect(clientIdHash(first)).toBe(clientIdHash(second));
    const store = open(freshDir());
    store.transaction(() => store.putSession(live('s1', 0)));
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 1, first)), live('s1', 1)))).toBe(true);
    expect(store.findMessageSeq('s1', second)).toBeNull();
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 2, second)), live('s1', 2)))).toBe(true);
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 3, first)), live('s1', 3)))).toBe(false);
    expect([store.findMessageSeq('s1', first), store.findMessageSeq('s1', second)]).toEqual([1, 2]);
  });

  it('an id appended in a command that rolled back is not taken for a resend afterwards', () => {
    const store = open(freshDir(), { groupCommit: true });
    store.transaction(() => store.putSession(live('s1', 0)));
    expect(store.findMessageSeq('s1', 'early')).toBeNull(); // the chat's ids are read (none) and kept from here on
    expect(() =>
      store.transaction(() => {
        store.appendEvent(message('s1', 1, 'rolled-back'));
        throw new Error('the command failed after its append');
      }),
    ).toThrow(/command failed/);
    expect(store.findMessageSeq('s1', 'rolled-back')).toBeNull();
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 1, 'rolled-back')), live('s1', 1)))).toBe(true);
    store.flush();
    expect(store.eventsAfter('s1', 0).map((e) => e.kind === 'message' && e.messageId)).toEqual(['rolled-back']);
  });

  it("a closed chat's ids are not kept, and are still found", () => {
    const store = open(freshDir());
    store.transaction(() => store.putSession(live('s1', 0)));
    expect(store.single(() => store.appendMessage(asMessage(message('s1', 1, 'before-close')), live('s1', 1)))).toBe(true);
    store.transaction(() => store.putSession(session('s1', { lastSeq: 1, state: 'closed', closedAt: 5 })));
    expect(store.findMessageSeq('s1', 'before-close')).toBe(1);
    expect(() => store.transaction(() => store.appendEvent(message('s1', 2, 'before-close')))).toThrow(/UNIQUE/);
    expect((store as unknown as { clientIds: Map<string, unknown> }).clientIds.has('s1')).toBe(false);
  });
});
