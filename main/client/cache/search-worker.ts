// Full-text search off the main thread: a worker_threads worker with its own read-only connection to the cache file.
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

/**
 * The worker's script. By default the CommonJS file beside this module, which Node runs straight from the source
 * tree; the Electron shell passes the bundled copy's path instead (unpacked from the asar, see docs/desktop.md).
 */
export const SEARCH_THREAD_FILE = 'search-thread.cjs';
const defaultThreadUrl = (): URL => new URL(`./${SEARCH_THREAD_FILE}`, import.meta.url);

export interface SearchWorkerOptions {
  /** the thread script to run (default: search-thread.cjs next to this module) */
  threadPath?: string;
  /** better-sqlite3's `nativeBinding` for the thread's connection (the Electron build); absent in Node */
  nativeBinding?: string;
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
    private readonly options: SearchWorkerOptions = {},
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
    const worker = new Worker(this.options.threadPath ?? defaultThreadUrl(), {
      workerData: {
        file: this.file,
        nativeBinding: this.options.nativeBinding ?? null,
        idsSql: SEARCH_IDS_SQL,
        rowsSql: SEARCH_ROWS_SQL,
      },
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
