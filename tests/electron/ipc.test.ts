// Desktop IPC: every bridge channel has a handler, only the app's own page may call it, arguments are validated by
// the real client core, and client events reach the window on the event channel.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import fs from 'node:fs';
import os from 'node:os';
import { bridgeChannels, DESKTOP_EVENT_CHANNEL } from '../../common/bridge';
import type { IpcMain } from 'electron';
import { registerBridgeIpc, sendToWindow, withRelayDefault } from '../../main/electron/ipc';
import { type AgentClient, createAgentClient } from '../../main/client';
import { BrowserWindow, ipcMain } from './fake-electron';

let client: AgentClient;
let unregister: () => void;
const refusals: string[] = [];

const fromUrl = (url: string | null) => ({ senderFrame: url === null ? null : { url } });
const call = (channel: string, args: unknown, url: string | null = 'baton://app/index.html') =>
  ipcMain.handlers.get(channel)!(fromUrl(url), args) as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;

beforeAll(async () => {
  client = createAgentClient({ dataDir: fs.mkdtempSync(`${os.tmpdir()}/baton-`) });
  await client.start();
  unregister = registerBridgeIpc({ ipcMain: ipcMain as unknown as IpcMain, handler: client, log: (m) => refusals.push(m) });
});

afterAll(async () => {
  unregister?.();
  await client?.dispose();
});

describe('desktop IPC', () => {
  it('registers a handler for every channel of the bridge contract, and nothing else', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...bridgeChannels].sort());
  });

  it('answers the app page through the real client', async () => {
    const saved = await call('auth:saved', {});
    expect(saved).toEqual({ ok: true, value: { relayUrl: null, user: null, hasPassword: false } });
  });

  it('bad arguments get a readable invalid-argument, not an exception', async () => {
    const result = await call('agent:setStatus', { status: 'at-lunch' });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('invalid-argument');
    expect(result.error?.message).toMatch(/status/);
    const junk = await call('transfer:accept', 'not an object');
    expect(junk.error?.code).toBe('invalid-argument');
  });

  it('a command from any other page or a destroyed frame is forbidden', async () => {
    for (const url of ['https://evil.example/', 'file:///C:/page.html', 'baton://other/index.html', 'devtools://devtools', null]) {
      const result = await call('auth:signOut', {}, url);
      expect(result, String(url)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(refusals.filter((line) => line.includes('refused auth:signOut'))).toHaveLength(5);
  });

  it('the sign-in screen is prefilled with the local demo relay while none is saved', async () => {
    const prefilled = withRelayDefault(client, 'ws://127.0.0.1:7420');
    expect(await prefilled.invoke('auth:saved', {})).toEqual({
      ok: true,
      value: { relayUrl: 'ws://127.0.0.1:7420', user: null, hasPassword: false },
    });
  });

  it('unregistering removes every handler', () => {
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    unregister = registerBridgeIpc({ ipcMain: ipcMain as unknown as IpcMain, handler: client });
  });
});

describe('events to the window', () => {
  it('are sent on the event channel while the window lives, and dropped after', () => {
    const window = new BrowserWindow({});
    sendToWindow(window as never, { type: 'focus-session', sessionId: 's-1' });
    expect(window.webContents.sent).toEqual([{ channel: DESKTOP_EVENT_CHANNEL, payload: { type: 'focus-session', sessionId: 's-1' } }]);
    window.destroyed = true;
    sendToWindow(window as never, { type: 'signed-out' });
    sendToWindow(null, { type: 'signed-out' });
    expect(window.webContents.sent).toHaveLength(1);
  });
});
