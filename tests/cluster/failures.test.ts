// A cluster when things fail: events keep their seq order across nodes; kill -9 of a node loses and doubles nothing
// and its timers still fire once; a dead node's agents go offline; Redis restarted, PostgreSQL unreachable and a
// stalled subscription are each survived, with /health telling the truth meanwhile.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PgEngine } from '../../relay/cluster/postgres';
import { PG_LATEST_VERSION } from '../../relay/cluster/migrations';
import { startRelay } from '../../relay/server';
import { startTcpProxy, type TcpProxy } from '../client/tcp-proxy';
import {
  connectAgent,
  connectCustomer,
  type Frame,
  messageId,
  repoRoot,
  type TestClient,
  tempDir,
  removeDir,
} from '../relay/helpers';
import { clusterUnavailable, freshDatabase, redisUrl, startTestCluster, type TestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}
const redisBinary = spawnSync('redis-server', ['--version']).status === 0;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function track<T extends TestClient>(client: T): T {
  cleanups.push(() => client.close());
  return client;
}

async function cluster(...args: Parameters<typeof startTestCluster>): Promise<TestCluster> {
  const started = await startTestCluster(...args);
  cleanups.push(() => started.close());
  return started;
}

const at = (url: string) => ({ nodeId: 'pinned', httpUrl: url.replace('ws', 'http'), wsUrl: url, port: 0, close: async () => {} });
const seqs = (client: TestClient, sessionId: string) => client.eventsOf(sessionId).map((e) => e.seq as number);
const increasing = (list: number[]) => list.every((seq, i) => i === 0 || seq > list[i - 1]!);

