// Vitest config for mutation testing (Stryker): the suites that judge the mutants, and a cache folder outside
// node_modules (which is shared between checkouts here). scripts/mutation.ts picks the suites through
// BATON_MUTATION_SUITES rather than Stryker's --testFiles, which leaves static mutants unactivated with the vitest
// runner (stryker-js#6144) and so reports them as survivors.
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

const suites = (process.env.BATON_MUTATION_SUITES ?? 'relay,client').split(',');

export default defineConfig({
  cacheDir: path.join(os.tmpdir(), 'baton-stryker-vite-cache'),
  test: {
    include: suites.map((suite) => `tests/${suite}/**/*.test.ts`),
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
