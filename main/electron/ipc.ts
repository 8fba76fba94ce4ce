// Desktop IPC: one ipcMain handler per bridge channel (taken from the contract's map, so a new channel needs no
// edit here), each checking that the caller is the app's own page; client events forwarded to the window.
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { type BridgeHandler, bridgeChannels, type ClientEvent, DESKTOP_EVENT_CHANNEL } from '../../common/bridge';
import { fail, type Result } from '../../common/result';
import { isAppUrl } from './app-protocol';

export interface BridgeIpcOptions {
  ipcMain: IpcMain;
  handler: BridgeHandler;
  log?: (message: string) => void;
}

/** Registers every bridge channel; returns a function that removes them again. */
export function registerBridgeIpc({ ipcMain, handler, log = () => {} }: BridgeIpcOptions): () => void {
  for (const channel of bridgeChannels) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, args: unknown): Promise<Result<unknown>> => {
      const senderUrl = event.senderFrame?.url;
      if (!isAppUrl(senderUrl)) {
        log(`ipc: refused ${channel} from ${senderUrl ?? 'a destroyed frame'}`);
        return fail('forbidden', 'Only the Baton window may send commands.');
      }
      try {
        return await handler.invoke(channel, args);
      } catch (error) {
        // The core promises never to throw; if it does, the page still gets an envelope, not a rejection.
        log(`ipc: ${channel} threw: ${error instanceof Error ? error.message : String(error)}`);
        return fail('internal', 'Something went wrong in Baton. Try again.');
      }
    });
  }
  return () => {
    for (const channel of bridgeChannels) ipcMain.removeHandler(channel);
  };
}

/** Sends one event to the window's page when there is a live one; events for a closed window are dropped. */
export function sendToWindow(window: BrowserWindow | null, event: ClientEvent): void {
  if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return;
  window.webContents.send(DESKTOP_EVENT_CHANNEL, event);
}

/** The sign-in screen is prefilled with the locally started relay while the core has none saved. */
export function withRelayDefault(handler: BridgeHandler, relayUrl: string | null): BridgeHandler {
  if (!relayUrl) return handler;
  return {
    subscribe: (listener) => handler.subscribe(listener),
    invoke: async (channel, args) => {
      const result = await handler.invoke(channel, args);
      if (channel === 'auth:saved' && result.ok && typeof result.value === 'object' && result.value !== null) {
        const saved = result.value as { relayUrl?: unknown };
        if (saved.relayUrl == null) return { ok: true, value: { ...result.value, relayUrl } };
      }
      return result;
    },
  };
}
