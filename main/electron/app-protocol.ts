// The app's own origin, baton://app/: serves the built renderer from disk with the Content-Security-Policy
// attached to every response, so the page never runs from file:// (which has no headers and a shared origin).
import fs from 'node:fs';
import path from 'node:path';
import { protocol, type Session } from 'electron';
import { contentTypeOf } from '../../common/content-types';

export const APP_SCHEME = 'baton';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Only the app's own scripts and styles; no network at all (the renderer talks to the main process through
 * `window.baton`, never to the relay); no plugins, frames, forms or <base>.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  // the attention sounds are the app's own files
  "media-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "object-src 'none'",
].join('; ');

/** True only for a parsed URL on the app's own origin; anything unparsable is foreign. */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Must run before the app is ready: a standard, secure scheme gets a real origin for 'self' and storage. */
export function registerAppSchemeAsPrivileged(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}


/** Maps a baton://app/ URL to a file inside `rendererDir`, or null when it would leave it. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  if (relative.split('/').includes('..')) return null;
  const root = path.resolve(rendererDir);
  const candidate = path.resolve(root, relative);
  const rel = path.relative(root, candidate);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return candidate;
}

const registered = new WeakSet<Session>();

/** Serves the renderer on the session once; later windows of the same session reuse it. */
export function registerAppProtocol(session: Session, rendererDir: string): void {
  if (registered.has(session)) return;
  registered.add(session);
  session.protocol.handle(APP_SCHEME, async (request) => {
    const headers = {
      'Content-Security-Policy': APP_CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    };
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404, headers });
    try {
      const body = await fs.promises.readFile(file);
      const type = contentTypeOf(file) ?? 'application/octet-stream';
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': type } });
    } catch {
      return new Response('Not found', { status: 404, headers });
    }
  });
}
