// One account's local store: its cache file (in its own folder), the search worker on that file, its outbox and its
// settings. Opening one account's store never touches another's, so agents sharing a machine keep their chats and
// unsent messages apart.
import fs from 'node:fs';
import path from 'node:path';
import { type ClientEvent, defaultSettings, type OutboxItem, type Settings, SettingsSchema } from '../../common/bridge';
import type { Attachment } from '../../common/domain';
import type { Result } from '../../common/result';
import { AccountFiles } from './attachments';
import { z } from 'zod';
import { type Identity, IdentitySchema, sameAccount } from './accounts';
import { CACHE_FILE, Cache, SearchWorker } from './cache';
import { Outbox } from './outbox';

export interface AccountStoreOptions {
  identity: Identity;
  dir: string;
  now: () => number;
  log: (entry: Record<string, unknown>) => void;
  retentionDays: number;
  /** the Electron shell's better-sqlite3 addon and search thread script (Node needs neither) */
  sqlite?: { nativeBinding?: string; searchThreadPath?: string };
  emit: (event: ClientEvent) => void;
  send: (item: OutboxItem, attachment: Attachment | null) => Promise<Result<unknown>>;
  upload: (item: OutboxItem, bytes: Buffer, name: string, onProgress: (sent: number, total: number) => void) => Promise<Result<Attachment>>;
  canSend: () => boolean;
}

const SETTINGS_KEY = 'settings';
/** before sounds and reminders, settings were two booleans under this key */
const LEGACY_SETTINGS_KEY = 'notify';

export class AccountStore {
  readonly identity: Identity;
  readonly dir: string;
  readonly cache: Cache;
  readonly searcher: SearchWorker;
  readonly outbox: Outbox;
  /** files sent from here or downloaded, and files waiting in the outbox */
  readonly files: AccountFiles;

  private constructor(options: AccountStoreOptions, cache: Cache, files: AccountFiles) {
    this.identity = options.identity;
    this.dir = options.dir;
    this.cache = cache;
    this.searcher = new SearchWorker(path.join(options.dir, CACHE_FILE), options.log, {
      threadPath: options.sqlite?.searchThreadPath,
      nativeBinding: options.sqlite?.nativeBinding,
    });
    this.files = files;
    this.outbox = new Outbox({
      cache,
      files,
      emit: options.emit,
      send: options.send,
      upload: options.upload,
      // what was sent from here opens offline, like what was downloaded
      delivered: (item, attachment, file) => cache.putAttachment(item.sessionId, attachment, file),
      canSend: options.canSend,
      now: options.now,
      log: options.log,
    });
  }

  /** Opens (creating if needed) the account's cache; throws CacheError when it cannot be opened. */
  static open(options: AccountStoreOptions): AccountStore {
    const opening = { now: options.now, log: options.log, nativeBinding: options.sqlite?.nativeBinding };
    let cache = Cache.open(options.dir, opening);
    const owner = cache.getSetting('account', IdentitySchema);
    if (owner && !sameAccount(owner, options.identity)) {
      // A file of another account in this folder (copied by hand?): never shown to this one, never deleted either.
      cache.close();
      const file = path.join(options.dir, CACHE_FILE);
      const aside = `${file}.other-account-${options.now()}`;
      for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
      options.log({ level: 'warn', event: 'cache-other-account', expected: options.identity.user, found: owner.user, movedTo: aside });
      cache = Cache.open(options.dir, opening);
    }
    cache.setSetting('account', { relayUrl: options.identity.relayUrl, user: options.identity.user });
    const files = new AccountFiles(options.dir);
    const pruned = cache.pruneClosed(options.now(), options.retentionDays, (file) => files.remove(file));
    if (pruned > 0) options.log({ level: 'info', event: 'cache-retention', deletedSessions: pruned, account: options.identity.user });
    return new AccountStore(options, cache, files);
  }

  /** The account's settings; each part that is missing or unreadable (an older Baton wrote it) takes its default. */
  settings(): Settings {
    const anyObject = z.record(z.string(), z.unknown());
    const stored = this.cache.getSetting(SETTINGS_KEY, anyObject) ?? this.cache.getSetting(LEGACY_SETTINGS_KEY, anyObject) ?? {};
    const out: Record<string, unknown> = { ...defaultSettings };
    for (const [key, schema] of Object.entries(SettingsSchema.shape)) {
      const part = schema.safeParse(stored[key]);
      if (part.success) out[key] = part.data;
    }
    return SettingsSchema.parse(out);
  }

  saveSettings(settings: Settings): void {
    this.cache.setSetting(SETTINGS_KEY, settings);
  }

  async close(): Promise<void> {
    // its retry timer must not fire on a closed cache
    this.outbox.stop();
    await this.searcher.close();
    this.cache.close();
  }
}
