// A small stand-in for the `electron` module (which cannot run here): records what the shell asks of it so tests
// can assert on window options, handlers, notifications, the keychain and the tray.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Handler = (...args: never[]) => unknown;

export class FakeSession {
  protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  permissionRequestHandler: Handler | null = null;
  permissionCheckHandler: Handler | null = null;
  protocol = {
    handle: (scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
      if (this.protocolHandlers.has(scheme)) throw new Error(`scheme ${scheme} is already handled`);
      this.protocolHandlers.set(scheme, handler);
    },
  };
  setPermissionRequestHandler(handler: Handler | null) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Handler | null) {
    this.permissionCheckHandler = handler;
  }
}

export class FakeWebContents extends EventEmitter {
  session: FakeSession;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  sent: Array<{ channel: string; payload: unknown }> = [];
  url = '';
  constructor(session: FakeSession) {
    super();
    this.session = session;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
  isDestroyed() {
    return this.destroyed;
  }
  getURL() {
    return this.url;
  }
  /** Emits like Electron does for navigation events: returns whether the listener prevented it. */
  navigate(eventName: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(eventName, { preventDefault: () => {
        prevented = true;
      }, url }, url);
    return prevented;
  }
}

export const defaultSession = new FakeSession();

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  options: Record<string, unknown>;
  webContents: FakeWebContents;
  loadedUrl: string | null = null;
  destroyed = false;
  overlay: { image: unknown; description: string } | null = null;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents(defaultSession);
    BrowserWindow.instances.push(this);
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
    this.webContents.url = url;
  }
  show() {}
  focus() {}
  isDestroyed() {
    return this.destroyed;
  }
  setOverlayIcon(image: unknown, description: string) {
    this.overlay = image ? { image, description } : null;
  }
}

export const shell = { openExternal: vi.fn(async (_url: string) => {}) };

export const protocol = { registerSchemesAsPrivileged: vi.fn() };

export const ipcMain = {
  handlers: new Map<string, (event: unknown, args: unknown) => Promise<unknown>>(),
  handle(channel: string, handler: (event: unknown, args: unknown) => Promise<unknown>) {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  },
};

export type FakeActivation = { type: string; arguments: string; actionIndex?: number };

export class Notification extends EventEmitter {
  static instances: Notification[] = [];
  static supported = true;
  /** the callback of Notification.handleActivation (Windows, Electron ≥ 42); tests call it as Windows would */
  static activationHandler: ((details: FakeActivation) => void) | null = null;
  static isSupported() {
    return Notification.supported;
  }
  static handleActivation(callback: (details: FakeActivation) => void) {
    Notification.activationHandler = callback;
  }
  /** What Windows reports for a press on this toast, live or in the Action Center: Electron's arguments format. */
  static activate(notification: Notification, type: 'click' | 'action', actionIndex?: number) {
    const tag = String(notification.options.id);
    const args = `type=${type}${actionIndex === undefined ? '' : `&action=${actionIndex}`}&tag=${encodeURIComponent(tag)}`;
    Notification.activationHandler?.({ type, arguments: args, ...(actionIndex === undefined ? {} : { actionIndex }) });
  }
  options: Record<string, unknown>;
  shown = false;
  closed = false;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    Notification.instances.push(this);
  }
  show() {
    this.shown = true;
  }
  close() {
    this.closed = true;
  }
}

/** A reversible scramble standing in for the OS keychain; the tests only need "not the plain text". */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  isEncryptionAvailable() {
    return this.available;
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
  encryptString(plain: string) {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.from(`sealed:${Buffer.from(plain, 'utf8').reverse().toString('hex')}`, 'utf8');
  },
  decryptString(sealed: Buffer) {
    const text = sealed.toString('utf8');
    if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice('sealed:'.length), 'hex').reverse().toString('utf8');
  },
};

export const app = {
  badgeCount: 0,
  setBadgeCount(count: number) {
    this.badgeCount = count;
    return true;
  },
};

export type MenuItem = {
  label?: string;
  role?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  submenu?: MenuItem[];
  /** Electron passes the item; the tray ignores it */
  click?: (item?: MenuItem) => void;
};
export const Menu = {
  applicationMenu: null as MenuItem[] | null,
  buildFromTemplate: (template: MenuItem[]) => template,
  setApplicationMenu(menu: MenuItem[] | null) {
    Menu.applicationMenu = menu;
  },
};

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  menu: MenuItem[] = [];
  tooltip = '';
  destroyed = false;
  constructor(public image: unknown) {
    super();
    Tray.instances.push(this);
  }
  setContextMenu(menu: MenuItem[]) {
    this.menu = menu;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  destroy() {
    this.destroyed = true;
  }
}

export const nativeImage = { createFromPath: (p: string) => ({ path: p }) };

export const contextBridge = { exposeInMainWorld: vi.fn() };

export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: vi.fn(async (_channel: string, _args: unknown): Promise<unknown> => ({ ok: true, value: null })),
});
