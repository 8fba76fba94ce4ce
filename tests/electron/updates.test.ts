// Updates from the feed an organisation configures: off with no feed or in development, electron-updater wired to
// the generic feed (download quietly, install on quit), periodic checks, failures logged and never thrown; and the
// organisation config that carries the feed, where a broken file is ignored in one line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrganisationConfig, ORGANISATION_CONFIG_FILE, organisationConfigCandidates } from '../../main/electron/organisation-config';
import { startUpdates, type Updater } from '../../main/electron/updates';

class FakeUpdater implements Updater {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  feeds: unknown[] = [];
  checks = 0;
  failNext: Error | null = null;
  private listeners = new Map<string, (arg: never) => void>();
  setFeedURL(options: { provider: 'generic'; url: string; channel?: string }) {
    this.feeds.push(options);
  }
  async checkForUpdates() {
    this.checks += 1;
    const failure = this.failNext;
    this.failNext = null;
    if (failure) throw failure;
    return null;
  }
  on(event: string, listener: (arg: never) => void) {
    this.listeners.set(event, listener);
    return this;
  }
  emit(event: string, arg: unknown) {
    this.listeners.get(event)?.(arg as never);
  }
}

function setup(over: { updates?: Parameters<typeof startUpdates>[0]['updates']; isPackaged?: boolean } = {}) {
  const updater = new FakeUpdater();
  const logs: string[] = [];
  const downloaded: string[] = [];
  let loads = 0;
  const timers: Array<{ task: () => void; ms: number; cleared: boolean }> = [];
  const started = startUpdates({
    updates: 'updates' in over ? over.updates : { feedUrl: 'https://updates.example.com/baton', checkEveryHours: 6 },
    isPackaged: over.isPackaged ?? true,
    loadUpdater: async () => {
      loads += 1;
      return updater;
    },
    log: (line) => logs.push(line),
    onDownloaded: (version) => downloaded.push(version),
    setInterval: (task, ms) => {
      const timer = { task, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearInterval: (handle) => {
      (handle as { cleared: boolean }).cleared = true;
    },
  });
  return { started, updater, logs, downloaded, timers, loads: () => loads };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('updates', () => {
  it('are off, and electron-updater is never loaded, when the organisation configured no feed', async () => {
    const { started, loads, logs } = setup({ updates: undefined });
    expect((await started).state).toEqual({ status: 'off', reason: 'no update feed is configured' });
    expect(loads()).toBe(0);
    expect(logs).toEqual(['updates are off: no update feed is configured']);
  });

  it('are off in a development build even with a feed', async () => {
    const { started, loads } = setup({ isPackaged: false });
    expect((await started).state.status).toBe('off');
    expect(loads()).toBe(0);
  });

  it('check the configured generic feed at start and every N hours, download quietly and install on quit', async () => {
    const { started, updater, timers } = setup({
      updates: { feedUrl: 'https://updates.example.com/baton', channel: 'beta', checkEveryHours: 4 },
    });
    const updates = await started;
    expect(updates.state).toEqual({ status: 'on', feedUrl: 'https://updates.example.com/baton' });
    expect(updater.feeds).toEqual([{ provider: 'generic', url: 'https://updates.example.com/baton', channel: 'beta' }]);
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    await settle();
    expect(updater.checks).toBe(1);
    expect(timers.map((t) => t.ms)).toEqual([4 * 3_600_000]);
    timers[0]!.task();
    await settle();
    expect(updater.checks).toBe(2);
    updates.dispose();
    expect(timers[0]!.cleared).toBe(true);
  });

  it('a failed check (offline, bad feed) is logged and never thrown; the next check runs again', async () => {
    const { started, updater, logs } = setup();
    const updates = await started;
    await settle();
    updater.failNext = new Error('net::ERR_INTERNET_DISCONNECTED');
    await expect(updates.checkNow()).resolves.toBeUndefined();
    expect(logs).toContain('update check failed: net::ERR_INTERNET_DISCONNECTED');
    updater.emit('error', new Error('sha512 checksum mismatch'));
    expect(logs).toContain('update check failed: sha512 checksum mismatch');
    await updates.checkNow();
    expect(updater.checks).toBe(3);
  });

  it('tells the shell when an update is downloaded, so the agent learns it comes at the next quit', async () => {
    const { started, updater, downloaded } = setup();
    await started;
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(downloaded).toEqual(['0.2.0']);
  });

  it('a menu click during a running check does not start a second one', async () => {
    const { started, updater } = setup();
    const updates = await started;
    await Promise.all([updates.checkNow(), updates.checkNow()]);
    expect(updater.checks).toBe(1);
  });
});

describe('the organisation config', () => {
  const write = (content: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-org-'));
    const file = path.join(dir, ORGANISATION_CONFIG_FILE);
    fs.writeFileSync(file, content);
    return file;
  };

  it('is looked for where an administrator deploys it, then in the user-data folder; an explicit path wins alone', () => {
    expect(organisationConfigCandidates('linux', {}, '/home/a/.config/Baton')).toEqual([
      '/etc/baton/organisation.json',
      '/home/a/.config/Baton/organisation.json',
    ]);
    expect(organisationConfigCandidates('win32', { ProgramData: 'D:\\ProgramData' }, 'C:\\u')[0]).toBe('D:\\ProgramData\\Baton\\organisation.json');
    expect(organisationConfigCandidates('darwin', {}, '/u')[0]).toBe('/Library/Application Support/Baton/organisation.json');
    expect(organisationConfigCandidates('linux', { BATON_ORGANISATION_CONFIG: '/srv/baton.json' }, '/u')).toEqual(['/srv/baton.json']);
  });

  it('reads the first file that exists', () => {
    const file = write(JSON.stringify({ updates: { feedUrl: 'https://updates.example.com/baton' }, openAtLogin: true }));
    const loaded = loadOrganisationConfig([path.join(path.dirname(file), 'missing.json'), file]);
    expect(loaded).toEqual({
      source: file,
      config: { updates: { feedUrl: 'https://updates.example.com/baton', checkEveryHours: 6 }, openAtLogin: true },
    });
  });

  it('no file at all means no settings (updates off)', () => {
    expect(loadOrganisationConfig(['/nonexistent/organisation.json'])).toEqual({ config: {}, source: null });
  });

  it.each([
    ['{ not json', 'it is not JSON'],
    [JSON.stringify({ updates: { feedUrl: 'http://updates.example.com/baton' } }), 'updates.feedUrl: feedUrl must be an https:// URL'],
    [JSON.stringify({ updates: { feedUrl: 'https://u.example.com', checkEveryHours: 0 } }), 'updates.checkEveryHours'],
    [JSON.stringify({ updatez: {} }), 'updatez'],
  ])('a broken file (%s) is ignored with one log line naming the problem', (content, expected) => {
    const logs: string[] = [];
    const file = write(content);
    expect(loadOrganisationConfig([file], (line) => logs.push(line))).toEqual({ config: {}, source: null });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain(`organisation config ${file} ignored`);
    expect(logs[0]).toContain(expected);
  });
});
