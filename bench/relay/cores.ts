// Pinning benchmark processes to cores (taskset, from util-linux), so a load generator and the server it measures do
// not steal each other's time and figures repeat.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A function that pins a process (every thread of it, -a) to a core; one that does nothing when pinning is off. */
export function pinner(wanted: boolean): { pinning: boolean; pin: (pid: number, core: number) => void } {
  const pinning = wanted && os.cpus().length >= 2 && hasTaskset();
  return {
    pinning,
    pin: (pid, core) => {
      // -a: every thread (the server's fsync thread pool, checkpoint worker and sign-in threads included)
      if (pinning) execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
    },
  };
}
