// The application menu: where the desktop-only settings live (Open at Login, Check for Updates…) next to the
// standard Edit/View/Window menus; without an Edit menu macOS has no copy and paste shortcuts.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export const OPEN_AT_LOGIN_LABEL = 'Open Baton at Login';
export const CHECK_FOR_UPDATES_LABEL = 'Check for Updates…';

export interface AppMenuOptions {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  openAtLogin: boolean;
  /** false when no update feed is configured: the item is shown disabled, so nobody wonders where it went */
  updatesOn: boolean;
  setOpenAtLogin: (enabled: boolean) => void;
  checkForUpdates: () => void;
}

export function appMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const settings: MenuItemConstructorOptions[] = [
    {
      label: OPEN_AT_LOGIN_LABEL,
      type: 'checkbox',
      checked: options.openAtLogin,
      // Electron flips `checked` itself before the click; the setting follows the item.
      click: (item) => options.setOpenAtLogin(item.checked),
    },
    { label: CHECK_FOR_UPDATES_LABEL, enabled: options.updatesOn, click: () => options.checkForUpdates() },
  ];
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      // Developer tools only in development: in an installed app they would be a way around the page's rules.
      ...(options.isPackaged ? [] : ([{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[])),
    ],
  };
  if (options.platform === 'darwin') {
    return [
      {
        label: 'Baton',
        submenu: [{ role: 'about' }, { type: 'separator' }, ...settings, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
      },
      { role: 'editMenu' },
      view,
      { role: 'windowMenu' },
    ];
  }
  return [{ label: 'File', submenu: [...settings, { type: 'separator' }, { role: 'quit' }] }, { role: 'editMenu' }, view, { role: 'windowMenu' }];
}

export function installAppMenu(options: AppMenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(options)));
}
