// Test helpers for web mode: a throwaway renderer folder, raw HTTP requests, and a `ws` client standing in for the
// browser page on the bridge socket.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { ClientEvent, WebBridgeMessage } from '../../common/bridge';
import type { Result } from '../../common/result';

export function tempDir(): string {
  return fs.mkdtempSync(`${os.tmpdir()}/baton-`);
}

/** A renderer folder with a page and an asset, next to a secret that must never be served. */
export function makeRendererDir(): { root: string; rendererDir: string } {
  const root = tempDir();
  const rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Baton</title><script type="module" src="/assets/index-abc123.js"></script>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'index-abc123.js'), 'console.log("baton")');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'index-abc123.css'), 'body{margin:0}');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'index-abc123.js.map'), '{"sources":["SOURCE-MAP-CONTENT"]}');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'chime-abc123.wav'), 'RIFF');
  fs.writeFileSync(path.join(rendererDir, 'stats.html'), 'BUILD-REPORT');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(rendererDir, 'escape.txt'));
  return { root, rendererDir };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET with the path sent byte for byte (no client-side normalisation of `..`). */
export function rawRequest(port: number, rawPath: string, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export type BridgeAttempt = { ok: true; page: BridgePage } | { ok: false; status: number };

/** Opens the bridge socket like the page would; resolves with the HTTP status when the upgrade is refused. */
export function openBridge(url: string, origin: string | undefined): Promise<BridgeAttempt> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ ok: true, page: new BridgePage(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

/** The bridge socket from a page's point of view: invoke by id, and every event received. */
export class BridgePage {
  readonly events: ClientEvent[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (result: Result<unknown>) => void>();
  private readonly eventWaiters: Array<{ match: (event: ClientEvent) => boolean; resolve: (event: ClientEvent) => void }> = [];
  readonly unmatchedResults: Array<{ id: number; result: Result<unknown> }> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as WebBridgeMessage;
      if (message.kind === 'result') {
        const resolve = this.waiting.get(message.id);
        if (resolve) {
          this.waiting.delete(message.id);
          resolve(message.result);
        } else this.unmatchedResults.push({ id: message.id, result: message.result });
      } else {
        this.events.push(message.event);
        for (const waiter of [...this.eventWaiters]) {
          if (waiter.match(message.event)) {
            this.eventWaiters.splice(this.eventWaiters.indexOf(waiter), 1);
            waiter.resolve(message.event);
          }
        }
      }
    });
  }

  invoke(channel: string, args: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ kind: 'invoke', id, channel, args }));
    });
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Resolves with the first event (already received from index `from` on, or still to come) that matches. */
  waitForEvent(match: (event: ClientEvent) => boolean, from = 0): Promise<ClientEvent> {
    const seen = this.events.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.eventWaiters.push({ match, resolve }));
  }

  close(): void {
    this.ws.close();
  }
}

export const originOf = (pageUrl: string) => new URL(pageUrl).origin;
export const bridgeUrlOf = (pageUrl: string, token?: string | null) => {
  const url = new URL(pageUrl);
  const t = token === undefined ? url.searchParams.get('token') : token;
  return `ws://${url.host}/bridge${t === null ? '' : `?token=${encodeURIComponent(t ?? '')}`}`;
};
