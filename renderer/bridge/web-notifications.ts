// Web mode's notification service: shows the core's notification intents with the browser Notification API,
// one per intent id, closed when the core says so, and routes a click back to the session.
import type { ClientEvent, NotificationIntent } from '../../common/bridge';

/** The part of the browser's Notification API this module uses (so a test can pass a fake). */
export interface BrowserNotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): BrowserNotification;
}
export interface BrowserNotification {
  onclick: ((this: BrowserNotification, ev: Event) => unknown) | null;
  onclose: ((this: BrowserNotification, ev: Event) => unknown) | null;
  close(): void;
}

export interface WebNotifierOptions {
  /** the browser's Notification constructor; absent where the browser has none */
  api?: BrowserNotificationApi | undefined;
  /** brings the tab forward; window.focus() in the page */
  focusWindow: () => void;
  /** tells the UI to show a session, like the desktop shell's focus-session event */
  focusSession: (sessionId: string) => void;
}

export interface WebNotifier {
  /** feed every ClientEvent; only notification and notification-closed matter here */
  handle(event: ClientEvent): void;
  /** asks once for permission; call it from the sign-in click so browsers that need a gesture see one */
  requestPermission(): void;
  /** closes everything still shown */
  dispose(): void;
}

export function createWebNotifier(options: WebNotifierOptions): WebNotifier {
  const api = options.api;
  const shown = new Map<string, BrowserNotification>();
  let asked = false;

  const requestPermission = () => {
    if (!api || asked || api.permission !== 'default') return;
    asked = true;
    api.requestPermission().catch(() => {
      // A refused or failed request just means no notifications; the in-app highlight still shows offers.
    });
  };

  const show = (intent: NotificationIntent) => {
    if (!api) return;
    if (api.permission !== 'granted') {
      requestPermission();
      return;
    }
    shown.get(intent.id)?.close();
    let notification: BrowserNotification;
    try {
      notification = new api(intent.title, {
        body: intent.body,
        tag: intent.id,
        // An offer waits for an answer, so it stays until answered or withdrawn.
        requireInteraction: intent.kind === 'transfer-offer',
      });
    } catch {
      return;
    }
    shown.set(intent.id, notification);
    notification.onclick = () => {
      options.focusWindow();
      options.focusSession(intent.sessionId);
      notification.close();
    };
    notification.onclose = () => {
      if (shown.get(intent.id) === notification) shown.delete(intent.id);
    };
  };

  const close = (id: string) => {
    const notification = shown.get(id);
    if (!notification) return;
    shown.delete(id);
    notification.close();
  };

  return {
    handle(event) {
      if (event.type === 'notification') show(event.notification);
      else if (event.type === 'notification-closed') close(event.id);
      else if (event.type === 'signed-out') for (const id of [...shown.keys()]) close(id);
    },
    requestPermission,
    dispose() {
      for (const id of [...shown.keys()]) close(id);
    },
  };
}
