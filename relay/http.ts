// Serves the customer chat page (static files in relay/customer-page) under /chat with a strict CSP.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { contentTypeOf } from '../common/content-types';


/** The page may load only its own files and talk only to this relay. */
export function customerPageCsp(hostHeader: string | undefined): string {
  const host = hostHeader && /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(hostHeader) ? hostHeader : null;
  const connect = ["'self'", ...(host ? [`ws://${host}`, `wss://${host}`] : [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // blob: is an attachment the page fetched with the chat token (a plain <img src> cannot send it)
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Answers /chat and /chat/<file>; returns false when the path is not the page's. */
export function serveCustomerPage(
  pageDir: string,
  pathname: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): boolean {
  let relative: string;
  if (pathname === '/chat' || pathname === '/chat/') relative = 'index.html';
  else if (pathname.startsWith('/chat/')) relative = decodeURIComponentSafe(pathname.slice('/chat/'.length));
  else return false;
  // only plain names below the page folder: no "..", no hidden files, no absolute paths
  const safe = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(relative);
  const root = path.resolve(pageDir);
  const file = path.resolve(root, relative);
  const type = contentTypeOf(file);
  if (!safe || !type || !file.startsWith(root + path.sep)) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
    return true;
  }
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(relative === 'index.html' ? 'the customer chat page is not installed\n' : 'not found\n');
    return true;
  }
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': body.length,
    'Content-Security-Policy': customerPageCsp(req.headers.host),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}
