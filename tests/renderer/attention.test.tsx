// @vitest-environment happy-dom
// Getting an agent's attention and keeping them informed: Settings, sounds, offers on every view, the offline
// banner, true counts in the title, the sign-in form's resilience, an expired web link, and isolated user strings.
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../common/bridge';
import { fail, ok } from '../../common/result';
import { initials } from '../../renderer/lib/format';
import { FakeBridge } from './fake-bridge';
import { agent, alice, message, offer, request, session, snapshot, T0 } from './fixtures';
import { renderApp } from './render-app';

afterEach(() => {
  cleanup();
  document.title = '';
});

const offeredToMe = (id: string, over = {}) =>
  session(id, { customerName: 'Otto', ownerId: 'bob', pendingTransfer: offer(id, { id: `tr-${id}`, fromId: 'bob', offeredBy: 'bob', toId: 'alice' }), ...over });

describe('Settings', () => {
  it('is a view of its own with theme, notifications, sounds and reminders; the shortcuts overlay no longer holds them', async () => {
    const bridge = new FakeBridge(snapshot());
    const { user, sounds } = await renderApp(bridge);
    await user.keyboard('?');
    const overlay = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(within(overlay).queryByRole('radio')).toBeNull();
    expect(within(overlay).queryByRole('checkbox')).toBeNull();
    await user.keyboard('{Escape}');

    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const view = screen.getByRole('region', { name: 'Settings' });
    expect(screen.getByRole('button', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');
    expect(within(view).getByRole('radio', { name: 'Follow the system' })).toBeTruthy();
    await user.click(within(view).getByRole('checkbox', { name: /New messages in chats I am not looking at/ }));
    await waitFor(() => expect(bridge.callsTo('settings:set')).toEqual([{ notifyMessages: false }]));

    await user.click(within(view).getByRole('checkbox', { name: /Transfer offered to you/ }));
    await waitFor(() => expect(bridge.callsTo('settings:set')).toHaveLength(2));
    expect(bridge.callsTo('settings:set')[1]).toEqual({ sounds: { ...defaultSettings.sounds, 'transfer-offer': { on: false, volume: 0.8 } } });

    const volume = within(view).getByRole('slider', { name: 'Volume: new chat' }) as HTMLInputElement;
    expect(volume.value).toBe('80');
    await user.click(within(view).getByRole('button', { name: 'Play the new chat sound' }));
    expect(sounds.played).toEqual([{ kind: 'new-chat', volume: 0.8 }]);

    const every = within(view).getByRole('combobox', { name: 'Remind me every' }) as HTMLSelectElement;
    await user.selectOptions(every, '60');
    await waitFor(() => expect(bridge.callsTo('settings:set').at(-1)).toEqual({ reminder: { on: true, everySeconds: 60 } }));
    // the taskbar exists only on the desktop
    expect(within(view).queryByRole('checkbox', { name: /Flash the taskbar/ })).toBeNull();
  });

  it('shows what the core answers, and offers the taskbar flash on the desktop', async () => {
    const bridge = new FakeBridge(snapshot());
    bridge.platform = 'desktop';
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const view = screen.getByRole('region', { name: 'Settings' });
    const flash = within(view).getByRole('checkbox', { name: /Flash the taskbar/ }) as HTMLInputElement;
    expect(flash.checked).toBe(true);
    act(() => bridge.push({ type: 'settings', settings: { ...defaultSettings, flashWindow: false, sounds: { ...defaultSettings.sounds, message: { on: true, volume: 0.25 } } } }));
    expect(flash.checked).toBe(false);
    expect((within(view).getByRole('slider', { name: 'Volume: message' }) as HTMLInputElement).value).toBe('25');
  });
});

describe('sounds', () => {
  it('plays the sound of each attention event at the chosen volume, reminders too, and not when it is off', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1'), session('s2')] }));
    const { sounds } = await renderApp(bridge);
    act(() => bridge.push({ type: 'attention', kind: 'new-chat', sessionId: 's1', reminder: false }));
    act(() => bridge.push({ type: 'attention', kind: 'transfer-offer', sessionId: 's2', reminder: true }));
    expect(sounds.played).toEqual([
      { kind: 'new-chat', volume: 0.8 },
      { kind: 'transfer-offer', volume: 0.8 },
    ]);
    act(() => bridge.push({ type: 'settings', settings: { ...defaultSettings, sounds: { ...defaultSettings.sounds, 'new-chat': { on: false, volume: 0.8 } } } }));
    act(() => bridge.push({ type: 'attention', kind: 'new-chat', sessionId: 's1', reminder: true }));
    expect(sounds.played).toHaveLength(2);
  });

  it('a new message in the chat being read makes no sound; in another chat it does', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Rosa' }), session('s2', { customerName: 'Sam' })] }));
    const { user, sounds } = await renderApp(bridge);
    await user.click(within(screen.getByRole('listbox', { name: 'Sessions' })).getByRole('option', { name: /Rosa/ }));
    act(() => bridge.push({ type: 'attention', kind: 'message', sessionId: 's1', reminder: false }));
    expect(sounds.played).toEqual([]);
    act(() => bridge.push({ type: 'attention', kind: 'message', sessionId: 's2', reminder: false }));
    expect(sounds.played).toEqual([{ kind: 'message', volume: 0.5 }]);
  });
});

