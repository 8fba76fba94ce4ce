// Two builds of better-sqlite3 side by side: Node keeps the one in node_modules, Electron loads its own from
// native/electron through `nativeBinding`; a missing or wrong build is one sentence with the command to run; the
// build script makes the Electron one in a staging copy and never touches node_modules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import {
  type BindingContext,
  chooseSqliteBinding,
  electronBinaryPath,
  electronSqliteBinding,
  NATIVE_COMMAND,
  unpackedPath,
} from '../../main/electron/native-sqlite';
import { checkElectronAbi, ensureElectronSqlite, type RebuildRequest } from '../../scripts/native-electron';

const root = path.resolve(import.meta.dirname, '../..');
const target = { sqliteVersion: '12.11.1', electronVersion: '45.4.1', platform: 'linux' as const, arch: 'x64' };
const nodeAddon = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'baton-native-'));

const context = (over: Partial<BindingContext> = {}): BindingContext => ({
  versions: { node: '22.20.0', electron: '45.4.1' },
  platform: 'linux',
  arch: 'x64',
  appPath: '/home/dev/baton',
  isPackaged: false,
  sqliteVersion: '12.11.1',
  exists: () => true,
  load: () => ({}),
  ...over,
});

/** A sentence: one capital start, one full stop at the end, no line breaks or stack frames. */
const oneSentence = (text: string) => {
  expect(text).not.toMatch(/\n|\s+at\s+\S+\s\(/);
  expect(text.trim().endsWith('.')).toBe(true);
};

describe('choosing the better-sqlite3 binding', () => {
  it('under Node the module loads its own build (no nativeBinding)', () => {
    expect(chooseSqliteBinding(context({ versions: { node: '20.20.2' } }))).toEqual({ ok: true, nativeBinding: undefined });
  });

  it('under Electron it loads the build for that Electron, OS and CPU from native/electron', () => {
    const loaded: string[] = [];
    const choice = chooseSqliteBinding(context({ load: (file) => loaded.push(file) }));
    const expected = path.join('/home/dev/baton', 'native', 'electron', 'better-sqlite3-12.11.1-electron-45.4.1-linux-x64', 'better_sqlite3.node');
    expect(choice).toEqual({ ok: true, nativeBinding: expected });
    expect(loaded).toEqual([expected]);
  });

  it('in an installed app it loads the addon from app.asar.unpacked', () => {
    const choice = chooseSqliteBinding(context({ appPath: '/opt/Baton/resources/app.asar', isPackaged: true }));
    expect(choice.ok && choice.nativeBinding).toBe(
      path.join('/opt/Baton/resources/app.asar.unpacked', ...electronBinaryPath(target).split('/')),
    );
  });

  it('a missing build is one sentence naming the file and the command to run', () => {
    const choice = chooseSqliteBinding(context({ exists: () => false }));
    expect(choice.ok).toBe(false);
    const message = choice.ok ? '' : choice.message;
    expect(message).toContain('native/electron/better-sqlite3-12.11.1-electron-45.4.1-linux-x64/better_sqlite3.node');
    expect(message).toContain(`run \`${NATIVE_COMMAND}\``);
    oneSentence(message);
  });

  it('a build that does not load (another ABI) is one sentence asking for a forced rebuild', () => {
    const choice = chooseSqliteBinding(
      context({
        load: () => {
          throw new Error(
            "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115.",
          );
        },
      }),
    );
    const message = choice.ok ? '' : choice.message;
    expect(message).toContain(`run \`${NATIVE_COMMAND} -- --force\``);
    expect(message).toContain('does not load in Electron 45.4.1');
    oneSentence(message);
  });

  it('an installed app that lost its addon says to reinstall, not to run npm', () => {
    const choice = chooseSqliteBinding(context({ isPackaged: true, appPath: '/opt/Baton/resources/app.asar', exists: () => false }));
    const message = choice.ok ? '' : choice.message;
    expect(message).toContain('reinstall Baton');
    expect(message).not.toContain('npm');
    oneSentence(message);
  });

  it('the shell’s glue reads the app and the installed better-sqlite3 (electron mocked)', async () => {
    const { app } = await import('./fake-electron');
    const fakeApp = { ...app, getAppPath: () => tempDir(), isPackaged: false };
    expect(electronSqliteBinding(fakeApp, { node: '20.20.2' })).toEqual({ ok: true, nativeBinding: undefined });
    const missing = electronSqliteBinding(fakeApp, { electron: '45.4.1' });
    const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')).version;
    expect(missing.ok ? '' : missing.message).toContain(`better-sqlite3-${version}-electron-45.4.1-${process.platform}-${process.arch}`);
  });

  it('maps only a path segment named app.asar to app.asar.unpacked', () => {
    expect(unpackedPath('/opt/Baton/resources/app.asar/dist/electron/x.cjs')).toBe('/opt/Baton/resources/app.asar.unpacked/dist/electron/x.cjs');
    expect(unpackedPath('C:\\Baton\\resources\\app.asar\\native\\a.node')).toBe('C:\\Baton\\resources\\app.asar.unpacked\\native\\a.node');
    expect(unpackedPath('/home/dev/baton/native/a.node')).toBe('/home/dev/baton/native/a.node');
    expect(unpackedPath('/x/app.asarfoo/a')).toBe('/x/app.asarfoo/a');
  });
});

describe('npm run native:electron', () => {
  /** A project with node_modules/better-sqlite3 (a small stand-in: sources, binding.gyp, a Node build). */
  function project() {
    const dir = tempDir();
    const module = path.join(dir, 'node_modules', 'better-sqlite3');
    fs.mkdirSync(path.join(module, 'build', 'Release'), { recursive: true });
    fs.mkdirSync(path.join(module, 'src'), { recursive: true });
    fs.writeFileSync(path.join(module, 'package.json'), JSON.stringify({ name: 'better-sqlite3', version: '12.11.1' }));
    fs.writeFileSync(path.join(module, 'binding.gyp'), '{}');
    fs.writeFileSync(path.join(module, 'src', 'better_sqlite3.cpp'), '// source');
    fs.writeFileSync(path.join(module, 'build', 'Release', 'better_sqlite3.node'), 'node build');
    const snapshot = () => fs.readdirSync(path.join(dir, 'node_modules'), { recursive: true, encoding: 'utf8' }).sort();
    return { dir, module, snapshot, before: snapshot() };
  }
  const electronBuild: NonNullable<Parameters<typeof ensureElectronSqlite>[0]['rebuild']> = async ({ buildPath }) => {
    fs.writeFileSync(path.join(buildPath, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), 'electron build');
  };
  const stagedBuild = async (request: RebuildRequest) => {
    fs.mkdirSync(path.join(request.buildPath, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
    await electronBuild(request);
  };

  it('builds in a staging copy without the Node build, puts the result in native/electron, leaves node_modules alone', async () => {
    const { dir, module, snapshot, before } = project();
    const requests: RebuildRequest[] = [];
    let stagedHadNodeBuild = true;
    const outcome = await ensureElectronSqlite({
      root: dir,
      target,
      verify: () => null,
      rebuild: async (request) => {
        requests.push(request);
        const staged = path.join(request.buildPath, 'node_modules', 'better-sqlite3');
        stagedHadNodeBuild = fs.existsSync(path.join(staged, 'build'));
        expect(fs.existsSync(path.join(staged, 'src', 'better_sqlite3.cpp'))).toBe(true);
        await stagedBuild(request);
      },
    });
    expect(outcome).toEqual({ status: 'built', file: path.join(dir, ...electronBinaryPath(target).split('/')) });
    expect(fs.readFileSync(path.join(dir, ...electronBinaryPath(target).split('/')), 'utf8')).toBe('electron build');
    expect(requests).toHaveLength(1);
    expect(path.relative(dir, requests[0]!.buildPath).startsWith(`native${path.sep}`)).toBe(true);
    expect(requests[0]).toMatchObject({ electronVersion: '45.4.1', platform: 'linux', arch: 'x64' });
    expect(stagedHadNodeBuild).toBe(false);
    expect(snapshot()).toEqual(before);
    expect(fs.readFileSync(path.join(module, 'build', 'Release', 'better_sqlite3.node'), 'utf8')).toBe('node build');
    expect(fs.existsSync(path.join(dir, 'native', '.staging', path.basename(path.dirname(outcome.status === 'built' ? outcome.file : ''))))).toBe(false);
  });

  it('does nothing when a good build is there, and rebuilds one that fails the ABI check', async () => {
    const { dir } = project();
    const file = path.join(dir, ...electronBinaryPath(target).split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'old');
    let rebuilds = 0;
    const rebuild = async (request: RebuildRequest) => {
      rebuilds += 1;
      await stagedBuild(request);
    };
    expect(await ensureElectronSqlite({ root: dir, target, verify: () => null, rebuild })).toEqual({ status: 'present', file });
    expect(rebuilds).toBe(0);
    const verify = (f: string) => (fs.readFileSync(f, 'utf8') === 'old' ? 'it was built for this Node' : null);
    expect(await ensureElectronSqlite({ root: dir, target, verify, rebuild })).toEqual({ status: 'built', file });
    expect(rebuilds).toBe(1);
  });

  it('a failed rebuild (no network) is one sentence with the command to run again, and nothing is left behind', async () => {
    const { dir, snapshot, before } = project();
    const outcome = await ensureElectronSqlite({
      root: dir,
      target,
      rebuild: async () => {
        throw new Error("node-gyp failed to rebuild 'better-sqlite3'\n    at go (install.js:244:21)");
      },
    });
    expect(outcome.status).toBe('failed');
    const message = outcome.status === 'failed' ? outcome.message : '';
    expect(message).toContain('better-sqlite3 12.11.1 for Electron 45.4.1 (linux-x64)');
    expect(message).toContain("node-gyp failed to rebuild 'better-sqlite3'");
    expect(message).toContain(`run \`${NATIVE_COMMAND}\` again`);
    oneSentence(message);
    expect(fs.existsSync(path.join(dir, ...electronBinaryPath(target).split('/')))).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'native', '.staging'))).toEqual([]);
    expect(snapshot()).toEqual(before);
  });

  it('refuses a rebuild that quietly produced a Node build', async () => {
    const { dir } = project();
    const outcome = await ensureElectronSqlite({ root: dir, target, rebuild: stagedBuild, verify: () => 'it was built for this Node' });
    expect(outcome.status === 'failed' && outcome.message).toContain('the rebuilt addon is unusable: it was built for this Node');
    expect(fs.existsSync(path.join(dir, ...electronBinaryPath(target).split('/')))).toBe(false);
  });
});

describe('the ABI check (no Electron needed)', () => {
  it('rejects the Node build: it loads in this Node, so Electron would refuse it', () => {
    expect(checkElectronAbi(nodeAddon, 150)).toMatch(/built for this Node \(NODE_MODULE_VERSION \d+\)/);
  });

  it('rejects a file that is not an addon', () => {
    const file = path.join(tempDir(), 'better_sqlite3.node');
    fs.writeFileSync(file, 'not an ELF');
    expect(checkElectronAbi(file, 150)).toMatch(/not a loadable addon/);
  });

  it('accepts an addon this Node refuses for exactly Electron’s NODE_MODULE_VERSION, and no other', () => {
    const refusing = (abi: number) => () => {
      throw new Error(
        `The module 'x.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION ${abi}. This version of Node.js requires\nNODE_MODULE_VERSION 115.`,
      );
    };
    expect(checkElectronAbi('x.node', 150, refusing(150))).toBeNull();
    expect(checkElectronAbi('x.node', 150, refusing(140))).toBe("it was built for NODE_MODULE_VERSION 140, not Electron's 150");
  });
});
