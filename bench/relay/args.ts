// What the bench commands share in reading their flags: a usage error (exit code 2, the usage shown) for whatever they
// cannot take, instead of Node's stack trace or a run with a flag silently misread.
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Prints the message and the usage to stderr and exits with code 2. */
export function usageError(message: string, usage: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

/** parseArgs, with what it cannot read (`--rate -1`, an unknown flag) told as a usage error */
export function parseArgsOrExplain<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error), usage);
  }
}
