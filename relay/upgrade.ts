// What the relay checks before a socket becomes a connection: the path, the Origin of browsers, the connection caps,
// and an agent's HTTP Basic credentials (scrypt off the event loop, throttled; a verified pair is remembered so a
// reconnect does not pay for scrypt again).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AgentId } from '../common/domain';
import { AGENT_PATH, CUSTOMER_PATH } from '../common/protocol';
import { agentTokenHash, parseBearer } from './agent-tokens';
import { decoyHash, parseBasicAuth } from './auth';
import { type Admission, remoteAddress } from './limits';
import type { Log, RelayStore } from './ports';
import { PasswordChecker, type SignInLimits, SignInThrottle } from './sign-in';

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

export const retryAfter = (ms: number) => `Retry-After: ${Math.max(1, Math.ceil(ms / 1000))}\r\n`;

export type SignInOutcome =
  /** `via`: a password is answered with a token for the connections after this one (relay/agent-tokens.ts) */
  | { kind: 'signed-in'; agentId: AgentId; via: 'password' | 'token' }
  /** wrong or missing credentials: 401 */
  | { kind: 'refused'; user: string | null; reason: string; failures?: { user: number; address: number } }
  /** too many failures for this user name or address: 429 */
  | { kind: 'throttled'; user: string; retryAfterMs: number; locked: boolean }
  /** every check thread is taken and the queue is full: 503 */
  | { kind: 'busy'; user: string };

export interface Authenticator {
  signIn(header: string | undefined, address: string): Promise<SignInOutcome>;
  close(): void;
}

/**
 * Checks `Authorization: Basic …` against the accounts. An unknown user name costs the same scrypt and the same
 * throttle as a wrong password, so neither the time nor the answer tells whether an account exists.
 */
export function createAuthenticator(
  store: Pick<RelayStore, 'getAccount' | 'agentForToken'>,
  limits: SignInLimits,
  log: Log,
  now: () => number = Date.now,
): Authenticator {
  /** verified user+password → the hash they matched */
  const verified = new Map<string, string>();
  const checker = new PasswordChecker(limits);
  const throttle = new SignInThrottle(limits);
  const decoy = decoyHash();
  return {
    async signIn(header, address) {
      if (header?.trimStart().startsWith('Bearer ')) {
        // a token is 256 random bits: guessing is hopeless, so a wrong one is not throttled, only refused (the client
        // then signs in with the password)
        const token = parseBearer(header);
        const agentId = token === null ? null : await store.agentForToken(agentTokenHash(token), now());
        const account = agentId === null ? null : await store.getAccount(agentId);
        if (!account) return { kind: 'refused', user: agentId, reason: token === null ? 'unreadable token' : 'unknown or expired token' };
        return { kind: 'signed-in', agentId: account.id, via: 'token' };
      }
      const credentials = parseBasicAuth(header);
      if (!credentials) return { kind: 'refused', user: null, reason: header ? 'unreadable credentials' : 'no credentials' };
      const { user, password } = credentials;
      const account = await store.getAccount(user);
      const key = `${user}\0${createHash('sha256').update(password).digest('base64url')}`;
      // the right password, checked before: no guess to throttle and no scrypt to pay
      if (account && verified.get(key) === account.passwordHash) return { kind: 'signed-in', agentId: account.id, via: 'password' };
      const verdict = throttle.check(user, address);
      if (!verdict.ok) return { kind: 'throttled', user, retryAfterMs: verdict.retryAfterMs, locked: verdict.locked };
      throttle.begin(user, address);
      const outcome = await checker.check(password, account?.passwordHash ?? decoy, verdict.trust);
      const good = outcome === 'match' && account !== null;
      const { locked } = throttle.end(user, address, outcome === 'busy' ? 'not-checked' : good ? 'success' : 'failure');
      for (const what of locked) log({ event: 'sign-in-locked', what, user, remote: address, forMs: limits.lockoutMs });
      if (outcome === 'busy') return { kind: 'busy', user };
      if (!good) return { kind: 'refused', user, reason: 'bad credentials', failures: throttle.failuresOf(user, address) };
      if (verified.size > 1000) verified.clear();
      verified.set(key, account.passwordHash);
      return { kind: 'signed-in', agentId: account.id, via: 'password' };
    },
    close: () => checker.close(),
  };
}