/** A relay node as a child process of its own (so it can be killed), on the cluster's database and Redis. */
async function spawnNode(c: TestCluster, nodeId: string, extra: string[] = []) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'relay/cli.ts',
      '--port',
      '0',
      '--postgres',
      c.databaseUrl,
      '--redis',
      redisUrl,
      '--redis-prefix',
      c.redisPrefix,
      '--node-id',
      nodeId,
      ...extra,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const httpUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node did not start: ${out}`)), 20_000);
    const read = (chunk: Buffer) => {
      out += chunk;
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`node exited with ${code}: ${out}`)));
  });
  return {
    wsUrl: httpUrl.replace('http', 'ws'),
    kill: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Sends until acknowledged, resending with the same id after `unavailable` (as the agent's outbox does). */
async function sendAcked(client: TestClient, frame: Frame, attempts = 40): Promise<Frame> {
  for (let i = 0; ; i++) {
    const answer = await client.command(frame);
    if (answer.type === 'ok' || i >= attempts) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(unavailable !== null)('a cluster when things fail', () => {
  it('events reach every party in seq order while the customer and the agent write to different nodes at once', async () => {
    const c = await cluster();
    c.pin(0);
    const alice = track(await connectAgent(c, 'alice'));
    c.pin(1);
    const customer = track(await connectCustomer(c, { name: 'Dana' }));
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    c.pin(2);
    const carol = track(await connectAgent(c, 'carol'));
    await carol.ok({ type: 'listen', sessionId });
    await carol.event('listener-joined', sessionId);
    const fired: Array<[TestClient, string]> = [];
    for (let i = 0; i < 40; i++) {
      fired.push([customer, customer.fire({ type: 'customer-send', messageId: messageId(), text: `customer ${i}` })]);
      fired.push([alice, alice.fire({ type: 'send', sessionId, messageId: messageId(), text: `alice ${i}` })]);
    }
    for (const [client, id] of fired) expect((await client.answer(id, 15_000)).type).toBe('ok');
    const { events } = await carol.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
    const last = events.at(-1).seq as number;
    for (const client of [alice, carol]) {
      await client.until(() => seqs(client, sessionId).includes(last), 'every event', 10_000);
      const live = client.frames.filter((f) => f.type === 'event' && f.event.sessionId === sessionId).map((f) => f.event.seq);
      expect(increasing(live), `${client.label} got events out of order: ${live.join(',')}`).toBe(true);
    }
    await customer.until(() => customer.eventsOf(sessionId).filter((e) => e.kind === 'message').length === 80, 'all messages', 10_000);
    const customerSeqs = seqs(customer, sessionId);
    expect(increasing(customerSeqs), `the customer got events out of order: ${customerSeqs.join(',')}`).toBe(true);
    expect(c.logs.filter((l) => l.event === 'internal-error')).toEqual([]);
  }, 60_000);

  it('kill -9 of a node mid-chat: its agent resumes on another node, nothing acknowledged is lost or doubled, and its transfer times out once', async () => {
    const c = await cluster({}, { nodes: 2 });
    const doomed = await spawnNode(c, 'doomed', ['--transfer-timeout', '2']);
    const alice = track(await connectAgent(at(doomed.wsUrl), 'alice'));
    c.pin(0);
    const customer = track(await connectCustomer(c, { name: 'Dana' }));
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    c.pin(1);
    const bob = track(await connectAgent(c, 'bob'));
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = messageId();
      await customer.ok({ type: 'customer-send', messageId: id, text: `customer ${i}` });
      sent.push(id);
      const mine = messageId();
      await alice.ok({ type: 'send', sessionId, messageId: mine, text: `alice ${i}` });
      sent.push(mine);
    }
    const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
    await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
    // in flight when the node dies: each may or may not be committed; the resend decides, and stores each once
    const inFlight = Array.from({ length: 5 }, (_, i) => ({ id: messageId(), text: `in flight ${i}` }));
    for (const m of inFlight) alice.fire({ type: 'send', sessionId, messageId: m.id, text: m.text });
    await doomed.kill();
    await alice.closed;

    const held = Math.max(0, ...seqs(alice, sessionId));
    c.pin(0);
    const back = track(await connectAgent(c, 'alice', { resume: { [sessionId]: held } }));
    for (const m of inFlight) {
      expect((await sendAcked(back, { type: 'send', sessionId, messageId: m.id, text: m.text })).type).toBe('ok');
      sent.push(m.id);
    }
    for (let i = 0; i < 5; i++) {
      const id = messageId();
      await customer.ok({ type: 'customer-send', messageId: id, text: `after ${i}` });
      sent.push(id);
    }
    // the doomed node armed the timeout; a surviving node fires it
    expect(await bob.event('transfer-cancelled', sessionId, 8000)).toMatchObject({ transferId, reason: 'timeout' });
    const { events } = await back.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
    expect(events.map((e: Frame) => e.seq)).toEqual(events.map((_: Frame, i: number) => i + 1));
    const stored = events.filter((e: Frame) => e.kind === 'message').map((e: Frame) => e.messageId);
    expect(stored.sort()).toEqual([...sent].sort());
    expect(events.filter((e: Frame) => e.kind === 'transfer-cancelled' && e.transferId === transferId)).toHaveLength(1);
    // what alice holds after resuming is the log, once each
    await back.until(() => seqs(back, sessionId).includes(events.at(-1).seq), 'the whole log');
    const aliceSeqs = [...new Set([...seqs(alice, sessionId), ...seqs(back, sessionId)])].sort((a, b) => a - b);
    expect(aliceSeqs).toEqual(events.map((e: Frame) => e.seq));
  }, 60_000);

  it('the agents of a node that died go offline after the grace period, and offers to them end target-unavailable', async () => {
    const c = await cluster({ offlineGraceMs: 300 }, { nodes: 2 });
    const doomed = await spawnNode(c, 'doomed', ['--offline-grace', '0.3']);
    c.pin(0);
    const alice = track(await connectAgent(c, 'alice'));
    const customer = track(await connectCustomer(c, { name: 'Dana' }));
    await alice.event('assigned', customer.sessionId);
    const bob = track(await connectAgent(at(doomed.wsUrl), 'bob'));
    c.pin(1);
    const maria = track(await connectAgent(c, 'maria'));
    const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: customer.sessionId, to: 'bob' });
    await bob.session(customer.sessionId, (s) => s.pendingTransfer?.id === transferId);
    await doomed.kill();
    // the node's presence keys expire (5 heartbeats), a survivor notices, then the grace period runs
    expect(await maria.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status === 'offline', 20_000)).toBeTruthy();
    expect(await alice.event('transfer-cancelled', customer.sessionId, 5000)).toMatchObject({
      transferId,
      reason: 'target-unavailable',
    });
  }, 60_000);

  it.skipIf(!redisBinary)('Redis restarted under traffic: commands still commit, and every client catches up once it is back', async () => {
    const port = await freePort();
    const startRedis = () => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
      cleanups.push(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      return child;
    };
    let redis = startRedis();
    await waitForPort(port);
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const logs: string[] = [];
    const node = async (nodeId: string, demo: boolean) => {
      const relay = await startRelay({
        dataDir,
        demo,
        synchronous: 'NORMAL',
        log: (entry) => logs.push(`${nodeId} ${JSON.stringify(entry)}`),
        cluster: { postgresUrl: database.url, redisUrl: `redis://127.0.0.1:${port}`, nodeId, heartbeatMs: 200 },
      });
      cleanups.push(() => relay.close());
      return relay;
    };
    const one = await node('r1', true);
    const two = await node('r2', false);
    const alice = track(await connectAgent(two, 'alice'));
    const customer = track(await connectCustomer(one, { name: 'Dana' }));
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'before' });
    await alice.eventWhere((e) => e.text === 'before');

    redis.kill('SIGKILL');
    // while Redis is away the customer's node still commits and acknowledges
    for (const text of ['while down 1', 'while down 2']) {
      expect((await sendAcked(customer, { type: 'customer-send', messageId: messageId(), text })).type).toBe('ok');
    }
    redis = startRedis();
    await waitForPort(port);
    // both nodes resubscribe and tell their clients to reconnect and resume
    expect((await alice.closed).code).toBe(4012);
    const held = Math.max(...seqs(alice, sessionId));
    const back = track(await connectAgent(two, 'alice', { resume: { [sessionId]: held } }));
    // alice may have had them live before the 4012 (a publication that waited for the bus), else the resume brings them
    if (!alice.eventsOf(sessionId).some((e) => e.text === 'while down 2')) {
      await back.eventWhere((e) => e.text === 'while down 2', 'the messages written while Redis was down', 10_000).catch((error) => {
        throw new Error(`${error.message}\nheld ${held}; alice saw ${JSON.stringify(alice.eventsOf(sessionId))}\n${logs.slice(-60).join('\n')}`);
      });
    }
    const texts = [...alice.eventsOf(sessionId), ...back.eventsOf(sessionId)].filter((e) => e.kind === 'message');
    expect(new Set(texts.map((e) => e.seq)).size).toBe(3);
    // and live delivery across the nodes works again
    const after = track(await connectCustomer(one, { token: customer.token, lastSeq: 0 }));
    await after.ok({ type: 'customer-send', messageId: messageId(), text: 'after' });
    await back.eventWhere((e) => e.text === 'after', 'a live message after the restart', 10_000);
  }, 60_000);

  it('PostgreSQL unreachable: commands get `unavailable`, nothing is acknowledged, /health says so, and a resend after it returns is stored once', async () => {
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const pgUrl = new URL(database.url);
    const proxy: TcpProxy = await startTcpProxy(Number(pgUrl.port || 5432));
    cleanups.push(() => proxy.close());
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const relay = await startRelay({
      dataDir,
      demo: true,
      synchronous: 'NORMAL',
      log: () => {},
      cluster: { postgresUrl: pgUrl.toString(), redisUrl, nodeId: 'p1', redisPrefix: `baton-test-pg-${process.pid}`, heartbeatMs: 200 },
    });
    cleanups.push(() => relay.close());
    const alice = track(await connectAgent(relay, 'alice'));
    const customer = track(await connectCustomer(relay, { name: 'Dana' }));
    await alice.event('assigned', customer.sessionId);

    proxy.refuse(true);
    proxy.cut();
    const id = messageId();
    const refused = await customer.command({ type: 'customer-send', messageId: id, text: 'are you there?' });
    expect(refused).toMatchObject({ type: 'error', code: 'unavailable' });
    const health = await fetch(`${relay.httpUrl}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unhealthy', store: { ok: false } });

    proxy.refuse(false);
    expect(await sendAcked(customer, { type: 'customer-send', messageId: id, text: 'are you there?' })).toMatchObject({ type: 'ok' });
    expect(await customer.ok({ type: 'customer-send', messageId: id, text: 'are you there?' })).toMatchObject({ duplicate: true });
    await alice.eventWhere((e) => e.text === 'are you there?');
    const { events } = await alice.ok({ type: 'fetch-events', sessionId: customer.sessionId, afterSeq: 0 });
    expect(events.filter((e: Frame) => e.messageId === id)).toHaveLength(1);
    expect((await fetch(`${relay.httpUrl}/health`)).status).toBe(200);
  }, 60_000);

  it('a subscription that stops delivering turns /health unhealthy, is dropped and resubscribed, and its clients resume', async () => {
    const redisPort = Number(new URL(redisUrl).port || 6379);
    const proxy = await startTcpProxy(redisPort);
    cleanups.push(() => proxy.close());
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const relay = await startRelay({
      dataDir,
      demo: true,
      synchronous: 'NORMAL',
      log: () => {},
      cluster: {
        postgresUrl: database.url,
        redisUrl: `redis://127.0.0.1:${proxy.port}`,
        nodeId: 's1',
        redisPrefix: `baton-test-stuck-${process.pid}`,
        heartbeatMs: 200,
      },
    });
    cleanups.push(() => relay.close());
    const alice = track(await connectAgent(relay, 'alice'));
    expect((await fetch(`${relay.httpUrl}/health`)).status).toBe(200);
    // the sockets stay open and nothing arrives: the subscription looks alive and delivers nothing
    proxy.stall('down');
    await waitUntil(async () => (await fetch(`${relay.httpUrl}/health`)).status === 503, 5000);
    expect(await (await fetch(`${relay.httpUrl}/health`)).json()).toMatchObject({ subscription: { ok: false } });
    proxy.resume();
    proxy.cut();
    expect((await alice.closed).code).toBe(4012);
    await waitUntil(async () => (await fetch(`${relay.httpUrl}/health`)).status === 200, 10_000);
  }, 60_000);

  it("a stall of the node's own event loop is not a stuck subscription: its clients stay connected", async () => {
    const c = await cluster({}, { nodes: 1 });
    const node = c.nodes[0]!;
    const alice = track(await connectAgent(c, 'alice'));
    let closedWith: number | null = null;
    void alice.closed.then((closed) => {
      closedWith = closed.code;
    });
    // a beat is due every 200 ms and four silent ones mean stuck: block this process (the node's too) for 1.5 s, the
    // canaries sitting unread in the subscriber's socket meanwhile
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      // busy: nothing else runs in this process
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(closedWith).toBeNull();
    expect((await fetch(`${node.httpUrl}/health`)).status).toBe(200);
    // the connection still works end to end
    await alice.ok({ type: 'set-status', status: 'busy' });
  }, 30_000);

  it('the schema is migrated once, recorded, and a database from a newer relay is refused with a clear message', async () => {
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const options = { connectionString: database.url, clock: { now: () => Date.now() }, log: () => {} };
    const engine = await PgEngine.connect(options);
    const version = await engine.pool.query('SELECT version FROM baton_schema');
    expect(version.rows).toEqual([{ version: PG_LATEST_VERSION }]);
    await engine.pool.query('UPDATE baton_schema SET version = $1', [PG_LATEST_VERSION + 1]);
    await engine.close();
    await expect(PgEngine.connect(options)).rejects.toThrow(/newer than this relay/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  await waitUntil(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    5000,
  );
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
