// The desktop app's lifecycle: single instance, the client core with a keychain-backed vault and the Electron build
// of SQLite, a local demo relay when none is configured, the secure main window with remembered bounds, IPC,
// notifications, tray, the application menu, launch at login and updates from the organisation's feed.
import os from 'node:os';
import path from 'node:path';
import { app, type BrowserWindow, dialog, ipcMain, Notification, powerMonitor, screen } from 'electron';
import type { BridgeChannel, ClientEvent } from '../../common/bridge';
import { createAgentClient } from '../client';
import { installAppMenu } from './app-menu';
import { appFiles } from './app-paths';
import { watchSystemIdle } from './idle';
import { registerAppSchemeAsPrivileged } from './app-protocol';
import { registerBridgeIpc, sendToWindow, withRelayDefault } from './ipc';
import { applyOpenAtLogin, loadDesktopSettings, saveDesktopSettings, startedAtLogin } from './login-item';
import { electronSqliteBinding } from './native-sqlite';
import { createNotifier, type Notifier } from './notifier';
import { loadOrganisationConfig, organisationConfigCandidates } from './organisation-config';
import { createTray } from './tray';
import { startUpdates, type Updater } from './updates';
import { createSafeStorageVault } from './vault';
import { createSecureWindow } from './window';
import { loadWindowState, saveWindowState } from './window-state';

/** The bundled demo relay's preferred port; BATON_DEMO_RELAY_PORT=0 lets tests take any free one. */
const DEMO_RELAY_PORT = /^\d{1,5}$/.test(process.env.BATON_DEMO_RELAY_PORT ?? '') ? Number(process.env.BATON_DEMO_RELAY_PORT) : 7420;

const log = (message: string) => console.log(`[baton] ${message}`);

/** What the desktop smoke suite reaches through Playwright's evaluate(); only set in a development build. */
export interface BatonTestHooks {
  notifier: Notifier;
}

