// RelayLink: the one WebSocket to the relay — auth at upgrade, hello/resume, heartbeat, reconnect, command answers.
import { WebSocket } from 'ws';
import type { ConnectionState } from '../../common/bridge';
import { errorSentences } from '../../common/errors';
import {
  AGENT_PATH,
  type AgentCommandInput,
  CloseCodes,
  PROTOCOL_VERSION,
  parseFrame,
  type RelayFrame,
  RelayFrameSchema,
  type RelayFrameOf,
} from '../../common/protocol';
import { type BatonError, fail, ok } from '../../common/result';
import { Backoff, type BackoffOptions, retryAfterHeaderMs, wait } from './backoff';

export type WelcomeFrame = RelayFrameOf<'welcome'>;
/** A command as the caller writes it; the link adds the id. */
export type { AgentCommandInput } from '../../common/protocol';

export interface RelayLinkTuning {
  /** how often to ping while the link is quiet */
  pingIntervalMs: number;
  /** no frame, ping or pong for this long: the connection is dead (half-open or stalled) */
  deadAfterMs: number;
  commandTimeoutMs: number;
  /** how long to wait for the upgrade and the welcome */
  connectTimeoutMs: number;
  backoff: BackoffOptions;
}

export const defaultTuning: RelayLinkTuning = {
  pingIntervalMs: 10_000,
  deadAfterMs: 25_000,
  commandTimeoutMs: 15_000,
  connectTimeoutMs: 15_000,
  // Backoff's own defaults: 500 ms base, 30 s cap, reset after a connection that stayed up 10 s
  backoff: {},
};

export interface RelayLinkOptions {
  relayUrl: string;
  user: string;
  password: string;
  /** read at every hello: the last contiguous seq held per session */
  resume: () => Record<string, number>;
  onWelcome: (welcome: WelcomeFrame) => void;
  /** every pushed frame (presence, session, event, replay, typing, request), already validated */
  onFrame: (frame: RelayFrame) => void;
  log?: (entry: Record<string, unknown>) => void;
  now?: () => number;
  tuning?: Partial<RelayLinkTuning>;
}

export type LinkOutcome =
  | { kind: 'welcome'; welcome: WelcomeFrame }
  | { kind: 'auth-failed' | 'version-mismatch' | 'unreachable'; message: string };

type ConnectionEnd =
  /** reconnectNow: the relay closed with 4012 (it is draining, or lost its bus): reconnect at once, to any node */
  /** `retryAfterMs`: the relay refused the upgrade and said when to come back (HTTP 503 busy, 429) */
  /** `tokenRefused`: the sign-in token got a 401 and was dropped: the next attempt, at once, signs in with the password */
  | { kind: 'closed'; reason: string; reconnectNow?: boolean; retryAfterMs?: number; tokenRefused?: boolean }
  | { kind: 'auth-failed'; message: string }
  | { kind: 'version-mismatch'; message: string };

/** A command's answer; a refusal may say when the relay takes frames again (`rate-limited`). */
export type RelayAnswer = { ok: true; value: unknown } | { ok: false; error: BatonError & { retryAfterMs?: number } };

interface Pending {
  resolve: (result: RelayAnswer) => void;
  timer: NodeJS.Timeout;
}

/** Builds the agent endpoint from what the person typed: `ws://host:port` gets the agent path. */
export function agentUrl(relayUrl: string): URL {
  const url = new URL(relayUrl.trim());
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error('the relay address starts with ws:// or wss://');
  if (url.pathname === '/') url.pathname = AGENT_PATH;
  return url;
}

export class RelayLink {
  private readonly options: RelayLinkOptions;
  private readonly tuning: RelayLinkTuning;
  private readonly now: () => number;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private readonly pending = new Map<string, Pending>();
  private current: ConnectionState = { status: 'signed-out' };
  private socket: WebSocket | null = null;
  private nextId = 1;
  private started = false;
  /**
   * The relay's sign-in token from the last welcome: reconnects present it instead of the password (no password
   * check per reconnect, so a restarted relay takes everyone back at once). Kept in memory only; a 401 to it drops it.
   */
  private signInToken: string | null = null;

