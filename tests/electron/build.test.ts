// The Electron bundles: the preload is a sandbox-safe CJS file that requires only `electron`, and neither bundle
// carries test or dev tooling.
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

  it('ships the customer chat page next to the bundle, where the relay looks for it', () => {
    expect(fs.existsSync(path.join(outDir, 'customer-page', 'index.html'))).toBe(true);
  });
});

describe('the bundled main process', () => {
  it('starts with Electron stubbed: demo relay, every IPC channel, one sandboxed window on baton://app', async () => {
    const stub = path.join(import.meta.dirname, 'fixtures', 'electron-stub.cjs');
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-r', stub, path.join(outDir, 'main.cjs')], {
          timeout: 30_000,
          // The bundle was written to a temp folder; its externals (better-sqlite3, ws's optional deps) live here.
          env: { ...process.env, NODE_PATH: path.resolve('node_modules'), BATON_DEMO_RELAY_PORT: '0' },
        },
        (error, out) =>
        error ? reject(error) : resolve(out),
      );
    });
    const report = stdout.split('\n').find((line) => line.startsWith('STUB-REPORT '));
    const calls = JSON.parse(report!.slice('STUB-REPORT '.length)) as string[];
    expect(calls.filter((c) => c.startsWith('error:') || c.startsWith('exit:'))).toEqual([]);
    expect(calls[0]).toBe('privileged:baton');
    expect(calls.filter((c) => c.startsWith('ipc:')).map((c) => c.slice(4)).sort()).toEqual([...bridgeChannels].sort());
    const windows = calls.filter((c) => c.startsWith('window:'));
    expect(windows).toHaveLength(1);
    expect(JSON.parse(windows[0]!.slice('window:'.length))).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(calls).toContain('load:baton://app/index.html');
    expect(calls).toContain('window-open-handler');
    expect(stdout).toMatch(/started the local demo relay at ws:\/\/127\.0\.0\.1:\d+/);
  }, 40_000);
});
