// Launch at login, as a setting: kept in desktop-settings.json in the user-data folder (default: the organisation
// config's `openAtLogin`, else off), applied with app.setLoginItemSettings on macOS and Windows and as an XDG
// autostart entry on Linux, where Electron has no login-item API. Baton started this way opens in the tray.
import fs from 'node:fs';
import path from 'node:path';
import type { LoginItemSettings, Settings } from 'electron';
import { z } from 'zod';

export const DESKTOP_SETTINGS_FILE = 'desktop-settings.json';
/** Passed by the login item so Baton starts in the tray instead of opening its window over the agent's desktop. */
export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE = 'app.baton.desktop.desktop';

const DesktopSettingsSchema = z.object({ openAtLogin: z.boolean() });
export type DesktopSettings = z.infer<typeof DesktopSettingsSchema>;

export function loadDesktopSettings(dir: string, defaults: DesktopSettings): DesktopSettings {
  try {
    const parsed = DesktopSettingsSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, DESKTOP_SETTINGS_FILE), 'utf8')));
    return parsed.success ? parsed.data : defaults;
  } catch {
    return defaults;
  }
}

export function saveDesktopSettings(dir: string, settings: DesktopSettings): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, DESKTOP_SETTINGS_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(settings));
  fs.renameSync(`${file}.tmp`, file);
}

export interface LoginItemHost {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  setLoginItemSettings(settings: Settings): void;
  /** what the autostart entry runs: the AppImage when Baton is one (its path survives updates), else the binary */
  executable: string;
  /** $XDG_CONFIG_HOME/autostart */
  autostartDir: string;
}

/** Registers or removes the login item; returns what it did, in one sentence, for the log. */
export function applyOpenAtLogin(host: LoginItemHost, enabled: boolean): string {
  // A development build would register the bare Electron binary, which opens Electron's default app at login.
  if (!host.isPackaged) return 'launch at login is applied to an installed Baton only';
  if (host.platform === 'darwin' || host.platform === 'win32') {
    host.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
    return enabled ? 'Baton opens at login' : 'Baton does not open at login';
  }
  const entry = path.join(host.autostartDir, AUTOSTART_FILE);
  if (!enabled) {
    fs.rmSync(entry, { force: true });
    return 'Baton does not open at login';
  }
  fs.mkdirSync(host.autostartDir, { recursive: true });
  const quoted = `"${host.executable.replace(/(["`$\\])/g, '\\$1')}"`;
  fs.writeFileSync(
    entry,
    ['[Desktop Entry]', 'Type=Application', 'Name=Baton', `Exec=${quoted} ${HIDDEN_ARG}`, 'X-GNOME-Autostart-enabled=true', ''].join('\n'),
  );
  return 'Baton opens at login';
}

/** Started by the login item: stay in the tray until the agent opens the window. */
export function startedAtLogin(argv: readonly string[], platform: NodeJS.Platform, loginItem: () => LoginItemSettings): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  // macOS starts login items without arguments but says so.
  return platform === 'darwin' && loginItem().wasOpenedAtLogin === true;
}