describe('an offer wherever the agent is', () => {
  it('shows a bar with Accept transfer / Reject transfer on History, Requests, Settings and beside another chat', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Rosa' })] }));
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('tab', { name: 'History' }));
    expect(screen.queryByRole('region', { name: 'Transfers offered to you' })).toBeNull();
    act(() => bridge.push({ type: 'session', session: offeredToMe('s9') }));
    for (const go of [() => user.click(screen.getByRole('tab', { name: 'Requests' })), () => user.click(screen.getByRole('button', { name: 'Settings' })), () => user.click(screen.getByRole('tab', { name: 'History' }))]) {
      await go();
      const bar = screen.getByRole('region', { name: 'Transfers offered to you' });
      expect(within(bar).getByRole('group', { name: 'Transfer from Bob: chat with Otto' }).textContent).toContain('Bob wants to transfer the chat with Otto to you.');
      expect(within(bar).getByRole('button', { name: 'Accept transfer' })).toBeTruthy();
      expect(within(bar).getByRole('button', { name: 'Reject transfer' })).toBeTruthy();
    }
    await user.click(within(screen.getByRole('region', { name: 'Transfers offered to you' })).getByRole('button', { name: 'Reject transfer' }));
    await waitFor(() => expect(bridge.callsTo('transfer:reject')).toEqual([{ sessionId: 's9', transferId: 'tr-s9' }]));
  });

  it('Accept from the bar accepts and opens the chat; on the Chats tab the open offer has its bar in the chat instead', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Rosa' }), offeredToMe('s9')] }));
    bridge.respond('transfer:accept', () => {
      bridge.push({ type: 'session', session: session('s9', { customerName: 'Otto', ownerId: 'alice' }) });
      return ok(null);
    });
    const { user } = await renderApp(bridge);
    // nothing else was open: the offered chat opened by itself, with its own bar
    await screen.findByRole('region', { name: 'Conversation with Otto' });
    expect(screen.queryByRole('region', { name: 'Transfers offered to you' })).toBeNull();
    await user.click(within(screen.getByRole('listbox', { name: 'Sessions' })).getByRole('option', { name: /Rosa/ }));
    expect(screen.getByRole('region', { name: 'Transfers offered to you' })).toBeTruthy();
    await user.click(screen.getByRole('tab', { name: 'History' }));
    await user.click(within(screen.getByRole('region', { name: 'Transfers offered to you' })).getByRole('button', { name: 'Accept transfer' }));
    await waitFor(() => expect(bridge.callsTo('transfer:accept')).toEqual([{ sessionId: 's9', transferId: 'tr-s9' }]));
    expect(await screen.findByRole('region', { name: 'Conversation with Otto' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Chats' }).getAttribute('aria-selected')).toBe('true');
    expect(within(screen.getByRole('region', { name: 'Conversation with Otto' })).getByRole('textbox', { name: 'Message' })).toBeTruthy();
  });
});

describe('counts in the title', () => {
  it('counts a pending offer, and nothing once it is cancelled, rejected or timed out; unread history of an offer is no phantom', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1')] }));
    await renderApp(bridge);
    expect(document.title).toBe('Baton');
    act(() => bridge.push({ type: 'session', session: offeredToMe('s9') }));
    act(() => bridge.push({ type: 'unread', sessionId: 's9', count: 304 }));
    expect(document.title).toBe('(1) Baton');
    act(() => bridge.push({ type: 'session', session: session('s9', { customerName: 'Otto', ownerId: 'bob' }) }));
    expect(document.title).toBe('Baton');
    expect(screen.getByRole('tab', { name: 'Chats' }).textContent).toBe('Chats');
    act(() => bridge.push({ type: 'unread', sessionId: 's1', count: 2 }));
    expect(document.title).toBe('(1) Baton');
    expect(screen.getByRole('tab', { name: 'Chats' }).textContent).toBe('Chats1');
    // after a relay restart the core sends a fresh snapshot: the count starts from it
    act(() => bridge.push({ type: 'snapshot', snapshot: snapshot({ sessions: [session('s1')], unread: { s1: 0 } }) }));
    expect(document.title).toBe('Baton');
  });
});

