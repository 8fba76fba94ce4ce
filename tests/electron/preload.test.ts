// The preload exposes exactly one object, `window.baton`, whose methods only reach the bridge's IPC channels.
import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import type { BatonBridge, ClientEvent } from '../../common/bridge';
import { contextBridge, ipcRenderer } from './fake-electron';

let exposed: BatonBridge;

beforeAll(async () => {
  await import('../../preload/index');
  exposed = contextBridge.exposeInMainWorld.mock.calls[0]![1] as BatonBridge;
});

describe('preload', () => {
  it('exposes one object named baton with platform, invoke and onEvent only', () => {
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(contextBridge.exposeInMainWorld.mock.calls[0]![0]).toBe('baton');
    expect(Object.keys(exposed).sort()).toEqual(['invoke', 'onEvent', 'platform']);
    expect(exposed.platform).toBe('desktop');
  });

  it('invoke uses the channel of the command', async () => {
    ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { sessions: [] } });
    const result = await exposed.invoke('history:list', { limit: 5 });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('history:list', { limit: 5 });
    expect(result).toEqual({ ok: true, value: { sessions: [] } });
  });

  it('a name that is not a bridge command never reaches IPC', async () => {
    ipcRenderer.invoke.mockClear();
    const result = await (exposed.invoke as (c: string, a: unknown) => Promise<unknown>)('ELECTRON_BROWSER_REQUIRE', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('onEvent hands the page the event alone, and its return value unsubscribes', () => {
    const received: unknown[][] = [];
    const off = exposed.onEvent((...args: unknown[]) => received.push(args));
    const event: ClientEvent = { type: 'focus-session', sessionId: 's-1' };
    ipcRenderer.emit('baton:event', { sender: 'the ipc sender must not leak' }, event);
    expect(received).toEqual([[event]]);
    off();
    ipcRenderer.emit('baton:event', {}, event);
    expect(received).toHaveLength(1);
    expect(ipcRenderer.listenerCount('baton:event')).toBe(0);
  });
});

describe('preload channel list', () => {
  it('lets every channel of the bridge contract through to IPC', async () => {
    const { bridgeChannels } = await import('../../common/bridge');
    ipcRenderer.invoke.mockClear();
    for (const channel of bridgeChannels) await (exposed.invoke as (c: string, a: unknown) => Promise<unknown>)(channel, {});
    expect(ipcRenderer.invoke.mock.calls.map((call) => call[0])).toEqual(bridgeChannels);
  });

  it('a rejected IPC call still answers with an envelope', async () => {
    ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'app:snapshot'"));
    expect(await exposed.invoke('app:snapshot', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
