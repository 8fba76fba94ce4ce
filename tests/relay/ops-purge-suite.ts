// Retention and erasure, against one relay (SQLite) and a cluster (PostgreSQL): `relay purge --session` leaves no row
// of the chat in any table and touches no other chat; an open chat is refused; the retention sweep deletes closed
// chats once they are older than the age and nothing younger; `relay purge --older-than` does the same on demand.
// A chat's notes and attachments go with it, and so do the stored bytes of a file no other chat sent.
import { afterEach, expect, it } from 'vitest';
import { demoAccounts } from '../../relay/demo';
import type { RelayOptions } from '../../relay/server';
import { connectAgent, connectCustomer, type Frame, messageId, openSocket, removeDir, type TestClient, type TestRelay } from './helpers';
import { cli, waitUntil } from './ops-helpers';
import { PNG, upload } from './uploads';

/** Every row of every table of the deployment's store, by table. */
export type Dump = Record<string, Array<Record<string, unknown>>>;

export interface PurgeDeployment {
  start(options?: Partial<RelayOptions>): Promise<TestRelay>;
  dump(relay: TestRelay): Promise<Dump>;
  /** the CLI flags that name the deployment's store (--data <dir> or --postgres <url>) */
  storeFlags(relay: TestRelay): string[];
  /** the SHA-256 of every file content the store keeps (files in the data folder, or rows of attachment_blobs) */
  contents(relay: TestRelay): Promise<string[]>;
}

/** the rows of any table that mention the chat anywhere (a column, a JSON body, a timer key) */
export function rowsOf(dump: Dump, sessionId: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const [table, rows] of Object.entries(dump)) {
    const n = rows.filter((row) => JSON.stringify(row).includes(sessionId)).length;
    if (n) found[table] = n;
  }
  return found;
}

