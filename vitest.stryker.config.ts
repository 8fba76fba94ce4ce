// Vitest config for mutation testing (Stryker): the suites that exercise the relay and the client core, and a
// cache folder outside node_modules (which is shared between checkouts here).
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  cacheDir: path.join(os.tmpdir(), 'baton-stryker-vite-cache'),
  test: {
    include: ['tests/{relay,client}/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
