// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fail, ok } from '../../common/result';
import { FakeBridge } from './fake-bridge';
import { agent, alice, bob, carol, dave, maria, message, offer, session, snapshot, T0 } from './fixtures';
import { renderApp } from './render-app';

afterEach(() => {
  cleanup();
  document.title = '';
});

/** Finds the element whose whole text is `text`, even when names inside it are isolated in <bdi> elements. */
const sentence = (text: string) => (_: string, el: Element | null) =>
  !!el && el.textContent === text && ![...el.children].some((child) => child.textContent === text);

const openChat = async (user: ReturnType<typeof import('@testing-library/user-event').default.setup>, name: RegExp) => {
  await user.click(within(screen.getByRole('listbox', { name: 'Sessions' })).getByRole('option', { name }));
};

describe('sign-in', () => {
  it('is shown when nobody is signed in, prefilled from the saved values, and sends what was typed', async () => {
    const bridge = new FakeBridge(snapshot({ me: null, connection: { status: 'signed-out' } }));
    bridge.respond('auth:saved', ok({ relayUrl: 'wss://relay.test:8080', user: 'alice', hasPassword: false }));
    bridge.respond('auth:signIn', fail('unauthorized', ''));
    const { user } = await renderApp(bridge, { signedIn: false });
    await waitFor(() => expect((screen.getByLabelText('Relay address') as HTMLInputElement).value).toBe('wss://relay.test:8080'));
    expect((screen.getByLabelText('User name') as HTMLInputElement).value).toBe('alice');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('checkbox', { name: 'Remember me' }));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong user name or password.');
    expect(bridge.callsTo('auth:signIn')).toEqual([
      { relayUrl: 'wss://relay.test:8080', user: 'alice', password: 'wrong', remember: false },
    ]);
  });

  it('explains a malformed relay address without calling the core', async () => {
    const bridge = new FakeBridge(snapshot({ me: null, connection: { status: 'signed-out' } }));
    const { user } = await renderApp(bridge, { signedIn: false });
    await user.type(screen.getByLabelText('Relay address'), 'relay.test');
    await user.type(screen.getByLabelText('User name'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/starts with ws:\/\/ or wss:\/\//);
    expect(bridge.callsTo('auth:signIn')).toEqual([]);
  });
});

describe('transfer dialog', () => {
  it('lists only Present agents other than the owner, live, and offers to the chosen one with the note', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Maria Lopez' })] }));
    const { user } = await renderApp(bridge);
    await openChat(user, /Maria Lopez/);
    await user.click(screen.getByRole('button', { name: 'Chat menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Transfer' }));
    const dialog = screen.getByRole('dialog', { name: 'Transfer chat' });
    const list = within(dialog).getByRole('listbox', { name: 'Transfer to' });
    const names = () => within(list).queryAllByRole('option').map((o) => o.querySelector('.target-name')?.textContent);
    expect(names()).toEqual(['Bob', 'Dave', 'Maria']);

    act(() => bridge.push({ type: 'presence', agent: { ...dave, status: 'away' } }));
    act(() => bridge.push({ type: 'presence', agent: { ...carol, status: 'present' } }));
    expect(names()).toEqual(['Bob', 'Carol', 'Maria']);

    await user.click(within(list).getByRole('option', { name: /Bob/ }));
    await user.type(within(dialog).getByLabelText('Note (optional)'), 'Billing question');
    await user.click(within(dialog).getByRole('button', { name: 'Transfer' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(bridge.callsTo('transfer:offer')).toEqual([{ sessionId: 's1', to: 'bob', note: 'Billing question' }]);
  });

  it('says so when nobody else is Present, and shows a relay error inside the dialog', async () => {
    const bridge = new FakeBridge(
      snapshot({ agents: [alice, bob, agent('dave', { status: 'away' })], sessions: [session('s1', { customerName: 'Ann' })] }),
    );
    bridge.failWith('transfer:offer', 'not-present');
    const { user } = await renderApp(bridge);
    await openChat(user, /Ann/);
    await user.click(screen.getByRole('button', { name: 'Chat menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Transfer' }));
    const dialog = screen.getByRole('dialog', { name: 'Transfer chat' });
    await user.click(within(dialog).getByRole('option', { name: /Bob/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Transfer' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('That agent is not Present.');
    act(() => bridge.push({ type: 'presence', agent: { ...bob, status: 'away' } }));
    expect(within(dialog).getByText('No other agent is Present')).toBeTruthy();
    expect((within(dialog).getByRole('button', { name: 'Transfer' }) as HTMLButtonElement).disabled).toBe(true);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Chat menu');
  });
});

describe('offer bar', () => {
  const offered = () =>
    new FakeBridge(
      snapshot({
        sessions: [
          session('s9', {
            customerName: 'Otto',
            ownerId: 'bob',
            pendingTransfer: offer('s9', { id: 'tr-77', fromId: 'bob', offeredBy: 'bob', toId: 'alice', note: 'VIP customer' }),
          }),
        ],
      }),
    );

  it('opens the offered chat by itself and Accept calls transfer:accept with its ids', async () => {
    const bridge = offered();
    const { user } = await renderApp(bridge);
    const option = screen.getByRole('option', { name: /Otto/ });
    expect(option.getAttribute('aria-label')).toContain('Transfer from Bob');
    expect(option.getAttribute('aria-selected')).toBe('true');
    const panel = await screen.findByRole('region', { name: 'Conversation with Otto' });
    expect(within(panel).getByText(sentence('Bob wants to transfer this chat to you.'))).toBeTruthy();
    expect(within(panel).getByText(sentence('Note: VIP customer'))).toBeTruthy();
    expect(within(panel).queryByRole('textbox', { name: 'Message' })).toBeNull();
    await user.click(within(panel).getByRole('button', { name: 'Accept transfer' }));
    await waitFor(() => expect(bridge.callsTo('transfer:accept')).toEqual([{ sessionId: 's9', transferId: 'tr-77' }]));
  });

  it('Reject sends the reason, and a relay error shows as a sentence beside the buttons', async () => {
    const bridge = offered();
    bridge.failWith('transfer:reject', 'transfer-not-pending');
    const { user } = await renderApp(bridge);
    const panel = await screen.findByRole('region', { name: 'Conversation with Otto' });
    await user.type(within(panel).getByLabelText('Reason (optional)'), 'Too busy');
    await user.click(within(panel).getByRole('button', { name: 'Reject transfer' }));
    expect((await within(panel).findByRole('alert')).textContent).toBe('This transfer is no longer waiting for an answer.');
    expect(bridge.callsTo('transfer:reject')).toEqual([{ sessionId: 's9', transferId: 'tr-77', reason: 'Too busy' }]);
  });
});

describe('listening mode and roles', () => {
  it('a listener has no composer, is told why, and Close window leaves', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Lena', ownerId: 'bob', listeners: ['alice'] })] }));
    const { user } = await renderApp(bridge);
    await openChat(user, /Lena.*Listening/);
    const panel = screen.getByRole('region', { name: 'Conversation with Lena' });
    expect(within(panel).queryByRole('textbox', { name: 'Message' })).toBeNull();
    expect(within(panel).getByText('You are listening to this chat. You cannot write.')).toBeTruthy();
    await user.click(within(panel).getByRole('button', { name: 'Close window' }));
    await waitFor(() => expect(bridge.callsTo('session:closeWindow')).toEqual([{ sessionId: 's1' }]));
  });

  it('the sender waits with Cancel transfer, then continues after a rejection', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Ivo', pendingTransfer: offer('s1', { id: 'tr-5' }) })] }));
    const { user } = await renderApp(bridge);
    await openChat(user, /Ivo.*Transfer to Bob pending/);
    const panel = screen.getByRole('region', { name: 'Conversation with Ivo' });
    expect(within(panel).getByText(sentence('Waiting for Bob to accept the transfer'))).toBeTruthy();
    await user.click(within(panel).getByRole('button', { name: 'Cancel transfer' }));
    await waitFor(() => expect(bridge.callsTo('transfer:cancel')).toEqual([{ sessionId: 's1', transferId: 'tr-5' }]));
    act(() => bridge.push({ type: 'session', session: session('s1', { customerName: 'Ivo' }) }));
    expect(within(panel).queryByText('Waiting for Bob to accept the transfer')).toBeNull();
    expect(screen.getByRole('option', { name: /Ivo/ }).className).not.toContain('pending');
    await user.click(within(panel).getByRole('button', { name: 'Chat menu' }));
    const items = screen.getAllByRole('menuitem').map((i) => i.textContent);
    expect(items).toEqual(['Transfer', 'Create request', 'Close chat']);
  });

  it('a manager gets Take over on another agent’s chat', async () => {
    const bridge = new FakeBridge(snapshot({ me: maria, sessions: [session('s1', { customerName: 'Kim', ownerId: 'bob', listeners: ['maria'] })] }));
    const { user } = await renderApp(bridge);
    await openChat(user, /Kim/);
    await user.click(screen.getByRole('button', { name: 'Chat menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Take over' }));
    // asked first: Cancel does nothing, Take over does it
    const ask = screen.getByRole('dialog', { name: 'Take over this chat?' });
    await user.click(within(ask).getByRole('button', { name: 'Cancel' }));
    expect(bridge.callsTo('session:takeOver')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Chat menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Take over' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Take over this chat?' })).getByRole('button', { name: 'Take over' }));
    await waitFor(() => expect(bridge.callsTo('session:takeOver')).toEqual([{ sessionId: 's1' }]));
  });
});

describe('composer', () => {
  it('Enter sends, Shift+Enter adds a new line', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Pia' })] }));
    const { user } = await renderApp(bridge);
    await openChat(user, /Pia/);
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.type(box, 'Hello{Shift>}{Enter}{/Shift}there');
    expect(box.value).toBe('Hello\nthere');
    expect(bridge.callsTo('chat:send')).toEqual([]);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(bridge.callsTo('chat:send')).toEqual([{ sessionId: 's1', text: 'Hello\nthere' }]));
  });

  it('shows my message as Sending… and Failed with Retry from outbox events', async () => {
    const bridge = new FakeBridge(snapshot({ sessions: [session('s1', { customerName: 'Pia' })] }));
    const { user } = await renderApp(bridge);
    await openChat(user, /Pia/);
    const item = { messageId: 'out-00000009', sessionId: 's1', kind: 'message' as const, attachment: null, text: 'one moment', createdAt: Date.now(), error: null };
    act(() => bridge.push({ type: 'outbox', item: { ...item, state: 'pending' } }));
    const log = screen.getByRole('log');
    expect(within(log).getByText('Sending…')).toBeTruthy();
    act(() => bridge.push({ type: 'outbox', item: { ...item, state: 'failed', error: 'the chat was closed' } }));
    expect(within(log).getByText('Failed: the chat was closed')).toBeTruthy();
    await user.click(within(log).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(bridge.callsTo('chat:retry')).toEqual([{ messageId: 'out-00000009' }]));
  });
});

