// Which account's cache lives where: one folder per account (relay + user) under `dataDir/accounts/`, an index of
// the accounts that signed in here (and which one was last), and the one-time move of the old single shared
// `cache.sqlite` (and the copies an account switch used to set aside) into the folder of the account they belong to.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { AgentIdSchema } from '../../common/domain';
import { CACHE_FILE } from './cache';

export const IdentitySchema = z.object({ relayUrl: z.string().min(1).max(2048), user: AgentIdSchema });
/** An account: who signs in, at which relay. */
export type Identity = z.infer<typeof IdentitySchema>;

const AccountEntrySchema = IdentitySchema.extend({
  /** folder name under accounts/ */
  dir: z.string().regex(/^[a-z0-9._@-]{1,120}$/),
  /** the agent confirmed signing in over ws:// to another machine; remembered so a start can sign in by itself */
  allowUnencrypted: z.boolean(),
  lastSignInAt: z.number(),
});
export type AccountEntry = z.infer<typeof AccountEntrySchema>;

const IndexFileSchema = z.object({
  version: z.literal(1),
  last: IdentitySchema.nullable(),
  accounts: z.array(AccountEntrySchema),
});
type IndexFile = z.infer<typeof IndexFileSchema>;

export const INDEX_FILE = 'accounts.json';
export const ACCOUNTS_DIR = 'accounts';
/** what an account switch wrote before caches were per account: `cache.sqlite.<user>-<epoch ms>` */
const LEGACY_ARCHIVE = /^cache\.sqlite\.[a-z][a-z0-9._-]{0,31}-(\d+)$/;

/** The relay address as a key: scheme and host lower-cased, no trailing slash, so "ws://Relay:1/" = "ws://relay:1". */
export function normalizeRelayUrl(relayUrl: string): string {
  const trimmed = relayUrl.trim();
  try {
    const url = new URL(trimmed);
    const pathname = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
    return `${url.protocol}//${url.host}${pathname}`.toLowerCase();
  } catch {
    return trimmed.toLowerCase();
  }
}

export function sameAccount(a: Identity | null | undefined, b: Identity | null | undefined): boolean {
  return !!a && !!b && a.user === b.user && normalizeRelayUrl(a.relayUrl) === normalizeRelayUrl(b.relayUrl);
}

/**
 * A readable, file-system-safe and collision-free folder name: `alice@relay.example.com-7420-1a2b3c4d5e`. The hash
 * of the exact account keeps two relays that sanitise to the same text apart.
 */
export function accountDirName(identity: Identity): string {
  const relay = normalizeRelayUrl(identity.relayUrl);
  let host = relay;
  try {
    host = new URL(relay).host;
  } catch {
    // not a URL: the hash alone keeps it unique
  }
  const readable = host.replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'relay';
  const hash = createHash('sha256').update(`${relay}\n${identity.user}`).digest('hex').slice(0, 10);
  return `${identity.user}@${readable}-${hash}`;
}

type Log = (entry: Record<string, unknown>) => void;

export class AccountIndex {
  private constructor(
    readonly dataDir: string,
    private data: IndexFile,
    private readonly log: Log,
    private readonly now: () => number,
  ) {}

  /** Reads the index (an unreadable one is set aside, never trusted) and adopts any cache of the old layout. */
  static open(dataDir: string, options: { log?: Log; now?: () => number } = {}): AccountIndex {
    const log = options.log ?? (() => {});
    const now = options.now ?? Date.now;
    fs.mkdirSync(dataDir, { recursive: true });
    const index = new AccountIndex(dataDir, readIndex(dataDir, log, now), log, now);
    index.adoptLegacyCaches();
    return index;
  }

  /** The account that signed in last: the one a start opens, and the sign-in form's prefill. */
  last(): AccountEntry | null {
    return this.data.last ? this.find(this.data.last) : null;
  }

  find(identity: Identity): AccountEntry | null {
    return this.data.accounts.find((a) => sameAccount(a, identity)) ?? null;
  }

  accounts(): AccountEntry[] {
    return [...this.data.accounts];
  }

  /** The folder holding this account's cache (created on first use by the cache itself). */
  dirFor(identity: Identity): string {
    return path.join(this.dataDir, ACCOUNTS_DIR, this.find(identity)?.dir ?? accountDirName(identity));
  }

