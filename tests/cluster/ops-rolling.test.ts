// A rolling restart of a cluster under traffic: three nodes (child processes) behind a balancer, each sent SIGTERM in
// turn and replaced. Every client is told 4012, reconnects at once to a node that is up, and resumes; no message is
// lost or stored twice; no agent's link shows offline and nobody is ever told an agent went offline.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CloseCodes } from '../../common/protocol';
import type { Frame } from '../relay/helpers';
import {
  expectNothingLostOrDoubled,
  LinkedAgent,
  type RelayProcess,
  ResumingCustomer,
  sleep,
  spawnRelay,
  startBalancer,
  testScope,
  waitUntil,
} from '../relay/ops-helpers';
import { clusterUnavailable, freshDatabase, redisUrl } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

const { later, track } = testScope();

/** every stored event, per chat, in seq order */
async function storedLog(url: string): Promise<Map<string, Frame[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ session_id: string; body: string }>('SELECT session_id, body FROM events ORDER BY session_id, seq');
    const log = new Map<string, Frame[]>();
    for (const row of rows) {
      const events = log.get(row.session_id) ?? [];
      log.set(row.session_id, events);
      events.push(JSON.parse(row.body));
    }
    return log;
  } finally {
    await client.end();
  }
}

/**
 * The offline grace of the nodes: an agent away longer than this would be reported offline. Short, so a reconnect
 * that is not "at once" shows; long enough for a sign-in on this shared two-core machine under load.
 */
const GRACE_S = 5;

describe.skipIf(unavailable !== null)('a rolling restart of a cluster', () => {
  it('restarting the nodes one at a time under traffic loses and doubles nothing, and no agent is seen offline', async () => {
    const database = await freshDatabase();
    later(() => database.drop());
    const prefix = `baton-rolling-${process.pid}-${Date.now()}`;
    const args = (id: string) => [
      '--port',
      '0',
      '--postgres',
      database.url,
      '--redis',
      redisUrl,
      '--redis-prefix',
      prefix,
      '--node-id',
      id,
      // short, so an agent away for longer than a reconnect would be reported offline during the test
      '--offline-grace',
      String(GRACE_S),
      '--capacity',
      '4',
    ];
    const nodes = new Map<string, RelayProcess>();
    const start = async (id: string, extra: string[] = []) => {
      const node = await spawnRelay([...args(id), ...extra]);
      nodes.set(id, node);
      later(() => node.stop('SIGKILL'));
      return node;
    };
    await start('n1', ['--demo']);
    await start('n2');
    await start('n3');
    const balancer = await startBalancer(() => [...nodes.values()].map((n) => n.port));
    later(() => balancer.close());

    const agents: LinkedAgent[] = [];
    for (const user of ['alice', 'bob', 'carol']) agents.push(track(await new LinkedAgent(balancer.wsUrl, user).start()));
    const maria = track(await new LinkedAgent(balancer.wsUrl, 'maria').start());
    const customers = Array.from({ length: 6 }, (_, i) => track(new ResumingCustomer(() => balancer.wsUrl, `Customer ${i}`)));
    await Promise.all(customers.map((c) => c.start()));
    await waitUntil(() => agents.flatMap((a) => a.owned()).length === customers.length, 15_000, 'every chat assigned');

    // people's pace: each customer writes every 200 ms, each agent answers in each chat once the last answer is in
    let traffic = true;
    const agentSends: Array<Promise<string>> = [];
    const answering = new Set<string>();
    const loop = (async () => {
      for (let round = 0; traffic; round++) {
        for (const c of customers) c.send(`round ${round} from ${c.name}`);
        for (const a of agents) {
          for (const sessionId of a.owned()) {
            if (answering.has(sessionId)) continue;
            answering.add(sessionId);
            agentSends.push(a.send(sessionId, `round ${round} from ${a.user}`).finally(() => answering.delete(sessionId)));
          }
        }
        await sleep(200);
      }
    })();
    await sleep(1000);
    for (const id of ['n1', 'n2', 'n3']) {
      const node = nodes.get(id)!;
      const stopped = await node.stop('SIGTERM');
      if (process.env.OPS_DEBUG_DIR) (await import('node:fs')).writeFileSync(`${process.env.OPS_DEBUG_DIR}/${id}.log`, node.output());
      const printed = node
        .output()
        .split('\n')
        .filter((l) => !l.includes('"connection-') && !l.includes('"customer-joined"'))
        .slice(-12)
        .join('\n');
      expect(stopped.code, `${id} exit code; it printed: ${printed}`).toBe(0);
      expect(stopped.ms, `${id} drain; it printed: ${printed}`).toBeLessThan(10_000);
      nodes.delete(id);
      await start(id);
      await sleep(1000);
    }
    traffic = false;
    await loop;
    await Promise.all(agentSends);
    const everyone = [...agents, maria];
    await waitUntil(() => customers.every((c) => c.unacked.size === 0 && c.connected), 20_000, 'every customer back, everything acknowledged');
    await waitUntil(() => everyone.every((a) => a.link.online), 20_000, 'every agent back online');

    // each restart told its clients "reconnect now", and nothing else ever closed them
    for (const client of [...everyone, ...customers]) {
      const label = client instanceof LinkedAgent ? client.user : client.name;
      expect(client.closeCodes.length, `${label} was moved at least once`).toBeGreaterThan(0);
      expect(client.closeCodes.filter((code) => code !== CloseCodes.reconnect), `${label} close codes`).toEqual([]);
    }
    // no agent's own link went through offline, and each was back before the grace could run out
    for (const agent of everyone) {
      const gaps = agent.gaps();
      expect(gaps.filter((gap) => gap.offline), `${agent.user} showed offline`).toEqual([]);
      expect(Math.max(...gaps.map((gap) => gap.ms)), `${agent.user} reconnects took ${gaps.map((g) => g.ms).join(', ')} ms`).toBeLessThan(
        GRACE_S * 1000,
      );
    }
    // nobody was told an agent went offline
    const offline = everyone.flatMap((a) => a.frames.filter((f) => f.type === 'presence' && f.agent.status === 'offline'));
    expect(offline).toEqual([]);

    await expectNothingLostOrDoubled(await storedLog(database.url), customers, agents);
  }, 240_000);
});
