// The relay's checkpoint worker thread: PASSIVE checkpoints (they never block the writer) on a connection of its own,
// at most every few milliseconds and only after the writer committed something, until told to stop. It sleeps in
// Atomics.wait between commits, so an idle relay costs nothing here. Plain CommonJS so Node runs it from the source
// tree, and the desktop app bundles it (with better-sqlite3's JS) to a file unpacked from the asar, loading its addon
// via `nativeBinding`.
const { workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 0');
// [0]: commits so far (the writer adds one and notifies per commit); [1]: 1 once the writer wants us gone; [2]:
// checkpoints made (for the writer's tests and figures)
const control = new Int32Array(workerData.control);
// -1: whatever the writer committed before this thread got going (loading it takes a while) is checkpointed first
let checkpointedAt = -1;
// the WAL's length in frames at the last checkpoint, and when; whether it is near the backstop since
let lastFrames = -1;
let lastAt = 0;
let near = false;

/**
 * How long to wait before the next checkpoint. Under steady writes this thread never catches up with the writer, so
 * the WAL only starts over when it reaches the backstop: the writer's COMMIT then checkpoints by itself, first copying
 * every frame this thread has not copied yet, up to a period's worth (commits of 10-20 ms at 50 ms, up to 40 ms at
 * 250 ms). So once the WAL is within two periods of the backstop at the rate since the last checkpoint, and until it
 * starts over, the checkpoints come every `nearMs` and leave the writer little to copy.
 */
function pauseAfter(frames) {
  const now = performance.now();
  if (lastFrames >= 0 && now > lastAt) {
    // a WAL shorter than last time has started over in between (at the backstop, as a rule)
    const wrapped = frames < lastFrames;
    const written = wrapped ? frames + Math.max(0, workerData.backstopFrames - lastFrames) : frames - lastFrames;
    const soon = frames + (2 * written * workerData.everyMs) / (now - lastAt) >= workerData.backstopFrames;
    near = soon || (near && !wrapped);
  }
  lastFrames = frames;
  lastAt = now;
  return near ? Math.min(workerData.everyMs, workerData.nearMs) : workerData.everyMs;
}

while (Atomics.load(control, 1) === 0) {
  Atomics.wait(control, 0, checkpointedAt, 1000);
  const seen = Atomics.load(control, 0);
  if (seen !== checkpointedAt && Atomics.load(control, 1) === 0) {
    let pause = workerData.everyMs;
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      checkpointedAt = seen;
      Atomics.add(control, 2, 1);
      pause = pauseAfter(result.log);
    } catch {
      // busy or closing: the next commit tries again
    }
    // at most one checkpoint per period: under load, many commits share one; a stop (the writer closing) ends the
    // pause at once
    Atomics.wait(control, 1, 0, pause);
  }
}
db.close();
const done = new Int32Array(workerData.done);
Atomics.store(done, 0, 1);
Atomics.notify(done, 0);