describe('offline', () => {
  const offline = () => ({
    status: 'offline' as const,
    attempt: 3,
    nextRetryAt: Date.now() + 12_400,
    reason: 'connect ECONNREFUSED 127.0.0.1:7420',
    message: 'The relay at ws://127.0.0.1:7420 did not answer.',
  });

  it('a banner says why, what still works and when the next try is; status and Transfer to do not pretend', async () => {
    const bridge = new FakeBridge(
      snapshot({ connection: offline(), sessions: [session('s1', { customerName: 'Rosa' })], outbox: [{ messageId: 'msg-00000001', sessionId: 's1', kind: 'message', text: 'later', attachment: null, createdAt: T0, state: 'pending', error: null }] }),
    );
    const { user } = await renderApp(bridge);
    const banner = screen.getByRole('region', { name: 'You are offline' });
    expect(banner.textContent).toContain('The relay at ws://127.0.0.1:7420 did not answer.');
    expect(banner.textContent).toContain('Your chats, History and search still work');
    expect(banner.textContent).toContain('1 message is waiting to be sent.');
    expect(banner.textContent).toMatch(/Next try in 1[23] s\./);
    expect(screen.getByRole('status', { name: 'Connection' }).textContent).toMatch(/Offline · retrying in 1[23] s/);
    const status = screen.getByRole('combobox', { name: 'Status' }) as HTMLSelectElement;
    expect(status.disabled).toBe(true);
    expect(status.value).toBe('offline');
    expect(status.selectedOptions[0]?.textContent).toBe('Offline');

    await user.click(within(screen.getByRole('listbox', { name: 'Sessions' })).getByRole('option', { name: /Rosa/ }));
    await user.click(screen.getByRole('button', { name: 'Chat menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Transfer' }));
    const dialog = screen.getByRole('dialog', { name: 'Transfer chat' });
    expect(within(dialog).queryAllByRole('option')).toEqual([]);
    expect(dialog.textContent).toContain('You are offline, so Baton cannot tell who is Present.');

    // back online: the banner goes, the list and the status come back
    act(() => bridge.push({ type: 'connection', connection: { status: 'online', since: Date.now() } }));
    expect(screen.queryByRole('region', { name: 'You are offline' })).toBeNull();
    expect(within(dialog).getAllByRole('option').length).toBeGreaterThan(0);
    expect((screen.getByRole('combobox', { name: 'Status' }) as HTMLSelectElement).value).toBe('present');
  });

  it('keeps the reason through a retry in between', async () => {
    const bridge = new FakeBridge(snapshot({ connection: offline() }));
    await renderApp(bridge);
    act(() => bridge.push({ type: 'connection', connection: { status: 'connecting', attempt: 4 } }));
    const banner = screen.getByRole('region', { name: 'You are offline' });
    expect(banner.textContent).toContain('did not answer.');
    expect(banner.textContent).toContain('Trying again now…');
  });
});

