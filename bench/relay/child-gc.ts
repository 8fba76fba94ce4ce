// Imported first by every benchmarked server child (relay-entry.ts, forwarder-entry.ts), so that the garbage
// collection mode the bench chose (BATON_BENCH_GC, set by targets.ts's startChild) is in place before anything else
// runs: the same mode for the relay and its baselines, on the one core they are pinned to.
import { applyGcMode, GC_MODES, type GcModeSetting } from '../../relay/gc-mode';

const chosen = process.env.BATON_BENCH_GC ?? 'auto';
// `single-threaded-gc` is V8's own flag on the command line (startChild adds it); nothing to set here
if (chosen !== 'single-threaded-gc') {
  if (!(GC_MODES as readonly string[]).includes(chosen)) throw new Error(`BATON_BENCH_GC must be one of ${GC_MODES.join(', ')} or single-threaded-gc, not "${chosen}"`);
  applyGcMode(chosen as GcModeSetting);
}
