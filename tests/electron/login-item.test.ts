// Launch at login as a setting: remembered per user (default from the organisation), applied through
// app.setLoginItemSettings on macOS/Windows and an XDG autostart entry on Linux, never for a development build;
// started that way Baton stays in the tray; the application menu's checkbox is where the agent changes it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import type { Settings } from 'electron';
import { CHECK_FOR_UPDATES_LABEL, installAppMenu, OPEN_AT_LOGIN_LABEL } from '../../main/electron/app-menu';
import {
  AUTOSTART_FILE,
  applyOpenAtLogin,
  HIDDEN_ARG,
  loadDesktopSettings,
  saveDesktopSettings,
  startedAtLogin,
} from '../../main/electron/login-item';
import { Menu, type MenuItem } from './fake-electron';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'baton-login-'));

function host(platform: NodeJS.Platform, isPackaged = true) {
  const calls: Settings[] = [];
  const autostartDir = path.join(tempDir(), 'autostart');
  return {
    calls,
    autostartDir,
    host: {
      platform,
      isPackaged,
      setLoginItemSettings: (settings: Settings) => calls.push(settings),
      executable: '/opt/Baton/Baton "x".AppImage',
      autostartDir,
    },
  };
}

describe('launch at login', () => {
  it.each(['darwin', 'win32'] as const)('on %s is a login item that starts Baton hidden', (platform) => {
    const { host: h, calls } = host(platform);
    expect(applyOpenAtLogin(h, true)).toBe('Baton opens at login');
    expect(applyOpenAtLogin(h, false)).toBe('Baton does not open at login');
    expect(calls).toEqual([
      { openAtLogin: true, args: [HIDDEN_ARG] },
      { openAtLogin: false, args: [HIDDEN_ARG] },
    ]);
  });

  it('on Linux is an XDG autostart entry that runs the installed Baton hidden, removed when turned off', () => {
    const { host: h, calls, autostartDir } = host('linux');
    applyOpenAtLogin(h, true);
    const entry = fs.readFileSync(path.join(autostartDir, AUTOSTART_FILE), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain(`Exec="/opt/Baton/Baton \\"x\\".AppImage" ${HIDDEN_ARG}`);
    applyOpenAtLogin(h, false);
    expect(fs.existsSync(path.join(autostartDir, AUTOSTART_FILE))).toBe(false);
    expect(calls).toEqual([]);
  });

  it('is not registered for a development build (it would start bare Electron at login)', () => {
    const { host: h, calls, autostartDir } = host('win32', false);
    expect(applyOpenAtLogin(h, true)).toBe('launch at login is applied to an installed Baton only');
    expect(calls).toEqual([]);
    expect(fs.existsSync(autostartDir)).toBe(false);
  });

  it('is remembered per user; without a choice the organisation’s default applies, and a damaged file is ignored', () => {
    const dir = tempDir();
    expect(loadDesktopSettings(dir, { openAtLogin: true })).toEqual({ openAtLogin: true });
    saveDesktopSettings(dir, { openAtLogin: false });
    expect(loadDesktopSettings(dir, { openAtLogin: true })).toEqual({ openAtLogin: false });
    fs.writeFileSync(path.join(dir, 'desktop-settings.json'), '{"openAtLogin":"yes"}');
    expect(loadDesktopSettings(dir, { openAtLogin: true })).toEqual({ openAtLogin: true });
  });

  it('a start by the login item keeps the window closed (argument on Windows/Linux, wasOpenedAtLogin on macOS)', () => {
    const never = () => ({ wasOpenedAtLogin: false }) as Electron.LoginItemSettings;
    expect(startedAtLogin(['baton', HIDDEN_ARG], 'win32', never)).toBe(true);
    expect(startedAtLogin(['baton'], 'linux', never)).toBe(false);
    expect(startedAtLogin(['baton'], 'darwin', () => ({ wasOpenedAtLogin: true }) as Electron.LoginItemSettings)).toBe(true);
    expect(startedAtLogin(['baton'], 'darwin', never)).toBe(false);
  });
});

describe('the application menu', () => {
  const items = (menu: MenuItem[] | null): MenuItem[] => (menu ?? []).flatMap((item) => [item, ...items(item.submenu ?? null)]);
  const install = (over: Partial<Parameters<typeof installAppMenu>[0]> = {}) => {
    const changes: boolean[] = [];
    let checks = 0;
    installAppMenu({
      platform: 'linux',
      isPackaged: true,
      openAtLogin: false,
      updatesOn: true,
      setOpenAtLogin: (enabled) => changes.push(enabled),
      checkForUpdates: () => {
        checks += 1;
      },
      ...over,
    });
    return { changes, checks: () => checks, all: items(Menu.applicationMenu) };
  };

  it('has an Open Baton at Login checkbox that sets the setting to the state Electron gave the item', () => {
    const { changes, all } = install({ openAtLogin: true });
    const item = all.find((i) => i.label === OPEN_AT_LOGIN_LABEL)!;
    expect(item).toMatchObject({ type: 'checkbox', checked: true });
    item.click!({ ...item, checked: false });
    expect(changes).toEqual([false]);
  });

  it('checks for updates from the menu when a feed is configured, and shows the item disabled when not', () => {
    const on = install();
    on.all.find((i) => i.label === CHECK_FOR_UPDATES_LABEL)!.click!();
    expect(on.checks()).toBe(1);
    expect(install({ updatesOn: false }).all.find((i) => i.label === CHECK_FOR_UPDATES_LABEL)?.enabled).toBe(false);
  });

  it('keeps copy and paste (Edit) and Quit on every OS, and developer tools only in development', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const roles = install({ platform }).all.map((i) => i.role);
      expect(roles).toContain('editMenu');
      expect(roles).toContain('quit');
      expect(roles).not.toContain('toggleDevTools');
    }
    expect(install({ isPackaged: false }).all.map((i) => i.role)).toContain('toggleDevTools');
  });
});
