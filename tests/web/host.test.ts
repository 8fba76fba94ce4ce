// The web-mode host: static files with the right types and headers and no way out of the renderer folder, a
// bridge socket that only its own page with the right token can open, and bad frames answered, not crashed on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../main/web/host';
import { bridgeUrlOf, makeRendererDir, openBridge, originOf, rawRequest, tempDir } from './helpers';

let host: WebHost;

beforeAll(async () => {
  const { rendererDir } = makeRendererDir();
  host = await startWebHost({ dataDir: tempDir(), rendererDir, port: 0, relayUrl: 'ws://127.0.0.1:7420' });
});

afterAll(async () => {
  await host?.close();
});

describe('static files', () => {
  it('the page URL is on loopback and carries a long random token', () => {
    const url = new URL(host.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).toBe(String(host.port));
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('serves the page and its assets with correct content types and a strict CSP', async () => {
    const page = await rawRequest(host.port, '/?token=whatever');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>Baton</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await rawRequest(host.port, '/assets/index-abc123.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await rawRequest(host.port, '/assets/index-abc123.css')).headers['content-type']).toMatch(/^text\/css/);
  });

  it('refuses every way out of the renderer folder', async () => {
    for (const attempt of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/escape.txt',
      '/assets/%00index-abc123.js',
      '/%E0%A4%A',
      '//etc/passwd',
    ]) {
      const response = await rawRequest(host.port, attempt);
      expect(response.status, attempt).toBe(404);
      expect(response.body).not.toContain('TOP-SECRET-CONTENT');
    }
  });

  it('serves nothing but the page and its assets before the token is checked: no source maps', async () => {
    for (const attempt of ['/assets/index-abc123.js.map', '/assets/index-abc123.js.m%61p', '/assets/INDEX-ABC123.JS.MAP', '/stats.html']) {
      const response = await rawRequest(host.port, attempt);
      expect(response.status, attempt).toBe(404);
      expect(response.body).not.toMatch(/SOURCE-MAP-CONTENT|BUILD-REPORT/);
    }
    expect(String((await rawRequest(host.port, '/')).headers['content-security-policy'])).toContain("media-src 'self'");
  });

  it('tells a page whether its token is still the host\'s (204) or has expired (401), and nothing else', async () => {
    const token = new URL(host.url).searchParams.get('token')!;
    const good = await rawRequest(host.port, `/bridge?token=${token}`);
    expect(good.status).toBe(204);
    expect(good.body).toBe('');
    const stale = await rawRequest(host.port, '/bridge?token=from-an-earlier-start');
    expect(stale.status).toBe(401);
    expect(stale.body).toMatch(/expired/);
    expect((await rawRequest(host.port, '/bridge')).status).toBe(401);
  });

  it('answers only GET and HEAD', async () => {
    expect((await rawRequest(host.port, '/', 'POST')).status).toBe(405);
    const head = await rawRequest(host.port, '/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('bridge socket', () => {
  it('refuses a wrong or missing token with 401', async () => {
    const origin = originOf(host.url);
    expect(await openBridge(bridgeUrlOf(host.url, 'not-the-token'), origin)).toEqual({ ok: false, status: 401 });
    expect(await openBridge(bridgeUrlOf(host.url, null), origin)).toEqual({ ok: false, status: 401 });
    const real = new URL(host.url).searchParams.get('token')!;
    // one character off (never the same one: a token ending in "A" would otherwise be the real token)
    const offByOne = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;
    expect(await openBridge(bridgeUrlOf(host.url, offByOne), origin)).toEqual({ ok: false, status: 401 });
  });

  it('refuses a page from a foreign origin even with the right token', async () => {
    expect(await openBridge(bridgeUrlOf(host.url), 'https://evil.example')).toEqual({ ok: false, status: 403 });
    expect(await openBridge(bridgeUrlOf(host.url), `http://127.0.0.1:${host.port + 1}`)).toEqual({ ok: false, status: 403 });
    expect(await openBridge(bridgeUrlOf(host.url), undefined)).toEqual({ ok: false, status: 403 });
  });

  it('accepts its own page (by 127.0.0.1 or localhost) and answers an invoke by id', async () => {
    for (const origin of [originOf(host.url), `http://localhost:${host.port}`]) {
      const attempt = await openBridge(bridgeUrlOf(host.url), origin);
      expect(attempt.ok).toBe(true);
      if (!attempt.ok) continue;
      const saved = await attempt.page.invoke('auth:saved', {});
      // The relay given at start prefills the sign-in screen.
      expect(saved).toEqual({ ok: true, value: { relayUrl: 'ws://127.0.0.1:7420', user: null, hasPassword: false } });
      attempt.page.close();
    }
  });

  it('bad frames get readable invalid-argument answers and the socket stays usable', async () => {
    const attempt = await openBridge(bridgeUrlOf(host.url), originOf(host.url));
    if (!attempt.ok) throw new Error('bridge refused');
    const { page } = attempt;
    const unknown = await page.invoke('fs:readFile', { path: '/etc/passwd' });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) {
      expect(unknown.error.code).toBe('invalid-argument');
      expect(unknown.error.message).toContain('fs:readFile');
    }
    const badArgs = await page.invoke('agent:setStatus', { status: 'at-lunch' });
    expect(badArgs.ok).toBe(false);
    if (!badArgs.ok) {
      expect(badArgs.error.code).toBe('invalid-argument');
      expect(badArgs.error.message).toMatch(/status/);
    }
    page.sendRaw('this is not json');
    page.sendRaw(JSON.stringify({ kind: 'invoke', id: 'seven', channel: 'app:snapshot' }));
    const snapshot = await page.invoke('app:snapshot', {});
    expect(snapshot.ok).toBe(true);
    expect(page.unmatchedResults.map((r) => r.result.ok ? 'ok' : r.result.error.code)).toEqual(['invalid-argument', 'invalid-argument']);
    page.close();
  });
});

describe('start-up errors', () => {
  it('says to build the renderer when it is missing', async () => {
    await expect(startWebHost({ dataDir: tempDir(), rendererDir: tempDir(), port: 0 })).rejects.toThrow(/npm run build:renderer/);
  });

  it('refuses a user without a password', async () => {
    const { rendererDir } = makeRendererDir();
    await expect(
      startWebHost({ dataDir: tempDir(), rendererDir, port: 0, relayUrl: 'ws://127.0.0.1:1', user: 'alice' }),
    ).rejects.toThrow(/password/);
  });
});
