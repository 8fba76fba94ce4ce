// `npm run web` flags: good ones become a config, bad ones a sentence naming the flag; a missing renderer build
// is reported with the command that fixes it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWebCliArgs } from '../../main/web/cli';
import { tempDir } from './helpers';

describe('web CLI flags', () => {
  it('reads relay, user, password, port and data folder', () => {
    const parsed = parseWebCliArgs(['--relay', 'ws://127.0.0.1:7420', '--user', 'alice', '--password', 'demo', '--port', '5174', '--data', '/tmp/x']);
    expect(parsed).toMatchObject({
      ok: true,
      config: { relayUrl: 'ws://127.0.0.1:7420', user: 'alice', password: 'demo', port: 5174, host: '127.0.0.1', dataDir: '/tmp/x' },
    });
  });

  it.each([
    [['--relay', 'http://x'], /--relay must be a ws/],
    [['--user', 'alice', '--password', 'demo'], /--user needs --relay/],
    [['--relay', 'ws://x', '--user', 'alice'], /--user needs --password/],
    [['--password', 'demo'], /--password needs --user/],
    [['--relay', 'ws://x', '--user', 'Alice!', '--password', 'p'], /not a valid user name/],
    [['--port', 'eighty'], /--port must be a number/],
    [['--port', '70000'], /--port must be a number/],
    [['--colour', 'blue'], /colour/],
    [['stray'], /stray|positional/i],
  ])('refuses %j', (argv, message) => {
    const parsed = parseWebCliArgs(argv);
    expect(parsed.ok).toBe(false);
    if (parsed.ok === false) expect(parsed.message).toMatch(message);
  });

  it('says to build the renderer when dist/renderer is missing', async () => {
    const cli = path.resolve('main/web/cli.ts');
    const tsx = path.resolve('node_modules/.bin/tsx');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(tsx, [cli, '--port', '0', '--renderer', tempDir(), '--data', tempDir()], { timeout: 20_000 }, (error, _out, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run npm run build:renderer first');
  });
});
