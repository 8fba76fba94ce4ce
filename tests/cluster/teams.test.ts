// Teams against a cluster of three nodes: the same suite as one relay, with the parties of a chat on different nodes
// (so the race of two members accepting a team offer at once is decided across nodes).
import { describe } from 'vitest';
import { teamsSuite } from '../relay/suites/teams';
import { clusterUnavailable, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  teamsSuite(startTestCluster);
});
