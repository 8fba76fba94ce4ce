// Persistence: acknowledged messages and pending transfers survive a clean restart and a kill -9, and resuming
// clients get exactly the frames they missed, once each.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectAgent,
  connectCustomer,
  type Frame,
  messageId,
  removeDir,
  repoRoot,
  startTestRelay,
  type TestClient,
  type TestRelay,
  tempDir,
} from './helpers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relayOn(dataDir: string, options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const relay = await startTestRelay({ ...options, dataDir });
  cleanups.push(() => relay.close());
  return relay;
}

function track<T extends TestClient>(client: T): T {
  cleanups.push(() => client.close());
  return client;
}

const seqs = (events: Frame[]) => events.map((e) => e.seq);

describe('restart', () => {
  it('messages and a pending transfer survive close() and start; resuming clients get exactly what they missed', async () => {
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const first = await relayOn(dataDir, { offlineGraceMs: 60_000 });
    const alice = track(await connectAgent(first, 'alice'));
    const customer = track(await connectCustomer(first, { name: 'Dana' }));
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'first question' });
    await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'first answer' });
    await customer.eventWhere((e) => e.kind === 'message' && e.text === 'first answer');
    const bob = track(await connectAgent(first, 'bob'));
    const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
    await bob.session(sessionId);
    const aliceSeq = Math.max(...seqs(alice.eventsOf(sessionId)));
    const customerSeq = Math.max(...seqs(customer.eventsOf(sessionId)));
    await alice.close();
    // written while alice is away; she must get these on resume, and nothing twice
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'while you were away 1' });
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'while you were away 2' });
    await first.close();

    // bob was online when the relay stopped: he keeps his offer while he is within the grace period
    const second = await relayOn(dataDir, { offlineGraceMs: 60_000 });
    const aliceBack = track(await connectAgent(second, 'alice', { resume: { [sessionId]: aliceSeq } }));
    const replays = aliceBack.frames.filter((f) => f.type === 'replay' && f.sessionId === sessionId);
    expect(replays).toHaveLength(1);
    expect(replays[0]!.events.map((e: Frame) => e.text)).toEqual(['while you were away 1', 'while you were away 2']);
    expect(seqs(replays[0]!.events)).toEqual([aliceSeq + 1, aliceSeq + 2]);
    const welcome = aliceBack.frames[0]!;
    expect(welcome.sessions.find((s: Frame) => s.id === sessionId)).toMatchObject({
      ownerId: 'alice',
      pendingTransfer: { id: transferId, toId: 'bob' },
      waitingSince: expect.any(Number),
    });

    const customerBack = track(await connectCustomer(second, { token: customer.token, lastSeq: customerSeq }));
    const customerReplay = customerBack.frames.filter((f) => f.type === 'replay');
    expect(customerReplay).toHaveLength(1);
    expect(customerReplay[0]!.events.map((e: Frame) => e.text)).toEqual(['while you were away 1', 'while you were away 2']);
    expect(customerBack.sessionId).toBe(sessionId);

    const bobBack = track(await connectAgent(second, 'bob'));
    await bobBack.ok({ type: 'accept-transfer', sessionId, transferId });
    expect(await aliceBack.event('transfer-accepted', sessionId)).toMatchObject({ toId: 'bob' });
    expect(await customerBack.event('transfer-accepted')).toMatchObject({ toName: 'Bob Jones' });
  });

  it('an agent resuming with the latest seq gets no replay, and one who missed nothing twice gets nothing twice', async () => {
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const relay = await relayOn(dataDir);
    const alice = track(await connectAgent(relay, 'alice'));
    const customer = track(await connectCustomer(relay, { name: 'Dana' }));
    await alice.event('assigned', customer.sessionId);
    const latest = Math.max(...seqs(alice.eventsOf(customer.sessionId)));
    const again = track(await connectAgent(relay, 'alice', { resume: { [customer.sessionId]: latest } }));
    await again.ok({ type: 'list-requests' });
    expect(again.frames.filter((f) => f.type === 'replay')).toEqual([]);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'one' });
    await again.eventWhere((e) => e.text === 'one');
    await again.ok({ type: 'list-requests' });
    expect(again.eventsOf(customer.sessionId).filter((e) => e.text === 'one')).toHaveLength(1);
  });

  it('a pending transfer’s expiry timer is re-armed after a restart', async () => {
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const first = await relayOn(dataDir, { transferTimeoutMs: 400, offlineGraceMs: 60_000 });
    const alice = track(await connectAgent(first, 'alice'));
    const customer = track(await connectCustomer(first, { name: 'Dana' }));
    await alice.event('assigned', customer.sessionId);
    const bob = track(await connectAgent(first, 'bob'));
    const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: customer.sessionId, to: 'bob' });
    await bob.session(customer.sessionId);
    await first.close();
    const second = await relayOn(dataDir, { transferTimeoutMs: 400, offlineGraceMs: 60_000 });
    const aliceBack = track(await connectAgent(second, 'alice'));
    expect(await aliceBack.event('transfer-cancelled', customer.sessionId)).toMatchObject({ transferId, reason: 'timeout' });
  });

  it('after a restart, an offer to an agent who never reconnects ends after the grace period and no longer blocks offers', async () => {
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const first = await relayOn(dataDir, { offlineGraceMs: 60_000 });
    const alice = track(await connectAgent(first, 'alice'));
    const customer = track(await connectCustomer(first, { name: 'Dana' }));
    await alice.event('assigned', customer.sessionId);
    const bob = track(await connectAgent(first, 'bob'));
    const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: customer.sessionId, to: 'bob' });
    await bob.session(customer.sessionId);
    await first.close();

    // long enough that alice's sign-in sees bob still within his grace, even on a busy machine
    const second = await relayOn(dataDir, { offlineGraceMs: 1500 });
    const aliceBack = track(await connectAgent(second, 'alice'));
    expect(aliceBack.frames[0]!.agents.find((a: Frame) => a.id === 'bob')).toMatchObject({ status: 'present' });
    expect(await aliceBack.event('transfer-cancelled', customer.sessionId)).toMatchObject({
      transferId,
      reason: 'target-unavailable',
    });
    expect(await aliceBack.next((f) => f.type === 'presence' && f.agent.id === 'bob')).toMatchObject({
      agent: { status: 'offline' },
    });
    track(await connectAgent(second, 'carol'));
    expect(await aliceBack.ok({ type: 'offer-transfer', sessionId: customer.sessionId, to: 'carol' })).toMatchObject({
      transferId: expect.any(String),
    });
  });

  it('kill -9 loses nothing that was acknowledged', async () => {
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'relay/cli.ts', '--port', '0', '--data', dataDir, '--demo'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const httpUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`relay did not start: ${out}`)), 15_000);
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`relay exited with ${code}: ${out}`)));
    });
    const remote = { nodeId: 'embedded', httpUrl, wsUrl: httpUrl.replace('http', 'ws'), port: 0, close: async () => {} };
    const alice = await connectAgent(remote, 'alice');
    const customer = await connectCustomer(remote, { name: 'Dana' });
    await alice.event('assigned', customer.sessionId);
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      const text = `message ${i}`;
      await customer.ok({ type: 'customer-send', messageId: messageId(), text });
      acknowledged.push(text);
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await Promise.all([alice.closed, customer.closed]);

    const relay = await relayOn(dataDir);
    const back = track(await connectAgent(relay, 'alice'));
    const { events } = await back.ok({ type: 'fetch-events', sessionId: customer.sessionId, afterSeq: 0 });
    expect(events.filter((e: Frame) => e.kind === 'message').map((e: Frame) => e.text)).toEqual(acknowledged);
    const resumed = track(await connectCustomer(relay, { token: customer.token, lastSeq: 0 }));
    expect(resumed.sessionId).toBe(customer.sessionId);
  });
});
