// `npm run test:mutation -- [file or folder ...] [stryker flags]`: Stryker (vitest runner, perTest coverage) on the
// files named, or on stryker.config.json's `mutate` list when none are; other arguments go to Stryker untouched.
// Client-core code is judged by tests/client alone (the relay suites never load it), relay code by tests/relay, the rest by both.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const usage = `Usage: npm run test:mutation -- [<file or folder> ...] [stryker options, after the files]

  <file>      a source file to mutate, e.g. main/client/outbox.ts
  <folder>    every .ts/.tsx file below it, e.g. main/client
  (none)      the files listed in stryker.config.json "mutate"
  other flags are passed to "stryker run", e.g. --concurrency 1, --incremental

Files under main/client are tested with tests/client, files under relay/ with tests/relay; anything else with both
(the suites this is set up for: the relay and the client core).
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
  for (const arg of named) {
    if (!fs.existsSync(arg)) {
      console.error(`test:mutation: ${arg} does not exist.\n\n${usage}`);
      return 2;
    }
    targets.push(path.relative(process.cwd(), path.resolve(arg)).split(path.sep).join('/'));
  }
  const mutate = targets.length > 0 ? ['--mutate', mutateGlobs(targets, (t) => fs.statSync(t).isDirectory()).join(',')] : [];
  const under = (prefix: string) => targets.length > 0 && targets.every((t) => t.startsWith(prefix));
  // each side's code is judged by its own suites (the client suites start relays, but tests/relay is what pins the relay)
  const suites = under('main/client') ? 'client' : under('relay/') ? 'relay' : 'relay,client';
  const stryker = path.join('node_modules', '.bin', process.platform === 'win32' ? 'stryker.cmd' : 'stryker');
  const run = spawnSync(stryker, ['run', 'stryker.config.json', ...mutate, ...passThrough], {
    stdio: 'inherit',
    env: { ...process.env, BATON_MUTATION_SUITES: suites },
  });
  if (run.error) {
    console.error(`test:mutation: could not start Stryker: ${run.error.message}`);
    return 1;
  }
  return run.status ?? 1;
}

process.exitCode = main();
