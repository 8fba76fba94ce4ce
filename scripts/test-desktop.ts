// `npm run test:desktop`: the desktop smoke suite (tests/desktop, Playwright's _electron) against the built app.
// Where the Electron binary is missing it runs nothing and says so: its last line is always one of
//   desktop smoke suite: passed | FAILED (…) | NOT RUN (Electron binary missing: …)
// and NOT RUN exits 2, so nobody mistakes it for a pass. `--not-run-ok` (what `npm test` passes) makes NOT RUN exit 0,
// so machines without Electron can still run the whole test command; BATON_REQUIRE_DESKTOP_SUITE=1 takes that back
// (for a CI job that has Electron and must run the suite).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronSqlite, installedTarget } from './native-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESULT_PREFIX = 'desktop smoke suite:';

export type ElectronBinary = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Finds the Electron executable the way the electron package does (path.txt, or ELECTRON_OVERRIDE_DIST_PATH), without
 * require('electron'): that tries to download the binary, which on a machine without network only hangs and fails.
 */
export function findElectronBinary(dir: string, env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const pkg = path.join(dir, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  const recorded = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const exe = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, recorded || 'electron');
    return fs.existsSync(exe) ? { ok: true, path: exe } : { ok: false, reason: `${exe} (from ELECTRON_OVERRIDE_DIST_PATH) does not exist` };
  }
  if (!fs.existsSync(path.join(pkg, 'package.json'))) return { ok: false, reason: 'the electron package is not installed' };
  if (recorded === null) {
    return { ok: false, reason: 'node_modules/electron/path.txt is absent, so the electron package never downloaded its binary' };
  }
  const exe = path.join(pkg, 'dist', recorded);
  return fs.existsSync(exe) ? { ok: true, path: exe } : { ok: false, reason: `${path.relative(dir, exe)} does not exist` };
}

export interface DesktopSuiteOutcome {
  line: string;
  exitCode: number;
}

/** What to print and how to exit when the binary is missing. */
export function notRun(reason: string, options: { notRunOk: boolean; required: boolean }): DesktopSuiteOutcome {
  const line = `${RESULT_PREFIX} NOT RUN (Electron binary missing: ${reason}; install it with \`node node_modules/electron/install.js\`, or set ELECTRON_OVERRIDE_DIST_PATH)`;
  return { line, exitCode: options.notRunOk && !options.required ? 0 : 2 };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  return result.status ?? 1;
}

async function main(argv: string[]): Promise<DesktopSuiteOutcome> {
  const notRunOk = argv.includes('--not-run-ok');
  const playwrightArgs = argv.filter((arg) => arg !== '--not-run-ok');
  const binary = findElectronBinary(root);
  if (!binary.ok) return notRun(binary.reason, { notRunOk, required: process.env.BATON_REQUIRE_DESKTOP_SUITE === '1' });

  if (run('npm', ['run', '-s', 'build']) !== 0) return { line: `${RESULT_PREFIX} FAILED (npm run build failed)`, exitCode: 1 };
  const native = await ensureElectronSqlite({ root, target: installedTarget(root), log: console.log });
  if (native.status === 'failed') return { line: `${RESULT_PREFIX} FAILED (${native.message})`, exitCode: 1 };
  const code = run('npx', ['playwright', 'test', '-c', 'tests/desktop/playwright.config.ts', ...playwrightArgs], {
    ...process.env,
    BATON_ELECTRON_PATH: binary.path,
  });
  return code === 0 ? { line: `${RESULT_PREFIX} passed`, exitCode: 0 } : { line: `${RESULT_PREFIX} FAILED (see the Playwright report above)`, exitCode: code };
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  void main(process.argv.slice(2)).then(({ line, exitCode }) => {
    console.log(line);
    process.exitCode = exitCode;
  });
}