export interface UpgradeGateDeps {
  allowedOrigins: ReadonlySet<string>;
  admission: Admission;
  authenticator: Authenticator;
  trustedProxyHeader: string | null;
  /** false for an account a manager disabled: its right password still does not let it in */
  mayConnect: (agentId: AgentId) => Promise<boolean>;
  log: Log;
}

export interface Admitted {
  /** the signed-in agent, or null for a customer */
  agentId: AgentId | null;
  /** how the agent signed in: a password is answered with a sign-in token in the welcome */
  via: 'password' | 'token' | null;
  remote: string;
  /** the connection no longer counts against the caps (called when it closes) */
  release: () => void;
}

/**
 * Everything an upgrade passes before it becomes a connection, in order: the path, the Origin, the connection caps
 * and, for agents, the sign-in. Each refusal is an HTTP answer with a sentence (and Retry-After where waiting helps)
 * and a log line; null means the socket was answered and dropped.
 */
export function createUpgradeGate({ allowedOrigins, admission, authenticator, trustedProxyHeader, mayConnect, log }: UpgradeGateDeps) {
  let proxyHeaderNoted = false;
  return {
    async admit(req: http.IncomingMessage, socket: Duplex): Promise<Admitted | null> {
      const remote = remoteAddress(req, trustedProxyHeader);
      if (!trustedProxyHeader && !proxyHeaderNoted && req.headers['x-forwarded-for'] !== undefined) {
        // behind a proxy every client shares the proxy's address, and with it the limits per address
        proxyHeaderNoted = true;
        log({ event: 'proxy-header-ignored', header: 'x-forwarded-for', remote, hint: 'set --trust-proxy-header if a reverse proxy writes it' });
      }
      const drop = (status: number, text: string, extra = ''): null => {
        rejectUpgrade(socket, status, text, extra);
        return null;
      };
      const pathname = new URL(req.url ?? '/', 'http://relay').pathname;
      if (pathname !== AGENT_PATH && pathname !== CUSTOMER_PATH) return drop(404, 'no such endpoint');
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins.has(origin)) {
        log({ event: 'origin-refused', path: pathname, origin, remote });
        return drop(403, 'this origin may not connect to the relay');
      }
      const admitted = admission.arrive(remote);
      if ('refused' in admitted) {
        const { status, text, retryAfterMs } = admitted.refused;
        log({ event: 'connection-refused', path: pathname, remote, status, reason: text });
        return drop(status, text, retryAfterMs ? retryAfter(retryAfterMs) : '');
      }
      const refuse = (status: number, text: string, extra = ''): null => {
        admitted.release();
        return drop(status, text, extra);
      };
      socket.once('close', admitted.release);
      if (pathname !== AGENT_PATH) return { agentId: null, via: null, remote, release: admitted.release };
      const outcome = await authenticator.signIn(req.headers.authorization, remote);
      if (socket.destroyed) {
        admitted.release();
        return null;
      }
      switch (outcome.kind) {
        case 'throttled': {
          log({ event: 'sign-in-throttled', user: outcome.user, remote, retryAfterMs: outcome.retryAfterMs, locked: outcome.locked });
          const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
          const text = `too many failed sign-ins for this user name or from this address; try again in ${seconds} s`;
          return refuse(429, text, retryAfter(outcome.retryAfterMs));
        }
        case 'busy':
          log({ event: 'sign-in-busy', user: outcome.user, remote });
          return refuse(503, 'the relay is busy checking sign-ins; try again in a few seconds', retryAfter(2000));
        case 'refused':
          log({ event: 'auth-failed', user: outcome.user, remote, reason: outcome.reason, failures: outcome.failures });
          return refuse(401, 'wrong user name or password', BASIC_CHALLENGE);
        case 'signed-in': {
          if (!(await mayConnect(outcome.agentId))) {
            log({ event: 'auth-failed', user: outcome.agentId, remote, reason: 'account disabled' });
            return refuse(403, 'This account is disabled. Ask a manager to enable it.');
          }
          if (socket.destroyed) {
            admitted.release();
            return null;
          }
          const full = admitted.signedIn(outcome.agentId);
          if (full) {
            log({ event: 'connection-refused', path: pathname, remote, agentId: outcome.agentId, status: full.status, reason: full.text });
            return refuse(full.status, full.text, full.retryAfterMs ? retryAfter(full.retryAfterMs) : '');
          }
          return { agentId: outcome.agentId, via: outcome.via, remote, release: admitted.release };
        }
      }
    },
  };
}
