// The relay CLI's administration against a running cluster: with --redis the nodes are told at once through the bus;
// without it they notice within their directory poll. Either way a disabled agent is closed out on whatever node.
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCodes } from '../../common/protocol';
import { connectAgent, runCli, type TestClient } from '../relay/helpers';
import { clusterUnavailable, redisUrl, startTestCluster, type TestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

// three nodes to start, then CLI processes that each load tsx (3-8 s apiece on a loaded machine)
const CLI_TEST_MS = 60_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(unavailable !== null)('relay cli against a cluster of three nodes', () => {
  async function cluster(directoryPollMs: number): Promise<TestCluster> {
    const started = await startTestCluster({ directoryPollMs });
    cleanups.push(() => started.close());
    return started;
  }
  async function agent(relay: TestCluster, user: string): Promise<TestClient> {
    const client = await connectAgent(relay, user);
    cleanups.push(() => client.close());
    return client;
  }

  it('user disable with --redis closes the agent out through the bus, long before any poll', async () => {
    // a poll of a minute: only the bus can be this quick
    const relay = await cluster(60_000);
    await agent(relay, 'alice');
    const bob = await agent(relay, 'bob');
    const started = Date.now();
    const result = await runCli(['user', 'disable', 'bob', '--postgres', relay.databaseUrl, '--redis', redisUrl, '--redis-prefix', relay.redisPrefix]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(await bob.closed).toEqual({ code: CloseCodes.accountClosed, reason: 'Your account was disabled by a manager.' });
    expect(Date.now() - started).toBeLessThan(30_000);
  }, CLI_TEST_MS);

  it('without --redis the nodes notice the change within their poll', async () => {
    const relay = await cluster(200);
    const alice = await agent(relay, 'alice');
    await agent(relay, 'bob');
    expect((await runCli(['team', 'add', 'billing', '--name', 'Billing', '--postgres', relay.databaseUrl])).status).toBe(0);
    expect((await runCli(['user', 'set-teams', 'bob', '--teams', 'billing', '--postgres', relay.databaseUrl])).status).toBe(0);
    expect(await alice.next((f) => f.type === 'teams', 10_000)).toMatchObject({ teams: [{ id: 'billing' }] });
    await alice.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.teams?.join() === 'billing', 10_000);
  }, CLI_TEST_MS);
});
