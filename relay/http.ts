// The relay's HTTP: the customer routes (relay/customer-http.ts: chat page, widget, rating, offline form), chat
// attachments, and the operations endpoints: /health (alive), /ready (takes traffic) and /metrics (Prometheus; on its own port or behind a
// bearer token, off by default).
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { type CustomerHttp, serveCustomer } from './customer-http';
import type { Log } from './ports';

/** What the operations endpoints answer with. */
export interface OpsEndpoints {
  health(): Promise<{ ok: boolean; body: object }>;
  ready(): Promise<{ ok: boolean; body: object }>;
  metrics(): Promise<{ contentType: string; text: string }>;
}

export interface HttpRoutes {
  ops: OpsEndpoints;
  /** /metrics here: not at all, to anyone who can reach the port, or only with `Authorization: Bearer <token>` */
  metrics: 'off' | 'open' | { token: string };
  /** the customer page, widget and rating; absent on the metrics port */
  customer?: CustomerHttp;
  /** the topics a customer may pick before a chat (GET /chat/teams); absent on the metrics port */
  teams?: () => readonly { id: string; name: string }[];
  /** uploads into a chat and downloads of its files (relay/attachments.ts); absent on the metrics port */
  attachments?: (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => Promise<boolean>;
  log: Log;
}

/** One HTTP handler for the relay's public port and its metrics port. */
export function httpHandler(routes: HttpRoutes): http.RequestListener {
  return (req, res) => {
    answer(routes, req, res).catch((error: unknown) => {
      routes.log({ event: 'internal-error', where: 'http', error: String(error) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  };
}

async function answer(routes: HttpRoutes, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://relay');
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (reading && (url.pathname === '/health' || url.pathname === '/ready')) {
    const { ok, body } = await (url.pathname === '/health' ? routes.ops.health() : routes.ops.ready());
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    return;
  }
  if (reading && url.pathname === '/metrics' && routes.metrics !== 'off') {
    if (typeof routes.metrics === 'object' && !bearerMatches(req.headers.authorization, routes.metrics.token)) {
      routes.log({ event: 'metrics-refused', remote: req.socket.remoteAddress ?? 'unknown' });
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="baton-metrics"' });
      res.end('send the metrics token as Authorization: Bearer <token>\n');
      return;
    }
    const { contentType, text } = await routes.ops.metrics();
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
    return;
  }
  if (reading && routes.teams && url.pathname === '/chat/teams') {
    // the teams' ids and names, nothing about who is in them
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(routes.teams()));
    return;
  }
  if (routes.attachments && (await routes.attachments(req, res, url.pathname))) return;
  if (routes.customer && (await serveCustomer(routes.customer, url, req, res))) return;
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}

/** Compares digests, so the time taken says nothing about how much of the token was right. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!given) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
