// The client cache: one SQLite file per account folder (main/client/accounts.ts decides which folder).
export {
  Cache,
  type CachedAttachment,
  highlight,
  type OutboxFile,
  searchTerms,
  toFtsQuery,
  type SearchQuery,
  type TransferRecord,
} from './cache';
export { CACHE_FILE, CacheError, LATEST_VERSION, isCorruptionError, migrate, openCacheDatabase } from './open';
export { migrations } from './migrations';
export { SearchWorker } from './search-worker';
