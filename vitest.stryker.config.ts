// Vitest config for mutation testing (Stryker): the suites that judge the mutants, and a cache folder outside
// node_modules (which is shared between checkouts here). scripts/mutation.ts picks the suites through
// BATON_MUTATION_SUITES rather than Stryker's --testFiles, which leaves static mutants unactivated with the vitest
// runner (stryker-js#6144) and so reports them as survivors.
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const suites = (process.env.BATON_MUTATION_SUITES ?? 'relay,client').split(',');

/**
 * Stryker runs one file after another and stops at the first failing test, so a mutant dies sooner when the files
 * most likely to fail come first: the file that failed last (the previous mutant was probably its neighbour), then
 * the quickest (pure decision tests before the socket suites). Vitest's own order, longest first, suits parallel workers.
 */
class QuickestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const results = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${path.relative(this.ctx.config.root, spec.moduleId)}`);
    return [...files].sort((a, b) => {
      const [ra, rb] = [results(a), results(b)];
      if (Boolean(ra?.failed) !== Boolean(rb?.failed)) return ra?.failed ? -1 : 1;
      return (ra?.duration ?? 0) - (rb?.duration ?? 0);
    });
  }
}

export default defineConfig({
  cacheDir: path.join(os.tmpdir(), 'baton-stryker-vite-cache'),
  test: {
    include: process.env.BATON_MUTATION_INCLUDE ? process.env.BATON_MUTATION_INCLUDE.split(',') : suites.map((suite) => `tests/${suite}/**/*.test.ts`),
    exclude: process.env.BATON_MUTATION_EXCLUDE ? process.env.BATON_MUTATION_EXCLUDE.split(',') : [],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    sequence: { sequencer: QuickestFirst },
    // the customer page the relay serves, built into the sandbox (dist/ is not copied into it)
    globalSetup: ['tests/mutation-customer-page.setup.ts'],
    // a test that fails once under load (two shared cores, socket timing) must fail again before it fails the dry run
    // or kills a mutant
    retry: 1,
  },
});
