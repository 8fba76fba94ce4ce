// The model-based test of the transfer state machine against a cluster of three nodes: every connection (agents,
// observer, customer, and every reconnect) goes to the next node in turn, so each command reaches a random node.
import { describe } from 'vitest';
import { demoAccounts } from '../../relay/demo';
import { cheapHash } from '../relay/helpers';
import { modelSuite, OBSERVER } from '../relay/suites/model';
import { clusterUnavailable, startTestCluster } from './helpers';

const unavailable = await clusterUnavailable();
if (unavailable) {
  if (process.env.CI) throw new Error(unavailable);
  console.warn(unavailable);
}

const passwordHash = cheapHash('demo');
const accounts = [
  ...demoAccounts.map((a) => ({ ...a, passwordHash })),
  { id: OBSERVER, name: 'Olga Observer', role: 'manager' as const, canListenIn: true, passwordHash },
];

describe.skipIf(unavailable !== null)('cluster of three nodes', () => {
  modelSuite(
    () => startTestCluster({ demo: false, offlineGraceMs: 100, log: () => {} }, { accounts }),
    Number(process.env.CLUSTER_MODEL_RUNS ?? 15),
  );
});
