// The Electron bundles: the preload is a sandbox-safe CJS file that requires only `electron`, the search worker
// needs nothing but Node's own modules, none carries test or dev tooling, and the bundled main process starts up
// (with Electron stubbed) as the one instance, or quits as a second one.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bridgeChannels } from '../../common/bridge';
import { type BuiltBundle, buildElectron } from '../../scripts/build-electron';

let bundles: BuiltBundle[];
let outDir: string;
const requiresOf = (file: string) => [...new Set([...fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();

beforeAll(async () => {
  outDir = fs.mkdtempSync(`${os.tmpdir()}/baton-`);
  bundles = await buildElectron(outDir);
}, 60_000);

describe('electron build', () => {
  it('the preload requires nothing but electron and stays small', () => {
    const preload = bundles.find((b) => b.file.endsWith('preload.cjs'))!;
    expect(requiresOf(preload.file)).toEqual(['electron']);
    expect(preload.inputs.some((input) => input.includes('node_modules/zod'))).toBe(false);
    expect(preload.bytes).toBeLessThan(20 * 1024);
  });

  it('the main bundle keeps electron and the native module external and carries no dev tooling', () => {
    const main = bundles.find((b) => b.file.endsWith('main.cjs'))!;
    const requires = requiresOf(main.file);
    expect(requires).toContain('electron');
    expect(requires).toContain('better-sqlite3');
    expect(main.inputs.filter((input) => /node_modules\/(vite|vitest|happy-dom|@playwright|esbuild|typescript)\//.test(input))).toEqual([]);
    expect(main.inputs.some((input) => input.startsWith('tests/') || input.startsWith('renderer/'))).toBe(false);
    expect(main.inputs).toContain('main/electron/main.ts');
  });

  it('the search worker bundle carries better-sqlite3’s JS and requires only Node’s own modules', () => {
    const worker = bundles.find((b) => b.file.endsWith('search-thread.cjs'))!;
    expect(requiresOf(worker.file).filter((name) => !/^(node:)?(fs|path|util|worker_threads)$/.test(name ?? ''))).toEqual([]);
    expect(worker.inputs.some((input) => input.includes('node_modules/better-sqlite3/lib/database.js'))).toBe(true);
  });

  it('ships the customer chat page next to the bundle, where the relay looks for it', () => {
    expect(fs.existsSync(path.join(outDir, 'customer-page', 'index.html'))).toBe(true);
  });
});

const stub = path.join(import.meta.dirname, 'fixtures', 'electron-stub.cjs');
/** Runs the bundled main.cjs under Node with `electron` stubbed; resolves with its output and the stub's record. */
const runBundledMain = (env: Record<string, string> = {}) =>
  new Promise<{ stdout: string; calls: string[] }>((resolve, reject) => {
    execFile(
      process.execPath,
      ['-r', stub, path.join(outDir, 'main.cjs')],
      {
        timeout: 30_000,
        // The bundle was written to a temp folder; its externals (better-sqlite3, ws's optional deps) live here.
        env: { ...process.env, NODE_PATH: path.resolve('node_modules'), BATON_DEMO_RELAY_PORT: '0', ...env },
      },
      (error, stdout) => {
        if (error) return reject(error);
        const report = stdout.split('\n').find((line) => line.startsWith('STUB-REPORT '));
        resolve({ stdout, calls: JSON.parse(report!.slice('STUB-REPORT '.length)) as string[] });
      },
    );
  });

describe('the bundled main process', () => {
  it('starts with Electron stubbed: demo relay, every IPC channel, one sandboxed window on baton://app', async () => {
    const { stdout, calls } = await runBundledMain();
    expect(calls.filter((c) => c.startsWith('error:') || c.startsWith('exit:'))).toEqual([]);
    expect(calls[0]).toBe('privileged:baton');
    expect(calls.filter((c) => c.startsWith('ipc:')).map((c) => c.slice(4)).sort()).toEqual([...bridgeChannels].sort());
    const windows = calls.filter((c) => c.startsWith('window:'));
    expect(windows).toHaveLength(1);
    expect(JSON.parse(windows[0]!.slice('window:'.length))).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(calls).toContain('load:baton://app/index.html');
    expect(calls).toContain('window-open-handler');
    expect(stdout).toMatch(/started the local demo relay at ws:\/\/127\.0\.0\.1:\d+/);
    // The application menu (Open Baton at Login, Check for Updates…); no feed and a development build: no updates,
    // and no login item registered for bare Electron.
    expect(calls).toContain('menu:File,editMenu,View,windowMenu');
    expect(calls.filter((c) => c.startsWith('login-item:'))).toEqual([]);
    expect(stdout).toContain('updates are off: no update feed is configured');
    expect(stdout).toContain('launch at login is applied to an installed Baton only');
  }, 40_000);

  it('a second launch for the same profile quits at once and opens no window (one instance per user)', async () => {
    const { calls } = await runBundledMain({ STUB_SECOND_INSTANCE: '1' });
    expect(calls).toContain('quit');
    expect(calls.filter((c) => c.startsWith('window:') || c.startsWith('ipc:'))).toEqual([]);
  }, 40_000);

  it('BATON_USER_DATA_DIR selects the profile before the single-instance lock is taken', async () => {
    const { calls } = await runBundledMain({ BATON_USER_DATA_DIR: os.tmpdir() });
    expect(calls.indexOf('set-path:userData')).toBeGreaterThanOrEqual(0);
    expect(calls.indexOf('set-path:userData')).toBeLessThan(calls.indexOf('lock'));
  }, 40_000);
});