describe('transcript, unread and title', () => {
  it('loads the transcript when a chat opens and marks it read; unread shows in the list and title', async () => {
    const bridge = new FakeBridge(
      snapshot({
        sessions: [session('s1', { customerName: 'Rosa', lastSeq: 2 }), session('s2', { customerName: 'Sam' })],
        unread: { s1: 2, s2: 1 },
      }),
    );
    bridge.respond('chat:transcript', ok({ events: [message('s1', 1, 'Hi there'), message('s1', 2, 'Anyone?')], hasMore: false }));
    const { user } = await renderApp(bridge);
    // two of my chats have unread messages: two things wait for me (not three unread lines)
    expect(document.title).toBe('(2) Baton');
    expect(screen.getByRole('option', { name: /Rosa/ }).getAttribute('aria-label')).toContain('2 unread');
    await openChat(user, /Rosa/);
    const log = screen.getByRole('log');
    expect(await within(log).findByText('Anyone?')).toBeTruthy();
    expect(bridge.callsTo('chat:transcript')[0]).toEqual({ sessionId: 's1', limit: 200 });
    await waitFor(() => expect(bridge.callsTo('chat:markRead')).toEqual([{ sessionId: 's1', seq: 2 }]));
    act(() => bridge.push({ type: 'unread', sessionId: 's1', count: 0 }));
    expect(document.title).toBe('(1) Baton');
    act(() => bridge.push({ type: 'events', sessionId: 's1', events: [message('s1', 3, 'Thanks!'), message('s1', 2, 'Anyone?')] }));
    expect(within(log).getAllByText('Anyone?')).toHaveLength(1);
    expect(within(log).getByText('Thanks!')).toBeTruthy();
  });
});

