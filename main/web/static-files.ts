// Serving the built renderer over HTTP for web mode: path resolution that cannot leave the renderer folder,
// content types, and the security headers every response carries.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeOf } from '../../common/content-types';


export function contentTypeFor(filePath: string): string {
  return contentTypeOf(filePath) ?? 'application/octet-stream';
}

/**
 * The page may load only its own scripts and styles and talk only to its own host (the bridge socket).
 * `ws:` is listed besides 'self' because older Chromium builds do not count same-host ws: as 'self'.
 */
export function webContentSecurityPolicy(wsOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    // the attention sounds (built into assets/)
    "media-src 'self'",
    "font-src 'self'",
    `connect-src 'self' ${wsOrigin}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Maps a request path to a file inside `root`, or null when it would leave it (`..`, encoded slashes,
 * NUL bytes, absolute paths, symlinks pointing outside).
 */
export function resolveStaticPath(root: string, requestPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.split('/').some((part) => part === '..')) return null;
  const rootReal = realpathOrNull(root);
  if (!rootReal) return null;
  const candidate = path.resolve(rootReal, relative);
  if (!isInside(rootReal, candidate)) return null;
  const real = realpathOrNull(candidate);
  if (!real || !isInside(rootReal, real)) return null;
  return real;
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

/**
 * Before the bridge token is checked, only the page and the assets it loads are served: no source maps (they would
 * hand out the renderer's source to anyone who can reach the port) and nothing else that lands in the build folder.
 */
export function isPublicPath(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (decoded === '/' || decoded === '/index.html' || decoded === '/favicon.svg') return true;
  return decoded.startsWith('/assets/') && !/\.map$/i.test(decoded);
}

export interface StaticOptions {
  root: string;
  csp: string;
}

/** Answers GET/HEAD for the renderer's files; everything else is 404/405 with the same headers. */
export function serveStatic(req: IncomingMessage, res: ServerResponse, options: StaticOptions): void {
  const baseHeaders: Record<string, string> = {
    'Content-Security-Policy': options.csp,
    'X-Content-Type-Options': 'nosniff',
    // The page URL carries the bridge token: never send it on to anyone in a Referer.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  const reply = (status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(405, 'Method not allowed', { Allow: 'GET, HEAD' });
    return;
  }
  const pathname = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
  const filePath = isPublicPath(pathname) ? resolveStaticPath(options.root, pathname) : null;
  if (!filePath) {
    reply(404, 'Not found');
    return;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch {
    reply(404, 'Not found');
    return;
  }
  if (!stat.isFile()) {
    reply(404, 'Not found');
    return;
  }
  const isHtml = filePath.endsWith('.html');
  const isHashedAsset = pathname.startsWith('/assets/');
  res.writeHead(200, {
    ...baseHeaders,
    'Content-Type': contentTypeFor(filePath),
    'Content-Length': String(stat.size),
    // Vite's hashed assets never change under one name; everything else (the HTML naming them) stays fresh.
    'Cache-Control': isHashedAsset && !isHtml ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = fs.createReadStream(filePath);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
