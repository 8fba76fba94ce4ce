// /metrics, /health and /ready of the embedded relay: every metric is there, and each one moves as a scripted chat
// (queue, assignment, messages both ways, every transfer outcome, a close, refusals) goes by; /metrics is off the
// public port unless asked for, and behind its token when it has one.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AGENT_PATH, CUSTOMER_PATH } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';
import { startTcpProxy } from '../client/tcp-proxy';
import { connectAgent, connectCustomer, type Frame, messageId, openSocket, removeDir, startTestRelay, tempDir } from './helpers';
import { parseMetrics, sample, scrape, testScope, waitUntil } from './ops-helpers';

const { later, track, relay } = testScope();

/** The metrics a Prometheus server would find, by name (from the # TYPE lines). */
async function families(url: string): Promise<Map<string, string>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

const EXPECTED: Record<string, string> = {
  baton_relay_info: 'gauge',
  baton_connections: 'gauge',
  baton_chats: 'gauge',
  baton_queue_length: 'gauge',
  baton_queue_longest_wait_seconds: 'gauge',
  baton_ready: 'gauge',
  baton_draining: 'gauge',
  baton_store_up: 'gauge',
  baton_frames_received_total: 'counter',
  baton_frames_sent_total: 'counter',
  baton_chat_messages_total: 'counter',
  baton_transfers_total: 'counter',
  baton_chats_opened_total: 'counter',
  baton_chats_closed_total: 'counter',
  baton_refusals_total: 'counter',
  baton_store_errors_total: 'counter',
  baton_internal_errors_total: 'counter',
  baton_retention_purged_chats_total: 'counter',
  baton_ack_seconds: 'histogram',
  baton_store_commit_seconds: 'histogram',
  baton_store_fsync_seconds: 'histogram',
  nodejs_eventloop_lag_seconds: 'gauge',
  nodejs_eventloop_lag_p99_seconds: 'gauge',
  process_cpu_seconds_total: 'counter',
  process_resident_memory_bytes: 'gauge',
};

