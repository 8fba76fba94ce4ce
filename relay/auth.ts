// Agent credentials: scrypt password hashes (node:crypto), HTTP Basic parsing, and customer token hashing.
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url, so the cost can be raised later per account. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return formatHash(salt, scryptSync(password, salt, KEY_LENGTH, { N, r: R, p: P }));
}

/** The same hash computed on libuv's thread pool: a running relay setting a password keeps serving meanwhile. */
export function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P }, (error, hash) => (error ? reject(error) : resolve(formatHash(salt, hash))));
  });
}

function formatHash(salt: Buffer, hash: Buffer): string {
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return Promise.resolve(false);
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  return new Promise((resolve) => {
    scrypt(
      password,
      Buffer.from(salt, 'base64url'),
      expected.length,
      { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 },
      (error, derived) => resolve(!error && derived.length === expected.length && timingSafeEqual(derived, expected)),
    );
  });
}

let decoy: string | null = null;
/** A hash with the real cost, checked when the user name is unknown so both failures take as long. */
export function decoyHash(): string {
  decoy ??= hashPassword('decoy-password-never-matches');
  return decoy;
}

export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function basicAuthHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Customer tokens are stored only as this hash, so a copy of the database cannot resume anyone's chat. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
