// The web-mode host: runs the agent-client core in Node, serves the built renderer on loopback, and carries the
// `window.baton` bridge over a token-protected local WebSocket at /bridge.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type BridgeHandler,
  type ClientEvent,
  isBridgeChannel,
  type WebBridgeMessage,
  WebBridgeRequestSchema,
} from '../../common/bridge';
import { describeZodError } from '../../common/protocol';
import { fail, type Result } from '../../common/result';
import { createAgentClient } from '../client';
import { serveStatic, webContentSecurityPolicy } from './static-files';

export type WebHostLog = (message: string) => void;

export interface WebHostOptions {
  /** the relay to sign in to (with user + password), or to prefill on the sign-in screen */
  relayUrl?: string;
  user?: string;
  password?: string;
  /** signing in over ws:// to another machine was confirmed (`--allow-unencrypted`) */
  allowUnencrypted?: boolean;
  /** interface to listen on; loopback unless deliberately exposed */
  host?: string;
  /** 0 picks any free port */
  port?: number;
  /** the client core's cache folder */
  dataDir: string;
  /** the built renderer (vite build output) */
  rendererDir?: string;
  log?: WebHostLog;
}

export interface WebHost {
  /** the page URL including the bridge token */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const BRIDGE_PATH = '/bridge';
/** A single bridge frame larger than this is refused (the largest legitimate one carries a file: chat:sendFile). */
const MAX_BRIDGE_FRAME = 32 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export const defaultRendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

const loopbackNames = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const log: WebHostLog = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const rendererDir = path.resolve(options.rendererDir ?? defaultRendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${path.join(rendererDir, 'index.html')} is missing): run npm run build:renderer first.`);
  }
  if ((options.user === undefined) !== (options.password === undefined)) {
    throw new Error('Give both a user and a password to sign in at start, or neither to show the sign-in screen.');
  }
  if (options.user !== undefined && !options.relayUrl) {
    throw new Error('Signing in at start needs the relay address too (relayUrl).');
  }

  const token = randomBytes(32).toString('base64url');
  const client = createAgentClient({ dataDir: options.dataDir, log: (entry) => log(`client: ${JSON.stringify(entry)}`) });
  const signIn =
    options.user !== undefined && options.password !== undefined && options.relayUrl
      ? { relayUrl: options.relayUrl, user: options.user, password: options.password, allowUnencrypted: options.allowUnencrypted ?? false }
      : undefined;
  // Web mode has no OS keychain: the password is never written to disk, only handed to the core for this run.
  const firstOutcome = signIn ? firstLinkOutcome(client) : null;
  try {
    await client.start(signIn ? { signIn } : {});
  } catch (error) {
    await client.dispose();
    throw error;
  }
  const bridge = withRelayPrefill(client, options.relayUrl ?? null);

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BRIDGE_FRAME });
  const server = http.createServer();
  let port = 0;

  const allowedOrigin = (origin: string | undefined, hostHeader: string | undefined): boolean => {
    if (!origin) return false;
    if (isWildcard(host)) return hostHeader !== undefined && origin === `http://${hostHeader}`;
    const names = loopbackNames.has(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [formatHost(host)];
    return names.some((name) => origin === `http://${name}:${port}`);
  };

  server.on('request', (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname === BRIDGE_PATH) {
      // A page whose socket keeps failing asks here whether its token is merely early or no longer valid (the host
      // was restarted), so it can say "this link has expired" instead of reconnecting forever.
      const given = new URL(req.url ?? '/', 'http://host.invalid').searchParams.get('token');
      const valid = tokenMatches(token, given);
      res.writeHead(valid ? 204 : 401, { 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(valid || req.method === 'HEAD' ? undefined : 'This page link has expired or is wrong.\n');
      return;
    }
    const hostHeader = req.headers.host && /^[A-Za-z0-9.[\]:-]{1,300}$/.test(req.headers.host) ? req.headers.host : null;
    const wsOrigins = isWildcard(host)
      ? hostHeader
        ? `ws://${hostHeader}`
        : ''
      : // Chromium rejects IPv6 literals in CSP sources; 'self' still covers a page opened at [::1].
        (loopbackNames.has(host) ? ['127.0.0.1', 'localhost'] : host.includes(':') ? [] : [host])
          .map((name) => `ws://${name}:${port}`)
          .join(' ');
    serveStatic(req, res, { root: rendererDir, csp: webContentSecurityPolicy(wsOrigins) });
  });

  server.on('upgrade', (req, socket: Socket, head) => {
    const url = new URL(req.url ?? '/', 'http://host.invalid');
    if (url.pathname !== BRIDGE_PATH) return refuseUpgrade(socket, 404, 'Not Found', 'no such socket');
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      log('web host: refused a bridge connection with a wrong or missing token');
      return refuseUpgrade(socket, 401, 'Unauthorized', 'the bridge token is wrong or missing');
    }
    if (!allowedOrigin(req.headers.origin, req.headers.host)) {
      log(`web host: refused a bridge connection from origin ${String(req.headers.origin)}`);
      return refuseUpgrade(socket, 403, 'Forbidden', 'the bridge only accepts its own page');
    }
    wss.handleUpgrade(req, socket, head, (ws) => onBridgeSocket(ws));
  });

