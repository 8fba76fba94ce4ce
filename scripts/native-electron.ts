// `npm run native:electron [-- --force] [-- --arch arm64]`: makes better-sqlite3 for Electron's ABI in
// native/electron/<target>/ (run by `npm start` and `npm run dist` before Electron or electron-builder). It rebuilds
// a private copy of the module in native/.staging/, never node_modules, whose Node build the tests, web mode and
// the relay keep using. @electron/rebuild downloads a prebuilt binary or Electron's headers, so it needs network.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinaryPath, NATIVE_COMMAND, type NativeTarget } from '../main/electron/native-sqlite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RebuildRequest {
  /** the project whose node_modules/better-sqlite3 is rebuilt (the staging copy) */
  buildPath: string;
  /** where the rebuild's own output goes */
  logFile: string;
  electronVersion: string;
  platform: NodeJS.Platform;
  arch: string;
}
export type Rebuild = (request: RebuildRequest) => Promise<void>;

export type EnsureOutcome =
  | { status: 'present' | 'built'; file: string }
  /** message: one sentence that says what failed and what to run */
  | { status: 'failed'; message: string };

export interface EnsureOptions {
  root: string;
  target: NativeTarget;
  /** rebuild even when the file is there (e.g. it does not load) */
  force?: boolean;
  rebuild?: Rebuild;
  /** null when `file` is an addon for Electron's ABI, else why not (default: `checkElectronAbi`) */
  verify?: (file: string) => string | null;
  log?: (line: string) => void;
}

const FAILED_MARK = 'ELECTRON-REBUILD-FAILED ';

/**
 * @electron/rebuild in a child process whose output goes to `logFile`: its worker prints node-gyp's stack traces
 * straight to the terminal otherwise, and the person running `npm start` should read one sentence, not those.
 */
const electronRebuild: Rebuild = (request) =>
  new Promise((resolve, reject) => {
    const env = { ...process.env };
    // An npm `nodedir` (Debian sets nodedir=/usr for its Node headers) makes node-gyp ignore --target and quietly
    // build against Node's headers: the result would load in Node and never in Electron.
    for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key];
    const { logFile, ...target } = request;
    const options = { ...target, onlyModules: ['better-sqlite3'], force: true, mode: 'sequential' };
    const program = `import('@electron/rebuild').then(({ rebuild }) => rebuild(${JSON.stringify(options)})).then(
      () => process.exit(0),
      (error) => { console.error(${JSON.stringify(FAILED_MARK)} + String((error && error.message) || error).split('\\n')[0]); process.exit(1); });`;
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const log = fs.createWriteStream(logFile);
    // cwd = the project, so the child resolves @electron/rebuild from its node_modules.
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let failure: string | null = null;
    child.stdout.pipe(log, { end: false });
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      const marked = chunk.toString().split('\n').find((line) => line.startsWith(FAILED_MARK));
      if (marked) failure = marked.slice(FAILED_MARK.length).trim();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new Error(failure ?? `electron-rebuild exited with code ${code}`));
    });
  });

/** Electron's NODE_MODULE_VERSION, as the electron package records it. */
export function electronAbi(dir: string): number {
  return Number(fs.readFileSync(path.join(dir, 'node_modules', 'electron', 'abi_version'), 'utf8').trim());
}

/**
 * Proves an addon targets Electron without running Electron: this Node must refuse it, naming Electron's ABI. An
 * addon that loads here was built for Node (the silent failure above), and one that fails otherwise is not a
 * usable addon at all.
 */
export function checkElectronAbi(file: string, expectedAbi: number, load: (file: string) => unknown = (f) => process.dlopen({ exports: {} }, f)): string | null {
  try {
    load(file);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const compiled = /compiled against a different Node\.js version using\s+NODE_MODULE_VERSION (\d+)/.exec(message)?.[1];
    if (compiled === undefined) return `it is not a loadable addon: ${message.split('\n')[0]}`;
    return Number(compiled) === expectedAbi ? null : `it was built for NODE_MODULE_VERSION ${compiled}, not Electron's ${expectedAbi}`;
  }
  return `it was built for this Node (NODE_MODULE_VERSION ${process.versions.modules}), not for Electron's ${expectedAbi}`;
}

