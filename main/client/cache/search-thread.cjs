// The search worker thread: its own read-only connection to the cache file, answering full-text queries so the
// main thread never waits on one. Plain CommonJS so Node runs it from the source tree as it is (tests, web mode),
// and esbuild bundles it with better-sqlite3's JS into dist/electron/search-thread.cjs for the desktop app, where
// it is unpacked from the asar and loads the Electron build of the addon through `nativeBinding`.
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

const options = { readonly: true, fileMustExist: true };
// Absent: better-sqlite3 finds the Node build in node_modules itself.
if (workerData.nativeBinding) options.nativeBinding = workerData.nativeBinding;
const db = new Database(workerData.file, options);
db.pragma('busy_timeout = 2000');
const ids = db.prepare(workerData.idsSql);
const rowsById = db.prepare(workerData.rowsSql);

parentPort.on('message', ({ id, params }) => {
  try {
    const found = ids.all(params).map((r) => r.id);
    const rows = found.length ? rowsById.all({ ids: JSON.stringify(found) }) : [];
    parentPort.postMessage({ id, ok: true, ids: found, rows });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: String(error?.message || error) });
  }
});
