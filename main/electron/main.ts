// The desktop app's lifecycle: single instance, the client core with a keychain-backed vault, a local demo relay
// when none is configured, the secure main window with remembered bounds, IPC, notifications and tray.
import path from 'node:path';
import { app, type BrowserWindow, dialog, ipcMain, screen } from 'electron';
import type { BridgeChannel, ClientEvent } from '../../common/bridge';
import { createAgentClient } from '../client';
import { registerAppSchemeAsPrivileged } from './app-protocol';
import { registerBridgeIpc, sendToWindow, withRelayDefault } from './ipc';
import { createNotifier } from './notifier';
import { createTray } from './tray';
import { createSafeStorageVault } from './vault';
import { createSecureWindow } from './window';
import { loadWindowState, saveWindowState } from './window-state';

/** The bundled demo relay's preferred port; BATON_DEMO_RELAY_PORT=0 lets tests take any free one. */
const DEMO_RELAY_PORT = /^\d{1,5}$/.test(process.env.BATON_DEMO_RELAY_PORT ?? '') ? Number(process.env.BATON_DEMO_RELAY_PORT) : 7420;

const log = (message: string) => console.log(`[baton] ${message}`);

// Must happen before `ready`: gives the page the baton://app origin.
registerAppSchemeAsPrivileged();

if (!app.requestSingleInstanceLock()) {
  // Another Baton is running; it focuses its window on the `second-instance` event.
  app.quit();
} else {
  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      dialog.showErrorBox('Baton could not start', message);
      app.exit(1);
    });
}

async function start(): Promise<void> {
  if (process.platform === 'win32') app.setAppUserModelId('app.baton.desktop');
  const userData = app.getPath('userData');
  const appRoot = app.getAppPath();
  const rendererDir = path.join(appRoot, 'dist', 'renderer');
  const preloadPath = path.join(appRoot, 'dist', 'electron', 'preload.cjs');
  const assets = path.join(appRoot, 'assets');

  const client = createAgentClient({
    dataDir: userData,
    vault: createSafeStorageVault(userData, { log }),
    log: (entry) => log(JSON.stringify(entry)),
  });
  await client.start();

  // First run (nothing configured): bring up the bundled relay with demo accounts so Baton works out of the box.
  let relay: { wsUrl: string; close(): Promise<void> } | null = null;
  const saved = await client.invoke('auth:saved', {});
  const savedRelay = saved.ok ? (saved.value as { relayUrl: string | null }).relayUrl : null;
  if (!savedRelay) {
    const { startRelay } = await import('../../relay/server');
    const relayDir = path.join(userData, 'relay');
    try {
      relay = await startRelay({ dataDir: relayDir, port: DEMO_RELAY_PORT, demo: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error;
      relay = await startRelay({ dataDir: relayDir, port: 0, demo: true });
    }
    log(`started the local demo relay at ${relay.wsUrl}`);
  }
  const bridge = withRelayDefault(client, relay?.wsUrl ?? null);

  let mainWindow: BrowserWindow | null = null;
  let quitting = false;

  const workAreas = () => screen.getAllDisplays().map((display) => display.workArea);
  const openMainWindow = (): BrowserWindow => {
    const state = loadWindowState(userData, workAreas());
    const window = createSecureWindow({
      preloadPath,
      rendererDir,
      bounds: state ? { x: state.x, y: state.y, width: state.width, height: state.height } : undefined,
      log,
    });
    if (state?.maximized) window.maximize();
    const remember = () => {
      if (window.isDestroyed() || window.isMinimized()) return;
      saveWindowState(userData, { ...window.getNormalBounds(), maximized: window.isMaximized() });
    };
    window.on('close', (event) => {
      remember();
      // Closing hides to the tray: offers still arrive as notifications. Quit is in the tray and app menus.
      if (!quitting) {
        event.preventDefault();
        window.hide();
      }
    });
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    return window;
  };
  const showWindow = () => {
    mainWindow ??= openMainWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };
  const emitToPage = (event: ClientEvent) => sendToWindow(mainWindow, event);

  const disposeIpc = registerBridgeIpc({ ipcMain, handler: bridge, log });
  const notifier = createNotifier({
    platform: process.platform,
    invoke: (channel: BridgeChannel, args: unknown) => client.invoke(channel, args),
    focusSession: (sessionId) => {
      showWindow();
      emitToPage({ type: 'focus-session', sessionId });
    },
    iconPath: path.join(assets, 'icon.png'),
    log,
  });
  const tray = createTray({
    platform: process.platform,
    trayIconPath: path.join(assets, 'tray.png'),
    overlayIconPath: path.join(assets, 'badge.png'),
    getWindow: () => mainWindow,
    showWindow,
    setStatus: (status) => {
      void client.invoke('agent:setStatus', { status }).then((result) => {
        if (!result.ok) log(`tray: could not set status: ${result.error.message}`);
      });
    },
    quit: () => app.quit(),
  });
  const unsubscribe = client.subscribe((event) => {
    emitToPage(event);
    notifier.handle(event);
    tray.handle(event);
  });

  mainWindow = openMainWindow();

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('window-all-closed', () => {
    // Stay alive in the tray; the app ends through Quit.
  });

  let shutDown = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (shutDown) return;
    // Finish the cleanup (flush the cache, close the relay) before the process exits.
    event.preventDefault();
    shutDown = true;
    void (async () => {
      unsubscribe();
      disposeIpc();
      notifier.dispose();
      tray.dispose();
      await client.dispose().catch(() => {});
      await relay?.close().catch(() => {});
      app.quit();
    })();
  });
}
