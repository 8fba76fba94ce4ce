// The relay's checkpoint worker thread: PASSIVE checkpoints (they never block the writer) on a connection of its own,
// at most every few milliseconds and only after the writer committed something, until told to stop. It sleeps in
// Atomics.wait between commits, so an idle relay costs nothing here. Plain CommonJS so Node runs it from the source
// tree, and the desktop app bundles it (with better-sqlite3's JS) to a file unpacked from the asar, loading its addon
// via `nativeBinding`.
const { workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 0');
// [0]: commits so far (the writer adds one and notifies per commit); [1]: 1 once the writer wants us gone
const control = new Int32Array(workerData.control);
// -1: whatever the writer committed before this thread got going (loading it takes a while) is checkpointed first
let checkpointedAt = -1;
while (Atomics.load(control, 1) === 0) {
  Atomics.wait(control, 0, checkpointedAt, 1000);
  const seen = Atomics.load(control, 0);
  if (seen !== checkpointedAt && Atomics.load(control, 1) === 0) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      checkpointedAt = seen;
    } catch {
      // busy or closing: the next commit tries again
    }
    // at most one checkpoint per period: under load, many commits share one; a stop (the writer closing) ends the
    // pause at once
    Atomics.wait(control, 1, 0, workerData.everyMs);
  }
}
db.close();
const done = new Int32Array(workerData.done);
Atomics.store(done, 0, 1);
Atomics.notify(done, 0);