  const onBridgeSocket = (ws: WebSocket) => {
    sockets.add(ws);
    let alive = true;
    ws.on('pong', () => {
      alive = true;
    });
    const heartbeat = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    ws.on('close', () => {
      clearInterval(heartbeat);
      sockets.delete(ws);
    });
    ws.on('error', (error) => log(`web host: bridge socket error: ${error.message}`));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send(ws, { kind: 'result', id: -1, result: fail('invalid-argument', 'bridge frames are JSON text') });
        return;
      }
      void handleFrame(ws, data.toString());
    });
  };

  const handleFrame = async (ws: WebSocket, text: string) => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      send(ws, { kind: 'result', id: -1, result: fail('invalid-argument', 'bridge frame is not valid JSON') });
      return;
    }
    const parsed = WebBridgeRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const id = readNumericId(raw);
      send(ws, { kind: 'result', id, result: fail('invalid-argument', `bad bridge frame: ${describeZodError(parsed.error)}`) });
      return;
    }
    const { id, channel, args } = parsed.data;
    if (!isBridgeChannel(channel)) {
      send(ws, { kind: 'result', id, result: fail('invalid-argument', `there is no command "${channel}"`) });
      return;
    }
    let result: Result<unknown>;
    try {
      result = await bridge.invoke(channel, args);
    } catch (error) {
      // The core promises never to throw; if it does, the page still gets an answer.
      log(`web host: ${channel} threw: ${error instanceof Error ? error.message : String(error)}`);
      result = fail('internal', 'Something went wrong in the local Baton host.');
    }
    send(ws, { kind: 'result', id, result });
  };

  const unsubscribe = client.subscribe((event: ClientEvent) => {
    const text = JSON.stringify({ kind: 'event', event } satisfies WebBridgeMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    unsubscribe();
    await client.dispose();
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  const pageHost = isWildcard(host) ? '127.0.0.1' : formatHost(host);
  const url = `http://${pageHost}:${port}/?token=${token}`;

  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      unsubscribe();
      for (const ws of sockets) ws.close(1001, 'Baton host is shutting down');
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.dispose();
    })();
    return closed;
  };

  if (signIn && firstOutcome) {
    // A wrong password or another protocol will not heal by waiting: say so and stop. An unreachable relay will:
    // the page opens on the account's cache (History, search, the outbox) and signs in when the relay answers.
    const outcome = await firstOutcome;
    if (outcome.status === 'auth-failed' || outcome.status === 'version-mismatch') {
      await close();
      throw new Error(`Could not sign in as ${signIn.user} at ${signIn.relayUrl}: ${outcome.message}`);
    }
    if (outcome.status === 'offline') log(`web host: ${outcome.message} Baton opens on ${signIn.user}'s cache and signs in when the relay is back.`);
  }

  log(`web host: serving ${rendererDir} at http://${pageHost}:${port}/`);
  return { url, port, close };
}

/** Resolves with how the first connection attempt ended: online, refused (auth, version) or out of reach. */
function firstLinkOutcome(client: BridgeHandler): Promise<{ status: 'online' | 'offline' | 'auth-failed' | 'version-mismatch'; message: string }> {
  return new Promise((resolve) => {
    const stop = client.subscribe((event) => {
      if (event.type !== 'connection') return;
      const state = event.connection;
      if (state.status === 'online') resolve({ status: 'online', message: '' });
      else if (state.status === 'offline') resolve({ status: 'offline', message: state.message ?? state.reason });
      else if (state.status === 'auth-failed' || state.status === 'version-mismatch') resolve({ status: state.status, message: state.message });
      else return;
      stop();
    });
  });
}

/** The relay given at start (`--relay`) is what the sign-in screen shows, over whatever the cache remembers. */
export function withRelayPrefill(handler: BridgeHandler, relayUrl: string | null): BridgeHandler {
  if (!relayUrl) return handler;
  return {
    subscribe: (listener) => handler.subscribe(listener),
    invoke: async (channel, args) => {
      const result = await handler.invoke(channel, args);
      if (channel === 'auth:saved' && result.ok && isRecord(result.value)) {
        return { ok: true, value: { ...result.value, relayUrl } };
      }
      return result;
    },
  };
}

function send(ws: WebSocket, message: WebBridgeMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function tokenMatches(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuseUpgrade(socket: Socket, status: number, statusText: string, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function readNumericId(raw: unknown): number {
  const id = isRecord(raw) ? raw.id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
