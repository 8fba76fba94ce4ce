// The tray icon and its menu (Show Baton, Present/Away, Quit), the dock/taskbar badge with the number of offers
// waiting for me plus my unread chats, and the taskbar flash / Dock bounce when the core raises attention.
import { app, type BrowserWindow, Menu, nativeImage, Tray } from 'electron';
import type { ClientEvent, ClientEventOf } from '../../common/bridge';
import type { AgentStatus, SettableStatus } from '../../common/domain';
import { badgeCount, type BadgeState, emptyBadgeState, reduceBadge } from './badge';

export interface TrayOptions {
  platform: NodeJS.Platform;
  trayIconPath: string;
  /** a small dot drawn over the taskbar button on Windows, which has no numeric badge */
  overlayIconPath: string;
  getWindow: () => BrowserWindow | null;
  showWindow: () => void;
  setStatus: (status: SettableStatus) => void;
  quit: () => void;
}

export interface BatonTray {
  handle(event: ClientEvent): void;
  count(): number;
  dispose(): void;
}

export function createTray(options: TrayOptions): BatonTray {
  const tray = new Tray(nativeImage.createFromPath(options.trayIconPath));
  tray.setToolTip('Baton');
  let badge: BadgeState = emptyBadgeState;
  let flashWindow = true;
  let status: SettableStatus | null = null;
  let signedIn = false;
  let lastCount = -1;

  const renderMenu = () => {
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Baton', click: () => options.showWindow() },
        { type: 'separator' },
        {
          label: 'Present',
          type: 'radio',
          checked: status === 'present',
          enabled: signedIn,
          click: () => options.setStatus('present'),
        },
        { label: 'Busy', type: 'radio', checked: status === 'busy', enabled: signedIn, click: () => options.setStatus('busy') },
        { label: 'Away', type: 'radio', checked: status === 'away', enabled: signedIn, click: () => options.setStatus('away') },
        { type: 'separator' },
        { label: 'Quit', click: () => options.quit() },
      ]),
    );
  };

  const renderBadge = () => {
    const count = badgeCount(badge);
    if (count === lastCount) return;
    lastCount = count;
    // macOS dock and Unity launchers show the number; elsewhere the call is a harmless no-op.
    app.setBadgeCount(count);
    tray.setToolTip(count > 0 ? `Baton: ${count} waiting` : 'Baton');
    if (options.platform === 'win32') {
      const window = options.getWindow();
      if (window && !window.isDestroyed()) {
        window.setOverlayIcon(
          count > 0 ? nativeImage.createFromPath(options.overlayIconPath) : null,
          count > 0 ? `${count} waiting` : '',
        );
      }
    }
  };

  /**
   * Something needs the agent: when Baton is not in front, the taskbar button flashes (Windows, Linux) until the
   * window is focused, or the Dock icon bounces (macOS; until focused for an offer, once otherwise).
   */
  const drawAttention = (event: ClientEventOf<'attention'>) => {
    if (!flashWindow) return;
    const window = options.getWindow();
    if (window?.isDestroyed() || window?.isFocused()) return;
    if (options.platform === 'darwin') {
      app.dock?.bounce(event.kind === 'transfer-offer' ? 'critical' : 'informational');
      return;
    }
    if (!window) return;
    window.flashFrame(true);
    window.once('focus', () => {
      if (!window.isDestroyed()) window.flashFrame(false);
    });
  };

  // Tray clicks on Windows and Linux usually mean "show me the app".
  tray.on('click', () => options.showWindow());
  renderMenu();
  renderBadge();

  return {
    handle(event) {
      const next = reduceBadge(badge, event);
      if (next !== badge) {
        badge = next;
        renderBadge();
      }
      if (event.type === 'attention') drawAttention(event);
      if (event.type === 'snapshot') flashWindow = event.snapshot.settings.flashWindow;
      if (event.type === 'settings') flashWindow = event.settings.flashWindow;
      let menuChanged = false;
      if (event.type === 'snapshot') {
        signedIn = event.snapshot.me !== null;
        status = settable(event.snapshot.me?.status);
        menuChanged = true;
      } else if (event.type === 'presence' && event.agent.id === badge.me) {
        status = settable(event.agent.status);
        menuChanged = true;
      } else if (event.type === 'signed-out') {
        signedIn = false;
        status = null;
        menuChanged = true;
      }
      if (menuChanged) renderMenu();
    },
    count: () => badgeCount(badge),
    dispose() {
      app.setBadgeCount(0);
      tray.destroy();
    },
  };
}

/** The radio the tray menu checks: the agent's status, none while offline. */
function settable(status: AgentStatus | undefined): SettableStatus | null {
  return status === 'present' || status === 'busy' || status === 'away' ? status : null;
}
