// The relay's checkpoint worker thread: PASSIVE checkpoints (they never block the writer) on a connection of its own,
// every few milliseconds, until told to stop. Plain CommonJS so Node runs it from the source tree, and the desktop
// app bundles it (with better-sqlite3's JS) to a file unpacked from the asar, loading its addon via `nativeBinding`.
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or closing: the next period tries again
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  const done = new Int32Array(workerData.done);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
  parentPort.close();
});
