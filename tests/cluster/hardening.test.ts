// Big answers in pages and slow consumers judged over time, against a cluster of three nodes on one PostgreSQL and
// one Redis, with each party connected to a different node than the last.
import { describe } from 'vitest';
import { backlogSuite } from '../relay/suites/backlog';
import { clusterUnavailable, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  backlogSuite(startTestCluster);
});
