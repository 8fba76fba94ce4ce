// The remembered-password vault for the desktop app: passwords encrypted with the OS keychain (safeStorage)
// in a file in the user's data folder; where no real encryption is available, nothing is remembered.
import fs from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import { z } from 'zod';

/** The shape main/client expects (declared there too; structural typing keeps the two in step). */
export interface PasswordVault {
  load(key: string): string | null;
  save(key: string, password: string): void;
  clear(key: string): void;
}

const VaultFileSchema = z.record(z.string().max(512), z.string().regex(/^[A-Za-z0-9+/=]*$/).max(8192));
type VaultFile = z.infer<typeof VaultFileSchema>;

export const VAULT_FILE_NAME = 'credentials.bin.json';

/**
 * On Linux without a keyring Electron falls back to a hard-coded key ("basic_text"): that is plain text with
 * extra steps, so it counts as unavailable.
 */
export function canEncrypt(platform: NodeJS.Platform = process.platform): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return false;
  return true;
}

export function createSafeStorageVault(
  dir: string,
  options: { platform?: NodeJS.Platform; log?: (message: string) => void } = {},
): PasswordVault {
  const file = path.join(dir, VAULT_FILE_NAME);
  const log = options.log ?? (() => {});

  const read = (): VaultFile => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed = VaultFileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through: an unreadable vault is treated as empty, and the user signs in again
    }
    log('vault: the saved-password file is unreadable; ignoring it');
    return {};
  };

  const write = (data: VaultFile) => {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    fs.renameSync(tmp, file);
  };

  return {
    load(key) {
      if (!canEncrypt(options.platform)) return null;
      const sealed = read()[key];
      if (!sealed) return null;
      try {
        return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        log('vault: a saved password could not be decrypted (keychain changed?); forgetting it');
        return null;
      }
    },
    save(key, password) {
      if (!canEncrypt(options.platform)) {
        // Never plain text: without the keychain the password is simply not remembered.
        log('vault: no OS encryption available; the password will not be remembered');
        const data = read();
        if (key in data) {
          delete data[key];
          write(data);
        }
        return;
      }
      const sealed = safeStorage.encryptString(password).toString('base64');
      write({ ...read(), [key]: sealed });
    },
    clear(key) {
      const data = read();
      if (!(key in data)) return;
      delete data[key];
      write(data);
    },
  };
}
