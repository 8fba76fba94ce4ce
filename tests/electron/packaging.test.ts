// Packaging, proven without electron-builder running: electron-builder.yml passes electron-builder's own schema,
// sets the Electron Fuses and macOS's alert style, and — applied with electron-builder's own file matcher to a
// real build output — packs the worker bundle and the Electron build of better-sqlite3 and unpacks exactly what
// the shell loads from app.asar.unpacked. The unpacked worker then runs with nothing beside it but the addon.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Cache, CACHE_FILE, SearchWorker } from '../../main/client/cache';
import {
  appFiles,
  CHECKPOINT_THREAD_BUNDLE,
  ELECTRON_BUNDLE_DIR,
  MAIN_BUNDLE,
  PRELOAD_BUNDLE,
  SEARCH_THREAD_BUNDLE,
} from '../../main/electron/app-paths';
import { chooseSqliteBinding, electronBinaryPath } from '../../main/electron/native-sqlite';
import { buildElectron } from '../../scripts/build-electron';
import { message, summary } from '../client/fixtures';

const root = path.resolve(import.meta.dirname, '../..');
// electron-builder's internals, the very code `npm run dist` runs (app-builder-lib is electron-builder's engine).
const builderRequire = createRequire(path.join(root, 'node_modules', 'electron-builder', 'package.json'));
const appBuilderRequire = createRequire(builderRequire.resolve('app-builder-lib/package.json'));
type Config = Record<string, unknown> & { linux?: Record<string, unknown>; files?: unknown; asarUnpack?: unknown };
type Filter = (file: string, stat: fs.Stats) => boolean;
const { getConfig, validateConfiguration } = appBuilderRequire('./out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Config>;
  validateConfiguration(config: Config, debugLogger: unknown): Promise<void>;
};
const { getFileMatchers, getNodeModuleFileMatcher } = appBuilderRequire('./out/fileMatcher') as {
  getFileMatchers(config: Config, name: string, destination: string, options: object): Array<{ createFilter(): Filter }> | null;
  getNodeModuleFileMatcher(appDir: string, destination: string, expand: (s: string) => string, platformOptions: object, packager: object): { createFilter(): Filter };
};
const { DebugLogger } = appBuilderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const target = { sqliteVersion: '12.11.1', electronVersion: '45.4.1', platform: 'linux' as const, arch: 'x64' };
const nodeAddon = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

let config: Config;
let project: string;
let packaged: string[];
let unpacked: string[];

/** Walks `dir` the way electron-builder copies it: a directory the filter refuses is not entered. */
function select(dir: string, filter: Filter, base = dir): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name === 'node_modules' || !filter(full, fs.statSync(full))) continue;
    if (entry.isDirectory()) out.push(...select(full, filter, base));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

const matcherOptions = (dir: string) => ({
  macroExpander: (s: string) => s,
  customBuildOptions: config.linux ?? {},
  globalOutDir: path.join(dir, 'release'),
  defaultSrc: dir,
});

beforeAll(async () => {
  config = await getConfig(root, null, null);
  // A project laid out as `npm run dist` finds it: the build output, plus what must not ship.
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-pack-'));
  await buildElectron(path.join(project, ...ELECTRON_BUNDLE_DIR.split('/')));
  fs.mkdirSync(path.join(project, 'dist', 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(project, 'dist', 'renderer', 'index.html'), '<!doctype html>');
  fs.cpSync(path.join(root, 'assets'), path.join(project, 'assets'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(project, 'package.json'));
  fs.copyFileSync(path.join(root, 'electron-builder.yml'), path.join(project, 'electron-builder.yml'));
  // The Node build stands in for the Electron one: packaging only cares about its name and place.
  const native = path.join(project, ...electronBinaryPath(target).split('/'));
  fs.mkdirSync(path.dirname(native), { recursive: true });
  fs.copyFileSync(nodeAddon, native);
  fs.mkdirSync(path.join(project, 'native', '.staging', 'x'), { recursive: true });
  fs.writeFileSync(path.join(project, 'native', '.staging', 'x', 'junk.node'), '');
  fs.writeFileSync(path.join(project, 'native', 'electron-rebuild.log'), 'log');
  fs.mkdirSync(path.join(project, 'main', 'electron'), { recursive: true });
  fs.writeFileSync(path.join(project, 'main', 'electron', 'main.ts'), '// source');

  const [files] = getFileMatchers(config, 'files', project, matcherOptions(project)) ?? [];
  packaged = select(project, files!.createFilter());
  const [unpack] = getFileMatchers(config, 'asarUnpack', project, matcherOptions(project)) ?? [];
  const unpackFilter = unpack!.createFilter();
  unpacked = packaged.filter((file) => unpackFilter(path.join(project, file), fs.statSync(path.join(project, file))));
}, 60_000);

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own schema (which does refuse a misspelt key)', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, electronFusez: {} }, new DebugLogger(false))).rejects.toThrow(/electronFusez/);
  });

  it('flips the Electron Fuses: no run-as-node, no NODE_OPTIONS or --inspect, encrypted cookies, asar only and checked', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // onlyLoadAppFromAsar and the integrity check mean nothing without an archive.
    expect(config.asar).toBe(true);
  });

  it('keeps macOS notifications alert-style, which action buttons need, and never rebuilds node_modules in place', () => {
    expect((config.mac as { extendInfo: Record<string, unknown> }).extendInfo.NSUserNotificationAlertStyle).toBe('alert');
    expect(config.npmRebuild).toBe(false);
  });
});

