// Draining the embedded relay: what it read before the drain is answered before the connection closes, with 4012
// ("reconnect now"); newcomers are refused; it stops within its bound; the agent's own link reconnects at once, to
// another relay, without ever showing offline; and under SIGTERM with traffic, every client comes back to the
// restarted relay with nothing lost or doubled.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CloseCodes } from '../../common/protocol';
import { startTcpProxy } from '../client/tcp-proxy';
import { connectAgent, connectCustomer, type Frame, messageId, openSocket, removeDir, type TestClient, tempDir } from './helpers';
import {
  expectNothingLostOrDoubled,
  freePort,
  LinkedAgent,
  ResumingCustomer,
  type RelayProcess,
  sleep,
  spawnRelay,
  startBalancer,
  testScope,
  waitUntil,
} from './ops-helpers';

const { later, track, relay } = testScope();

/** message ids stored in a relay data folder, with how many times each is stored */
function storedMessages(dataDir: string): Map<string, number> {
  const db = new Database(path.join(dataDir, 'relay.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT message_id AS id, count(*) AS n FROM events WHERE kind = 'message' GROUP BY message_id").all() as Array<{
      id: string;
      n: number;
    }>;
    return new Map(rows.map((r) => [r.id, r.n]));
  } finally {
    db.close();
  }
}

/** every stored event, per chat, in seq order */
function storedLog(dataDir: string): Map<string, Frame[]> {
  const db = new Database(path.join(dataDir, 'relay.sqlite'), { readonly: true });
  try {
    const log = new Map<string, Frame[]>();
    for (const row of db.prepare('SELECT session_id, body FROM events ORDER BY session_id, seq').all() as Array<{ session_id: string; body: string }>) {
      const events = log.get(row.session_id) ?? [];
      log.set(row.session_id, events);
      events.push(JSON.parse(row.body));
    }
    return log;
  } finally {
    db.close();
  }
}

