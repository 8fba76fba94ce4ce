// Agent credentials: scrypt password hashes (node:crypto), HTTP Basic parsing, and customer token hashing. Checking a
// password at sign-in runs in relay/sign-in.ts, off the event loop and off libuv's thread pool.
import { createHash, randomBytes, scrypt, scryptSync } from 'node:crypto';

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

export interface ScryptHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** The parts of a stored `scrypt$N$r$p$salt$hash`, or null when it is not one (then no password matches it). */
export function parseHash(stored: string): ScryptHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const cost = { n: Number(n), r: Number(r), p: Number(p) };
  if (!Object.values(cost).every((v) => Number.isInteger(v) && v > 0)) return null;
  return { ...cost, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/**
 * A hash with the real cost that no password matches (its "hash" is random), checked when the user name is unknown so
 * that both failures cost the same scrypt. Made without running scrypt, so it never blocks the event loop.
 */
export function decoyHash(): string {
  return ['scrypt', N, R, P, randomBytes(16).toString('base64url'), randomBytes(KEY_LENGTH).toString('base64url')].join('$');
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