// A separate profile (tests, a second account side by side). Before the single-instance lock, which is per profile.
if (process.env.BATON_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.BATON_USER_DATA_DIR));

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
  const files = appFiles(app.getAppPath());

  const sqlite = electronSqliteBinding(app);
  if (!sqlite.ok) {
    // One sentence with the command to run, not a NODE_MODULE_VERSION stack trace from deep inside the cache.
    log(sqlite.message);
    dialog.showErrorBox('Baton could not start', sqlite.message);
    app.exit(1);
    return;
  }

  const client = createAgentClient({
    dataDir: userData,
    vault: createSafeStorageVault(userData, { log }),
    log: (entry) => log(JSON.stringify(entry)),
    sqlite: { nativeBinding: sqlite.nativeBinding, searchThreadPath: files.searchThreadPath },
  });
  await client.start();

  // First run (nothing configured): bring up the bundled relay with demo accounts so Baton works out of the box.
  let relay: { wsUrl: string; close(): Promise<void> } | null = null;
  const saved = await client.invoke('auth:saved', {});
  const savedRelay = saved.ok ? (saved.value as { relayUrl: string | null }).relayUrl : null;
  if (!savedRelay) {
    relay = await startDemoRelay({
      dataDir: path.join(userData, 'relay'),
      nativeBinding: sqlite.nativeBinding,
      checkpointThreadPath: files.checkpointThreadPath,
    });
  }
  const bridge = withRelayDefault(client, relay?.wsUrl ?? null);

  const organisation = loadOrganisationConfig(organisationConfigCandidates(process.platform, process.env, userData), log);
  if (organisation.source) log(`organisation config from ${organisation.source}`);

  let mainWindow: BrowserWindow | null = null;
  let quitting = false;

  const workAreas = () => screen.getAllDisplays().map((display) => display.workArea);
  const openMainWindow = (show: boolean): BrowserWindow => {
    const state = loadWindowState(userData, workAreas());
    const window = createSecureWindow({
      preloadPath: files.preloadPath,
      rendererDir: files.rendererDir,
      iconPath: path.join(files.assetsDir, 'icon.png'),
      bounds: state ? { x: state.x, y: state.y, width: state.width, height: state.height } : undefined,
      showWhenReady: show,
      log,
    });
    if (state?.maximized && show) window.maximize();
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
    mainWindow ??= openMainWindow(true);
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
    showWindow,
    iconPath: path.join(files.assetsDir, 'icon.png'),
    log,
  });
  const tray = createTray({
    platform: process.platform,
    trayIconPath: path.join(files.assetsDir, 'tray.png'),
    overlayIconPath: path.join(files.assetsDir, 'badge.png'),
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
  // auto-away from the machine's idle time (in a browser, the page reports its own)
  const stopIdleWatch = watchSystemIdle({
    powerMonitor,
    report: (idleSeconds) => void client.invoke('agent:activity', { idleSeconds }),
  });

  const updates = await startUpdates({
    updates: organisation.config.updates,
    isPackaged: app.isPackaged,
    // electron-updater stays external to the bundle and is loaded only when a feed is configured.
    loadUpdater: async () => (await import('electron-updater')).autoUpdater as unknown as Updater,
    log,
    onDownloaded: (version) => {
      if (!Notification.isSupported()) return;
      new Notification({ title: `Baton ${version} is ready`, body: 'It is installed when you quit Baton.' }).show();
    },
  });

  // Launch at login: the agent's choice, else the organisation's default, else off. Applied at every start so the
  // login item follows the app when it moves (an update, a new install folder).
  const loginItemHost = {
    platform: process.platform,
    isPackaged: app.isPackaged,
    setLoginItemSettings: (settings: Electron.Settings) => app.setLoginItemSettings(settings),
    executable: process.env.APPIMAGE ?? process.execPath,
    autostartDir: path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'autostart'),
  };
  let desktopSettings = loadDesktopSettings(userData, { openAtLogin: organisation.config.openAtLogin ?? false });
  const renderMenu = () =>
    installAppMenu({
      platform: process.platform,
      isPackaged: app.isPackaged,
      openAtLogin: desktopSettings.openAtLogin,
      updatesOn: updates.state.status === 'on',
      setOpenAtLogin: (enabled) => {
        desktopSettings = { ...desktopSettings, openAtLogin: enabled };
        saveDesktopSettings(userData, desktopSettings);
        log(applyOpenAtLogin(loginItemHost, enabled));
        renderMenu();
      },
      checkForUpdates: () => void updates.checkNow(),
    });
  log(applyOpenAtLogin(loginItemHost, desktopSettings.openAtLogin));
  renderMenu();

  mainWindow = openMainWindow(!startedAtLogin(process.argv, process.platform, () => app.getLoginItemSettings()));

  if (!app.isPackaged && process.env.BATON_TEST_HOOKS === '1') {
    (globalThis as { __batonTestHooks?: BatonTestHooks }).__batonTestHooks = { notifier };
  }

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
      stopIdleWatch();
      disposeIpc();
      updates.dispose();
      // Also takes offers out of the Action Center: a toast must not outlive the Baton that could answer it.
      notifier.dispose();
      tray.dispose();
      await client.dispose().catch(() => {});
      await relay?.close().catch(() => {});
      app.quit();
    })();
  });
}

/**
 * The bundled relay in demo mode, on the Electron build of better-sqlite3 and the unpacked checkpoint worker; null
 * when it cannot start: Baton then opens on the sign-in screen for the organisation's relay instead of not at all.
 */
async function startDemoRelay(where: {
  dataDir: string;
  nativeBinding: string | undefined;
  checkpointThreadPath: string;
}): Promise<{ wsUrl: string; close(): Promise<void> } | null> {
  try {
    const { startRelay } = await import('../../relay/server');
    let relay: { wsUrl: string; close(): Promise<void> };
    try {
      relay = await startRelay({ ...where, port: DEMO_RELAY_PORT, demo: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error;
      relay = await startRelay({ ...where, port: 0, demo: true });
    }
    log(`started the local demo relay at ${relay.wsUrl}`);
    return relay;
  } catch (error) {
    log(`the local demo relay did not start (${(error instanceof Error ? error.message : String(error)).split('\n')[0]}); sign in to your organisation's relay`);
    return null;
  }
}
