// Transfer-offer notifications: one per offer, Accept/Reject buttons where the OS has them, answered without
// opening the window (on Windows through Notification.handleActivation, also from the Action Center), closed when
// the offer ends, and a click that shows the chat.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import type { ClientEvent, NotificationIntent } from '../../common/bridge';
import { fail, ok, type Result } from '../../common/result';
import { ACCEPT_LABEL, createNotifier, MAX_TOAST_ID, parseActivation, REJECT_LABEL } from '../../main/electron/notifier';
import { Notification } from './fake-electron';

const offer: NotificationIntent = {
  id: 'offer:t-42',
  kind: 'transfer-offer',
  title: 'Alice wants to transfer a chat to you',
  body: 'Customer: Jane Roe',
  sessionId: 's-7',
  transferId: 't-42',
};

function setup(platform: NodeJS.Platform, answer: Result<unknown> = ok(null)) {
  const calls: Array<{ channel: string; args: unknown }> = [];
  const focused: string[] = [];
  const logs: string[] = [];
  let windowShown = 0;
  const notifier = createNotifier({
    platform,
    invoke: async (channel, args) => {
      calls.push({ channel, args });
      return answer;
    },
    focusSession: (sessionId) => focused.push(sessionId),
    showWindow: () => {
      windowShown += 1;
    },
    log: (line) => logs.push(line),
  });
  const notify = (notification: NotificationIntent) => notifier.handle({ type: 'notification', notification });
  return { notifier, notify, calls, focused, logs, windowShown: () => windowShown };
}

const last = () => Notification.instances.at(-1)!;
/** The notification's own `action` event: how macOS (and Windows before Electron 42) report a button. */
const instanceAction = (n: Notification, index: number) =>
  n.emit('action', { actionIndex: index, selectionIndex: -1, preventDefault() {} }, index, -1);
/** A button press as each OS reports it: on Windows through Notification.handleActivation. */
const press = (platform: NodeJS.Platform, n: Notification, index: number) =>
  platform === 'win32' ? Notification.activate(n, 'action', index) : instanceAction(n, index);
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  Notification.instances.length = 0;
  Notification.activationHandler = null;
});

describe.each(['darwin', 'win32'] as const)('on %s', (platform) => {
  it('an offer shows one notification with Accept transfer and Reject transfer buttons', () => {
    const { notify } = setup(platform);
    notify(offer);
    expect(Notification.instances).toHaveLength(1);
    expect(last().shown).toBe(true);
    expect(last().options).toMatchObject({ title: offer.title, body: offer.body });
    expect(last().options.actions).toEqual([
      { type: 'button', text: ACCEPT_LABEL },
      { type: 'button', text: REJECT_LABEL },
    ]);
  });

  it('Accept accepts that transfer without opening the window', async () => {
    const { notify, calls, focused } = setup(platform);
    notify(offer);
    press(platform, last(), 0);
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:accept', args: { sessionId: 's-7', transferId: 't-42' } }]);
    expect(focused).toEqual([]);
  });

  it('Reject rejects that transfer', async () => {
    const { notify, calls } = setup(platform);
    notify(offer);
    notify({ ...offer, id: 'offer:t-43', sessionId: 's-8', transferId: 't-43' });
    press(platform, Notification.instances[0]!, 1);
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:reject', args: { sessionId: 's-7', transferId: 't-42' } }]);
  });

  it('an answer that fails (offer withdrawn meanwhile) is reported in a follow-up notification', async () => {
    const { notify } = setup(platform, fail('transfer-not-pending', 'This transfer is no longer waiting for an answer.'));
    notify(offer);
    press(platform, last(), 0);
    await settle();
    expect(Notification.instances).toHaveLength(2);
    expect(last().options).toMatchObject({ title: 'Transfer not accepted', body: 'This transfer is no longer waiting for an answer.' });
    expect(last().options.actions).toBeUndefined();
  });

  it('a new-chat notification has no buttons', () => {
    const { notify } = setup(platform);
    notify({ ...offer, id: 'chat:s-9', kind: 'new-chat', transferId: null });
    expect(last().options.actions).toBeUndefined();
  });
});

