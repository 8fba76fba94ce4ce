// The saved-password vault: passwords only ever reach disk encrypted by the OS keychain, or not at all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import { createSafeStorageVault, VAULT_FILE_NAME } from '../../main/electron/vault';
import { safeStorage } from './fake-electron';

const password = 'correct horse battery staple';
const tempDir = () => fs.mkdtempSync(`${os.tmpdir()}/baton-`);
const everyFileText = (dir: string) =>
  fs
    .readdirSync(dir)
    .map((name) => fs.readFileSync(path.join(dir, name), 'utf8'))
    .join('\n');

afterEach(() => {
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
});

describe('password vault', () => {
  it('remembers a password across restarts without writing it in plain text', () => {
    const dir = tempDir();
    createSafeStorageVault(dir, { platform: 'darwin' }).save('alice@ws://relay', password);
    const onDisk = everyFileText(dir);
    expect(onDisk).not.toContain(password);
    expect(onDisk).not.toContain(Buffer.from(password).toString('base64'));
    expect(createSafeStorageVault(dir, { platform: 'darwin' }).load('alice@ws://relay')).toBe(password);
  });

  it('without OS encryption it remembers nothing and writes nothing', () => {
    const dir = tempDir();
    safeStorage.available = false;
    const vault = createSafeStorageVault(dir, { platform: 'win32' });
    vault.save('alice', password);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(vault.load('alice')).toBeNull();
  });

  it("on Linux the keyring-less 'basic_text' backend counts as no encryption, and an old entry is dropped", () => {
    const dir = tempDir();
    createSafeStorageVault(dir, { platform: 'linux' }).save('alice', password);
    safeStorage.backend = 'basic_text';
    const vault = createSafeStorageVault(dir, { platform: 'linux' });
    expect(vault.load('alice')).toBeNull();
    vault.save('alice', 'another secret');
    expect(everyFileText(dir)).not.toContain('another secret');
    safeStorage.backend = 'gnome_libsecret';
    expect(vault.load('alice')).toBeNull();
  });

  it('clear forgets one account and keeps the others', () => {
    const dir = tempDir();
    const vault = createSafeStorageVault(dir, { platform: 'darwin' });
    vault.save('alice', 'a-secret');
    vault.save('bob', 'b-secret');
    vault.clear('alice');
    expect(vault.load('alice')).toBeNull();
    expect(vault.load('bob')).toBe('b-secret');
  });

  it('a damaged vault file or undecryptable entry is treated as nothing saved', () => {
    const dir = tempDir();
    const vault = createSafeStorageVault(dir, { platform: 'darwin' });
    fs.writeFileSync(path.join(dir, VAULT_FILE_NAME), '{not json');
    expect(vault.load('alice')).toBeNull();
    fs.writeFileSync(path.join(dir, VAULT_FILE_NAME), JSON.stringify({ alice: Buffer.from('garbage').toString('base64') }));
    expect(vault.load('alice')).toBeNull();
    vault.save('alice', password);
    expect(vault.load('alice')).toBe(password);
  });
});