  constructor(options: RelayLinkOptions) {
    this.options = options;
    this.tuning = { ...defaultTuning, ...options.tuning };
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.backoff = new Backoff({ now: this.now, ...this.tuning.backoff });
  }

  get state(): ConnectionState {
    return this.current;
  }

  get online(): boolean {
    return this.current.status === 'online';
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connects and keeps reconnecting until `stop()`, an auth failure or a protocol mismatch. Resolves with the
   * first outcome: the first welcome, or why the first attempt failed. With `giveUpIfFirstFails` (an interactive
   * sign-in) an unreachable relay ends the link instead of retrying with credentials nobody has confirmed.
   */
  start(giveUpIfFirstFails = false): Promise<LinkOutcome> {
    if (this.started) throw new Error('a RelayLink starts once');
    this.started = true;
    return new Promise((resolve) => {
      void this.run(resolve, giveUpIfFirstFails);
    });
  }

  /** Deliberate close: no retry. */
  stop(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    const socket = this.socket;
    if (socket) {
      socket.close(CloseCodes.normal, 'signed out');
      // a stalled peer never answers the close handshake
      setTimeout(() => socket.terminate(), 1_000).unref();
    }
    this.failPending('not-connected', 'Signed out.');
    this.setState({ status: 'signed-out' });
  }

  /** Sends a command and resolves with its answer; never rejects. */
  request(command: AgentCommandInput): Promise<RelayAnswer> {
    const socket = this.socket;
    if (!this.online || !socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.resolve(fail('not-connected', errorSentences['not-connected']));
    }
    const id = `c${this.nextId++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(fail('timeout', errorSentences.timeout));
      }, this.tuning.commandTimeoutMs);
      this.pending.set(id, { resolve, timer });
      // a write that fails closes the socket, and the close fails every pending command with not-connected
      socket.send(JSON.stringify({ ...command, id }));
    });
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch (error) {
        this.log({ level: 'error', event: 'state-listener-threw', error: String(error) });
      }
    }
  }

  private settle(id: string, result: RelayAnswer): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(result);
  }

  private failPending(code: 'not-connected', message: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, fail(code, message));
  }

  private async run(first: (outcome: LinkOutcome) => void, giveUpIfFirstFails: boolean): Promise<void> {
    let firstSettled = false;
    // `first` resolves a promise: only the first outcome counts
    const settleFirst = (outcome: LinkOutcome) => {
      firstSettled = true;
      first(outcome);
    };
    const signal = this.abort.signal;
    let reconnectedNowAt = Number.NEGATIVE_INFINITY;
    while (!signal.aborted) {
      this.setState({ status: 'connecting', attempt: this.backoff.attempt });
      const end = await this.connectOnce((welcome) => settleFirst({ kind: 'welcome', welcome }));
      if (signal.aborted) break;
      // auth-failed, version-mismatch: a retry would get the same answer
      if (end.kind !== 'closed') {
        this.setState({ status: end.kind, message: end.message });
        settleFirst({ kind: end.kind, message: end.message });
        return;
      }
      if (!firstSettled && giveUpIfFirstFails) {
        this.abort.abort();
        this.setState({ status: 'signed-out' });
        settleFirst({ kind: 'unreachable', message: `Could not reach the relay (${end.reason}).` });
        return;
      }
      // the token was dropped, so this happens once in a row: the next attempt has the password, and a 401 to that is final
      if (end.kind === 'closed' && end.tokenRefused) continue;
      // at most once a second, so a relay that keeps closing with 4012 gets the backoff after all
      if (end.kind === 'closed' && end.reconnectNow && this.now() - reconnectedNowAt >= 1000) {
        reconnectedNowAt = this.now();
        continue;
      }
      const attempt = this.backoff.attempt + 1;
      // a relay that says when to come back (busy checking a restart's sign-ins) is believed, jittered so the herd it
      // refused does not return at one instant; the backoff is for relays that say nothing
      const delay = end.retryAfterMs === undefined ? this.backoff.next() : this.backoff.told(end.retryAfterMs);
      this.setState({ status: 'offline', attempt, nextRetryAt: this.now() + delay, reason: end.reason });
      try {
        await wait(delay, signal);
      } catch {
        // stop() aborted the wait; the loop condition ends it
      }
    }
    settleFirst({ kind: 'unreachable', message: 'Signed out before the relay answered.' });
  }

  /** One connection, from upgrade to close. Resolves when it is over, saying how it ended. */
  private connectOnce(onFirstWelcome: (welcome: WelcomeFrame) => void): Promise<ConnectionEnd> {
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = agentUrl(this.options.relayUrl);
      } catch (error) {
        resolve({ kind: 'closed', reason: `bad relay address: ${(error as Error).message}` });
        return;
      }
      const token = this.signInToken;
      const auth = Buffer.from(`${this.options.user}:${this.options.password}`).toString('base64');
      const socket = new WebSocket(url, {
        headers: { Authorization: token === null ? `Basic ${auth}` : `Bearer ${token}` },
        handshakeTimeout: this.tuning.connectTimeoutMs,
        perMessageDeflate: false,
      });
      this.socket = socket;
      const helloId = `hello-${this.nextId++}`;
      let welcomed = false;
      let end: ConnectionEnd | null = null;
      let lastTraffic = this.now();
      let lastPing = this.now();
      const finish = (why: ConnectionEnd) => {
        end ??= why;
      };

      const tickMs = Math.max(10, Math.floor(this.tuning.pingIntervalMs / 2));
      let lastTick = this.now();
      const heartbeat = setInterval(() => {
        const now = this.now();
        // a late tick means our own event loop was blocked (or the machine slept): the peer could not have been
        // heard meanwhile, so it gets a fresh window instead of the blame
        if (now - lastTick > tickMs * 3) lastTraffic = Math.max(lastTraffic, now - tickMs);
        lastTick = now;
        // until the upgrade completes, the connect timeout is in charge
        if (socket.readyState !== WebSocket.OPEN) return;
        if (now - lastTraffic > this.tuning.deadAfterMs) {
          this.log({ level: 'warn', event: 'link-dead', silentMs: now - lastTraffic });
          finish({ kind: 'closed', reason: 'the relay stopped answering' });
          socket.terminate();
          return;
        }
        if (now - lastPing >= this.tuning.pingIntervalMs) {
          lastPing = now;
          socket.ping();
        }
      }, tickMs);
      // cleared by the welcome
      const welcomeTimer = setTimeout(() => {
        finish({ kind: 'closed', reason: 'the relay did not answer hello' });
        socket.terminate();
      }, this.tuning.connectTimeoutMs);
      const traffic = () => {
        lastTraffic = this.now();
      };

      socket.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        if (status === 403) {
          // refused although the password is right (a disabled account, an origin not allowed): the relay says why
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (body.length < 500) body += chunk;
          });
          res.on('end', () => {
            // a bare 403 says no more than a 401 would
            finish({ kind: 'auth-failed', message: body.trim().slice(0, 300) || errorSentences.unauthorized });
            socket.terminate();
          });
          res.on('error', () => socket.terminate());
          return;
        }
        res.resume();
        if (status === 401 && token !== null) {
          // the token expired or was dropped (a new password, say): the password decides, at once
          if (this.signInToken === token) this.signInToken = null;
          finish({ kind: 'closed', reason: 'the sign-in token was refused', tokenRefused: true });
        } else if (status === 401) {
          finish({ kind: 'auth-failed', message: errorSentences.unauthorized });
        } else {
          const retryAfterMs = retryAfterHeaderMs(res.headers['retry-after']);
          finish({ kind: 'closed', reason: `the relay answered HTTP ${status}`, ...(retryAfterMs === null ? {} : { retryAfterMs }) });
        }
        socket.terminate();
      });
      socket.on('open', () => {
        traffic();
        socket.send(JSON.stringify({ id: helloId, type: 'hello', protocol: PROTOCOL_VERSION, resume: this.options.resume() }));
      });
      socket.on('ping', traffic);
      socket.on('pong', traffic);
      socket.on('message', (data, isBinary) => {
        traffic();
        if (isBinary) {
          this.log({ level: 'warn', event: 'bad-frame', message: 'binary frame' });
          return;
        }
        const parsed = parseFrame(RelayFrameSchema, data.toString());
        if (!parsed.ok) {
          this.log({ level: 'warn', event: 'bad-frame', message: parsed.message, id: parsed.id });
          return;
        }
        const frame = parsed.frame;
        if (!welcomed) {
          if (frame.type === 'welcome' && frame.id === helloId) {
            if (frame.protocol !== PROTOCOL_VERSION) {
              finish({ kind: 'version-mismatch', message: errorSentences['unsupported-protocol'] });
              socket.close(CloseCodes.normal);
              return;
            }
            welcomed = true;
            clearTimeout(welcomeTimer);
            // the token stays here: nothing above the link (the cache, the renderer) ever holds it
            const { signInToken, ...welcome } = frame;
            if (signInToken !== undefined) this.signInToken = signInToken;
            this.backoff.connected();
            this.setState({ status: 'online', since: this.now() });
            this.deliver(() => this.options.onWelcome(welcome));
            onFirstWelcome(welcome);
            return;
          }
          if (frame.type === 'error' && (frame.id === helloId || frame.id === undefined)) {
            if (frame.code === 'unsupported-protocol') finish({ kind: 'version-mismatch', message: frame.message || errorSentences['unsupported-protocol'] });
            else if (frame.code === 'unauthorized') finish({ kind: 'auth-failed', message: frame.message || errorSentences.unauthorized });
            else finish({ kind: 'closed', reason: frame.message });
            socket.close(CloseCodes.normal);
            return;
          }
          this.log({ level: 'warn', event: 'frame-before-welcome', type: frame.type });
          return;
        }
        if (frame.type === 'ok') {
          this.settle(frame.id, ok(frame.result ?? null));
          return;
        }
        if (frame.type === 'error') {
          const { code, message, retryAfterMs } = frame;
          if (frame.id !== undefined && this.pending.has(frame.id)) {
            this.settle(frame.id, { ok: false, error: retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs } });
          } else {
            this.log({ level: 'warn', event: 'relay-error', code, message });
          }
          return;
        }
        if (frame.type === 'welcome') {
          this.log({ level: 'warn', event: 'unexpected-welcome' });
          return;
        }
        this.deliver(() => this.options.onFrame(frame));
      });
      socket.on('error', (error) => {
        finish({ kind: 'closed', reason: error.message });
      });
      socket.on('close', (code, reasonBuffer) => {
        clearInterval(heartbeat);
        clearTimeout(welcomeTimer);
        // the next connection starts only after this one has closed
        this.socket = null;
        const reason = reasonBuffer.toString();
        // what went wrong first (an error, a refusal, a dead heartbeat) says more than the close that followed
        const ended: ConnectionEnd =
          end ??
          (code === CloseCodes.unsupportedProtocol
            ? { kind: 'version-mismatch', message: reason || errorSentences['unsupported-protocol'] }
            : code === CloseCodes.accountClosed
              ? // a manager disabled or removed the account: signed out with the relay's sentence, no retry
                { kind: 'auth-failed', message: reason || errorSentences.unauthorized }
              : {
                  kind: 'closed',
                  reason: reason || (code === 1006 ? 'the connection was lost' : `closed (${code})`),
                  reconnectNow: welcomed && code === CloseCodes.reconnect,
                });
        if (welcomed) this.backoff.disconnected();
        this.failPending('not-connected', errorSentences['not-connected']);
        this.log({ level: 'info', event: 'link-closed', code, reason: ended.kind === 'closed' ? ended.reason : ended.kind });
        resolve(ended);
      });
    });
  }

  /** A consumer that throws must not take the socket down with it. */
  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log({ level: 'error', event: 'frame-handler-threw', error: String((error as Error)?.stack ?? error) });
    }
  }
}
