// The relay CLI: accounts added with the password on stdin can sign in; bad flags get one sentence and exit 2.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAgent, openSocket, removeDir, repoRoot, startTestRelay, tempDir } from './helpers';
import { AGENT_PATH } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function cli(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('relay cli', () => {
  it('user add reads the password from a pipe; the new user can sign in and is listed', async () => {
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const added = cli(['user', 'add', 'erin', '--role', 'agent', '--can-listen-in', '--display-name', 'Erin Example', '--data', dataDir], 's3cret-pass\n');
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toContain('Added agent "erin" (can listen in)');
    const listed = cli(['user', 'list', '--data', dataDir]);
    expect(listed.stdout).toContain('erin\tagent, can listen in\tErin Example');

    const relay = await startTestRelay({ dataDir, demo: false });
    cleanups.push(() => relay.close());
    const erin = await connectAgent(relay, 'erin', { password: 's3cret-pass' });
    cleanups.push(() => erin.close());
    expect(erin.frames[0]).toMatchObject({ type: 'welcome', me: { id: 'erin', name: 'Erin Example', canListenIn: true } });
    await expect(openSocket(`${relay.wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('erin', 's3cret-pass\n') })).rejects.toMatchObject({
      status: 401,
    });
  });

  it.each([
    [['--port', 'abc'], '--port must be a whole number'],
    [['--capacity', '0'], '--capacity must be a whole number of at least 1'],
    [['--transfer-timeout', 'soon'], '--transfer-timeout must be a number'],
    [['--allowed-origin', 'evil'], '--allowed-origin must look like'],
    [['--bogus'], 'unknown option --bogus'],
    [['--rate-limit', '0'], '--rate-limit must be a whole number of at least 1'],
    [['--max-queued-chats', 'lots'], '--max-queued-chats must be a whole number'],
    [['--hello-timeout', '0'], '--hello-timeout must be a number of seconds of at least 0.1'],
    [['--trust-proxy-header', 'x forwarded'], '--trust-proxy-header must be a header name'],
    [['--sign-in-lockout', 'soon'], '--sign-in-lockout must be a number'],
    [['--page-bytes', '99999999'], '--page-bytes must be a whole number of bytes between 1024 and 16777216'],
    [['--tls-key', 'key.pem'], '--tls-cert and --tls-key go together'],
    [['user', 'add', 'Bad Name', '--role', 'agent'], 'is not a valid user name'],
    [['user', 'add', 'frank', '--role', 'boss'], '--role must be "agent" or "manager"'],
  ])('%j fails with exit code 2 and says why', (args, sentence) => {
    const dataDir = tempDir();
    cleanups.push(() => removeDir(dataDir));
    const result = cli([...args, '--data', dataDir], '');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(sentence);
    expect(result.stderr).toContain('Usage:');
  });

  it('--help prints the usage and exits 0', () => {
    const result = cli(['--help'], '');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('npm run relay -- user add <name>');
  });
});