  /** Records a successful sign-in: the account is known here and becomes the last one. */
  remember(identity: Identity, options: { allowUnencrypted?: boolean } = {}): AccountEntry {
    const known = this.find(identity);
    const entry: AccountEntry = {
      relayUrl: identity.relayUrl,
      user: identity.user,
      dir: known?.dir ?? accountDirName(identity),
      allowUnencrypted: options.allowUnencrypted ?? known?.allowUnencrypted ?? false,
      lastSignInAt: this.now(),
    };
    this.data = {
      version: 1,
      last: { relayUrl: identity.relayUrl, user: identity.user },
      accounts: [entry, ...this.data.accounts.filter((a) => !sameAccount(a, identity))],
    };
    this.write();
    return entry;
  }

  /**
   * A sign-in that never got in (wrong password, unreachable relay) must not leave an empty folder behind for an
   * account that never existed here. A known account's folder is never touched.
   */
  discardUnused(identity: Identity): void {
    if (this.find(identity)) return;
    fs.rmSync(this.dirFor(identity), { recursive: true, force: true });
  }

  private write(): void {
    const file = path.join(this.dataDir, INDEX_FILE);
    const temp = `${file}.${process.pid}.tmp`;
    // write-then-rename: a crash leaves the old index or the new one, never half of one
    fs.writeFileSync(temp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temp, file);
  }

  /**
   * The old layout kept one `cache.sqlite` for whoever signed in last and set the previous account's aside as
   * `cache.sqlite.<user>-<time>`. Each file names its account (the `account` setting), so each moves, unsent
   * messages and all, into that account's folder, unless that folder already has a cache (then it stays where
   * it is, and is logged). The newest copy of an account wins: the live file first, then archives newest first.
   */
  private adoptLegacyCaches(): void {
    const live = path.join(this.dataDir, CACHE_FILE);
    const archives = fs
      .readdirSync(this.dataDir)
      .flatMap((name) => {
        const match = LEGACY_ARCHIVE.exec(name);
        return match ? [{ file: path.join(this.dataDir, name), at: Number(match[1]) }] : [];
      })
      .sort((a, b) => b.at - a.at)
      .map((a) => a.file);
    let changed = false;
    for (const file of [live, ...archives]) {
      if (!fs.existsSync(file)) continue;
      const found = readLegacyAccount(file, this.log);
      if (!found) continue;
      // the live file belongs to whoever signed in last; archives are older accounts
      const signedInLast = file === live;
      const target = path.join(this.dataDir, ACCOUNTS_DIR, this.find(found.account)?.dir ?? accountDirName(found.account));
      if (fs.existsSync(path.join(target, CACHE_FILE))) {
        this.log({ level: 'warn', event: 'cache-legacy-kept', file, account: found.account.user, reason: 'the account already has a cache' });
        continue;
      }
      fs.mkdirSync(target, { recursive: true });
      for (const suffix of ['', '-wal', '-shm']) {
        if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, path.join(target, CACHE_FILE + suffix));
      }
      if (!this.find(found.account)) {
        this.data.accounts.push({
          ...found.account,
          dir: path.basename(target),
          allowUnencrypted: false,
          lastSignInAt: signedInLast ? this.now() : 0,
        });
      }
      if (signedInLast && !this.data.last) this.data.last = found.account;
      this.log({ level: 'info', event: 'cache-legacy-adopted', file, into: target, account: found.account.user, unsentMessages: found.unsent });
      changed = true;
    }
    if (changed) this.write();
  }
}

function readIndex(dataDir: string, log: Log, now: () => number): IndexFile {
  const file = path.join(dataDir, INDEX_FILE);
  const empty: IndexFile = { version: 1, last: null, accounts: [] };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return empty;
  }
  let parsed: ReturnType<typeof IndexFileSchema.safeParse>;
  try {
    parsed = IndexFileSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = IndexFileSchema.safeParse(undefined);
  }
  if (parsed.success) return parsed.data;
  // Only the index is lost: folder names are derived from the account, so each account finds its cache again at sign-in.
  const aside = `${file}.unreadable-${now()}`;
  fs.renameSync(file, aside);
  log({ level: 'warn', event: 'account-index-unreadable', movedTo: aside });
  return empty;
}

/** The account an old-layout cache file belongs to, read through the schema; null when it names none. */
function readLegacyAccount(file: string, log: Log): { account: Identity; unsent: number } | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: true });
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").get()) return null;
    const setting = (key: string): unknown => {
      const row = db?.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
      return row ? JSON.parse(row.value) : undefined;
    };
    const account = IdentitySchema.safeParse(setting('account'));
    if (!account.success) return null;
    const unsent = (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    // fold the WAL into the main file, so the file moves whole
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { account: account.data, unsent };
  } catch (error) {
    log({ level: 'warn', event: 'cache-legacy-unreadable', file, error: String((error as Error)?.message ?? error) });
    return null;
  } finally {
    db?.close();
  }
}