describe('the packaged file list, from the build output', () => {
  it('holds the three bundles, the renderer, the icons and the Electron build of better-sqlite3', () => {
    for (const bundle of [MAIN_BUNDLE, PRELOAD_BUNDLE, SEARCH_THREAD_BUNDLE]) expect(packaged).toContain(`${ELECTRON_BUNDLE_DIR}/${bundle}`);
    expect(packaged).toContain(electronBinaryPath(target));
    expect(packaged).toContain('dist/electron/customer-page/index.html');
    expect(packaged).toContain('dist/renderer/index.html');
    expect(packaged).toContain('assets/icon.png');
    expect(packaged).toContain('package.json');
  });

  it('leaves out source maps, sources, the rebuild’s staging folder and log, and the packaging config', () => {
    expect(packaged.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(packaged.filter((file) => file.startsWith('native/') && !file.startsWith('native/electron/'))).toEqual([]);
    expect(packaged).not.toContain('main/electron/main.ts');
    expect(packaged).not.toContain('electron-builder.yml');
  });

  it('unpacks exactly the addon and the worker bundle; main and preload stay inside app.asar', () => {
    expect(unpacked).toEqual(
      [
        `${ELECTRON_BUNDLE_DIR}/${SEARCH_THREAD_BUNDLE}`,
        `${ELECTRON_BUNDLE_DIR}/${CHECKPOINT_THREAD_BUNDLE}`,
        electronBinaryPath(target),
      ].sort(),
    );
  });

  it('ships better-sqlite3’s JS from node_modules but never its Node build', () => {
    const modules = getNodeModuleFileMatcher(project, project, (s) => s, config.linux ?? {}, {
      config,
      debugLogger: new DebugLogger(false),
    }).createFilter();
    const stat = fs.statSync(nodeAddon);
    const lib = path.join(root, 'node_modules', 'better-sqlite3', 'lib', 'index.js');
    const at = (file: string) => path.join(project, 'node_modules', 'better-sqlite3', file);
    expect(modules(at('lib/index.js'), fs.statSync(lib))).toBe(true);
    expect(modules(at('build/Release/better_sqlite3.node'), stat)).toBe(false);
    expect(modules(at('deps/sqlite3/sqlite3.c'), stat)).toBe(false);
  });

  it('the paths the shell loads outside the archive are under app.asar.unpacked and were unpacked', () => {
    const resources = path.join(path.sep, 'opt', 'Baton', 'resources');
    const appPath = path.join(resources, 'app.asar');
    const outside = path.join(resources, 'app.asar.unpacked');
    const fromArchive = (file: string) => path.relative(outside, file).split(path.sep).join('/');

    const files = appFiles(appPath);
    expect(files.searchThreadPath.startsWith(outside + path.sep)).toBe(true);
    expect(unpacked).toContain(fromArchive(files.searchThreadPath));
    expect(files.checkpointThreadPath.startsWith(outside + path.sep)).toBe(true);
    expect(unpacked).toContain(fromArchive(files.checkpointThreadPath));
    // The preload is read by Electron itself, which reads the archive: it stays packed.
    expect(path.relative(appPath, files.preloadPath).split(path.sep).join('/')).toBe(`${ELECTRON_BUNDLE_DIR}/${PRELOAD_BUNDLE}`);

    const choice = chooseSqliteBinding({
      versions: { electron: target.electronVersion },
      platform: target.platform,
      arch: target.arch,
      appPath,
      isPackaged: true,
      sqliteVersion: target.sqliteVersion,
      exists: () => true,
      load: () => ({}),
    });
    expect(choice.ok).toBe(true);
    const binding = choice.ok ? choice.nativeBinding! : '';
    expect(binding.startsWith(outside + path.sep)).toBe(true);
    expect(unpacked).toContain(fromArchive(binding));
  });

  it('the unpacked worker bundle searches a real cache with nothing beside it but the addon', async () => {
    // Only the unpacked files, under a folder with no node_modules anywhere above it.
    const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-unpacked-')), 'resources', 'app.asar.unpacked');
    for (const file of unpacked) {
      fs.mkdirSync(path.dirname(path.join(outside, file)), { recursive: true });
      fs.copyFileSync(path.join(project, file), path.join(outside, file));
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-cache-'));
    const cache = Cache.open(dataDir);
    cache.upsertSessions([summary('s1', { customerName: 'Erin Customer' })]);
    cache.ingestEvents([message('s1', 2, 'refund for order 1', { at: 100 })]);
    const worker = new SearchWorker(path.join(dataDir, CACHE_FILE), () => {}, {
      threadPath: path.join(outside, ELECTRON_BUNDLE_DIR, SEARCH_THREAD_BUNDLE),
      nativeBinding: path.join(outside, ...electronBinaryPath(target).split('/')),
    });
    try {
      expect((await worker.search({ text: 'refund', limit: 5 })).map((hit) => hit.sessionId)).toEqual(['s1']);
      expect(worker.usable).toBe(true);
    } finally {
      await worker.close();
      cache.close();
    }
  });
});
