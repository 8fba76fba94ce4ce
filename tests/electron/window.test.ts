// The one window factory: isolation settings, the CSP on the app's own origin, navigation, pop-ups, external links
// and permissions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import { APP_ENTRY_URL, isAppUrl, resolveAppFile } from '../../main/electron/app-protocol';
import { createSecureWindow, openExternalSafely } from '../../main/electron/window';
import { BrowserWindow, defaultSession, shell } from './fake-electron';

let rendererDir: string;
let win: BrowserWindow;

beforeAll(() => {
  const root = fs.mkdtempSync(`${os.tmpdir()}/baton-`);
  rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Baton</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'top secret');
  createSecureWindow({ preloadPath: '/app/dist/electron/preload.cjs', rendererDir });
  win = BrowserWindow.instances.at(-1)!;
});

beforeEach(() => {
  shell.openExternal.mockClear();
});

describe('every window', () => {
  it('is isolated, sandboxed, without Node, with web security and the preload', () => {
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/electron/preload.cjs',
    });
  });

  it('loads the app page from its own origin, not file://', () => {
    expect(win.loadedUrl).toBe(APP_ENTRY_URL);
    expect(isAppUrl(win.loadedUrl)).toBe(true);
  });

  it('serves every app response with a strict Content-Security-Policy', async () => {
    const handler = defaultSession.protocolHandlers.get('baton')!;
    const page = await handler(new Request('baton://app/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
    const script = await handler(new Request('baton://app/assets/app.js'));
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('content-security-policy')).toBe(csp);
  });

  it('refuses app URLs that try to leave the renderer folder', async () => {
    const handler = defaultSession.protocolHandlers.get('baton')!;
    for (const url of ['baton://app/..%2fsecret.txt', 'baton://app/assets/..%2f..%2fsecret.txt', 'baton://app/%2e%2e/secret.txt']) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('top secret');
    }
    expect(resolveAppFile(rendererDir, 'baton://other/index.html')).toBeNull();
    expect(resolveAppFile(rendererDir, 'https://app/index.html')).toBeNull();
  });

  it('stays on its own page: foreign navigation and redirects are prevented', () => {
    expect(win.webContents.navigate('will-navigate', 'baton://app/index.html')).toBe(false);
    expect(win.webContents.navigate('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(win.webContents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(win.webContents.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(win.webContents.navigate('will-redirect', 'baton://app/index.html')).toBe(false);
  });

  it('a clicked http(s) link opens in the browser, other schemes nowhere', () => {
    win.webContents.navigate('will-navigate', 'https://example.com/help');
    win.webContents.navigate('will-navigate', 'javascript:alert(1)');
    win.webContents.navigate('will-navigate', 'file:///etc/passwd');
    expect(shell.openExternal.mock.calls.map((call) => call[0])).toEqual(['https://example.com/help']);
  });

  it('denies every window.open, passing only http(s) links to the browser', () => {
    const open = win.webContents.windowOpenHandler!;
    for (const url of ['https://example.com/a', 'http://example.com/b', 'javascript:alert(1)', 'file:///C:/x', 'data:text/html,hi', 'baton://app/index.html', 'not a url']) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal.mock.calls.map((call) => call[0])).toEqual(['https://example.com/a', 'http://example.com/b']);
  });

  it('attaching a <webview> is prevented', () => {
    let prevented = false;
    win.webContents.emit('will-attach-webview', { preventDefault: () => {
        prevented = true;
      } });
    expect(prevented).toBe(true);
  });

  it('grants notifications to the app page and nothing else', () => {
    const request = defaultSession.permissionRequestHandler as unknown as (
      wc: { getURL(): string },
      permission: string,
      callback: (granted: boolean) => void,
    ) => void;
    const decide = (url: string, permission: string) => {
      let granted: boolean | null = null;
      request({ getURL: () => url }, permission, (g) => {
        granted = g;
      });
      return granted;
    };
    expect(decide('baton://app/index.html', 'notifications')).toBe(true);
    expect(decide('https://evil.example/', 'notifications')).toBe(false);
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(decide('baton://app/index.html', permission), permission).toBe(false);
    }
    const check = defaultSession.permissionCheckHandler as unknown as (wc: unknown, permission: string, origin: string) => boolean;
    expect(check(null, 'notifications', 'baton://app')).toBe(true);
    expect(check(null, 'media', 'baton://app')).toBe(false);
  });
});

describe('openExternalSafely', () => {
  it('opens only parsed http: and https: URLs', () => {
    expect(openExternalSafely('https://example.com/x?y=1')).toBe(true);
    expect(openExternalSafely('HTTP://EXAMPLE.COM')).toBe(true);
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,<script>1</script>', 'smb://host/share', 'ms-msdt:/id', '//example.com', '']) {
      expect(openExternalSafely(url), url).toBe(false);
    }
    expect(shell.openExternal.mock.calls.map((call) => call[0])).toEqual(['https://example.com/x?y=1', 'http://example.com/']);
  });
});
