// Updates from the organisation's own feed: electron-updater against a generic HTTPS folder whose URL comes from
// the organisation config. With no feed configured, or in a development build, nothing is ever checked.
import type { OrganisationConfig } from './organisation-config';

/** The part of electron-updater's AppUpdater that Baton uses; a parameter so the wiring is tested without it. */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string }): void;
  checkForUpdates(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
}

export type UpdatesState = { status: 'off'; reason: string } | { status: 'on'; feedUrl: string };

export interface UpdatesOptions {
  updates: OrganisationConfig['updates'];
  isPackaged: boolean;
  /** loaded only when updates are on, so a build without a feed never touches electron-updater */
  loadUpdater: () => Promise<Updater>;
  log: (message: string) => void;
  /** an update is downloaded and will be installed when Baton quits */
  onDownloaded?: (version: string) => void;
  setInterval?: (task: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

export interface Updates {
  readonly state: UpdatesState;
  /** checks now (the menu's Check for Updates); resolves once the check is over, never rejects */
  checkNow(): Promise<void>;
  dispose(): void;
}

const off = (reason: string, log: (message: string) => void): Updates => {
  log(`updates are off: ${reason}`);
  return { state: { status: 'off', reason }, checkNow: async () => {}, dispose() {} };
};

export async function startUpdates(options: UpdatesOptions): Promise<Updates> {
  const { updates, log } = options;
  if (!updates) return off('no update feed is configured', log);
  if (!options.isPackaged) return off('this is a development build', log);
  let updater: Updater;
  try {
    updater = await options.loadUpdater();
  } catch (error) {
    return off(`the updater could not be loaded (${(error as Error).message})`, log);
  }
  updater.setFeedURL({ provider: 'generic', url: updates.feedUrl, ...(updates.channel ? { channel: updates.channel } : {}) });
  updater.autoDownload = true;
  // Installed when the agent quits, never under them in the middle of a chat.
  updater.autoInstallOnAppQuit = true;
  updater.on('error', (error) => log(`update check failed: ${error?.message ?? String(error)}`));
  updater.on('update-downloaded', (info) => {
    log(`update ${info.version} downloaded; it is installed when Baton quits`);
    options.onDownloaded?.(info.version);
  });

  let checking: Promise<void> | null = null;
  const checkNow = () => {
    checking ??= updater
      .checkForUpdates()
      .then(
        () => {},
        (error: unknown) => {
          log(`update check failed: ${(error as Error)?.message ?? String(error)}`);
        },
      )
      .finally(() => {
        checking = null;
      });
    return checking;
  };
  const every = options.setInterval ?? ((task, ms) => setInterval(task, ms).unref());
  const stop = options.clearInterval ?? ((handle) => clearInterval(handle as NodeJS.Timeout));
  const timer = every(() => void checkNow(), updates.checkEveryHours * 3_600_000);
  void checkNow();
  log(`updates are on: ${updates.feedUrl}`);
  return {
    state: { status: 'on', feedUrl: updates.feedUrl },
    checkNow,
    dispose: () => stop(timer),
  };
}