describe('draining the relay', () => {
  it('answers what it read before closing every connection with 4012, and stores exactly what it acknowledged', async () => {
    const r = await relay({ synchronous: 'FULL' });
    const alice = track(await connectAgent(r, 'alice'));
    const customer = track(await connectCustomer(r, { name: 'Dana' }));
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    const fired: Array<[TestClient, string, string]> = [];
    for (let i = 0; i < 40; i++) {
      const a = messageId();
      fired.push([alice, alice.fire({ type: 'send', sessionId, messageId: a, text: `alice ${i}` }), a]);
      const c = messageId();
      fired.push([customer, customer.fire({ type: 'customer-send', messageId: c, text: `customer ${i}` }), c]);
    }
    // some are read and in the works when the drain begins, the rest are still on their way
    await alice.answer(fired[0]![1]);
    await r.close();
    for (const client of [alice, customer]) {
      expect(await client.closed).toEqual({ code: CloseCodes.reconnect, reason: 'the relay is restarting; reconnect now' });
    }
    const acked = new Set<string>();
    for (const [client, commandId, message] of fired) {
      const answer = client.frames.find((f: Frame) => f.id === commandId);
      if (answer) {
        expect(answer.type, `answer to ${commandId}`).toBe('ok');
        acked.add(message);
      }
    }
    expect(acked.size).toBeGreaterThan(0);
    const stored = storedMessages(r.dataDir);
    // nothing acknowledged is lost, nothing unanswered was stored behind the client's back, nothing is stored twice
    expect([...stored.keys()].sort()).toEqual([...acked].sort());
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    // an answer always came before the close
    const stopped = r.logs.find((l) => l.event === 'relay-stopped');
    expect(stopped).toMatchObject({ clients: 2, unanswered: 0 });
  });

  it('refuses new connections once draining, and stops within its bound even when a client never answers', async () => {
    const r = await relay({ drainTimeoutMs: 800 });
    const proxy = await startTcpProxy(r.port);
    later(() => proxy.close());
    const stuck = track(await connectAgent({ ...r, wsUrl: proxy.url }, 'alice'));
    proxy.stall();
    const began = Date.now();
    const closing = r.close();
    await expect(openSocket(`${r.wsUrl}/customer`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await closing;
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(800 + 1000);
    proxy.resume();
    await stuck.closed;
  });

  it('the agent’s link reconnects at once after 4012, to the relay that is up, without showing offline', async () => {
    const first = await relay();
    const second = await relay();
    const ports = [first.port, second.port];
    const balancer = await startBalancer(() => ports);
    later(() => balancer.close());
    const alice = track(await new LinkedAgent(balancer.wsUrl, 'alice', { baseMs: 2000, capMs: 5000, resetAfterMs: 60_000 }).start());
    expect(balancer.accepted.get(first.port)).toBe(1);
    await first.close();
    await waitUntil(() => alice.link.online && alice.states.length > 3, 5000, 'alice online again');
    // two relays of their own (not a cluster): the first one's sign-in token means nothing to the second, which refuses
    // it (401), and the password follows at once
    expect(balancer.accepted.get(second.port)).toBe(2);
    // 4012 from the draining relay, then the upgrade refused for the token (no socket: 1006)
    expect(alice.closeCodes).toEqual([CloseCodes.reconnect, 1006]);
    const after = alice.states.slice(alice.states.findIndex((s) => s.status === 'online') + 1).map((s) => s.status);
    // with a backoff of up to 2 s, anything but "at once" would have gone through offline
    expect(after).toEqual(['connecting', 'connecting', 'online']);
    const [gap] = alice.gaps();
    expect(gap!.offline).toBe(false);
    expect(gap!.ms).toBeLessThan(1500);
  });

  it('SIGTERM under traffic: clients are told 4012, the relay exits 0, and every client is back on the restarted relay with nothing lost or doubled', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    later(() => removeDir(dataDir));
    const args = ['--port', String(port), '--data', dataDir, '--demo', '--offline-grace', '30', '--capacity', '3'];
    let node: RelayProcess = await spawnRelay(args);
    later(() => node.stop('SIGKILL'));
    const url = `ws://127.0.0.1:${port}`;
    const agents = [track(await new LinkedAgent(url, 'alice').start()), track(await new LinkedAgent(url, 'bob').start())];
    const customers = Array.from({ length: 4 }, (_, i) => track(new ResumingCustomer(() => url, `Customer ${i}`)));
    await Promise.all(customers.map((c) => c.start()));
    await waitUntil(() => agents.flatMap((a) => a.owned()).length === 4, 10_000, 'every chat assigned');

    let traffic = true;
    const agentSends: Array<Promise<string>> = [];
    const loop = (async () => {
      for (let round = 0; traffic; round++) {
        for (const c of customers) c.send(`round ${round} from ${c.name}`);
        for (const a of agents) for (const sessionId of a.owned()) agentSends.push(a.send(sessionId, `round ${round} from ${a.user}`));
        await sleep(60);
      }
    })();
    await sleep(1500);
    const stopped = await node.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);
    expect(node.output()).toContain('"event":"relay-stopped"');
    await sleep(300);
    node = await spawnRelay(args);
    await sleep(1500);
    traffic = false;
    await loop;

    await Promise.all(agentSends);
    await waitUntil(() => customers.every((c) => c.unacked.size === 0 && c.connected), 20_000, 'every customer back, everything acknowledged');
    await waitUntil(() => agents.every((a) => a.link.online), 20_000, 'every agent back online');
    for (const c of customers) expect(c.closeCodes[0], c.name).toBe(CloseCodes.reconnect);
    for (const a of agents) expect(a.closeCodes[0], a.user).toBe(CloseCodes.reconnect);

    await expectNothingLostOrDoubled(storedLog(dataDir), customers, agents);
    await node.stop('SIGTERM');
  }, 120_000);
});

