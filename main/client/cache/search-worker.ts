// Full-text search off the main thread: a worker_threads worker with its own read-only connection to the cache file.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SearchHit } from '../../../common/bridge';
import {
  SEARCH_IDS_SQL,
  SEARCH_ROWS_SQL,
  type SearchQuery,
  type SearchRow,
  searchParams,
  toHits,
} from './cache';

// Plain CommonJS evaluated in the worker, so it needs no TypeScript loader or bundler entry of its own.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 2000');
const ids = db.prepare(workerData.idsSql);
const rowsById = db.prepare(workerData.rowsSql);
parentPort.on('message', ({ id, params }) => {
  try {
    const found = ids.all(params).map((r) => r.id);
    const rows = found.length ? rowsById.all({ ids: JSON.stringify(found) }) : [];
    parentPort.postMessage({ id, ok: true, ids: found, rows });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: String((error && error.message) || error) });
  }
});
`;

function driverPath(): string {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3');
  } catch {
    // bundled builds without import.meta.url: let the worker resolve it from the working directory
    return 'better-sqlite3';
  }
}

type Reply = { id: number; ok: true; ids: number[]; rows: SearchRow[] } | { id: number; ok: false; message: string };

export class SearchWorker {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (reply: { ids: number[]; rows: SearchRow[] }) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly file: string,
    private readonly log: (entry: Record<string, unknown>) => void = () => {},
  ) {}

  /** false once the worker could not run; callers then search on their own connection */
  get usable(): boolean {
    return !this.broken;
  }

  search(query: SearchQuery): Promise<SearchHit[]> {
    const params = searchParams(query);
    if (params === null) return Promise.resolve([]);
    const worker = this.ensure();
    const id = this.nextId++;
    const { terms, ...statementParams } = params;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (reply) => resolve(toHits(reply.ids, reply.rows, terms)), reject });
      worker.postMessage({ id, params: statementParams });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('search closed'));
    if (worker) await worker.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { driver: driverPath(), file: this.file, idsSql: SEARCH_IDS_SQL, rowsSql: SEARCH_ROWS_SQL },
    });
    worker.on('message', (reply: Reply) => {
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      this.pending.delete(reply.id);
      if (reply.ok) entry.resolve(reply);
      else entry.reject(new Error(reply.message));
    });
    worker.on('error', (error) => {
      this.broken = true;
      this.log({ level: 'warn', event: 'search-worker-failed', error: String(error) });
      this.failAll(error);
      if (this.worker === worker) this.worker = null;
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error('search worker exited'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.reject(error);
    }
  }
}
