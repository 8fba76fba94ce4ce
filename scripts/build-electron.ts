// `npm run build:electron`: bundles the Electron main process, the sandboxed preload and the search worker thread
// with esbuild into dist/electron/, and fails if anything from the test or dev toolchain slipped into a bundle.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { MAIN_BUNDLE, PRELOAD_BUNDLE, SEARCH_THREAD_BUNDLE } from '../main/electron/app-paths';

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

/** Builds every bundle into `outDir` (default dist/electron); throws on a build error or a leaked module. */
export async function buildElectron(outDir = path.join(root, 'dist', 'electron')): Promise<BuiltBundle[]> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  const mainResult = await build({
    absWorkingDir: root,
    entryPoints: ['main/electron/main.ts'],
    outfile: path.join(outDir, MAIN_BUNDLE),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // Native or optional: better-sqlite3 loads a .node file; ws tries these two optional speed-ups; electron-updater
    // ships in node_modules (a production dependency) and is loaded only when an update feed is configured.
    external: ['electron', 'electron-updater', 'better-sqlite3', 'bufferutil', 'utf-8-validate'],
    // The sources are ESM and find files next to themselves with import.meta.url; give the CJS bundle the same.
    define: { 'import.meta.url': '__batonImportMetaUrl' },
    banner: { js: "const __batonImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  checkInputs(MAIN_BUNDLE, mainResult.metafile);

  const preloadResult = await build({
    absWorkingDir: root,
    entryPoints: ['preload/index.ts'],
    outfile: path.join(outDir, PRELOAD_BUNDLE),
    bundle: true,
    // A sandboxed preload runs in a renderer with a tiny require(): only `electron` may be external.
    platform: 'browser',
    format: 'cjs',
    target: 'chrome140',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    external: ['electron'],
  });
  checkInputs(PRELOAD_BUNDLE, preloadResult.metafile);
  const preloadNodeImports = Object.keys(preloadResult.metafile.inputs).filter((input) => input.startsWith('node:'));
  if (preloadNodeImports.length > 0) throw new Error(`preload.cjs imports Node modules: ${preloadNodeImports.join(', ')}`);

  const searchThreadResult = await build({
    absWorkingDir: root,
    entryPoints: ['main/client/cache/search-thread.cjs'],
    outfile: path.join(outDir, SEARCH_THREAD_BUNDLE),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // better-sqlite3's JS is bundled in, so the unpacked worker needs no node_modules beside it; its addon comes
    // through `nativeBinding` (a runtime require of a path, which esbuild leaves alone).
    external: [],
  });
  checkInputs(SEARCH_THREAD_BUNDLE, searchThreadResult.metafile);

  // The relay serves its customer page from a folder next to its module; in the bundle that is next to main.cjs.
  const customerPage = path.join(root, 'relay', 'customer-page');
  if (fs.existsSync(customerPage)) fs.cpSync(customerPage, path.join(outDir, 'customer-page'), { recursive: true });

  return [
    { file: path.join(outDir, MAIN_BUNDLE), metafile: mainResult.metafile },
    { file: path.join(outDir, PRELOAD_BUNDLE), metafile: preloadResult.metafile },
    { file: path.join(outDir, SEARCH_THREAD_BUNDLE), metafile: searchThreadResult.metafile },
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