describe('dashboard', () => {
  it('is absent for plain agents', async () => {
    await renderApp(new FakeBridge(snapshot()));
    expect(screen.getByRole('tab', { name: 'Chats' })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: 'Dashboard' })).toBeNull();
  });

  it('lists live chats with waiting time; Enter and double-click listen in', async () => {
    const me = agent('alice', { canListenIn: true });
    const bridge = new FakeBridge(
      snapshot({
        me,
        agents: [me, bob],
        sessions: [
          session('s1', { customerName: 'Uma', ownerId: 'bob', waitingSince: Date.now() - 65_000 }),
          session('s2', { customerName: 'Vic', ownerId: 'bob', pendingTransfer: offer('s2', { fromId: 'bob', offeredBy: 'bob', toId: 'dave' }) }),
        ],
      }),
    );
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('tab', { name: 'Dashboard' }));
    const table = screen.getByRole('table', { name: 'Live chats' });
    const uma = within(table).getByRole('row', { name: /Uma/ });
    expect(uma.textContent).toMatch(/1:0[5-9]/);
    expect(within(table).getByRole('row', { name: /Vic/ }).textContent).toContain('To dave');
    expect(within(table).queryByRole('button', { name: 'Take over' })).toBeNull();
    uma.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(bridge.callsTo('session:listen')).toEqual([{ sessionId: 's1' }]));
    await screen.findByRole('region', { name: 'Conversation with Uma' });
    await user.click(screen.getByRole('tab', { name: 'Dashboard' }));
    fireEvent.doubleClick(within(screen.getByRole('table', { name: 'Live chats' })).getByRole('row', { name: /Vic/ }));
    await waitFor(() => expect(bridge.callsTo('session:listen')).toEqual([{ sessionId: 's1' }, { sessionId: 's2' }]));
  });
});

