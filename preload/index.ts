// The desktop preload: exposes exactly one object, `window.baton`, to the page; one IPC channel per bridge
// command and one for events. Bundled as a sandboxed CJS preload that requires nothing but `electron`.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
// Types only: the runtime contract pulls in zod (~700 KiB) that a preload has no use for.
import type { BatonBridge, BridgeChannel, ClientEvent, DESKTOP_EVENT_CHANNEL } from '../common/bridge';
import type { Result } from '../common/result';

const EVENT_CHANNEL: typeof DESKTOP_EVENT_CHANNEL = 'baton:event';

/**
 * Every bridge channel. Typed as a record over the contract's channel names, so the compiler rejects this file
 * when a channel is added to or removed from common/bridge.ts without updating it.
 */
const bridgeChannelNames: Record<BridgeChannel, true> = {
  'auth:saved': true,
  'auth:signIn': true,
  'auth:signOut': true,
  'app:snapshot': true,
  'settings:set': true,
  'agent:setStatus': true,
  'agent:activity': true,
  'chat:send': true,
  'chat:note': true,
  'chat:sendFile': true,
  'attachment:read': true,
  'chat:retry': true,
  'chat:typing': true,
  'chat:markRead': true,
  'chat:transcript': true,
  'transfer:offer': true,
  'transfer:accept': true,
  'transfer:reject': true,
  'transfer:cancel': true,
  'session:takeOver': true,
  'session:listen': true,
  'session:closeWindow': true,
  'session:closeChat': true,
  'request:create': true,
  'request:list': true,
  'dashboard:ratings': true,
  'metrics:get': true,
  'admin:command': true,
  'request:update': true,
  'canned:list': true,
  'canned:save': true,
  'canned:delete': true,
  'history:list': true,
  'history:search': true,
};

const isBridgeChannel = (name: unknown): name is BridgeChannel =>
  typeof name === 'string' && Object.hasOwn(bridgeChannelNames, name);

export function createDesktopBridge(): BatonBridge {
  return {
    platform: 'desktop',
    invoke: ((channel: BridgeChannel, args: unknown): Promise<Result<unknown>> => {
      // Only bridge channels may be named: the page cannot reach any other IPC handler through this.
      if (!isBridgeChannel(channel)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'invalid-argument', message: `there is no command "${String(channel).slice(0, 64)}"` },
        });
      }
      return (ipcRenderer.invoke(channel, args) as Promise<Result<unknown>>).catch(
        (): Result<unknown> => ({ ok: false, error: { code: 'internal', message: 'Baton did not answer. Restart it if this persists.' } }),
      );
    }) as BatonBridge['invoke'],
    onEvent(listener: (event: ClientEvent) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
      // The page gets the event alone, never the IpcRendererEvent (which carries `sender`).
      const forward = (_event: IpcRendererEvent, clientEvent: ClientEvent) => listener(clientEvent);
      ipcRenderer.on(EVENT_CHANNEL, forward);
      return () => {
        ipcRenderer.removeListener(EVENT_CHANNEL, forward);
      };
    },
  };
}

contextBridge.exposeInMainWorld('baton', createDesktopBridge());
