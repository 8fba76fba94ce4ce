// What the relay checks before a socket becomes a connection: the path, the Origin of browsers, and an agent's HTTP
// Basic credentials (scrypt; a verified pair is remembered so a reconnect does not pay for scrypt again).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AgentId } from '../common/domain';
import { decoyHash, parseBasicAuth, verifyPassword } from './auth';
import type { RelayStore } from './ports';

/** Answers an upgrade request with a plain HTTP error and a sentence, then drops the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string, extra = ''): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`,
  );
  socket.destroy();
}

export const BASIC_CHALLENGE = 'WWW-Authenticate: Basic realm="baton", charset="UTF-8"\r\n';

/** Checks `Authorization: Basic …` against the accounts; unknown users cost as much as wrong passwords. */
export function createAuthenticator(store: Pick<RelayStore, 'getAccount'>) {
  /** verified user+password → the hash they matched */
  const verified = new Map<string, string>();
  return async (header: string | undefined): Promise<AgentId | null> => {
    const credentials = parseBasicAuth(header);
    if (!credentials) return null;
    const account = await store.getAccount(credentials.user);
    const key = `${credentials.user}\0${createHash('sha256').update(credentials.password).digest('base64url')}`;
    if (account && verified.get(key) === account.passwordHash) return account.id;
    const good = await verifyPassword(credentials.password, account?.passwordHash ?? decoyHash());
    if (!good || !account) return null;
    if (verified.size > 1000) verified.clear();
    verified.set(key, account.passwordHash);
    return account.id;
  };
}
