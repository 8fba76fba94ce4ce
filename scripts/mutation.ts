// `npm run test:mutation -- [file or folder ...] [stryker flags]`: Stryker (vitest runner, perTest coverage) on the
// files named, or on stryker.config.json's `mutate` list when none are; other arguments go to Stryker untouched.
// Client-core code is judged by tests/client alone (the relay suites never load it), relay code by tests/relay, the rest by both.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const usage = `Usage: npm run test:mutation -- [<file or folder> ...] [stryker options, after the files]

  <file>      a source file to mutate, e.g. main/client/outbox.ts, or some of its lines: relay/core/model.ts:66-126
  <folder>    every .ts/.tsx file below it, e.g. main/client
  (none)      the files listed in stryker.config.json "mutate"
  other flags are passed to "stryker run", e.g. --concurrency 1, --incremental

Files under main/client are tested with tests/client, files under relay/ with tests/relay (without the latency
comparisons of hardening-sign-in.test.ts, and with --ignoreStatic); anything else with both.
BATON_MUTATION_INCLUDE=<test globs> judges by those test files alone, static mutants included: a quick loop while
writing tests, and the way to judge the mutants a full relay run ignores (the score is the full suites').
(Stryker's own --testFiles leaves static mutants unactivated with the vitest runner; avoid it.)

The report is printed and written to reports/mutation/mutation.html.`;

/** A folder becomes globs of its sources; declaration files have nothing to mutate. */
function mutateGlobs(targets: readonly string[], isFolder: (target: string) => boolean): string[] {
  return targets.flatMap((target) => {
    const clean = target.replace(/[\\/]+$/, '');
    // no {ts,tsx} braces: Stryker splits --mutate on commas
    return isFolder(clean) ? [`${clean}/**/*.ts`, `${clean}/**/*.tsx`, `!${clean}/**/*.d.ts`] : [clean];
  });
}

function main(): number {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  // files and folders first; from the first flag on, everything is Stryker's (flags and their values)
  const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
  const named = firstFlag === -1 ? args : args.slice(0, firstFlag);
  const passThrough = firstFlag === -1 ? [] : args.slice(firstFlag);
  const targets: string[] = [];
  const ranges = new Map<string, string>();
  for (const arg of named) {
    // a file may name lines, as Stryker's --mutate does: relay/core/model.ts:66-126
    const [, file = arg, lines] = /^(.+?):(\d+(?::\d+)?-\d+(?::\d+)?)$/.exec(arg) ?? [];
    if (!fs.existsSync(file)) {
      console.error(`test:mutation: ${file} does not exist.\n\n${usage}`);
      return 2;
    }
    if (lines && fs.statSync(file).isDirectory()) {
      console.error(`test:mutation: ${arg}: lines belong to a file, and ${file} is a folder.\n\n${usage}`);
      return 2;
    }
    const target = path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/');
    targets.push(target);
    if (lines) ranges.set(target, lines);
  }
  const globs = mutateGlobs(targets, (t) => fs.statSync(t).isDirectory()).map((g) => (ranges.has(g) ? `${g}:${ranges.get(g)}` : g));
  const mutate = targets.length > 0 ? ['--mutate', globs.join(',')] : [];
  const under = (prefix: string) => targets.length > 0 && targets.every((t) => t.startsWith(prefix));
  // each side's code is judged by its own suites (the client suites start relays, but tests/relay is what pins the relay)
  const suites = under('main/client') ? 'client' : under('relay/') ? 'relay' : 'relay,client';
  const relayOnly = suites === 'relay';
  const stryker = path.join('node_modules', '.bin', process.platform === 'win32' ? 'stryker.cmd' : 'stryker');
  // Relay code is reached from hooks and between tests too (a relay started in beforeAll, routing after a test's last
  // await), which Stryker calls static coverage and answers by running every test of tests/relay per mutant (minutes
  // each). With --ignoreStatic a mutant runs the tests that reach it, its whole test files included (hooks and all);
  // only a mutant no test body reaches is left out, and the report counts it as ignored. A run judged by a few quick
  // files (BATON_MUTATION_INCLUDE) can afford static mutants: that is how the ignored ones are judged (docs/testing.md).
  const quick = process.env.BATON_MUTATION_INCLUDE !== undefined;
  const relayFlags = relayOnly && !quick && !passThrough.includes('--ignoreStatic') ? ['--ignoreStatic'] : [];
  const run = spawnSync(stryker, ['run', 'stryker.config.json', ...mutate, ...relayFlags, ...passThrough], {
    stdio: 'inherit',
    env: {
      ...process.env,
      BATON_MUTATION_SUITES: suites,
      // latency comparisons (acknowledgements under a sign-in flood against quiet times) judge the machine's load, not
      // the relay's decisions, and fail under instrumentation on shared cores
      ...(relayOnly && process.env.BATON_MUTATION_EXCLUDE === undefined
        ? { BATON_MUTATION_EXCLUDE: 'tests/relay/hardening-sign-in.test.ts' }
        : {}),
    },
  });
  if (run.error) {
    console.error(`test:mutation: could not start Stryker: ${run.error.message}`);
    return 1;
  }
  return run.status ?? 1;
}

process.exitCode = main();
