// Builds the relay for a server: one ESM bundle (dist/relay/relay.mjs) that `node` runs with the production
// dependencies installed (`npm ci --omit=dev`), beside the built customer page and the checkpoint worker it loads from files.
// Only better-sqlite3 stays outside the bundle: it loads a compiled addon (and the optional speed-ups of ws and pg).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildCustomerPage } from './build-customer-page';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const RELAY_BUNDLE = 'relay.mjs';

/**
 * `entry` is the relay's CLI for servers; the benchmarks bundle their relay child the same way, so that they measure
 * what ships (tsx, which runs the sources, wraps every function it creates in a naming helper: ~6% of a message).
 */
export async function buildRelay(
  outDir = path.join(root, 'dist', 'relay'),
  entry = 'relay/cli.ts',
  bundle = RELAY_BUNDLE,
): Promise<{ file: string; bytes: number }> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, bundle);
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    logLevel: 'warning',
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'pg-native'],
    // bundled CommonJS dependencies (pg, ioredis) call require(); an ES module has none of its own
    banner: { js: "import { createRequire as __batonRequire } from 'node:module'; const require = __batonRequire(import.meta.url);" },
  });
  // the server finds these next to its module (new URL('./…', import.meta.url))
  await buildCustomerPage(path.join(outDir, 'customer-page'));
  fs.copyFileSync(path.join(root, 'relay', 'store', 'checkpoint-thread.cjs'), path.join(outDir, 'checkpoint-thread.cjs'));
  return { file, bytes: fs.statSync(file).size };
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  buildRelay()
    .then(({ file, bytes }) => console.log(`${path.relative(root, file)}  ${(bytes / 1024).toFixed(0)} KiB; run it with: node ${path.relative(root, file)} --help`))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
