// Model-based test of the transfer state machine against one embedded relay (see suites/model.ts), and two checks of
// the model and the relay that need no random scenario.
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoAccounts } from '../../relay/demo';
import { openSqliteStore } from '../../relay/store/sqlite';
import { cheapHash, connectCustomer, removeDir, startTestRelay, tempDir } from './helpers';
import { type ModelState, modelSuite, OBSERVER, step } from './suites/model';

let template = '';
beforeAll(() => {
  template = tempDir();
  const store = openSqliteStore(template);
  const passwordHash = cheapHash('demo');
  for (const account of demoAccounts) store.createAccount({ ...account, passwordHash });
  store.createAccount({ id: OBSERVER, name: 'Olga Observer', role: 'manager', canListenIn: true, passwordHash });
  store.close();
});
afterAll(() => removeDir(template));

modelSuite(async () => {
  const dataDir = tempDir();
  fs.cpSync(template, dataDir, { recursive: true });
  return startTestRelay({ dataDir, demo: false, offlineGraceMs: 100, log: () => {} });
}, Number(process.env.MODEL_RUNS ?? 40));

it('a customer who opens a chat is sent its opened event once', async () => {
  const relay = await startTestRelay({ log: () => {} });
  try {
    const customer = await connectCustomer(relay, { name: 'Casey' });
    // any later answer proves the opening frames have all arrived (one socket, frames in order)
    await customer.ok({ type: 'customer-typing', active: false });
    const seqs = customer.eventsOf(customer.sessionId).map((e) => e.seq);
    expect(seqs).toEqual([1]);
    await customer.close();
  } finally {
    await relay.close();
    removeDir(relay.dataDir);
  }
});

it('the model itself refuses what the spec refuses (a sanity check that the model can fail)', () => {
  const s: ModelState = {
    state: 'active',
    owner: 'alice',
    listeners: [],
    pending: null,
    status: { alice: 'present', bob: 'away', carol: 'present', maria: 'present' },
    online: { alice: true, bob: true, carol: true, maria: true },
    lastTransferId: null,
    acked: [],
  };
  expect(step(s, { t: 'offer', who: 'alice', to: 'bob' }, { ok: false }).ok).toBe(false);
  expect(step(s, { t: 'offer', who: 'bob', to: 'carol' }, { ok: false }).ok).toBe(false);
  expect(step(s, { t: 'offer', who: 'maria', to: 'carol' }, { ok: true, result: { transferId: 't1' } }).next.pending).toEqual({
    to: 'carol',
    offeredBy: 'maria',
    id: 't1',
  });
  expect(step(s, { t: 'listen', who: 'bob' }, { ok: false }).ok).toBe(false);
  expect(step(s, { t: 'take-over', who: 'maria' }, { ok: true }).next).toMatchObject({ owner: 'maria', listeners: ['alice'] });
});
