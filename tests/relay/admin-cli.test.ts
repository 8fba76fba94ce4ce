// The relay CLI's administration subcommands on a data folder: each one changes the store, a refusal says why, and a
// relay running on the same folder notices the change without a restart (it polls the directory version).
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCodes } from '../../common/protocol';
import { openSqliteStore } from '../../relay/store/sqlite';
import { connectAgent, removeDir, runCli as cli, startTestRelay, tempDir } from './helpers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function folder(): string {
  const dir = tempDir();
  cleanups.push(() => removeDir(dir));
  return dir;
}

async function ok(args: string[], input?: string): Promise<string> {
  const result = await cli(args, input);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

// each CLI run is a fresh node process loading tsx: a second or more on a loaded machine, and a test makes a dozen
const CLI_TEST_MS = 90_000;

describe('relay cli: administration', () => {
  it('every subcommand changes the store and says what it did', async () => {
    const data = folder();
    const at = ['--data', data];
    await ok(['user', 'add', 'erin', '--role', 'agent', ...at], 'first-pass\n');
    await ok(['user', 'add', 'max', '--role', 'manager', ...at], 'manager-pass\n');
    expect(await ok(['team', 'add', 'billing', '--name', 'Billing', ...at])).toContain('Added team "billing" (Billing).');
    await ok(['team', 'add', 'tech', '--name', 'Technical', ...at]);
    expect(await ok(['user', 'set-teams', 'erin', '--teams', 'billing,tech', ...at])).toContain('"erin" is in billing, tech.');
    expect(await ok(['team', 'list', ...at])).toBe('billing\tBilling\terin\ntech\tTechnical\terin\n');
    expect(await ok(['user', 'set-capacity', 'erin', '6', ...at])).toContain('"erin" takes up to 6 chats at once.');
    expect(await ok(['user', 'set-role', 'erin', '--role', 'agent', '--can-listen-in', ...at])).toContain('who can listen in');
    expect(await ok(['user', 'passwd', 'erin', ...at], 'second-pass\n')).toContain('Changed the password of "erin".');
    expect(await ok(['user', 'disable', 'erin', ...at])).toContain('Disabled "erin"');
    let store = openSqliteStore(data);
    const before = store.getAccount('erin');
    store.close();
    expect(before).toMatchObject({ teams: ['billing', 'tech'], capacity: 6, canListenIn: true, disabled: true });
    await ok(['user', 'enable', 'erin', ...at]);
    await ok(['user', 'set-capacity', 'erin', 'default', ...at]);
    await ok(['team', 'remove', 'tech', ...at]);
    store = openSqliteStore(data);
    expect(store.getAccount('erin')).toMatchObject({ teams: ['billing'], capacity: null, disabled: false });
    store.close();
    expect(await ok(['user', 'remove', 'erin', ...at])).toContain('Removed "erin"');
    expect(await ok(['user', 'list', ...at])).not.toContain('erin');
  }, CLI_TEST_MS);

  it.each([
    [['user', 'disable', 'zed'], 1, 'There is no user "zed".'],
    [['user', 'set-teams', 'alice', '--teams', 'nope'], 1, 'There is no team "nope". Add it first.'],
    [['user', 'set-role', 'maria', '--role', 'agent'], 1, 'At least one manager who can sign in must remain.'],
    [['team', 'add', 'Bad Team'], 2, 'is not a valid team id'],
    [['user', 'set-capacity', 'alice', 'lots'], 2, 'capacity is a whole number of chats (1-100) or "default", not "lots".'],
    [['user', 'set-capacity', 'alice', '0'], 2, 'capacity is at least 1'],
    [['user', 'set-role', 'alice', '--role', 'boss'], 2, '--role must be "agent" or "manager".'],
    [['user', 'passwd', 'alice'], 2, 'a password has at least 4 characters'],
    [['team', 'frobnicate'], 2, 'unknown team action "frobnicate"'],
  ])('%j exits %i and says: %s', async (args, status, sentence) => {
    const data = folder();
    // the demo accounts (one manager: maria), as a relay started with --demo leaves them
    const relay = await startTestRelay({ dataDir: data });
    await relay.close();
    const result = await cli([...args, '--data', data], 'x\n');
    expect(result.status).toBe(status);
    expect(result.stderr).toContain(sentence);
  }, 30_000);

  it('a relay running on the same folder notices: a disabled agent is closed out, teams and passwords take effect', async () => {
    const data = folder();
    const relay = await startTestRelay({ dataDir: data, directoryPollMs: 100 });
    cleanups.push(() => relay.close());
    const alice = await connectAgent(relay, 'alice');
    const bob = await connectAgent(relay, 'bob');
    cleanups.push(() => alice.close(), () => bob.close());
    await ok(['team', 'add', 'billing', '--name', 'Billing', '--data', data]);
    expect(await alice.next((f) => f.type === 'teams')).toMatchObject({ teams: [{ id: 'billing', name: 'Billing' }] });
    await ok(['user', 'set-teams', 'bob', '--teams', 'billing', '--data', data]);
    await alice.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.teams?.join() === 'billing');
    await ok(['user', 'disable', 'bob', '--data', data]);
    expect(await bob.closed).toEqual({ code: CloseCodes.accountClosed, reason: 'Your account was disabled by a manager.' });
    await ok(['user', 'passwd', 'bob', '--data', data], 'fresh-pass\n');
    await ok(['user', 'enable', 'bob', '--data', data]);
    // once the relay shows bob enabled, it has read the directory after the new password too
    await alice.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.disabled === false);
    const again = await connectAgent(relay, 'bob', { password: 'fresh-pass' });
    cleanups.push(() => again.close());
    expect(again.frames[0]).toMatchObject({ type: 'welcome', me: { id: 'bob', teams: ['billing'] } });
  }, CLI_TEST_MS);

  it('a sign-in between another process writing and the poll does not swallow the change', async () => {
    // (CI once saw this on a cluster: a node refreshed its accounts for a hello, or a reconcile, before its poll, and
    // the poll then found nothing new to tell anyone)
    const data = folder();
    const relay = await startTestRelay({ dataDir: data, directoryPollMs: 1500 });
    cleanups.push(() => relay.close());
    const alice = await connectAgent(relay, 'alice');
    cleanups.push(() => alice.close());
    const other = openSqliteStore(data);
    other.createTeam({ id: 'billing', name: 'Billing' });
    other.updateAccount('bob', { teams: ['billing'] });
    other.close();
    // bob signs in at once: most likely long before the relay's next poll
    const bob = await connectAgent(relay, 'bob');
    cleanups.push(() => bob.close());
    expect(await alice.next((f) => f.type === 'teams', 5000)).toMatchObject({ teams: [{ id: 'billing', name: 'Billing' }] });
    await alice.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.teams?.join() === 'billing', 5000);
  }, CLI_TEST_MS);
});
