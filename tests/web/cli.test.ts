// `npm run web` flags: good ones become a config, bad ones a sentence naming the flag; a missing renderer build
// is reported with the command that fixes it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { parseWebCliArgs, resolvePassword, type WebCliConfig } from '../../main/web/cli';
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
    [['--password', 'demo'], /--password needs --user/],
    [['--password-file', '/tmp/pw'], /--password-file needs --user/],
    [['--relay', 'ws://x', '--user', 'alice', '--password', 'a', '--password-file', '/tmp/pw'], /not both/],
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

  it('warns that --password is visible to every user of the machine, and does not warn for the other ways', () => {
    const argv = parseWebCliArgs(['--relay', 'ws://127.0.0.1:7420', '--user', 'alice', '--password', 'demo']);
    expect(argv.ok === true && argv.config.warnings).toEqual([expect.stringMatching(/process list.*ps.*--password-file/)]);
    const file = parseWebCliArgs(['--relay', 'ws://127.0.0.1:7420', '--user', 'alice', '--password-file', '/run/secrets/pw']);
    expect(file).toMatchObject({ ok: true, config: { passwordFile: '/run/secrets/pw', passwordFromStdin: false, warnings: [] } });
    const stdin = parseWebCliArgs(['--relay', 'ws://127.0.0.1:7420', '--user', 'alice']);
    expect(stdin).toMatchObject({ ok: true, config: { passwordFromStdin: true, warnings: [] } });
    expect(parseWebCliArgs(['--relay', 'ws://10.0.0.5:7420', '--allow-unencrypted'])).toMatchObject({ ok: true, config: { allowUnencrypted: true } });
  });

  const configFor = (argv: string[]): WebCliConfig => {
    const parsed = parseWebCliArgs(argv);
    if (parsed.ok !== true) throw new Error('expected a config');
    return parsed.config;
  };
  const noTerminal = (text: string) => {
    const stdin = new PassThrough();
    stdin.end(text);
    return { stdin, prompt: new PassThrough(), readFile: (file: string) => fs.readFileSync(file, 'utf8') };
  };

  it('reads the password from the first line of --password-file, or of what is piped to stdin', async () => {
    const file = `${tempDir()}/pw`;
    fs.writeFileSync(file, 'from-the-file\nignored second line\n');
    const base = ['--relay', 'ws://127.0.0.1:7420', '--user', 'alice'];
    expect(await resolvePassword(configFor([...base, '--password-file', file]), noTerminal(''))).toEqual({ ok: true, password: 'from-the-file' });
    expect(await resolvePassword(configFor(base), noTerminal('piped-secret\r\n'))).toEqual({ ok: true, password: 'piped-secret' });
    expect(await resolvePassword(configFor(base), noTerminal(''))).toEqual({ ok: false, message: 'no password for alice (empty input)' });
    const missing = await resolvePassword(configFor([...base, '--password-file', `${file}-missing`]), noTerminal(''));
    expect(missing).toEqual({ ok: false, message: expect.stringMatching(/could not read --password-file .*ENOENT/) });
  });

  it('asks for the password on a terminal without echoing it', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true, modes: [] as boolean[], setRawMode(raw: boolean) { this.modes.push(raw); } });
    const prompt = new PassThrough();
    let shown = '';
    prompt.on('data', (chunk) => { shown += String(chunk); });
    const answer = resolvePassword(configFor(['--relay', 'ws://127.0.0.1:7420', '--user', 'alice']), { stdin, prompt, readFile: () => '' });
    stdin.write('sekrit');
    stdin.write('x\u007f\r');
    expect(await answer).toEqual({ ok: true, password: 'sekrit' });
    expect(shown).toBe('Password for alice: \n');
    expect(stdin.modes).toEqual([true, false]);
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
