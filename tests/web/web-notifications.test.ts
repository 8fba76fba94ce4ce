// Browser notifications in web mode: shown per intent when permitted, asked for on sign-in, closed when the core
// says so, and a click that brings the tab forward on the right chat.
import { describe, expect, it } from 'vitest';
import type { ClientEvent, NotificationIntent } from '../../common/bridge';
import { createWebBridge } from '../../renderer/bridge/web';
import { type BrowserNotificationApi, createWebNotifier } from '../../renderer/bridge/web-notifications';

function fakeBrowser(permission: NotificationPermission) {
  const shown: FakeNotification[] = [];
  let asked = 0;
  class FakeNotification {
    static permission: NotificationPermission = permission;
    static async requestPermission() {
      asked += 1;
      return FakeNotification.permission;
    }
    onclick: (() => unknown) | null = null;
    onclose: (() => unknown) | null = null;
    closed = false;
    constructor(
      readonly title: string,
      readonly options: NotificationOptions = {},
    ) {
      shown.push(this);
    }
    close() {
      this.closed = true;
      this.onclose?.();
    }
  }
  return { api: FakeNotification as unknown as BrowserNotificationApi, shown, asked: () => asked, cls: FakeNotification };
}

const offer: NotificationIntent = {
  id: 'offer:t-1',
  kind: 'transfer-offer',
  title: 'Bob wants to transfer a chat to you',
  body: 'Customer: Jane Roe',
  sessionId: 's-1',
  transferId: 't-1',
};

describe('web notifications', () => {
  it('shows one browser notification per intent and closes it on notification-closed', () => {
    const browser = fakeBrowser('granted');
    const notifier = createWebNotifier({ api: browser.api, focusWindow: () => {}, focusSession: () => {} });
    notifier.handle({ type: 'notification', notification: offer });
    notifier.handle({ type: 'notification', notification: { ...offer, id: 'chat:s-2', kind: 'new-chat', sessionId: 's-2' } });
    expect(browser.shown.map((n) => n.title)).toEqual([offer.title, offer.title]);
    expect(browser.shown[0]!.options).toMatchObject({ body: offer.body, tag: 'offer:t-1', requireInteraction: true });
    notifier.handle({ type: 'notification-closed', id: 'offer:t-1' });
    expect(browser.shown.map((n) => n.closed)).toEqual([true, false]);
  });

  it('a click focuses the tab and asks the UI to show that chat', () => {
    const browser = fakeBrowser('granted');
    const calls: string[] = [];
    const notifier = createWebNotifier({
      api: browser.api,
      focusWindow: () => calls.push('focus'),
      focusSession: (id) => calls.push(`session:${id}`),
    });
    notifier.handle({ type: 'notification', notification: offer });
    browser.shown[0]!.onclick?.();
    expect(calls).toEqual(['focus', 'session:s-1']);
    expect(browser.shown[0]!.closed).toBe(true);
  });

  it('without permission nothing is shown, and permission is asked for once', () => {
    const browser = fakeBrowser('default');
    const notifier = createWebNotifier({ api: browser.api, focusWindow: () => {}, focusSession: () => {} });
    notifier.requestPermission();
    notifier.handle({ type: 'notification', notification: offer });
    expect(browser.shown).toHaveLength(0);
    expect(browser.asked()).toBe(1);
    browser.cls.permission = 'denied';
    notifier.handle({ type: 'notification', notification: offer });
    expect(browser.asked()).toBe(1);
    expect(browser.shown).toHaveLength(0);
  });

  it('a browser without the Notification API is fine', () => {
    const notifier = createWebNotifier({ api: undefined, focusWindow: () => {}, focusSession: () => {} });
    expect(() => notifier.handle({ type: 'notification', notification: offer })).not.toThrow();
  });

  it('the web bridge asks for permission when the agent signs in, and routes a click to focus-session listeners', async () => {
    const browser = fakeBrowser('default');
    const sent: string[] = [];
    let deliver: ((ev: { data: unknown }) => unknown) | null = null;
    const socket = {
      readyState: 1,
      onopen: null as ((ev: unknown) => unknown) | null,
      onclose: null,
      onerror: null,
      onmessage: null as ((ev: { data: unknown }) => unknown) | null,
      send: (data: string) => sent.push(data),
      close: () => {},
    };
    const focused: string[] = [];
    const bridge = createWebBridge({
      url: 'ws://127.0.0.1:1/bridge?token=t',
      createSocket: () => socket,
      notifications: browser.api,
      focusWindow: () => focused.push('window'),
    });
    socket.onopen?.({});
    deliver = socket.onmessage;
    const events: ClientEvent[] = [];
    bridge.onEvent((event) => events.push(event));
    const pending = bridge.invoke('auth:signIn', { relayUrl: 'ws://relay', user: 'alice', password: 'demo' });
    expect(browser.asked()).toBe(1);
    const request = JSON.parse(sent[0]!) as { id: number; channel: string };
    expect(request.channel).toBe('auth:signIn');
    deliver?.({ data: JSON.stringify({ kind: 'result', id: request.id, result: { ok: true, value: { me: null } } }) });
    expect(await pending).toEqual({ ok: true, value: { me: null } });

    browser.cls.permission = 'granted';
    deliver?.({ data: JSON.stringify({ kind: 'event', event: { type: 'notification', notification: offer } }) });
    browser.shown[0]!.onclick?.();
    expect(focused).toEqual(['window']);
    expect(events.map((e) => e.type)).toEqual(['notification', 'focus-session']);
    bridge.dispose();
  });

  it('a page opened without its token says so instead of hanging', async () => {
    const bridge = createWebBridge({ url: undefined, createSocket: () => { throw new Error('must not connect'); } });
    const result = await bridge.invoke('app:snapshot', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/token/);
    bridge.dispose();
  });
});
