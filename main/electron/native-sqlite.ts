// Which better-sqlite3 binary a process loads. Node (tests, web mode, the relay CLI) uses the build in
// node_modules; Electron cannot (another NODE_MODULE_VERSION), so it loads a second build, made for its ABI by
// `npm run native:electron` into native/electron/, through better-sqlite3's `nativeBinding` option.
// Pure (no `electron` import) so the build script and the tests share the one naming of that folder.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { App } from 'electron';

/** Where Electron builds live, relative to the app root (the repo in development, app.asar when packaged). */
export const ELECTRON_NATIVE_DIR = 'native/electron';
export const SQLITE_BINARY = 'better_sqlite3.node';
/** What a developer runs to make the Electron build (the README and every message name this one command). */
export const NATIVE_COMMAND = 'npm run native:electron';

export interface NativeTarget {
  /** better-sqlite3's version: its JS and its binary must come from the same release */
  sqliteVersion: string;
  electronVersion: string;
  platform: NodeJS.Platform;
  arch: string;
}

/** One folder per (better-sqlite3, Electron, OS, CPU), so an upgrade of either never loads a stale binary. */
export function electronBinaryPath(target: NativeTarget): string {
  const folder = `better-sqlite3-${target.sqliteVersion}-electron-${target.electronVersion}-${target.platform}-${target.arch}`;
  return `${ELECTRON_NATIVE_DIR}/${folder}/${SQLITE_BINARY}`;
}

/**
 * A file inside app.asar that electron-builder unpacked (asarUnpack) lives under app.asar.unpacked: native modules
 * and worker scripts must be loaded from there, since neither dlopen nor a worker thread reads the archive.
 */
export function unpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}

export interface BindingContext {
  /** process.versions: `electron` is set only inside Electron */
  versions: Partial<Record<string, string>>;
  platform: NodeJS.Platform;
  arch: string;
  /** app.getAppPath(): the repo in development, …/resources/app.asar when packaged */
  appPath: string;
  isPackaged: boolean;
  sqliteVersion: string;
  exists: (file: string) => boolean;
  /** loads the addon (require); a throw means it was built for another ABI or platform */
  load: (file: string) => unknown;
}

export type BindingChoice =
  /** nativeBinding undefined: better-sqlite3 finds its own (Node) build */
  | { ok: true; nativeBinding: string | undefined }
  | { ok: false; message: string };

/** Picks and loads the binding for this process; every failure is one sentence that says what to do. */
export function chooseSqliteBinding(context: BindingContext): BindingChoice {
  const electronVersion = context.versions.electron;
  if (!electronVersion) return { ok: true, nativeBinding: undefined };
  const relative = electronBinaryPath({
    sqliteVersion: context.sqliteVersion,
    electronVersion,
    platform: context.platform,
    arch: context.arch,
  });
  const file = unpackedPath(path.join(context.appPath, ...relative.split('/')));
  const remedy = context.isPackaged
    ? 'reinstall Baton'
    : `run \`${NATIVE_COMMAND}\` and start Baton again`;
  if (!context.exists(file)) {
    return {
      ok: false,
      message: `Baton cannot open its local database because ${relative} (better-sqlite3 built for Electron ${electronVersion}) is missing: ${remedy}.`,
    };
  }
  try {
    context.load(file);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim();
    const forced = context.isPackaged ? remedy : `run \`${NATIVE_COMMAND} -- --force\` and start Baton again`;
    return {
      ok: false,
      message: `Baton cannot open its local database because ${relative} does not load in Electron ${electronVersion} (${reason}): ${forced}.`,
    };
  }
  return { ok: true, nativeBinding: file };
}

/** The choice for this process, from Electron's `app` (type only: this module stays loadable without Electron). */
export function electronSqliteBinding(
  app: Pick<App, 'getAppPath' | 'isPackaged'>,
  versions: Partial<Record<string, string>> = process.versions,
): BindingChoice {
  const require = createRequire(import.meta.url);
  // The version of the better-sqlite3 JS that will drive the addon, as shipped (node_modules, or inside app.asar).
  const { version } = require('better-sqlite3/package.json') as { version: string };
  return chooseSqliteBinding({
    versions,
    platform: process.platform,
    arch: process.arch,
    appPath: app.getAppPath(),
    isPackaged: app.isPackaged,
    sqliteVersion: version,
    exists: fs.existsSync,
    load: require,
  });
}
