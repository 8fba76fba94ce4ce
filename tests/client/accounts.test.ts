// One cache per account: folder names, the account index, and the move of the old single shared cache file (and
// the copies an account switch used to set aside) into the folder of the account each belongs to.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../common/bridge';
import { AccountIndex, accountDirName, INDEX_FILE, normalizeRelayUrl, sameAccount } from '../../main/client/accounts';
import { CACHE_FILE, Cache } from '../../main/client/cache';
import { message, opened, summary, tempDir } from './fixtures';

const alice = { relayUrl: 'ws://relay.test:7420', user: 'alice' };
const bob = { relayUrl: 'ws://relay.test:7420', user: 'bob' };

const unsent = (messageId: string, text: string): OutboxItem => ({
  messageId,
  sessionId: 's1',
  kind: 'message',
  attachment: null,
  text,
  createdAt: 5,
  state: 'pending',
  error: null,
});

/** Writes a cache of the old layout (dataDir/<name>) holding one chat and one unsent message for `account`. */
function legacyCache(dataDir: string, account: { relayUrl: string; user: string }, name = CACHE_FILE, words = 'private matter') {
  const cache = Cache.open(dataDir);
  cache.setSetting('account', account);
  cache.setSetting('relayUrl', account.relayUrl);
  cache.setSetting('user', account.user);
  cache.upsertSessions([summary('s1', { ownerId: account.user })]);
  cache.ingestEvents([opened('s1'), message('s1', 2, words)]);
  cache.outboxAdd(unsent(`${account.user}00000001`, `unsent reply from ${account.user}`));
  cache.close();
  if (name !== CACHE_FILE) fs.renameSync(path.join(dataDir, CACHE_FILE), path.join(dataDir, name));
  for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(dataDir, CACHE_FILE + suffix), { force: true });
}

describe('account folders and the index', () => {
  it('names each account a safe, readable, distinct folder, and treats address spellings of one relay as one account', () => {
    expect(accountDirName(alice)).toMatch(/^alice@relay\.test-7420-[0-9a-f]{10}$/);
    expect(accountDirName(bob)).not.toBe(accountDirName(alice));
    expect(accountDirName({ relayUrl: 'wss://relay.test:7420', user: 'alice' })).not.toBe(accountDirName(alice));
    const odd = accountDirName({ relayUrl: 'ws://[::1]:7420/../../etc', user: 'alice' });
    expect(odd).toMatch(/^[a-z0-9._@-]+$/);
    expect(odd).not.toContain('..');
    expect(normalizeRelayUrl(' WS://Relay.Test:7420/ ')).toBe('ws://relay.test:7420');
    expect(sameAccount(alice, { relayUrl: 'ws://RELAY.test:7420/', user: 'alice' })).toBe(true);
    expect(sameAccount(alice, bob)).toBe(false);
  });

  it('remembers who signed in last, keeps every account, and survives a restart', () => {
    const dataDir = tempDir();
    const index = AccountIndex.open(dataDir, { now: () => 10 });
    expect(index.last()).toBeNull();
    index.remember(alice);
    index.remember(bob, { allowUnencrypted: true });
    const again = AccountIndex.open(dataDir);
    expect(again.last()).toMatchObject({ user: 'bob', allowUnencrypted: true, lastSignInAt: 10 });
    expect(again.accounts().map((a) => a.user).sort()).toEqual(['alice', 'bob']);
    expect(again.dirFor(alice)).toBe(path.join(dataDir, 'accounts', accountDirName(alice)));
  });

  it('sets an unreadable index aside instead of trusting it, and each account still finds its folder', () => {
    const dataDir = tempDir();
    AccountIndex.open(dataDir).remember(alice);
    fs.writeFileSync(path.join(dataDir, INDEX_FILE), '{"version": 1, "last": 42');
    const logs: Record<string, unknown>[] = [];
    const index = AccountIndex.open(dataDir, { now: () => 77, log: (e) => logs.push(e) });
    expect(index.last()).toBeNull();
    expect(fs.existsSync(path.join(dataDir, `${INDEX_FILE}.unreadable-77`))).toBe(true);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'account-index-unreadable' }));
    expect(index.dirFor(alice)).toBe(path.join(dataDir, 'accounts', accountDirName(alice)));
  });

  it('removes the folder of a sign-in that never got in, and never the folder of a known account', () => {
    const dataDir = tempDir();
    const index = AccountIndex.open(dataDir);
    index.remember(alice);
    Cache.open(index.dirFor(alice)).close();
    Cache.open(index.dirFor(bob)).close();
    index.discardUnused(bob);
    index.discardUnused(alice);
    expect(fs.existsSync(index.dirFor(bob))).toBe(false);
    expect(fs.existsSync(path.join(index.dirFor(alice), CACHE_FILE))).toBe(true);
  });
});

describe('moving the old single cache file to one cache per account', () => {
  it('moves the shared cache.sqlite, chats and unsent messages, into its account folder and makes it the last account', () => {
    const dataDir = tempDir();
    legacyCache(dataDir, alice);
    const logs: Record<string, unknown>[] = [];
    const index = AccountIndex.open(dataDir, { log: (e) => logs.push(e) });
    expect(fs.existsSync(path.join(dataDir, CACHE_FILE))).toBe(false);
    expect(index.last()).toMatchObject(alice);
    const cache = Cache.open(index.dirFor(alice));
    expect(cache.outboxItems().map((i) => i.text)).toEqual(['unsent reply from alice']);
    expect(cache.search({ text: 'private', limit: 5 })).toHaveLength(1);
    cache.close();
    expect(logs).toContainEqual(expect.objectContaining({ event: 'cache-legacy-adopted', account: 'alice', unsentMessages: 1 }));
    // the move happens once: a second start finds nothing left to move and changes nothing
    const again = AccountIndex.open(dataDir);
    expect(again.accounts()).toHaveLength(1);
  });

  it('gives each set-aside copy (cache.sqlite.<user>-<time>) back to its own account, newest copy first', () => {
    const dataDir = tempDir();
    legacyCache(dataDir, alice, `${CACHE_FILE}.alice-100`, 'the older alice copy');
    legacyCache(dataDir, alice, `${CACHE_FILE}.alice-200`, 'the newer alice copy');
    legacyCache(dataDir, bob);
    const index = AccountIndex.open(dataDir);
    expect(index.last()).toMatchObject(bob);
    const aliceCache = Cache.open(index.dirFor(alice));
    expect(aliceCache.search({ text: 'newer', limit: 5 })).toHaveLength(1);
    expect(aliceCache.search({ text: 'older', limit: 5 })).toHaveLength(0);
    expect(aliceCache.outboxItems().map((i) => i.text)).toEqual(['unsent reply from alice']);
    aliceCache.close();
    const bobCache = Cache.open(index.dirFor(bob));
    expect(bobCache.outboxItems().map((i) => i.text)).toEqual(['unsent reply from bob']);
    expect(bobCache.search({ text: 'alice', limit: 5 })).toHaveLength(0);
    bobCache.close();
    // the older copy could not go anywhere without overwriting: it stays, untouched
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith(`${CACHE_FILE}.`))).toEqual([`${CACHE_FILE}.alice-100`]);
  });

  it('leaves a cache that names no account where it is', () => {
    const dataDir = tempDir();
    Cache.open(dataDir).close();
    const index = AccountIndex.open(dataDir);
    expect(index.accounts()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, CACHE_FILE))).toBe(true);
  });
});
