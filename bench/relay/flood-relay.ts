// Flood benchmark child: the real relay with its default limits (fsync on), behind a "proxy" header so each of the
// generator's clients can come from an address of its own, with the demo accounts and four more managers.
// argv: <dataDir> <extra manager ids, comma-separated>
import { hashPassword } from '../../relay/auth';
import { DEMO_PASSWORD, demoAccounts } from '../../relay/demo';
import { startRelay } from '../../relay/server';
import { openSqliteStore } from '../../relay/store/sqlite';
import { reportFailure, serveStats } from './server-stats';

const [dataDir, managers = ''] = process.argv.slice(2);
if (!dataDir) reportFailure('usage: flood-relay <dataDir> <manager,...>');
const extraManagers = managers.split(',').filter(Boolean);

try {
  const store = openSqliteStore(dataDir!);
  const passwordHash = hashPassword(DEMO_PASSWORD);
  const managers = extraManagers.map((id) => ({ id, name: `Manager ${id}`, role: 'manager' as const, canListenIn: true }));
  for (const account of [...demoAccounts, ...managers]) {
    if (!store.getAccount(account.id)) store.createAccount({ ...account, passwordHash });
  }
  store.close();
  const relay = await startRelay({
    host: '127.0.0.1',
    port: 0,
    dataDir: dataDir!,
    synchronous: 'FULL',
    trustedProxyHeader: 'x-forwarded-for',
    log: () => {},
  });
  serveStats(relay.port, () => relay.close());
} catch (error) {
  reportFailure(error);
}