describe('on win32, through Notification.handleActivation', () => {
  it('a toast that left the screen for the Action Center still accepts the transfer', async () => {
    const { notify, calls } = setup('win32');
    notify(offer);
    // Windows moves the toast to the Action Center and Electron reports it as closed.
    last().emit('close', { preventDefault() {} });
    expect(last().closed).toBe(false);
    Notification.activate(last(), 'action', 0);
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:accept', args: { sessionId: 's-7', transferId: 't-42' } }]);
  });

  it('a toast that left the screen still rejects, and its body click still opens the chat', async () => {
    const { notify, calls, focused } = setup('win32');
    notify(offer);
    notify({ ...offer, id: 'offer:t-43', sessionId: 's-8', transferId: 't-43' });
    for (const n of Notification.instances) n.emit('close', { preventDefault() {} });
    Notification.activate(Notification.instances[0]!, 'action', 1);
    Notification.activate(Notification.instances[1]!, 'click');
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:reject', args: { sessionId: 's-7', transferId: 't-42' } }]);
    expect(focused).toEqual(['s-8']);
  });

  it('one press reported twice (activation callback and a live toast) answers once', async () => {
    const { notify, calls } = setup('win32');
    notify(offer);
    Notification.activate(last(), 'action', 0);
    Notification.activate(last(), 'action', 0);
    instanceAction(last(), 0);
    await settle();
    expect(calls).toHaveLength(1);
  });

  it('without handleActivation (Electron before 42) the toast’s own events are used', async () => {
    const central = Notification.handleActivation;
    // biome-ignore lint/suspicious/noExplicitAny: removing a static to stand in for an older Electron.
    (Notification as any).handleActivation = undefined;
    try {
      const { notify, calls } = setup('win32');
      notify(offer);
      instanceAction(last(), 0);
      await settle();
      expect(calls).toEqual([{ channel: 'transfer:accept', args: { sessionId: 's-7', transferId: 't-42' } }]);
    } finally {
      Notification.handleActivation = central;
    }
  });

  it('a long intent id gets a Windows tag of at most 64 characters that still routes the press', async () => {
    const { notify, calls } = setup('win32');
    const transferId = 't'.repeat(64);
    notify({ ...offer, id: `transfer-${transferId}`, transferId });
    expect(String(last().options.id).length).toBeLessThanOrEqual(MAX_TOAST_ID);
    Notification.activate(last(), 'action', 0);
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:accept', args: { sessionId: 's-7', transferId } }]);
  });

  it('an offer that ended is removed from the Action Center too, and a late press on it does nothing', async () => {
    const { notifier, notify, calls } = setup('win32');
    notify(offer);
    const toast = last();
    toast.emit('close', { preventDefault() {} });
    notifier.handle({ type: 'notification-closed', id: offer.id });
    expect(toast.closed).toBe(true);
    Notification.activate(toast, 'action', 0);
    await settle();
    expect(calls).toEqual([]);
  });

  it('a click on a toast from an earlier run of Baton shows the window', () => {
    const { windowShown, logs } = setup('win32');
    Notification.activationHandler!({ type: 'click', arguments: 'type=click&tag=transfer-t-old' });
    expect(windowShown()).toBe(1);
    expect(logs.join('\n')).toContain('no longer open');
  });

  it('reads Electron’s activation arguments and ignores what is not a click or one of the two buttons', () => {
    expect(parseActivation({ type: 'action', arguments: 'type=action&action=1&tag=a%3Ab', actionIndex: 1 })).toEqual({
      tag: 'a:b',
      activation: 'reject',
    });
    expect(parseActivation({ type: 'action', arguments: 'type=action&action=0&tag=x' })).toEqual({ tag: 'x', activation: 'accept' });
    expect(parseActivation({ type: 'click', arguments: 'type=click&tag=x' })).toEqual({ tag: 'x', activation: 'click' });
    expect(parseActivation({ type: 'reply', arguments: 'type=reply&tag=x', reply: 'hi' })).toBeNull();
    expect(parseActivation({ type: 'action', arguments: 'type=action&action=2&tag=x' })).toBeNull();
    expect(parseActivation({ type: 'click', arguments: '' })).toBeNull();
    expect(parseActivation(null)).toBeNull();
  });
});

describe('on macOS', () => {
  it('an offer dismissed from the screen still answers from Notification Center', async () => {
    const { notify, calls } = setup('darwin');
    notify(offer);
    last().emit('close', { preventDefault() {} });
    instanceAction(last(), 1);
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:reject', args: { sessionId: 's-7', transferId: 't-42' } }]);
  });
});

describe('on linux', () => {
  it('an offer is shown without action buttons (the click still opens it)', () => {
    const { notify, focused } = setup('linux');
    notify(offer);
    expect(last().options.actions).toBeUndefined();
    expect(last().options.timeoutType).toBe('never');
    last().emit('click', { preventDefault() {} });
    expect(focused).toEqual(['s-7']);
  });
});

describe('routing by id', () => {
  it('a click focuses the window on that chat', () => {
    const { notify, focused } = setup('darwin');
    notify(offer);
    notify({ ...offer, id: 'offer:t-43', sessionId: 's-8', transferId: 't-43' });
    Notification.instances[1]!.emit('click', { preventDefault() {} });
    expect(focused).toEqual(['s-8']);
  });

  it('notification-closed closes only the notification with that id', () => {
    const { notifier, notify } = setup('win32');
    notify(offer);
    notify({ ...offer, id: 'offer:t-43', sessionId: 's-8', transferId: 't-43' });
    notifier.handle({ type: 'notification-closed', id: 'offer:t-42' } satisfies ClientEvent);
    expect(Notification.instances[0]!.closed).toBe(true);
    expect(Notification.instances[1]!.closed).toBe(false);
    expect(notifier.shownIds()).toEqual(['offer:t-43']);
  });

  it('the same intent id shown again replaces the old notification instead of stacking', () => {
    const { notifier, notify } = setup('darwin');
    notify(offer);
    notify(offer);
    expect(Notification.instances[0]!.closed).toBe(true);
    expect(notifier.shownIds()).toEqual(['offer:t-42']);
  });

  it('signing out closes everything still shown', () => {
    const { notifier, notify } = setup('darwin');
    notify(offer);
    notifier.handle({ type: 'signed-out' });
    expect(last().closed).toBe(true);
    expect(notifier.shownIds()).toEqual([]);
  });

  it('where the OS has no notifications nothing is attempted', () => {
    Notification.supported = false;
    try {
      const { notify } = setup('linux');
      notify(offer);
      expect(Notification.instances).toHaveLength(0);
    } finally {
      Notification.supported = true;
    }
  });
});
