// Web mode's `window.baton`: the bridge contract carried over the local host's WebSocket, with request ids,
// reconnection, and the browser notifications wired in.
import type { BatonBridge, ClientEvent, WebBridgeMessage } from '../../common/bridge';
import { fail, type Result } from '../../common/result';
import { type BrowserNotificationApi, createWebNotifier } from './web-notifications';

export const LOST_HOST_REASON = 'Lost contact with the local Baton host';
export const LINK_EXPIRED_MESSAGE =
  'Baton was restarted on this computer, and every start makes a new page address, so this one no longer works. Open the address that npm run web printed when it started (it ends in ?token=…).';

/** What the host says about a token: still good, no longer good (the host restarted), or no answer at all. */
export type TokenStatus = 'valid' | 'expired' | 'unknown';

/** The subset of the browser WebSocket this module needs; tests pass the `ws` package's client. */
export interface BridgeSocket {
  readonly readyState: number;
  onopen: ((ev: unknown) => unknown) | null;
  onclose: ((ev: unknown) => unknown) | null;
  onerror: ((ev: unknown) => unknown) | null;
  onmessage: ((ev: { data: unknown }) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WebBridgeOptions {
  /** ws(s)://host/bridge?token=… ; derived from `location` when absent */
  url?: string;
  createSocket?: (url: string) => BridgeSocket;
  notifications?: BrowserNotificationApi | undefined;
  focusWindow?: () => void;
  /** asks the host whether the page's token is still good (default: GET /bridge?token=… on the same host) */
  checkToken?: (bridgeUrl: string) => Promise<TokenStatus>;
  /** reconnect delay bounds in ms */
  minDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

export interface WebBridge extends BatonBridge {
  /** closes the socket for good (tests, page unload) */
  dispose(): void;
}

const OPEN = 1;

/** The bridge socket URL for this page: same host, the token from `?token=`; null when the page has no token. */
export function bridgeUrlFromLocation(location: Pick<Location, 'protocol' | 'host' | 'search'>): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/bridge?token=${encodeURIComponent(token)}`;
}

/** The host answers 204 to GET /bridge with its current token and 401 with any other. */
export async function checkTokenOverHttp(bridgeUrl: string): Promise<TokenStatus> {
  try {
    const response = await fetch(bridgeUrl.replace(/^ws/, 'http'), { cache: 'no-store', credentials: 'omit' });
    if (response.status === 204) return 'valid';
    if (response.status === 401) return 'expired';
    return 'unknown';
  } catch {
    // the host is not running (yet): keep trying
    return 'unknown';
  }
}

export function createWebBridge(options: WebBridgeOptions = {}): WebBridge {
  const now = options.now ?? (() => Date.now());
  const url = options.url ?? (typeof location !== 'undefined' ? bridgeUrlFromLocation(location) : null);
  const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u) as unknown as BridgeSocket);
  const checkToken = options.checkToken ?? checkTokenOverHttp;
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const listeners = new Set<(event: ClientEvent) => void>();
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: BridgeSocket | null = null;
  let attempt = 0;
  let everConnected = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;
  /** the host no longer knows this page's token: nothing will work until the new address is opened */
  let expired = false;

  const emit = (event: ClientEvent) => {
    notifier.handle(event);
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('baton: an event listener failed', error);
      }
    }
  };

  const notifier = createWebNotifier({
    api: options.notifications ?? (typeof Notification !== 'undefined' ? (Notification as unknown as BrowserNotificationApi) : undefined),
    focusWindow: options.focusWindow ?? (() => (typeof window !== 'undefined' ? window.focus() : undefined)),
    focusSession: (sessionId) => emit({ type: 'focus-session', sessionId }),
  });

  const failPending = () => {
    for (const resolve of pending.values()) resolve(fail('not-connected', `${LOST_HOST_REASON}.`));
    pending.clear();
    queue.length = 0;
  };

  const scheduleReconnect = () => {
    if (disposed) return;
    attempt += 1;
    // Full jitter, capped: many tabs reconnecting to a restarted host do not arrive together.
    const ceiling = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt - 1, 10));
    const delay = Math.round(Math.random() * ceiling);
    emit({
      type: 'connection',
      connection: { status: 'offline', attempt, nextRetryAt: now() + delay, reason: LOST_HOST_REASON },
    });
    retryTimer = setTimeout(connect, delay);
  };

  const resync = async () => {
    // The core kept running while the page was cut off: redraw from its current state.
    const snapshot = await bridge.invoke('app:snapshot', {});
    if (snapshot.ok) {
      emit({ type: 'snapshot', snapshot: snapshot.value });
      emit({ type: 'connection', connection: snapshot.value.connection });
    }
  };

  function connect() {
    retryTimer = null;
    if (disposed || !url) return;
    let current: BridgeSocket;
    try {
      current = createSocket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = current;
    let opened = false;
    current.onopen = () => {
      opened = true;
      const wasReconnect = everConnected;
      everConnected = true;
      attempt = 0;
      for (const frame of queue.splice(0)) current.send(frame);
      if (wasReconnect) void resync();
    };
    current.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let message: WebBridgeMessage;
      try {
        message = JSON.parse(ev.data) as WebBridgeMessage;
      } catch {
        return;
      }
      if (message.kind === 'result') {
        const resolve = pending.get(message.id);
        if (resolve) {
          pending.delete(message.id);
          resolve(message.result);
        }
      } else if (message.kind === 'event') {
        emit(message.event);
      }
    };
    current.onerror = () => {
      // onclose follows and does the work.
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failPending();
      if (opened || !url) {
        scheduleReconnect();
        return;
      }
      // Refused before it opened: a browser cannot see the 401, so ask whether the token itself is dead (a new host).
      void checkToken(url).then((status) => {
        if (disposed) return;
        if (status !== 'expired') {
          scheduleReconnect();
          return;
        }
        expired = true;
        emit({ type: 'link-expired', message: LINK_EXPIRED_MESSAGE });
      });
    };
  }

  function invoke(channel: string, args: unknown): Promise<Result<unknown>> {
    if (disposed) return Promise.resolve(fail('not-connected', `${LOST_HOST_REASON}.`));
    if (expired) return Promise.resolve(fail('not-connected', LINK_EXPIRED_MESSAGE));
    if (!url) {
      return Promise.resolve(
        fail('not-connected', 'This page was opened without its access token. Open the address printed by npm run web.'),
      );
    }
    if (channel === 'auth:signIn') notifier.requestPermission();
    const id = nextId++;
    const frame = JSON.stringify({ kind: 'invoke', id, channel, args });
    return new Promise((resolve) => {
      pending.set(id, resolve);
      if (socket && socket.readyState === OPEN) socket.send(frame);
      else queue.push(frame);
    });
  }

  const bridge: WebBridge = {
    platform: 'web',
    invoke: invoke as BatonBridge['invoke'],
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      disposed = true;
      if (retryTimer) clearTimeout(retryTimer);
      failPending();
      notifier.dispose();
      socket?.close(1000, 'page closed');
      socket = null;
    },
  };

  if (url) connect();
  else {
    queueMicrotask(() =>
      emit({
        type: 'connection',
        connection: {
          status: 'offline',
          attempt: 0,
          nextRetryAt: null,
          reason: 'This page was opened without its access token. Open the address printed by npm run web.',
        },
      }),
    );
  }
  return bridge;
}

/** Called by the renderer's entry: in the desktop app the preload already set `window.baton`. */
export function installWebBridgeIfNeeded(): BatonBridge {
  if (window.baton) return window.baton;
  const bridge = Object.freeze(createWebBridge());
  window.baton = bridge;
  return bridge;
}

