// The relay's HTTP for customers: the chat page (built by Vite into a folder: vite.customer.config.ts) under /chat,
// the website widget's launcher at /widget.js, the page's settings, the rating it posts when a chat has ended, and the
// offline form's message.
// The page may be framed only by the websites the operator allowed (--widget-origin): frame-ancestors says so.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentTypeOf } from '../common/content-types';
import {
  describeZodError,
  OFFLINE_PATH,
  type OfflineMessage,
  OfflineMessageSchema,
  RATING_PATH,
  type RatingSubmission,
  RatingSubmissionSchema,
} from '../common/protocol';
import type { z } from 'zod';
import type { Result } from '../common/result';
import { type Topic, WIDGET_SETTINGS_PATH, type WidgetSettings } from '../common/widget-settings';

/** The operator's settings for the page and widget (relay/config.ts: widget*). */
export interface WidgetOptions {
  /** websites that may embed the page; none: it cannot be framed at all */
  origins: string[];
  title?: string;
  greeting?: string;
  colour?: string;
  emailRequired?: boolean;
  topics?: string[];
  /** when nobody is Present, offer the offline form instead of a place in the queue */
  offlineForm?: boolean;
  offlineReply?: string;
  /** "mon-fri 09:00-17:00": outside them the offline form is offered (relay/opening-hours.ts) */
  openingHours?: string;
  timeZone?: string;
}

export interface CustomerHttp {
  pageDir: string;
  /** frame-ancestors */
  widgetOrigins: string[];
  settings(): Promise<WidgetSettings>;
  rate(submission: RatingSubmission): Promise<Result<unknown>>;
  offline(message: OfflineMessage): Promise<Result<{ requestId: string }>>;
}

/**
 * The pre-chat topics: the operator's (--widget-topic), each routed to the team it names (by id or name, in any
 * case) or to any agent; with none configured, the relay's teams themselves.
 */
export function topicsFor(configured: readonly string[] | undefined, teams: readonly { id: string; name: string }[]): Topic[] {
  if (!configured?.length) return teams.map((team) => ({ name: team.name, team: team.id }));
  return configured.map((name) => {
    const wanted = name.trim().toLowerCase();
    const team = teams.find((t) => t.id === wanted || t.name.trim().toLowerCase() === wanted);
    return { name, team: team?.id ?? null };
  });
}

/** What marks a folder as a built page (the build writes it, with the sizes). */
const BUILT_MARK = 'build.json';

/**
 * Where the built page is: beside the relay's module in a bundle (dist/relay/customer-page), or the Vite output
 * (dist/customer-page) when the relay runs from its sources.
 */
export function defaultCustomerPageDir(): string {
  const candidates = [new URL('./customer-page/', import.meta.url), new URL('../dist/customer-page/', import.meta.url)].map((u) =>
    fileURLToPath(u),
  );
  return candidates.find((dir) => fs.existsSync(path.join(dir, BUILT_MARK))) ?? candidates[1]!;
}

/** The page may load only its own files, talk only to this relay, and be framed only by the allowed websites. */
export function customerPageCsp(hostHeader: string | undefined, widgetOrigins: readonly string[] = []): string {
  const host = hostHeader && /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(hostHeader) ? hostHeader : null;
  const connect = ["'self'", ...(host ? [`ws://${host}`, `wss://${host}`] : [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${widgetOrigins.length ? widgetOrigins.join(' ') : "'none'"}`,
  ].join('; ');
}

const MAX_BODY_BYTES = 8 * 1024;

/** Answers the customer routes; false when the path is none of them. */
export async function serveCustomer(
  customer: CustomerHttp,
  url: URL,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<boolean> {
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (req.method === 'POST' && url.pathname === RATING_PATH) {
    return posted(req, res, RatingSubmissionSchema, async (rating) => {
      const done = await customer.rate(rating);
      if (!done.ok) return answerJson(res, statusOf(done.error.code), done.error);
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return true;
    });
  }
  if (req.method === 'POST' && url.pathname === OFFLINE_PATH) {
    return posted(req, res, OfflineMessageSchema, async (message) => {
      const done = await customer.offline(message);
      return done.ok ? answerJson(res, 201, done.value) : answerJson(res, statusOf(done.error.code), done.error);
    });
  }
  if (!reading) return false;
  if (url.pathname === WIDGET_SETTINGS_PATH) {
    answerJson(res, 200, await customer.settings());
    return true;
  }
  if (url.pathname === '/widget.js') return serveFile(customer, 'widget.js', req, res, 'widget');
  let relative: string;
  if (url.pathname === '/chat' || url.pathname === '/chat/') relative = 'index.html';
  else if (url.pathname.startsWith('/chat/')) relative = decodeURIComponentSafe(url.pathname.slice('/chat/'.length));
  else return false;
  return serveFile(customer, relative, req, res, 'page');
}

function serveFile(
  customer: CustomerHttp,
  relative: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  kind: 'page' | 'widget',
): true {
  // only plain names below the page folder: no "..", no hidden files, no absolute paths
  const safe = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(relative) && relative !== BUILT_MARK;
  const root = path.resolve(customer.pageDir);
  const file = path.resolve(root, relative);
  const type = contentTypeOf(file);
  if (!safe || !type || !file.startsWith(root + path.sep)) return notFound(res, 'not found\n');
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    return notFound(res, relative === 'index.html' ? 'the customer chat page is not built: run npm run build:customer\n' : 'not found\n');
  }
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': type,
    'Content-Length': body.length,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
  if (kind === 'widget') {
    // loaded by other websites' pages
    headers['Cross-Origin-Resource-Policy'] = 'cross-origin';
  } else {
    headers['Content-Security-Policy'] = customerPageCsp(req.headers.host, customer.widgetOrigins);
    headers['Referrer-Policy'] = 'no-referrer';
    // framed by a website, the page is another origin's child: isolating it from its opener would be moot
    if (!customer.widgetOrigins.length) headers['Cross-Origin-Opener-Policy'] = 'same-origin';
  }
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** Reads a JSON body and checks it against its schema, answering 4xx with a sentence when it is not one. */
async function posted<S extends z.ZodType>(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  schema: S,
  handle: (value: z.infer<S>) => Promise<true>,
): Promise<true> {
  const body = await readJson(req);
  if (!body.ok) return answerJson(res, body.status, { code: 'bad-frame', message: body.message });
  const parsed = schema.safeParse(body.value);
  if (!parsed.success) return answerJson(res, 400, { code: 'invalid-argument', message: describeZodError(parsed.error) });
  return handle(parsed.data);
}

function statusOf(code: string): number {
  return code === 'not-found' ? 404 : code === 'unavailable' ? 503 : code === 'internal' ? 500 : 409;
}

function notFound(res: http.ServerResponse, text: string): true {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
  return true;
}

function answerJson(res: http.ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}

async function readJson(
  req: http.IncomingMessage,
): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return { ok: false, status: 415, message: 'Send the body as application/json.' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, message: `The body may be at most ${MAX_BODY_BYTES} bytes.` };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, message: 'The body is not valid JSON.' };
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}
