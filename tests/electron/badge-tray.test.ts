// The dock/taskbar badge counts offers waiting for me plus unread chats; the tray menu shows and sets my status.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import { type ClientEvent, type ClientSnapshot, defaultSettings } from '../../common/bridge';
import type { AgentInfo, SessionSummary, TransferOffer } from '../../common/domain';
import { badgeCount, emptyBadgeState, reduceBadge } from '../../main/electron/badge';
import { createTray } from '../../main/electron/tray';
import { app, BrowserWindow, type MenuItem, Tray } from './fake-electron';

const alice: AgentInfo = { id: 'alice', name: 'Alice', role: 'agent', canListenIn: false, status: 'present', openChats: 1 };
const offerTo = (to: string, sessionId: string): TransferOffer => ({
  id: `t-${sessionId}`,
  sessionId,
  fromId: 'bob',
  offeredBy: 'bob',
  toId: to,
  note: null,
  createdAt: 1,
  expiresAt: null,
});
const session = (id: string, patch: Partial<SessionSummary> = {}): SessionSummary => ({
  id,
  customerName: 'Jane',
  state: 'active',
  ownerId: 'bob',
  listeners: [],
  pendingTransfer: null,
  createdAt: 1,
  closedAt: null,
  lastSeq: 3,
  lastMessage: null,
  waitingSince: null,
  ...patch,
});
const snapshot = (patch: Partial<ClientSnapshot>): ClientEvent => ({
  type: 'snapshot',
  snapshot: {
    me: alice,
    connection: { status: 'online', since: 1 },
    agents: [alice],
    sessions: [],
    outbox: [],
    unread: {},
    requests: [],
    cannedReplies: [],
    attachmentLimits: null,
    settings: defaultSettings,
    ...patch,
  },
});
const fold = (events: ClientEvent[]) => badgeCount(events.reduce(reduceBadge, emptyBadgeState));

describe('badge count', () => {
  it('counts transfers offered to me and my chats with unread messages, not unread lines', () => {
    expect(
      fold([
        snapshot({
          sessions: [
            session('s1', { pendingTransfer: offerTo('alice', 's1') }),
            session('s2', { pendingTransfer: offerTo('carol', 's2') }),
            session('s3', { ownerId: 'alice' }),
            session('s4', { ownerId: 'alice' }),
          ],
          unread: { s3: 2, s4: 0, gone: 7 },
        }),
      ]),
    ).toBe(2);
  });

  it('an offer to me adds one; accepting, rejecting, cancelling or timing it out removes it', () => {
    const offered = [snapshot({}), { type: 'session', session: session('s1', { pendingTransfer: offerTo('alice', 's1') }) } as ClientEvent];
    expect(fold(offered)).toBe(1);
    expect(fold([...offered, { type: 'session', session: session('s1', { ownerId: 'alice' }) }])).toBe(0);
    expect(fold([...offered, { type: 'session', session: session('s1') }])).toBe(0);
  });

  it('leaves no phantom count: the unread history of an offered chat stops counting once the offer ends', () => {
    // offered a long chat: its whole history is unread for me, but what waits is one offer
    const offered: ClientEvent[] = [
      snapshot({}),
      { type: 'session', session: session('s1', { pendingTransfer: offerTo('alice', 's1') }) },
      { type: 'unread', sessionId: 's1', count: 304 },
    ];
    expect(fold(offered)).toBe(1);
    expect(fold([...offered, { type: 'session', session: session('s1') }])).toBe(0);
  });

  it('a chat transferred away from me stops counting its unread messages; a snapshot after a relay restart starts over', () => {
    const mine: ClientEvent[] = [snapshot({ sessions: [session('s1', { ownerId: 'alice' })], unread: { s1: 3 } })];
    expect(fold(mine)).toBe(1);
    const away: ClientEvent = { type: 'session', session: session('s1', { ownerId: 'bob', listeners: ['alice'] }) };
    expect(fold([...mine, away])).toBe(0);
    expect(fold([...mine, { type: 'unread', sessionId: 's1', count: 5 }, snapshot({ sessions: [], unread: {} })])).toBe(0);
  });

  it('offers to other agents do not count', () => {
    expect(fold([snapshot({}), { type: 'session', session: session('s1', { pendingTransfer: offerTo('carol', 's1') }) }])).toBe(0);
  });

  it('unread events replace the count for their chat; reading it to zero removes it', () => {
    const base = [snapshot({ sessions: [session('s1', { ownerId: 'alice' }), session('s2', { ownerId: 'alice' })], unread: { s1: 1 } })];
    expect(fold([...base, { type: 'unread', sessionId: 's1', count: 3 }, { type: 'unread', sessionId: 's2', count: 2 }])).toBe(2);
    expect(fold([...base, { type: 'unread', sessionId: 's1', count: 0 }])).toBe(0);
  });

  it('a closed chat stops counting, and signing out clears everything', () => {
    const base = [snapshot({ sessions: [session('s1', { pendingTransfer: offerTo('alice', 's1') }), session('s2', { ownerId: 'alice' })], unread: { s1: 2, s2: 1 } })];
    expect(fold(base)).toBe(2);
    expect(fold([...base, { type: 'session', session: session('s1', { state: 'closed', closedAt: 2 }) }])).toBe(1);
    expect(fold([...base, { type: 'signed-out' }])).toBe(0);
  });

  it('events that change nothing keep the same state object (no needless badge redraws)', () => {
    const state = reduceBadge(emptyBadgeState, snapshot({ unread: { s1: 1 } }));
    expect(reduceBadge(state, { type: 'unread', sessionId: 's1', count: 1 })).toBe(state);
    expect(reduceBadge(state, { type: 'typing', sessionId: 's1', who: 'customer', name: 'Jane', active: true })).toBe(state);
  });
});

