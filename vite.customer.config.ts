// Builds the customer chat page and the website widget (relay/customer-page → dist/customer-page): the page at /chat
// (index.html + its assets under /chat/assets/) and widget.js, the launcher a website includes. Prints each file's
// gzipped size and writes them to build.json, which is also how the relay knows a folder holds a built page.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = import.meta.dirname;
export const CUSTOMER_PAGE_OUT = path.resolve(here, 'dist/customer-page');
const source = path.resolve(here, 'relay/customer-page');
/** the budget the issue set for what a customer downloads (page + widget, gzipped) */
const BUDGET_BYTES = 40 * 1024;

function sizeReport(): Plugin {
  let outDir = CUSTOMER_PAGE_OUT;
  return {
    name: 'baton-customer-size',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      const files: Record<string, { bytes: number; gzipBytes: number }> = {};
      for (const name of Object.keys(bundle).sort()) {
        if (name.endsWith('.map')) continue;
        const body = fs.readFileSync(path.join(outDir, name));
        files[name] = { bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
      }
      const gzipBytes = Object.values(files).reduce((sum, f) => sum + f.gzipBytes, 0);
      fs.writeFileSync(path.join(outDir, 'build.json'), `${JSON.stringify({ files, gzipBytes, budgetBytes: BUDGET_BYTES }, null, 2)}\n`);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      for (const [name, f] of Object.entries(files)) console.log(`  ${name.padEnd(40)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzipBytes)}`);
      console.log(`customer page + widget: ${kb(gzipBytes)} gzipped (budget ${kb(BUDGET_BYTES)})`);
      if (gzipBytes > BUDGET_BYTES) this.warn(`the customer page is over its ${kb(BUDGET_BYTES)} budget`);
    },
  };
}

export default defineConfig({
  root: source,
  base: '/chat/',
  publicDir: false,
  plugins: [sizeReport()],
  build: {
    outDir: CUSTOMER_PAGE_OUT,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    modulePreload: false,
    rollupOptions: {
      input: { index: path.join(source, 'index.html'), widget: path.join(source, 'src/widget.ts') },
      output: {
        // the widget's address is part of every website's embed code: it never changes
        entryFileNames: (chunk) => (chunk.name === 'widget' ? 'widget.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
