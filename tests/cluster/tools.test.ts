// Notes, attachments, canned replies, requests and written times against a cluster of three nodes: each party of a
// chat, and each upload and download, on another node than the last.
import { describe } from 'vitest';
import { toolsSuite } from '../relay/suites/tools';
import { clusterUnavailable, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  toolsSuite(startTestCluster);
});