describe('sign-in', () => {
  it('keeps what was typed when the sign-in fails, even while the core tried to connect, and shows the sentence', async () => {
    // a previous account's agent is cached: during the attempt the workspace must not flash in and reset the form
    const bridge = new FakeBridge(snapshot({ connection: { status: 'signed-out' } }));
    bridge.respond('auth:saved', ok({ relayUrl: 'ws://127.0.0.1:7420', user: 'alice', hasPassword: false }));
    bridge.respond('auth:signIn', async () => {
      bridge.push({ type: 'connection', connection: { status: 'connecting', attempt: 0 } });
      await Promise.resolve();
      bridge.push({ type: 'connection', connection: { status: 'signed-out' } });
      return fail('not-connected', 'The relay at ws://127.0.0.1:7421 did not answer.');
    });
    const { user } = await renderApp(bridge, { signedIn: false });
    const relay = screen.getByLabelText('Relay address') as HTMLInputElement;
    await waitFor(() => expect(relay.value).toBe('ws://127.0.0.1:7420'));
    await user.clear(relay);
    await user.type(relay, 'ws://127.0.0.1:7421');
    await user.clear(screen.getByLabelText('User name'));
    await user.type(screen.getByLabelText('User name'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The relay at ws://127.0.0.1:7421 did not answer.');
    expect((screen.getByLabelText('Relay address') as HTMLInputElement).value).toBe('ws://127.0.0.1:7421');
    expect((screen.getByLabelText('User name') as HTMLInputElement).value).toBe('bob');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('secret');
  });

  it('asks before sending a password over ws:// to another machine; loopback and wss:// go straight through', async () => {
    const bridge = new FakeBridge(snapshot({ me: null, connection: { status: 'signed-out' } }));
    bridge.failWith('auth:signIn', 'unauthorized');
    const { user } = await renderApp(bridge, { signedIn: false });
    await user.type(screen.getByLabelText('Relay address'), 'ws://relay.example.com:7420');
    await user.type(screen.getByLabelText('User name'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const warning = await screen.findByRole('alert');
    expect(warning.textContent).toContain('ws://relay.example.com:7420 is not encrypted.');
    expect(warning.textContent).toContain('Your password and every chat would cross the network');
    expect(bridge.callsTo('auth:signIn')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Sign in without encryption' }));
    await waitFor(() =>
      expect(bridge.callsTo('auth:signIn')).toEqual([
        { relayUrl: 'ws://relay.example.com:7420', user: 'alice', password: 'pw', remember: true, allowUnencrypted: true },
      ]),
    );
    await user.clear(screen.getByLabelText('Relay address'));
    await user.type(screen.getByLabelText('Relay address'), 'ws://localhost:7420');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(bridge.callsTo('auth:signIn')).toHaveLength(2));
    expect(bridge.callsTo('auth:signIn')[1]).toEqual({ relayUrl: 'ws://localhost:7420', user: 'alice', password: 'pw', remember: true });
  });
});

describe('an old web page after a host restart', () => {
  it('says its link has expired and how to get the new one', async () => {
    const bridge = new FakeBridge(snapshot());
    await renderApp(bridge);
    act(() => bridge.push({ type: 'link-expired', message: 'Baton was restarted on this computer. Open the address that npm run web printed.' }));
    expect(screen.getByRole('heading', { name: 'This link has expired' })).toBeTruthy();
    expect(screen.getByText(/Open the address that npm run web printed/)).toBeTruthy();
    expect(screen.queryByRole('banner')).toBeNull();
  });
});

describe('strings people typed', () => {
  const RLO = '\u202E';
  const evilCustomer = `Mallory${RLO}gnp.exe`;
  const evilAgent = agent('bob', { name: `Bob${RLO}nimda` });
  const bidiControl = /[\u202A-\u202E\u2066-\u2069]/;

  /** Every text node holding a bidi control sits in an isolate (<bdi> or dir=auto) that holds only what was typed. */
  function unisolated(root: HTMLElement): string[] {
    const leaks: string[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      if (!bidiControl.test(text)) continue;
      const isolate = node.parentElement?.closest('bdi, [dir="auto"]');
      if (!isolate || isolate.textContent !== text) leaks.push(`${node.parentElement?.tagName}: ${JSON.stringify(text)}`);
    }
    return leaks;
  }

  it('are isolated everywhere in the workspace, so an override cannot reverse the text around them', async () => {
    const bridge = new FakeBridge(
      snapshot({
        agents: [alice, evilAgent],
        sessions: [
          session('s1', { customerName: evilCustomer, lastMessage: { text: `see ${RLO}fdp.txt`, at: T0, authorKind: 'customer', authorName: evilCustomer } }),
          session('s2', { customerName: evilCustomer, ownerId: 'bob', pendingTransfer: offer('s2', { fromId: 'bob', offeredBy: 'bob', toId: 'alice', note: `urgent${RLO}!` }) }),
        ],
        requests: [request('r1', { title: `Refund${RLO}dnufer`, description: `desc${RLO}x`, customerName: evilCustomer, createdBy: 'bob' })],
      }),
    );
    bridge.respond('chat:transcript', ok({
      events: [
        { kind: 'opened', sessionId: 's1', seq: 1, at: T0, customerName: evilCustomer },
        { ...message('s1', 2, `hello ${RLO}dlrow`), author: { kind: 'customer', id: null, name: evilCustomer } },
        { kind: 'transfer-rejected', sessionId: 's1', seq: 3, at: T0 + 3000, transferId: 't0', byId: 'bob', reason: `busy${RLO}ysub` },
      ],
      hasMore: false,
    }));
    const { user } = await renderApp(bridge);
    await user.click(within(screen.getByRole('listbox', { name: 'Sessions' })).getByRole('option', { name: /see/ }));
    await within(screen.getByRole('log')).findByText(/dlrow/);
    act(() => bridge.push({ type: 'typing', sessionId: 's1', who: 'customer', name: evilCustomer, active: true }));
    expect(unisolated(document.body)).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Chat menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Transfer' }));
    expect(unisolated(document.body)).toEqual([]);
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('tab', { name: 'Requests' }));
    await screen.findByText(/dnufer/);
    expect(unisolated(document.body)).toEqual([]);
  });

  it('make avatar initials from whole characters, never half an emoji', () => {
    expect(initials('Dana Whitfield')).toBe('DW');
    expect(initials('👩‍👩‍👧 Family')).toBe('👩‍👩‍👧F');
    expect(initials('🇳🇴 Nora Berg')).toBe('🇳🇴B');
    expect(initials('e\u0301mile zola')).toBe('E\u0301Z');
    expect(initials('   ')).toBe('?');
  });
});
