// Big answers in pages, slow consumers judged over time, limits per party and the sign-in throttle, against a
// cluster of three nodes on one PostgreSQL and one Redis. Rate limits and caps are kept per node; the queue cap reads
// the queue every node shares.
import { afterEach, describe, expect, it } from 'vitest';
import { CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { connectCustomer, openSocket, TestClient } from '../relay/helpers';
import { backlogSuite } from '../relay/suites/backlog';
import { limitsSuite } from '../relay/suites/limits';
import { clusterUnavailable, startTestCluster, type TestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  backlogSuite(startTestCluster);
  limitsSuite(startTestCluster);

  describe('the queue cap', () => {
    let cluster: TestCluster | null = null;
    const clients: TestClient[] = [];
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await cluster?.close();
    });

    it('counts the chats waiting on every node', async () => {
      cluster = await startTestCluster({ maxQueuedChats: 2 });
      for (const node of [1, 2]) {
        cluster.pin(node);
        clients.push(await connectCustomer(cluster, { name: `On node ${node + 1}` }));
      }
      // a node reads the queue at most once a second
      await new Promise((resolve) => setTimeout(resolve, 1100));
      cluster.pin(0);
      const third = new TestClient(await openSocket(`${cluster.wsUrl}${CUSTOMER_PATH}`), 'third');
      clients.push(third);
      expect(await third.command({ type: 'customer-hello', protocol: PROTOCOL_VERSION, name: 'Three' })).toMatchObject({
        code: 'queue-full',
      });
    });
  });
});
