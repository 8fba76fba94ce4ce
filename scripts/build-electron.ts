// `npm run build:electron`: bundles the Electron main process, the sandboxed preload and the search worker thread
// with esbuild into dist/electron/, and fails if anything from the test or dev toolchain slipped into a bundle.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { CHECKPOINT_THREAD_BUNDLE, MAIN_BUNDLE, PRELOAD_BUNDLE, SEARCH_THREAD_BUNDLE } from '../main/electron/app-paths';
import { buildCustomerPage } from './build-customer-page';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Modules that must never be in a shipped bundle. */
const forbidden = [/node_modules\/(vite|vitest|@vitejs|happy-dom|@testing-library|@playwright|playwright|fast-check|esbuild|typescript|tsx)\//, /^tests\//, /^renderer\//];

function checkInputs(name: string, metafile: Metafile): void {
  const leaked = Object.keys(metafile.inputs).filter((input) => forbidden.some((pattern) => pattern.test(input)));
  if (leaked.length > 0) {
    throw new Error(`${name} pulled in code that must not ship:\n  ${leaked.join('\n  ')}`);
  }
}

export interface BuiltBundle {
  file: string;
  bytes: number;
  inputs: string[];
}

/** One CommonJS bundle with a source map, checked for leaked modules; the options say what differs per bundle. */
async function bundle(outDir: string, name: string, entry: string, options: BuildOptions): Promise<Metafile> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: path.join(outDir, name),
    bundle: true,
    format: 'cjs',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    ...options,
  });
  if (!result.metafile) throw new Error(`esbuild gave no metafile for ${name}`);
  checkInputs(name, result.metafile);
  return result.metafile;
}

/** Builds every bundle into `outDir` (default dist/electron); throws on a build error or a leaked module. */
export async function buildElectron(outDir = path.join(root, 'dist', 'electron')): Promise<BuiltBundle[]> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  const main = await bundle(outDir, MAIN_BUNDLE, 'main/electron/main.ts', {
    platform: 'node',
    target: 'node22',
    // Native or optional: better-sqlite3 loads a .node file; ws tries these two optional speed-ups; electron-updater
    // ships in node_modules (a production dependency) and is loaded only when an update feed is configured.
    external: ['electron', 'electron-updater', 'better-sqlite3', 'bufferutil', 'utf-8-validate'],
    // The sources are ESM and find files next to themselves with import.meta.url; give the CJS bundle the same.
    define: { 'import.meta.url': '__batonImportMetaUrl' },
    banner: { js: "const __batonImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });

  // A sandboxed preload runs in a renderer with a tiny require(): only `electron` may be external.
  const preload = await bundle(outDir, PRELOAD_BUNDLE, 'preload/index.ts', { platform: 'browser', target: 'chrome140', external: ['electron'] });
  const preloadNodeImports = Object.keys(preload.inputs).filter((input) => input.startsWith('node:'));
  if (preloadNodeImports.length > 0) throw new Error(`preload.cjs imports Node modules: ${preloadNodeImports.join(', ')}`);

  // better-sqlite3's JS is bundled in, so the unpacked worker needs no node_modules beside it; its addon comes
  // through `nativeBinding` (a runtime require of a path, which esbuild leaves alone).
  const searchThread = await bundle(outDir, SEARCH_THREAD_BUNDLE, 'main/client/cache/search-thread.cjs', { platform: 'node', target: 'node22' });
  // the same for the bundled demo relay's checkpoint worker
  const checkpointThread = await bundle(outDir, CHECKPOINT_THREAD_BUNDLE, 'relay/store/checkpoint-thread.cjs', {
    platform: 'node',
    target: 'node22',
  });

  // The relay serves its customer page from a folder next to its module; in the bundle that is next to main.cjs.
  await buildCustomerPage(path.join(outDir, 'customer-page'));

  return [
    { file: path.join(outDir, MAIN_BUNDLE), metafile: main },
    { file: path.join(outDir, PRELOAD_BUNDLE), metafile: preload },
    { file: path.join(outDir, SEARCH_THREAD_BUNDLE), metafile: searchThread },
    { file: path.join(outDir, CHECKPOINT_THREAD_BUNDLE), metafile: checkpointThread },
  ].map(({ file, metafile }) => ({ file, bytes: fs.statSync(file).size, inputs: Object.keys(metafile.inputs) }));
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  buildElectron()
    .then((bundles) => {
      for (const bundle of bundles) console.log(`${path.relative(root, bundle.file)}  ${(bundle.bytes / 1024).toFixed(0)} KiB`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
