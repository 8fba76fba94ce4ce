// /metrics and /ready of cluster nodes: the bus and the store are reported, commits are timed on PostgreSQL, chats are
// the deployment's (the same on every node) while connections and transfers are each node's; a node whose PostgreSQL
// is unreachable is not ready.
import { describe, expect, it } from 'vitest';
import { startRelay } from '../../relay/server';
import { startTcpProxy } from '../client/tcp-proxy';
import { connectAgent, connectCustomer, messageId, removeDir, tempDir } from '../relay/helpers';
import { sample, scrape, testScope, waitUntil } from '../relay/ops-helpers';
import { clusterUnavailable, freshDatabase, redisUrl, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

const { later, track } = testScope();

describe.skipIf(unavailable !== null)('cluster metrics', () => {
  it('each node reports its bus, its store, its connections and what it committed; chats are the same everywhere', async () => {
    const c = await startTestCluster({ metrics: { port: 0 } }, { nodes: 2 });
    later(() => c.close());
    const urls = c.nodes.map((n) => n.metricsUrl!);
    const before = await Promise.all(urls.map((url) => scrape(url)));
    before.forEach((m, i) => {
      expect(sample(m, 'baton_relay_info', { engine: 'cluster', node_id: `n${i + 1}`, protocol: '1' })).toBe(1);
      expect(sample(m, 'baton_bus_connected')).toBe(1);
      expect(sample(m, 'baton_bus_subscribed')).toBe(1);
      expect(sample(m, 'baton_bus_canary_age_seconds')).toBeLessThan(5);
      expect(sample(m, 'baton_store_up')).toBe(1);
      expect(sample(m, 'baton_ready')).toBe(1);
    });

    c.pin(0);
    const alice = track(await connectAgent(c, 'alice'));
    c.pin(1);
    const customer = track(await connectCustomer(c, { name: 'Dana' }));
    const bob = track(await connectAgent(c, 'bob'));
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'hello' });
    await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'hi' });
    const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
    await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
    await bob.ok({ type: 'accept-transfer', sessionId, transferId });

    const after = await Promise.all(urls.map((url) => scrape(url)));
    const moved = (i: number, name: string, labels: Record<string, string> = {}) =>
      (sample(after[i]!, name, labels) ?? 0) - (sample(before[i]!, name, labels) ?? 0);
    // alice's commands ran on node 1, the customer's and bob's on node 2
    expect(moved(0, 'baton_chat_messages_total', { author: 'agent' })).toBe(1);
    expect(moved(1, 'baton_chat_messages_total', { author: 'customer' })).toBe(1);
    expect(moved(0, 'baton_transfers_total', { outcome: 'offered' })).toBe(1);
    expect(moved(1, 'baton_transfers_total', { outcome: 'accepted' })).toBe(1);
    expect(moved(0, 'baton_store_commit_seconds_count', { engine: 'postgresql' })).toBeGreaterThanOrEqual(2);
    expect(moved(1, 'baton_store_commit_seconds_count', { engine: 'postgresql' })).toBeGreaterThanOrEqual(2);
    expect(sample(after[0]!, 'baton_store_fsync_seconds_count')).toBe(0);
    expect(sample(after[0]!, 'baton_connections', { kind: 'agent' })).toBe(1);
    expect(sample(after[1]!, 'baton_connections', { kind: 'agent' })).toBe(1);
    expect(sample(after[1]!, 'baton_connections', { kind: 'customer' })).toBe(1);
    for (const m of after) expect(sample(m, 'baton_chats', { state: 'active' })).toBe(1);
  }, 60_000);

  it('a node that cannot reach PostgreSQL is not ready, and says why', async () => {
    const database = await freshDatabase();
    later(() => database.drop());
    const pgUrl = new URL(database.url);
    const proxy = await startTcpProxy(Number(pgUrl.port || 5432));
    later(() => proxy.close());
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    const dataDir = tempDir();
    later(() => removeDir(dataDir));
    const node = await startRelay({
      dataDir,
      demo: true,
      log: () => {},
      metrics: { port: 0 },
      cluster: { postgresUrl: pgUrl.toString(), redisUrl, nodeId: 'r1', redisPrefix: `baton-ops-${process.pid}-${Date.now()}`, heartbeatMs: 200 },
    });
    later(() => node.close());
    expect(await (await fetch(`${node.metricsUrl}/ready`)).json()).toEqual({ ready: true, nodeId: 'r1', reasons: [] });
    proxy.refuse(true);
    proxy.cut();
    await waitUntil(async () => (await fetch(`${node.metricsUrl}/ready`)).status === 503, 10_000, '/ready to say 503');
    expect(await (await fetch(`${node.metricsUrl}/ready`)).json()).toEqual({ ready: false, nodeId: 'r1', reasons: ['store down'] });
    const m = await scrape(node.metricsUrl!);
    expect(sample(m, 'baton_store_up')).toBe(0);
    expect(sample(m, 'baton_ready')).toBe(0);
    expect(sample(m, 'baton_bus_subscribed')).toBe(1);
    proxy.refuse(false);
    await waitUntil(async () => (await fetch(`${node.metricsUrl}/ready`)).status === 200, 10_000, '/ready to say 200 again');
  }, 60_000);
});