describe('tray', () => {
  beforeEach(() => {
    Tray.instances.length = 0;
  });

  function setup(platform: NodeJS.Platform) {
    const calls: string[] = [];
    const window = new BrowserWindow({});
    const tray = createTray({
      platform,
      trayIconPath: '/assets/tray.png',
      overlayIconPath: '/assets/badge.png',
      getWindow: () => window as never,
      showWindow: () => calls.push('show'),
      setStatus: (status) => calls.push(`status:${status}`),
      quit: () => calls.push('quit'),
    });
    const icon = Tray.instances.at(-1)!;
    const item = (label: string) => icon.menu.find((entry: MenuItem) => entry.label === label)!;
    return { tray, icon, item, calls, window };
  }

  it('has Show Baton, Present, Busy, Away and Quit, wired to their actions', () => {
    const { item, calls } = setup('linux');
    item('Show Baton').click!();
    item('Away').click!();
    item('Busy').click!();
    item('Present').click!();
    item('Quit').click!();
    expect(calls).toEqual(['show', 'status:away', 'status:busy', 'status:present', 'quit']);
  });

  it('marks my current status and disables status items while signed out', () => {
    const { tray, item } = setup('darwin');
    expect(item('Present').enabled).toBe(false);
    tray.handle(snapshot({}));
    expect(item('Present')).toMatchObject({ checked: true, enabled: true });
    tray.handle({ type: 'presence', agent: { ...alice, status: 'away' } });
    expect(item('Away').checked).toBe(true);
    expect(item('Present').checked).toBe(false);
    tray.handle({ type: 'presence', agent: { ...alice, status: 'busy' } });
    expect(item('Busy').checked).toBe(true);
    expect(item('Away').checked).toBe(false);
    tray.handle({ type: 'signed-out' });
    expect(item('Away').enabled).toBe(false);
  });

  it('sets the app badge and tooltip to the waiting count', () => {
    const { tray, icon } = setup('darwin');
    tray.handle(snapshot({ sessions: [session('s1', { ownerId: 'alice' })], unread: { s1: 2 } }));
    tray.handle({ type: 'session', session: session('s9', { pendingTransfer: offerTo('alice', 's9') }) });
    expect(app.badgeCount).toBe(2);
    expect(icon.tooltip).toBe('Baton: 2 waiting');
    tray.dispose();
    expect(app.badgeCount).toBe(0);
    expect(icon.destroyed).toBe(true);
  });

  it('on Windows draws an overlay icon on the taskbar button while something waits', () => {
    const { tray, window } = setup('win32');
    tray.handle(snapshot({ sessions: [session('s1', { ownerId: 'alice' })], unread: { s1: 1 } }));
    expect(window.overlay).toMatchObject({ description: '1 waiting' });
    tray.handle({ type: 'unread', sessionId: 's1', count: 0 });
    expect(window.overlay).toBeNull();
  });

  /** The fake window gains what attention needs: focus state and a record of flashFrame calls. */
  function attentive(window: BrowserWindow, focused: boolean) {
    const flashes: boolean[] = [];
    return Object.assign(window, { focused, isFocused: () => focused, flashFrame: (on: boolean) => flashes.push(on), flashes });
  }
  const attention = (kind: 'new-chat' | 'transfer-offer' | 'message'): ClientEvent => ({ type: 'attention', kind, sessionId: 's1', reminder: false });

  it('flashes the taskbar button while Baton is not in front, and stops when it is focused', () => {
    const { tray, window } = setup('win32');
    const win = attentive(window, false);
    tray.handle(snapshot({}));
    tray.handle(attention('transfer-offer'));
    expect(win.flashes).toEqual([true]);
    window.emit('focus');
    expect(win.flashes).toEqual([true, false]);
  });

  it('does not flash a window in front, nor when the agent turned flashing off', () => {
    const focused = setup('linux');
    const win = attentive(focused.window, true);
    focused.tray.handle(attention('new-chat'));
    expect(win.flashes).toEqual([]);
    const off = setup('linux');
    const other = attentive(off.window, false);
    off.tray.handle(snapshot({ settings: { ...defaultSettings, flashWindow: false } }));
    off.tray.handle(attention('message'));
    expect(other.flashes).toEqual([]);
    off.tray.handle({ type: 'settings', settings: defaultSettings });
    off.tray.handle(attention('message'));
    expect(other.flashes).toEqual([true]);
  });

  it('bounces the Dock icon on macOS: critically for an offer, once for the rest', () => {
    const { tray, window } = setup('darwin');
    attentive(window, false);
    const bounces: string[] = [];
    Object.assign(app, { dock: { bounce: (type: string) => bounces.push(type) } });
    try {
      tray.handle(attention('transfer-offer'));
      tray.handle(attention('new-chat'));
      expect(bounces).toEqual(['critical', 'informational']);
    } finally {
      Reflect.deleteProperty(app, 'dock');
    }
  });
});
