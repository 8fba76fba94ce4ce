// Builds the customer chat page and the website widget (vite.customer.config.ts) into a folder: dist/customer-page
// by default (where the relay run from its sources looks), or beside a relay bundle (build-relay, build-electron).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildCustomerPage(outDir = path.join(root, 'dist', 'customer-page')): Promise<string> {
  await build({
    configFile: path.join(root, 'vite.customer.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  buildCustomerPage().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
