// User and team administration by a manager's relay commands, against a cluster of three nodes: a change made on one
// node reaches the connections on the others through the bus.
import { describe } from 'vitest';
import { adminSuite } from '../relay/suites/admin';
import { clusterUnavailable, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  adminSuite(startTestCluster);
});
