// The demo accounts `--demo` creates in an empty relay: three agents and a manager, all with password "demo".
import { hashPassword } from './auth';
import type { RelayStore } from './ports';

export const demoAccounts = [
  { id: 'alice', name: 'Alice Smith', role: 'agent', canListenIn: false },
  { id: 'bob', name: 'Bob Jones', role: 'agent', canListenIn: false },
  { id: 'carol', name: 'Carol White', role: 'agent', canListenIn: true },
  { id: 'maria', name: 'Maria Garcia', role: 'manager', canListenIn: true },
] as const;

export const DEMO_PASSWORD = 'demo';

/** Creates the demo accounts if there are no accounts at all; returns whether it did. */
export async function seedDemoAccounts(store: RelayStore): Promise<boolean> {
  if ((await store.listAccounts()).length > 0) return false;
  const passwordHash = hashPassword(DEMO_PASSWORD);
  for (const account of demoAccounts) await store.createAccount({ ...account, passwordHash });
  return true;
}