export function purgeSuite(deployment: PurgeDeployment): void {
  const running: TestRelay[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const relay of running.splice(0)) {
      await relay.close();
      removeDir(relay.dataDir);
    }
  });

  async function start(options: Partial<RelayOptions> = {}) {
    const relay = await deployment.start(options);
    running.push(relay);
    return { relay };
  }

  /** A chat with everything a chat leaves behind: messages, a transfer, a listener, a request, a close. */
  async function fullChat(relay: TestRelay, agents: Record<string, TestClient>, name: string, close: boolean) {
    const customer = await connectCustomer(relay, { name });
    clients.push(customer);
    const sessionId = customer.sessionId;
    // a customer is told the agent's display name, never their login id
    const ownerName = (await customer.event('assigned', sessionId)).agentName as string;
    const owner = demoAccounts.find((a) => a.name === ownerName)!.id;
    const from = agents[owner]!;
    const to = agents[['alice', 'bob', 'carol'].find((id) => id !== owner)!]!;
    await from.event('assigned', sessionId);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: `hello from ${name}` });
    // a photo only this chat holds (its own bytes), and a note
    const photo = await upload(relay, sessionId, Buffer.concat([PNG, Buffer.from(name)]), { token: customer.token }, { name: 'photo.png' });
    expect(photo.status).toBe(201);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: '', attachments: [photo.body.attachment.id] });
    await from.ok({ type: 'send', sessionId, messageId: messageId(), text: `hello ${name}` });
    await from.ok({ type: 'add-note', sessionId, noteId: messageId(), text: `${name} sounds upset` });
    const { transferId } = await from.ok({ type: 'offer-transfer', sessionId, to: to.label, note: `${name} needs billing` });
    await to.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
    await to.ok({ type: 'accept-transfer', sessionId, transferId });
    await agents.maria!.ok({ type: 'listen', sessionId });
    await to.ok({ type: 'create-request', sessionId, title: `Refund for ${name}`, description: 'card ending 4242' });
    if (close) {
      await customer.ok({ type: 'customer-close' });
      await to.event('closed', sessionId);
    }
    return { sessionId, token: customer.token, customer, sha256: photo.body.attachment.sha256 as string };
  }

  /** the agents every chat here involves: alice, bob and carol take and transfer them, maria listens in */
  async function agentsOf(relay: TestRelay): Promise<Record<string, TestClient>> {
    const agents: Record<string, TestClient> = {};
    for (const user of ['alice', 'bob', 'carol', 'maria']) {
      agents[user] = await connectAgent(relay, user);
      clients.push(agents[user]!);
    }
    return agents;
  }

  it('purge --session leaves no row of the chat in any table, and the other chats exactly as they were', async () => {
    const { relay } = await start({ capacity: 10 });
    const agents = await agentsOf(relay);
    const doomed = await fullChat(relay, agents, 'Dana', true);
    const closed = await fullChat(relay, agents, 'Eli', true);
    const open = await fullChat(relay, agents, 'Fay', false);
    const before = await deployment.dump(relay);
    expect(Object.keys(rowsOf(before, doomed.sessionId)).sort()).toEqual(
      expect.arrayContaining(['attachments', 'customer_tokens', 'events', 'participants', 'requests', 'sessions']),
    );
    expect(await deployment.contents(relay)).toEqual(expect.arrayContaining([doomed.sha256, closed.sha256, open.sha256]));

    const result = await cli(['purge', '--session', doomed.sessionId, ...deployment.storeFlags(relay)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Deleted chat ${doomed.sessionId}: .*\\d+ events.*\\d+ participants`));

    const after = await deployment.dump(relay);
    expect(rowsOf(after, doomed.sessionId)).toEqual({});
    expect((await deployment.contents(relay)).sort()).toEqual([closed.sha256, open.sha256].sort());
    for (const kept of [closed.sessionId, open.sessionId]) expect(rowsOf(after, kept)).toEqual(rowsOf(before, kept));
    const untouched = (dump: Dump, id: string) =>
      Object.fromEntries(Object.entries(dump).map(([table, rows]) => [table, rows.filter((row) => JSON.stringify(row).includes(id))]));
    expect(untouched(after, closed.sessionId)).toEqual(untouched(before, closed.sessionId));

    // the relay no longer knows it: its customer's token resumes nothing, its participants cannot read it
    const resumed = await openSocket(`${relay.wsUrl}/customer`);
    resumed.send(JSON.stringify({ type: 'customer-hello', id: 'h', protocol: 1, token: doomed.token, lastSeq: 0 }));
    const answer = await new Promise<Frame>((resolve) => resumed.once('message', (data) => resolve(JSON.parse(data.toString()))));
    resumed.close();
    expect(answer).toMatchObject({ type: 'error', code: 'not-found' });
    const maria = agents.maria!;
    expect(await maria.command({ type: 'fetch-events', sessionId: doomed.sessionId, afterSeq: 0 })).toMatchObject({ type: 'error', code: 'not-found' });
    expect((await maria.ok({ type: 'fetch-events', sessionId: closed.sessionId, afterSeq: 0 })).events.length).toBeGreaterThan(5);

    // an open chat is refused (its parties are connected); an unknown one is said to be unknown
    const refused = await cli(['purge', '--session', open.sessionId, ...deployment.storeFlags(relay)]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`chat ${open.sessionId} is still open; it can be deleted once it has ended.`);
    const unknown = await cli(['purge', '--session', doomed.sessionId, ...deployment.storeFlags(relay)]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(`there is no chat ${doomed.sessionId}`);
    expect(rowsOf(await deployment.dump(relay), open.sessionId)).toEqual(rowsOf(before, open.sessionId));
  }, 90_000);

  it('the retention sweep deletes a closed chat once it is older than the age, and nothing younger or open', async () => {
    const { relay } = await start({ capacity: 10, retention: { maxAgeMs: 2500, everyMs: 200, firstAfterMs: 200 } });
    const agents = await agentsOf(relay);
    const old = await fullChat(relay, agents, 'Dana', true);
    const open = await fullChat(relay, agents, 'Fay', false);
    const closedAt = Date.now();
    await waitUntil(() => Date.now() - closedAt > 1000, 2000, 'a second');
    const young = await fullChat(relay, agents, 'Eli', true);
    const youngAt = Date.now();
    await waitUntil(async () => Object.keys(rowsOf(await deployment.dump(relay), old.sessionId)).length === 0, 15_000, 'the old chat to be swept');
    const now = await deployment.dump(relay);
    // the young chat closed at least a second later: it is still within the age when the old one goes
    if (Date.now() - youngAt < 2500) expect(rowsOf(now, young.sessionId).events).toBeGreaterThan(0);
    expect(rowsOf(now, open.sessionId).events).toBeGreaterThan(0);
    await waitUntil(async () => Object.keys(rowsOf(await deployment.dump(relay), young.sessionId)).length === 0, 15_000, 'the young chat to be swept in its turn');
    expect(rowsOf(await deployment.dump(relay), open.sessionId).events).toBeGreaterThan(0);
    const swept = relay.logs.filter((l) => l.event === 'retention-purged').reduce((n, l) => n + (l.chats as number), 0);
    expect(swept, 'each chat is swept once, by one node').toBe(2);
  }, 90_000);

  it('purge --older-than deletes the closed chats that ended before then, and none that ended since', async () => {
    const { relay } = await start({ capacity: 10 });
    const agents = await agentsOf(relay);
    const one = await fullChat(relay, agents, 'Dana', true);
    const two = await fullChat(relay, agents, 'Eli', true);
    const open = await fullChat(relay, agents, 'Fay', false);
    const none = await cli(['purge', '--older-than', '1', ...deployment.storeFlags(relay)]);
    expect(none.stderr).toBe('');
    expect(none.stdout).toContain('Deleted 0 closed chats that ended before');
    const all = await cli(['purge', '--older-than', '0', ...deployment.storeFlags(relay)]);
    expect(all.stdout).toContain('Deleted 2 closed chats that ended before');
    const dump = await deployment.dump(relay);
    expect(rowsOf(dump, one.sessionId)).toEqual({});
    expect(rowsOf(dump, two.sessionId)).toEqual({});
    expect(rowsOf(dump, open.sessionId).events).toBeGreaterThan(0);
    const bad = await cli(['purge', '--older-than', 'soon', ...deployment.storeFlags(relay)]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--older-than must be a number of days, 0 or more, not "soon".');
  }, 90_000);
}