describe('history', () => {
  it('renders search highlights and opens the read-only transcript of a hit', async () => {
    const bridge = new FakeBridge(snapshot());
    bridge.respond('history:list', ok({ sessions: [session('c1', { customerName: 'Old Timer', state: 'closed', closedAt: T0 })] }));
    bridge.respond(
      'history:search',
      ok({
        hits: [
          {
            sessionId: 'c1',
            seq: 4,
            kind: 'message',
            customerName: 'Old Timer',
            authorName: 'Customer',
            at: T0,
            parts: [
              { text: 'my ', match: false },
              { text: 'invoice', match: true },
              { text: ' is wrong', match: false },
            ],
          },
        ],
      }),
    );
    bridge.respond('chat:transcript', ok({ events: [message('c1', 4, 'my invoice is wrong')], hasMore: false }));
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('tab', { name: 'History' }));
    expect(await within(screen.getByRole('list', { name: 'Closed chats' })).findByText('Old Timer')).toBeTruthy();
    await user.type(screen.getByRole('searchbox', { name: 'Search history' }), 'invoice');
    const results = await screen.findByRole('list', { name: 'Search results' });
    const mark = await within(results).findByText('invoice');
    expect(mark.tagName).toBe('MARK');
    expect(bridge.callsTo('history:search').at(-1)).toEqual({ text: 'invoice', limit: 50 });
    await user.click(within(results).getByRole('button', { name: /Old Timer/ }));
    const transcript = await screen.findByRole('region', { name: 'Transcript of the chat with Old Timer' });
    expect(await within(transcript).findByText('my invoice is wrong')).toBeTruthy();
    expect(within(transcript).queryByRole('textbox')).toBeNull();
    // only the opened hit is current, not every entry of that chat
    expect(within(results).getByRole('button', { name: /Old Timer/ }).getAttribute('aria-current')).toBe('true');
    const closed = screen.getByRole('list', { name: 'Closed chats' });
    expect(within(closed).getByRole('button', { name: /Old Timer/ }).getAttribute('aria-current')).toBeNull();
    expect(within(transcript).getByText('my invoice is wrong').closest('.msg')?.classList.contains('focused')).toBe(true);
  });
});

describe('shortcuts', () => {
  it('? opens the help overlay, Escape closes it, Alt+ArrowDown moves to the next chat', async () => {
    const bridge = new FakeBridge(
      snapshot({
        sessions: [
          session('a', { customerName: 'First', lastMessage: { text: 'x', at: T0 + 9, authorKind: 'customer', authorName: 'F' } }),
          session('b', { customerName: 'Second' }),
        ],
      }),
    );
    const { user } = await renderApp(bridge);
    await user.keyboard('?');
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    expect(screen.getByRole('option', { name: /First/ }).getAttribute('aria-selected')).toBe('true');
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    expect(screen.getByRole('option', { name: /Second/ }).getAttribute('aria-selected')).toBe('true');
  });

});
