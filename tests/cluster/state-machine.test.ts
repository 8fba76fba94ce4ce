// Every row of the state machine and every race, against a cluster of three nodes on one PostgreSQL and one Redis,
// with each party of a chat connected to a different node than the last.
import { describe } from 'vitest';
import { customerSuite } from '../relay/suites/customer';
import { guardsSuite } from '../relay/suites/guards';
import { racesSuite } from '../relay/suites/races';
import { transferSuite } from '../relay/suites/transfer';
import { clusterUnavailable, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  // CI installs and starts both: there, a missing service is a failure, not a reason to skip
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  transferSuite(startTestCluster);
  racesSuite(startTestCluster);
  guardsSuite(startTestCluster);
  customerSuite(startTestCluster);
});
