// Transfer-offer notifications: one per offer, Accept/Reject buttons where the OS has them, answered without
// opening the window, closed when the offer ends, and a click that shows the chat.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import type { ClientEvent, NotificationIntent } from '../../common/bridge';
import { fail, ok, type Result } from '../../common/result';
import { ACCEPT_LABEL, createNotifier, REJECT_LABEL } from '../../main/electron/notifier';
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
  const notifier = createNotifier({
    platform,
    invoke: async (channel, args) => {
      calls.push({ channel, args });
      return answer;
    },
    focusSession: (sessionId) => focused.push(sessionId),
  });
  const notify = (notification: NotificationIntent) => notifier.handle({ type: 'notification', notification });
  return { notifier, notify, calls, focused };
}

const last = () => Notification.instances.at(-1)!;
const action = (n: Notification, index: number) => n.emit('action', { actionIndex: index, selectionIndex: -1, preventDefault() {} }, index, -1);
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  Notification.instances.length = 0;
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
    action(last(), 0);
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:accept', args: { sessionId: 's-7', transferId: 't-42' } }]);
    expect(focused).toEqual([]);
  });

  it('Reject rejects that transfer', async () => {
    const { notify, calls } = setup(platform);
    notify(offer);
    notify({ ...offer, id: 'offer:t-43', sessionId: 's-8', transferId: 't-43' });
    action(Notification.instances[0]!, 1);
    await settle();
    expect(calls).toEqual([{ channel: 'transfer:reject', args: { sessionId: 's-7', transferId: 't-42' } }]);
  });

  it('an answer that fails (offer withdrawn meanwhile) is reported in a follow-up notification', async () => {
    const { notify } = setup(platform, fail('transfer-not-pending', 'This transfer is no longer waiting for an answer.'));
    notify(offer);
    action(last(), 0);
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
