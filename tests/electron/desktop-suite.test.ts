// `npm run test:desktop` without Electron: it finds the binary the way the electron package does (never by
// require('electron'), which would try to download it), and where it is missing it says NOT RUN with the reason
// and never exits like a pass — except under `npm test`, which must not fail CI on machines without Electron.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary, notRun, RESULT_PREFIX } from '../../scripts/test-desktop';

const root = path.resolve(import.meta.dirname, '../..');
const project = (files: Record<string, string>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-electron-pkg-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
};

describe('finding the Electron binary', () => {
  it('says which piece is missing: the package, the download record, or the executable it names', () => {
    expect(findElectronBinary(project({}), {})).toEqual({ ok: false, reason: 'the electron package is not installed' });
    const noDownload = project({ 'node_modules/electron/package.json': '{}' });
    expect(findElectronBinary(noDownload, {})).toEqual({
      ok: false,
      reason: 'node_modules/electron/path.txt is absent, so the electron package never downloaded its binary',
    });
    const lost = project({ 'node_modules/electron/package.json': '{}', 'node_modules/electron/path.txt': 'electron' });
    expect(findElectronBinary(lost, {})).toEqual({ ok: false, reason: `${path.join('node_modules', 'electron', 'dist', 'electron')} does not exist` });
  });

  it('finds a downloaded binary, or the one ELECTRON_OVERRIDE_DIST_PATH points at', () => {
    const dir = project({
      'node_modules/electron/package.json': '{}',
      'node_modules/electron/path.txt': 'electron',
      'node_modules/electron/dist/electron': '#!',
    });
    expect(findElectronBinary(dir, {})).toEqual({ ok: true, path: path.join(dir, 'node_modules', 'electron', 'dist', 'electron') });
    const elsewhere = project({ 'electron': '#!' });
    expect(findElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toEqual({ ok: true, path: path.join(elsewhere, 'electron') });
  });
});

describe('a suite that could not run', () => {
  it('is reported as NOT RUN with its reason, and exits 2 on its own, 0 under npm test, 2 when CI requires it', () => {
    const standalone = notRun('no binary', { notRunOk: false, required: false });
    expect(standalone.line).toMatch(new RegExp(`^${RESULT_PREFIX} NOT RUN \\(Electron binary missing: no binary; `));
    expect(standalone.line).not.toMatch(/passed/);
    expect(standalone.exitCode).toBe(2);
    expect(notRun('no binary', { notRunOk: true, required: false }).exitCode).toBe(0);
    expect(notRun('no binary', { notRunOk: true, required: true }).exitCode).toBe(2);
  });

  it('npm test ends with the desktop suite, allowed to be NOT RUN', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.test?.endsWith('npm run test:desktop -- --not-run-ok')).toBe(true);
    expect(scripts['test:desktop']).toBe('tsx scripts/test-desktop.ts');
  });

  it('the script prints that line last and exits accordingly (binary pointed at nothing)', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; lines: string[] }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', path.join(root, 'scripts', 'test-desktop.ts'), ...args],
          { cwd: root, env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(os.tmpdir(), 'no-electron-here'), BATON_REQUIRE_DESKTOP_SUITE: '' }, timeout: 30_000 },
          (error, stdout) => resolve({ code: error ? Number(error.code) : 0, lines: stdout.trim().split('\n') }),
        );
      });
    const alone = await run([]);
    expect(alone.code).toBe(2);
    expect(alone.lines.at(-1)).toMatch(/^desktop smoke suite: NOT RUN \(Electron binary missing: .*no-electron-here.* does not exist/);
    const inNpmTest = await run(['--not-run-ok']);
    expect(inNpmTest.code).toBe(0);
    expect(inNpmTest.lines.at(-1)).toMatch(/^desktop smoke suite: NOT RUN/);
  }, 40_000);
});
