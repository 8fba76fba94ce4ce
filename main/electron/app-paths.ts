// Where the desktop shell finds its own files, from the app root (the repo in development, …/resources/app.asar
// when packaged). Files a worker thread runs must come from app.asar.unpacked (electron-builder.yml asarUnpack):
// Node's worker_threads does not read inside the archive. Pure, so the packaging test can check these paths.
import path from 'node:path';
import { CHECKPOINT_THREAD_FILE } from '../../relay/store/sqlite';
import { SEARCH_THREAD_FILE } from '../client/cache/search-worker';
import { unpackedPath } from './native-sqlite';

/** The bundles scripts/build-electron.ts writes into dist/electron/. */
export const ELECTRON_BUNDLE_DIR = 'dist/electron';
export const MAIN_BUNDLE = 'main.cjs';
export const PRELOAD_BUNDLE = 'preload.cjs';
export const SEARCH_THREAD_BUNDLE = SEARCH_THREAD_FILE;
/** the bundled relay's SQLite checkpoint worker (the first-run demo relay) */
export const CHECKPOINT_THREAD_BUNDLE = CHECKPOINT_THREAD_FILE;

export interface AppFiles {
  rendererDir: string;
  preloadPath: string;
  /** the bundled search worker, outside the asar */
  searchThreadPath: string;
  /** the demo relay's checkpoint worker, outside the asar */
  checkpointThreadPath: string;
  assetsDir: string;
}

export function appFiles(appRoot: string): AppFiles {
  const bundles = path.join(appRoot, ...ELECTRON_BUNDLE_DIR.split('/'));
  return {
    rendererDir: path.join(appRoot, 'dist', 'renderer'),
    preloadPath: path.join(bundles, PRELOAD_BUNDLE),
    searchThreadPath: unpackedPath(path.join(bundles, SEARCH_THREAD_BUNDLE)),
    checkpointThreadPath: unpackedPath(path.join(bundles, CHECKPOINT_THREAD_BUNDLE)),
    assetsDir: path.join(appRoot, 'assets'),
  };
}
