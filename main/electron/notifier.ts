// The desktop notification service: one OS notification per intent from the core, closed when the core says so,
// clicks routed by intent id, and Accept/Reject buttons on transfer offers where the OS supports actions. On
// Windows every click and button press arrives through Notification.handleActivation, which also delivers those
// made on a toast that has left the screen for the Action Center.
import { createHash } from 'node:crypto';
import { type ActivationArguments, Notification, type NotificationConstructorOptions } from 'electron';
import { z } from 'zod';
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
  /** brings the window forward (an activation of a toast this run never showed, e.g. one left by a crash) */
  showWindow?: () => void;
  iconPath?: string;
  log?: (message: string) => void;
}

/** What a person did to a notification: the same three whichever OS path reported it. */
export type NotificationActivation = 'click' | 'accept' | 'reject';

export interface Notifier {
  handle(event: ClientEvent): void;
  /** ids of the notifications currently shown (for tests and diagnostics) */
  shownIds(): string[];
  /** the action path every OS event goes through; exported for the desktop smoke suite, which cannot click a toast */
  activate(intentId: string, activation: NotificationActivation): void;
  dispose(): void;
}

/** Action buttons work on macOS (signed app, alert style) and Windows; Linux notification daemons vary, so none. */
export function supportsActions(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/** A toast's Tag is at most 64 characters on Windows; longer intent ids are hashed (stable, so a repeat replaces). */
export const MAX_TOAST_ID = 64;
export function toastId(intentId: string): string {
  if (intentId.length <= MAX_TOAST_ID) return intentId;
  return `baton-${createHash('sha256').update(intentId).digest('base64url').slice(0, 40)}`;
}

const ActivationSchema = z.object({
  type: z.string(),
  arguments: z.string().default(''),
  actionIndex: z.number().int().optional(),
});

/**
 * Reads Electron's activation details: `type=action&action=<index>&tag=<toast id>` for a button, `type=click` for
 * the body. Null for anything else (a reply, a malformed string).
 */
export function parseActivation(details: unknown): { tag: string; activation: NotificationActivation } | null {
  const parsed = ActivationSchema.safeParse(details);
  if (!parsed.success) return null;
  const params = new URLSearchParams(parsed.data.arguments);
  const tag = params.get('tag');
  if (!tag) return null;
  const type = parsed.data.type || params.get('type') || '';
  if (type === 'click') return { tag, activation: 'click' };
  if (type !== 'action') return null;
  const index = parsed.data.actionIndex ?? Number(params.get('action') ?? Number.NaN);
  if (index === 0) return { tag, activation: 'accept' };
  if (index === 1) return { tag, activation: 'reject' };
  return null;
}

interface Shown {
  intent: NotificationIntent;
  notification: Notification;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const log = options.log ?? (() => {});
  // Strong references: Electron stops delivering click/action events for notifications that were collected. An
  // offer's entry outlives its toast leaving the screen, since the Action Center card can still be answered.
  const shown = new Map<string, Shown>();
  const byToast = new Map<string, string>();
  // Electron ≥ 42 on Windows: one callback for every activation, live toast or not. Instance events would report
  // the same press a second time, so where this exists they are not listened to.
  const centralActivation = options.platform === 'win32' && typeof Notification.handleActivation === 'function';

  const forget = (id: string, notification: Notification) => {
    const entry = shown.get(id);
    if (entry?.notification !== notification) return;
    shown.delete(id);
    byToast.delete(toastId(id));
  };

  const answer = async (intent: NotificationIntent, accept: boolean) => {
    if (!intent.transferId) return;
    const channel = accept ? 'transfer:accept' : 'transfer:reject';
    const result = await options.invoke(channel, { sessionId: intent.sessionId, transferId: intent.transferId });
    if (result.ok) return;
    log(`notifier: ${channel} from a notification failed: ${result.error.message}`);
    // The answer did not go through (e.g. the offer was withdrawn meanwhile): say so, and let a click show the chat.
    show(
      {
        id: `${intent.id}:failed`,
        kind: 'message',
        title: accept ? 'Transfer not accepted' : 'Transfer not rejected',
        body: result.error.message,
        sessionId: intent.sessionId,
        transferId: null,
      },
      false,
    );
  };

  const activate = (intentId: string, activation: NotificationActivation) => {
    const entry = shown.get(intentId);
    if (!entry) {
      // Already answered (a second report of one press), or a toast from an earlier run of Baton.
      log(`notifier: ${activation} on a notification that is no longer open (${intentId})`);
      if (activation === 'click') options.showWindow?.();
      return;
    }
    // Answered or opened: nothing of it may linger (a Windows card answered from a live toast can stay behind).
    close(intentId);
    if (activation === 'click') options.focusSession(entry.intent.sessionId);
    else void answer(entry.intent, activation === 'accept');
  };

  if (centralActivation) {
    Notification.handleActivation((details: ActivationArguments) => {
      const parsed = parseActivation(details);
      if (!parsed) {
        log(`notifier: ignored a notification activation (${String(details?.type)})`);
        return;
      }
      activate(byToast.get(parsed.tag) ?? parsed.tag, parsed.activation);
    });
  }

  const build = (intent: NotificationIntent, withActions: boolean): Notification => {
    const notificationOptions: NotificationConstructorOptions = {
      // The toast's Tag on Windows and the identifier on macOS: what an activation reports back.
      id: toastId(intent.id),
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

  const show = (intent: NotificationIntent, withActions: boolean) => {
    close(intent.id);
    let notification: Notification;
    try {
      notification = build(intent, withActions);
    } catch (error) {
      log(`notifier: could not create a notification: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    shown.set(intent.id, { intent, notification });
    byToast.set(toastId(intent.id), intent.id);
    notification.on('close', () => {
      // Leaving the screen is not the end of an offer (see `shown`); anything else is done with.
      if (intent.kind !== 'transfer-offer') forget(intent.id, notification);
    });
    if (!centralActivation) {
      notification.on('click', () => activate(intent.id, 'click'));
      if (withActions) {
        notification.on('action', (details, legacyIndex) => {
          const index = typeof details?.actionIndex === 'number' ? details.actionIndex : legacyIndex;
          if (index === 0) activate(intent.id, 'accept');
          else if (index === 1) activate(intent.id, 'reject');
        });
      }
    }
    notification.show();
  };

  const close = (id: string) => {
    const entry = shown.get(id);
    if (!entry) return;
    shown.delete(id);
    byToast.delete(toastId(id));
    // On Windows this also removes a toast that already went to the Action Center.
    entry.notification.close();
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
    activate,
    dispose() {
      for (const id of [...shown.keys()]) close(id);
    },
  };
}
