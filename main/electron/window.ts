// The one place every Baton window is created: isolation, sandbox, CSP (through the app protocol), navigation
// and pop-up denial, external links only for http(s), and permissions denied except notifications.
import { BrowserWindow, type Rectangle, shell, type WebContents } from 'electron';
import { APP_ENTRY_URL, isAppUrl, registerAppProtocol } from './app-protocol';

export interface SecureWindowOptions {
  preloadPath: string;
  rendererDir: string;
  bounds?: Partial<Rectangle>;
  title?: string;
  /** the window and taskbar icon where the OS takes it from the window (Linux, Windows in development) */
  iconPath?: string;
  /** false: load the page but stay hidden (Baton started at login waits in the tray) */
  showWhenReady?: boolean;
  log?: (message: string) => void;
}

/** The webPreferences every window gets; exported so a test can hold the shell to them. */
export function secureWebPreferences(preloadPath: string): Electron.WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    // a new chat or an offer must be heard while the agent is in another window, before any click in this one
    autoplayPolicy: 'no-user-gesture-required',
  };
}

/** Opens a URL in the user's browser only when it parses as http: or https:. Returns whether it did. */
export function openExternalSafely(url: string, log: (message: string) => void = () => {}): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    log(`refused to open an unparsable link: ${url.slice(0, 200)}`);
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    log(`refused to open a ${parsed.protocol} link`);
    return false;
  }
  void shell.openExternal(parsed.href);
  return true;
}

/** Applies the navigation, pop-up and permission rules to a window's contents. */
export function hardenWebContents(contents: WebContents, log: (message: string) => void = () => {}): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    // A plain link click in the page: the user meant to visit it, in their browser.
    openExternalSafely(url, log);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, log);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((requester, permission, callback) => {
    callback(permission === 'notifications' && isAppUrl(requester.getURL()));
  });
  contents.session.setPermissionCheckHandler((_requester, permission, requestingOrigin) => {
    return permission === 'notifications' && isAppUrl(requestingOrigin);
  });
}

/** Creates a window with every security setting applied and loads the app's own page into it. */
export function createSecureWindow(options: SecureWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    ...options.bounds,
    title: options.title ?? 'Baton',
    show: false,
    backgroundColor: '#f6f7f9',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  registerAppProtocol(window.webContents.session, options.rendererDir);
  hardenWebContents(window.webContents, options.log);
  if (options.showWhenReady !== false) window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
