// The desktop notification service: one OS notification per intent from the core, closed when the core says so,
// clicks routed by intent id, and Accept/Reject buttons on transfer offers where the OS supports actions.
import { Notification, type NotificationConstructorOptions } from 'electron';
import type { BridgeChannel, ClientEvent, NotificationIntent } from '../../common/bridge';
import type { Result } from '../../common/result';

export const ACCEPT_LABEL = 'Accept transfer';
export const REJECT_LABEL = 'Reject transfer';

export interface NotifierOptions {
  /** process.platform; a parameter so each OS's behaviour can be tested anywhere */
  platform: NodeJS.Platform;
  /** the core's invoke (answers a transfer without opening the window) */
  invoke: (channel: BridgeChannel, args: unknown) => Promise<Result<unknown>>;
  /** brings the window forward and shows the session */
  focusSession: (sessionId: string) => void;
  iconPath?: string;
  log?: (message: string) => void;
}

export interface Notifier {
  handle(event: ClientEvent): void;
  /** ids of the notifications currently shown (for tests and diagnostics) */
  shownIds(): string[];
  dispose(): void;
}

/** Action buttons work on macOS (signed app, alert style) and Windows; Linux notification daemons vary, so none. */
export function supportsActions(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

export function createNotifier(options: NotifierOptions): Notifier {
  const log = options.log ?? (() => {});
  // Strong references: Electron stops delivering click/action events for notifications that were collected.
  const shown = new Map<string, Notification>();

  const forget = (id: string, notification: Notification) => {
    if (shown.get(id) === notification) shown.delete(id);
  };

  const answer = async (intent: NotificationIntent, accept: boolean) => {
    if (!intent.transferId) return;
    const channel = accept ? 'transfer:accept' : 'transfer:reject';
    const result = await options.invoke(channel, { sessionId: intent.sessionId, transferId: intent.transferId });
    if (result.ok) return;
    log(`notifier: ${channel} from a notification failed: ${result.error.message}`);
    // The answer did not go through (e.g. the offer was withdrawn meanwhile): say so, and let a click show the chat.
    showPlain({
      id: `${intent.id}:failed`,
      kind: 'message',
      title: accept ? 'Transfer not accepted' : 'Transfer not rejected',
      body: result.error.message,
      sessionId: intent.sessionId,
      transferId: null,
    });
  };

  const build = (intent: NotificationIntent, withActions: boolean): Notification => {
    const notificationOptions: NotificationConstructorOptions = {
      title: intent.title,
      body: intent.body,
      silent: false,
    };
    if (options.iconPath) notificationOptions.icon = options.iconPath;
    if (intent.kind === 'transfer-offer') {
      // An offer waits for an answer: keep it on screen where the OS lets the app choose.
      notificationOptions.timeoutType = 'never';
      if (options.platform === 'linux') notificationOptions.urgency = 'critical';
    }
    if (withActions) {
      notificationOptions.actions = [
        { type: 'button', text: ACCEPT_LABEL },
        { type: 'button', text: REJECT_LABEL },
      ];
      // macOS shows the first action directly and the rest under a menu whose title is this.
      if (options.platform === 'darwin') notificationOptions.closeButtonText = 'Later';
    }
    return new Notification(notificationOptions);
  };

  const showPlain = (intent: NotificationIntent) => show(intent, false);

  const show = (intent: NotificationIntent, withActions: boolean) => {
    close(intent.id);
    let notification: Notification;
    try {
      notification = build(intent, withActions);
    } catch (error) {
      log(`notifier: could not create a notification: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    shown.set(intent.id, notification);
    notification.on('click', () => {
      options.focusSession(intent.sessionId);
      forget(intent.id, notification);
    });
    notification.on('close', () => forget(intent.id, notification));
    if (withActions) {
      notification.on('action', (details, legacyIndex) => {
        const index = typeof details?.actionIndex === 'number' ? details.actionIndex : legacyIndex;
        forget(intent.id, notification);
        if (index === 0) void answer(intent, true);
        else if (index === 1) void answer(intent, false);
      });
    }
    notification.show();
  };

  const close = (id: string) => {
    const notification = shown.get(id);
    if (!notification) return;
    shown.delete(id);
    notification.close();
  };

  return {
    handle(event) {
      if (event.type === 'notification') {
        const intent = event.notification;
        const withActions = intent.kind === 'transfer-offer' && intent.transferId !== null && supportsActions(options.platform);
        if (!Notification.isSupported()) return;
        show(intent, withActions);
      } else if (event.type === 'notification-closed') {
        close(event.id);
        close(`${event.id}:failed`);
      } else if (event.type === 'signed-out') {
        for (const id of [...shown.keys()]) close(id);
      }
    },
    shownIds: () => [...shown.keys()],
    dispose() {
      for (const id of [...shown.keys()]) close(id);
    },
  };
}