const readVersion = (dir: string, name: string): string =>
  (JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** The target for this machine (or another CPU with --arch), from the installed electron and better-sqlite3. */
export function installedTarget(dir: string, arch: string = process.arch): NativeTarget {
  return {
    sqliteVersion: readVersion(dir, 'better-sqlite3'),
    electronVersion: readVersion(dir, 'electron'),
    platform: process.platform,
    arch,
  };
}

/** Makes the Electron build when it is missing (or `force`); never throws, never writes into node_modules. */
export async function ensureElectronSqlite(options: EnsureOptions): Promise<EnsureOutcome> {
  const { target } = options;
  const log = options.log ?? (() => {});
  const relative = electronBinaryPath(target);
  const file = path.join(options.root, ...relative.split('/'));
  const verify = options.verify ?? ((f: string) => checkElectronAbi(f, electronAbi(options.root)));
  // A file left by an older, broken run is rebuilt rather than trusted.
  if (!options.force && fs.existsSync(file) && verify(file) === null) return { status: 'present', file };

  const folder = path.basename(path.dirname(file));
  const staging = path.join(options.root, 'native', '.staging', folder);
  const logFile = path.join(options.root, 'native', 'electron-rebuild.log');
  const what = `better-sqlite3 ${target.sqliteVersion} for Electron ${target.electronVersion} (${target.platform}-${target.arch})`;
  try {
    fs.rmSync(staging, { recursive: true, force: true });
    const stagedModule = path.join(staging, 'node_modules', 'better-sqlite3');
    const source = fs.realpathSync(path.join(options.root, 'node_modules', 'better-sqlite3'));
    // The sources and binding.gyp, without the Node build: whatever appears in build/ was made for Electron.
    fs.cpSync(source, stagedModule, { recursive: true, filter: (entry) => path.relative(source, entry) !== 'build' });
    fs.writeFileSync(
      path.join(staging, 'package.json'),
      JSON.stringify({ name: 'baton-native-staging', private: true, dependencies: { 'better-sqlite3': target.sqliteVersion } }),
    );
    log(`building ${what} in ${path.relative(options.root, staging)}`);
    await (options.rebuild ?? electronRebuild)({
      buildPath: staging,
      logFile,
      electronVersion: target.electronVersion,
      platform: target.platform,
      arch: target.arch,
    });
    const built = path.join(stagedModule, 'build', 'Release', 'better_sqlite3.node');
    if (!fs.existsSync(built)) throw new Error('the rebuild finished without producing build/Release/better_sqlite3.node');
    const wrong = verify(built);
    if (wrong) throw new Error(`the rebuilt addon is unusable: ${wrong}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(built, `${file}.tmp`);
    fs.renameSync(`${file}.tmp`, file);
    return { status: 'built', file };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() || 'unknown error';
    const details = fs.existsSync(logFile) ? `; details in ${path.relative(options.root, logFile)}` : '';
    return {
      status: 'failed',
      message: `Could not build ${what} (${reason}${details}): with network access (it downloads a prebuilt binary or Electron's headers), run \`${NATIVE_COMMAND}\` again.`,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): { force: boolean; arch: string } {
  const archAt = argv.indexOf('--arch');
  return { force: argv.includes('--force'), arch: archAt >= 0 ? (argv[archAt + 1] ?? process.arch) : process.arch };
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = parseArgs(process.argv.slice(2));
  void ensureElectronSqlite({ root, target: installedTarget(root, args.arch), force: args.force, log: console.log }).then((outcome) => {
    if (outcome.status === 'failed') {
      console.error(outcome.message);
      process.exitCode = 1;
    } else {
      console.log(`${path.relative(root, outcome.file)}: ${outcome.status === 'built' ? 'built' : 'up to date'}`);
    }
  });
}