describe('relay metrics', () => {
  it('every metric is exported, and each moves as a scripted chat goes by', async () => {
    const r = await relay({ synchronous: 'FULL', metrics: { port: 0 } });
    const url = r.metricsUrl!;
    const types = await families(url);
    for (const [name, type] of Object.entries(EXPECTED)) expect(types.get(name), name).toBe(type);
    expect(types.has('baton_bus_connected'), 'bus gauges are for a cluster').toBe(false);
    const m0 = await scrape(url);
    expect(sample(m0, 'baton_relay_info', { engine: 'embedded', node_id: 'embedded', protocol: '1' })).toBe(1);
    expect(sample(m0, 'baton_ready')).toBe(1);
    expect(sample(m0, 'baton_store_up')).toBe(1);
    expect(sample(m0, 'baton_draining')).toBe(0);
    expect(sample(m0, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    // nobody is present: the chat waits in the queue
    const customer = track(await connectCustomer(r, { name: 'Dana' }));
    const sessionId = customer.sessionId;
    await new Promise((res) => setTimeout(res, 120));
    const queued = await scrape(url);
    expect(sample(queued, 'baton_chats', { state: 'queued' })).toBe(1);
    expect(sample(queued, 'baton_queue_length')).toBe(1);
    expect(sample(queued, 'baton_queue_longest_wait_seconds')).toBeGreaterThanOrEqual(0.1);
    expect(sample(queued, 'baton_connections', { kind: 'customer' })).toBe(1);
    expect(sample(queued, 'baton_chats_opened_total', { by: 'customer' })).toBe(1);

    const alice = track(await connectAgent(r, 'alice'));
    await alice.event('assigned', sessionId);
    const bob = track(await connectAgent(r, 'bob'));
    const assigned = await scrape(url);
    expect(sample(assigned, 'baton_chats', { state: 'active' })).toBe(1);
    expect(sample(assigned, 'baton_queue_length')).toBe(0);
    expect(sample(assigned, 'baton_queue_longest_wait_seconds')).toBe(0);
    expect(sample(assigned, 'baton_connections', { kind: 'agent' })).toBe(2);

    for (let i = 0; i < 3; i++) await customer.ok({ type: 'customer-send', messageId: messageId(), text: `customer ${i}` });
    for (let i = 0; i < 2; i++) await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: `alice ${i}` });
    const offer = async () => (await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' })).transferId as string;
    let transferId = await offer();
    await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
    await bob.ok({ type: 'reject-transfer', sessionId, transferId, reason: 'busy' });
    transferId = await offer();
    await alice.ok({ type: 'cancel-transfer', sessionId, transferId });
    transferId = await offer();
    await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
    await bob.ok({ type: 'accept-transfer', sessionId, transferId });
    await customer.ok({ type: 'customer-close' });
    await alice.event('closed', sessionId);

    const m1 = await scrape(url);
    const moved = (name: string, labels: Record<string, string> = {}) => (sample(m1, name, labels) ?? 0) - (sample(m0, name, labels) ?? 0);
    expect(moved('baton_chat_messages_total', { author: 'customer' })).toBe(3);
    expect(moved('baton_chat_messages_total', { author: 'agent' })).toBe(2);
    expect(moved('baton_transfers_total', { outcome: 'offered' })).toBe(3);
    expect(moved('baton_transfers_total', { outcome: 'rejected' })).toBe(1);
    expect(moved('baton_transfers_total', { outcome: 'cancelled' })).toBe(1);
    expect(moved('baton_transfers_total', { outcome: 'accepted' })).toBe(1);
    expect(moved('baton_chats_closed_total', { by: 'customer' })).toBe(1);
    expect(sample(m1, 'baton_chats', { state: 'active' })).toBe(0);
    expect(moved('baton_ack_seconds_count', { command: 'customer-send' })).toBe(3);
    expect(moved('baton_ack_seconds_count', { command: 'send' })).toBe(2);
    expect(moved('baton_ack_seconds_count', { command: 'offer-transfer' })).toBe(3);
    expect(moved('baton_ack_seconds_count', { command: 'hello' })).toBe(2);
    expect(moved('baton_ack_seconds_count', { command: 'customer-hello' })).toBe(1);
    expect(moved('baton_ack_seconds_sum', { command: 'send' })).toBeGreaterThan(0);
    // the customer's frames: hello, three messages, close; alice's: hello, two messages, three offers, a cancel; bob's:
    // hello, a reject, an accept
    expect(moved('baton_frames_received_total', { kind: 'customer' })).toBe(5);
    expect(moved('baton_frames_received_total', { kind: 'agent' })).toBe(7 + 3);
    expect(moved('baton_frames_sent_total', { kind: 'customer' })).toBeGreaterThanOrEqual(customer.frames.length);
    expect(moved('baton_frames_sent_total', { kind: 'agent' })).toBeGreaterThanOrEqual(alice.frames.length + bob.frames.length);
    expect(moved('baton_store_commit_seconds_count', { engine: 'sqlite' })).toBeGreaterThan(0);
    expect(moved('baton_store_fsync_seconds_count')).toBeGreaterThan(0);
    expect(moved('baton_store_fsync_seconds_sum')).toBeGreaterThan(0);

    // refusals: a wrong password, a foreign Origin, frames over the rate limit
    await expect(openSocket(`${r.wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('alice', 'wrong') })).rejects.toMatchObject({ status: 401 });
    await expect(openSocket(`${r.wsUrl}${CUSTOMER_PATH}`, { Origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const flooder = track(await connectCustomer(r, { name: 'Flood' }));
    for (let i = 0; i < 130; i++) flooder.send('{"type":"customer-typing","id":"t","active":true}');
    await flooder.next((f: Frame) => f.type === 'error' && f.code === 'rate-limited');
    const m2 = await scrape(url);
    expect((sample(m2, 'baton_refusals_total', { reason: 'auth' }) ?? 0) - (sample(m1, 'baton_refusals_total', { reason: 'auth' }) ?? 0)).toBe(1);
    expect(sample(m2, 'baton_refusals_total', { reason: 'origin' })).toBe(1);
    expect(sample(m2, 'baton_refusals_total', { reason: 'rate-limited' })).toBeGreaterThanOrEqual(1);
    expect(sample(m2, 'baton_internal_errors_total')).toBe(0);
  }, 30_000);

  it('onStoreTiming hears every commit and fsync that /metrics counts', async () => {
    const heard = { commit: 0, fsync: 0 };
    const r = await relay({ synchronous: 'FULL', metrics: { port: 0 }, onStoreTiming: (what) => void heard[what]++ });
    const customer = track(await connectCustomer(r, { name: 'Dana' }));
    for (let i = 0; i < 3; i++) await customer.ok({ type: 'customer-send', messageId: messageId(), text: `customer ${i}` });
    // a batch that acknowledges nothing (the chat's routing) may still be committed or synced while the scrape is on
    // its way (CI saw 8 fsyncs heard against 7 counted): compare a scrape during which nothing more was heard
    let m: Awaited<ReturnType<typeof scrape>>;
    let before: typeof heard;
    do {
      before = { ...heard };
      m = await scrape(r.metricsUrl!);
    } while (before.commit !== heard.commit || before.fsync !== heard.fsync);
    expect(heard.commit).toBeGreaterThanOrEqual(4);
    expect(heard.commit).toBe(sample(m, 'baton_store_commit_seconds_count', { engine: 'sqlite' }));
    expect(heard.fsync).toBeGreaterThanOrEqual(1);
    expect(heard.fsync).toBe(sample(m, 'baton_store_fsync_seconds_count'));
  });

  it('/metrics is not on the public port unless asked for; with a token it answers only that bearer', async () => {
    const plain = await relay();
    expect(plain.metricsUrl).toBeNull();
    expect((await fetch(`${plain.httpUrl}/metrics`)).status).toBe(404);

    const token = 'b'.repeat(32);
    const guarded = await relay({ metrics: { token } });
    expect((await fetch(`${guarded.httpUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${guarded.httpUrl}/metrics`, { headers: { Authorization: `Bearer ${'c'.repeat(32)}` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    const right = await fetch(`${guarded.httpUrl}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toContain('text/plain');
    expect(await right.text()).toContain('baton_connections');
    expect(guarded.logs.filter((l) => l.event === 'metrics-refused')).toHaveLength(2);

    const separate = await relay({ metrics: { port: 0, token } });
    expect((await fetch(`${separate.httpUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${separate.metricsUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${separate.metricsUrl}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    // the probes a balancer or service manager uses are on both ports, without the token
    for (const base of [separate.httpUrl, separate.metricsUrl!]) {
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect(await (await fetch(`${base}/ready`)).json()).toEqual({ ready: true, nodeId: 'embedded', reasons: [] });
    }
  });

  it('a metrics port that is taken stops the start with a sentence, and leaves nothing running', async () => {
    const taken = await relay({ metrics: { port: 0 } });
    const port = Number(new URL(taken.metricsUrl!).port);
    const dataDir = tempDir();
    later(() => removeDir(dataDir));
    await expect(startTestRelay({ dataDir, metrics: { port } })).rejects.toThrow(`cannot listen on 127.0.0.1:${port} for metrics: it is in use`);
    // the store it opened was closed again: nobody holds the file (an exclusive lock is granted at once)
    const db = new Database(path.join(dataDir, 'relay.sqlite'), { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    expect(() => db.exec('BEGIN EXCLUSIVE; COMMIT')).not.toThrow();
    db.close();
  });

  it('while draining, /ready answers 503 and the relay reports draining, though /health still says alive', async () => {
    const r = await relay({ metrics: { port: 0 }, drainTimeoutMs: 1500 });
    const proxy = await startTcpProxy(r.port);
    later(() => proxy.close());
    const stuck = track(await connectAgent({ ...r, wsUrl: proxy.url }, 'alice'));
    // a client that stops reading cannot finish the close handshake: the drain waits for it, up to its bound
    proxy.stall();
    const began = Date.now();
    const closing = r.close();
    await waitUntil(async () => (await fetch(`${r.metricsUrl}/ready`)).status === 503, 1000, '/ready to say 503');
    const ready = await (await fetch(`${r.metricsUrl}/ready`)).json();
    expect(ready).toMatchObject({ ready: false, reasons: ['draining'] });
    const health = await fetch(`${r.metricsUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', draining: true });
    const metrics = parseMetrics(await (await fetch(`${r.metricsUrl}/metrics`)).text());
    expect(sample(metrics, 'baton_draining')).toBe(1);
    expect(sample(metrics, 'baton_ready')).toBe(0);
    await closing;
    expect(Date.now() - began).toBeLessThan(1500 + 1500);
    expect(r.logs.find((l) => l.event === 'relay-stopped')).toMatchObject({ clients: 1 });
    proxy.resume();
    await stuck.closed;
  });
});
