// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../common/bridge';
import { chatMenuItems } from '../../renderer/components/ChatMenu';
import { sessionStateWords } from '../../renderer/components/SessionList';
import { closedChatDismissed, eventReceived, transferDialogOpened, transferTargetChosen } from '../../renderer/store/actions';
import { buildTranscriptRows, makeSelectTranscriptRows } from '../../renderer/store/chat';
import { connectionLabel } from '../../renderer/store/connection';
import { type RootState, rootReducer } from '../../renderer/store/root';
import { selectMySessions, selectRoleIn, selectAttention } from '../../renderer/store/sessions';
import { selectChosenTarget, selectTransferTargets } from '../../renderer/store/transfers';
import { agent, alice, bob, maria, message, offer, session, snapshot, T0 } from './fixtures';

const reduce = (state: RootState | undefined, ...events: ClientEvent[]) =>
  events.reduce<RootState>((s, e) => rootReducer(s, eventReceived(e)), state ?? rootReducer(undefined, { type: 'init' }));

describe('snapshot', () => {
  it('replaces sessions, agents, unread and outbox wholesale', () => {
    const first = reduce(
      undefined,
      { type: 'snapshot', snapshot: snapshot({ sessions: [session('s1'), session('s2')], unread: { s1: 2 } }) },
      { type: 'events', sessionId: 's1', events: [message('s1', 1, 'hi')] },
    );
    expect(first.sessions.ids).toEqual(['s1', 's2']);
    expect(first.chat.logs.s1?.events.map((e) => e.seq)).toEqual([1]);

    const second = reduce(first, {
      type: 'snapshot',
      snapshot: snapshot({ agents: [alice, bob], sessions: [session('s3')], unread: { s3: 1 } }),
    });
    expect(second.sessions.ids).toEqual(['s3']);
    expect(second.sessions.unread).toEqual({ s3: 1 });
    expect(second.presence.ids.slice().sort()).toEqual(['alice', 'bob']);
    expect(second.chat.logs).toEqual({});
    expect(selectAttention(second).total).toBe(1);
  });

  it('signed-out clears everything the agent could see', () => {
    const state = reduce(
      undefined,
      { type: 'snapshot', snapshot: snapshot({ sessions: [session('s1')], unread: { s1: 4 } }) },
      { type: 'signed-out' },
    );
    expect(state.session.me).toBeNull();
    expect(state.sessions.ids).toEqual([]);
    expect(selectAttention(state).total).toBe(0);
    expect(state.connection.state.status).toBe('signed-out');
  });
});

describe('chat events', () => {
  it('keeps each seq once and in order, however events arrive', () => {
    const state = reduce(
      undefined,
      { type: 'snapshot', snapshot: snapshot({ sessions: [session('s1')] }) },
      { type: 'events', sessionId: 's1', events: [message('s1', 3, 'three'), message('s1', 4, 'four')] },
      { type: 'events', sessionId: 's1', events: [message('s1', 1, 'one'), message('s1', 3, 'three again')] },
      { type: 'events', sessionId: 's1', events: [message('s1', 4, 'four again'), message('s1', 2, 'two')] },
    );
    const log = state.chat.logs.s1;
    expect(log?.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    const texts = log?.events.map((e) => (e.kind === 'message' ? e.text : ''));
    expect(texts).toEqual(['one', 'two', 'three', 'four']);
  });

  it('ignores events filed under another session', () => {
    const state = reduce(undefined, {
      type: 'events',
      sessionId: 's1',
      events: [message('s2', 1, 'stray')],
    });
    expect(state.chat.logs.s2).toBeUndefined();
  });

  it('shows my unsent message with its state until its event arrives', () => {
    const item = {
      messageId: 'out-00000001',
      sessionId: 's1',
      kind: 'message' as const,
      attachment: null,
      text: 'on my way',
      createdAt: T0 + 5000,
      state: 'pending' as const,
      error: null,
    };
    let state = reduce(
      undefined,
      { type: 'snapshot', snapshot: snapshot({ sessions: [session('s1')] }) },
      { type: 'outbox', item },
    );
    const rows = makeSelectTranscriptRows();
    expect(rows(state, 's1').filter((r) => r.kind === 'outbox')).toHaveLength(1);
    state = reduce(state, {
      type: 'events',
      sessionId: 's1',
      events: [{ ...message('s1', 1, 'on my way', 'alice'), messageId: 'out-00000001' } as ReturnType<typeof message>],
    });
    const after = rows(state, 's1');
    expect(after.filter((r) => r.kind === 'outbox')).toHaveLength(0);
    expect(after.find((r) => r.kind === 'message')).toMatchObject({ own: true });
  });

  it('writes system lines in the help page words', () => {
    const names = (id: string | null | undefined) => ({ alice: 'Alice', bob: 'Bob', carol: 'Carol' })[id ?? ''] ?? String(id);
    const log = reduce(undefined, {
      type: 'events',
      sessionId: 's1',
      events: [
        { kind: 'assigned', sessionId: 's1', seq: 1, at: T0, agentId: 'alice', agentName: 'Alice' },
        { kind: 'transfer-offered', sessionId: 's1', seq: 2, at: T0, transfer: offer('s1') },
        { kind: 'transfer-rejected', sessionId: 's1', seq: 3, at: T0, transferId: 'tr-s1', byId: 'bob', reason: 'busy' },
        { kind: 'transfer-cancelled', sessionId: 's1', seq: 4, at: T0, transferId: 'x', reason: 'cancelled', byId: 'alice' },
        { kind: 'transfer-accepted', sessionId: 's1', seq: 5, at: T0, transferId: 'y', fromId: 'alice', fromName: 'Alice', toId: 'bob', toName: 'Bob' },
        { kind: 'taken-over', sessionId: 's1', seq: 6, at: T0, byId: 'maria', byName: 'Maria', fromId: 'alice', fromName: 'Alice' },
        { kind: 'listener-joined', sessionId: 's1', seq: 7, at: T0, agentId: 'carol', agentName: 'Carol' },
        { kind: 'listener-left', sessionId: 's1', seq: 8, at: T0, agentId: 'carol', agentName: 'Carol' },
        { kind: 'closed', sessionId: 's1', seq: 9, at: T0, by: { kind: 'agent', id: 'bob', name: 'Bob' } },
      ],
    }).chat.logs.s1;
    const lines = buildTranscriptRows(log, {}, 's1', 'alice', 'Alice', names, T0)
      .filter((r) => r.kind === 'system')
      .map((r) => (r.kind === 'system' ? r.text : ''));
    expect(lines).toEqual([
      'Alice joined the chat',
      'Transfer to Bob offered',
      'Transfer rejected by Bob: busy',
      'Transfer cancelled',
      'Transferred from Alice to Bob',
      'Maria took over the chat from Alice',
      'Carol started listening',
      'Carol stopped listening',
      'Chat closed by Bob',
    ]);
  });
});

describe('sessions list and roles', () => {
  it('puts offers to me first, then open chats by last activity, closed ones last', () => {
    const state = reduce(undefined, {
      type: 'snapshot',
      snapshot: snapshot({
        sessions: [
          session('old', { lastMessage: { text: 'a', at: T0 + 10, authorKind: 'customer', authorName: 'C' } }),
          session('new', { lastMessage: { text: 'b', at: T0 + 50, authorKind: 'customer', authorName: 'C' } }),
          session('offered', { ownerId: 'bob', pendingTransfer: offer('offered', { fromId: 'bob', offeredBy: 'bob', toId: 'alice' }) }),
          session('done', { state: 'closed', closedAt: T0 + 100 }),
          session('others', { ownerId: 'dave' }),
        ],
      }),
    });
    expect(selectMySessions(state).map((s) => s.id)).toEqual(['offered', 'new', 'old', 'done']);
  });

  it('derives owner, offered, listener and none with roleIn', () => {
    const state = reduce(undefined, {
      type: 'snapshot',
      snapshot: snapshot({
        sessions: [
          session('own'),
          session('offer', { ownerId: 'bob', pendingTransfer: offer('offer', { fromId: 'bob', offeredBy: 'bob', toId: 'alice' }) }),
          session('listen', { ownerId: 'bob', listeners: ['alice'] }),
          session('other', { ownerId: 'bob' }),
        ],
      }),
    });
    expect(['own', 'offer', 'listen', 'other'].map((id) => selectRoleIn(state, id))).toEqual([
      'owner',
      'offered',
      'listener',
      'none',
    ]);
  });

  it('after an accepted transfer the former owner is in listening mode', () => {
    let state = reduce(undefined, {
      type: 'snapshot',
      snapshot: snapshot({ sessions: [session('s1', { pendingTransfer: offer('s1') })] }),
    });
    expect(sessionStateWords(state.sessions.entities.s1!, 'alice', (id) => id)).toBe('Transfer to bob pending');
    state = reduce(state, { type: 'session', session: session('s1', { ownerId: 'bob', listeners: ['alice'] }) });
    expect(selectRoleIn(state, 's1')).toBe('listener');
    expect(chatMenuItems(state.sessions.entities.s1!, alice)).toEqual(['Close window']);
    expect(sessionStateWords(state.sessions.entities.s1!, 'alice', (id) => id)).toBe('Listening');
  });

  it('keeps a closed chat I owned in the list until dismissed, and drops one that left my audience', () => {
    let state = reduce(undefined, {
      type: 'snapshot',
      snapshot: snapshot({
        sessions: [
          session('mine'),
          session('offered', { ownerId: 'bob', pendingTransfer: offer('offered', { fromId: 'bob', offeredBy: 'bob', toId: 'alice' }) }),
        ],
      }),
    });
    state = reduce(
      state,
      { type: 'session', session: session('mine', { state: 'closed', ownerId: null, closedAt: T0 + 9 }) },
      { type: 'session', session: session('offered', { ownerId: 'bob' }) },
    );
    expect(selectMySessions(state).map((s) => s.id)).toEqual(['mine']);
    state = rootReducer(state, closedChatDismissed('mine'));
    expect(selectMySessions(state)).toEqual([]);
  });

  it('tracks unread counts per chat, and counts my chats with unread messages plus offers to me', () => {
    const state = reduce(
      undefined,
      { type: 'snapshot', snapshot: snapshot({ sessions: [session('s1'), session('s2')], unread: { s1: 1 } }) },
      { type: 'unread', sessionId: 's1', count: 3 },
      { type: 'unread', sessionId: 's2', count: 2 },
      { type: 'unread', sessionId: 's1', count: 0 },
    );
    expect(state.sessions.unread).toEqual({ s1: 0, s2: 2 });
    expect(selectAttention(state)).toEqual({ offers: 0, unreadChats: 1, total: 1 });
  });

  it('counts no phantom: an offer counts while pending, and neither it nor its history once cancelled, rejected, timed out or moved away', () => {
    const offered = session('s9', { ownerId: 'bob', pendingTransfer: offer('s9', { fromId: 'bob', offeredBy: 'bob', toId: 'alice' }) });
    const pending = reduce(
      undefined,
      { type: 'snapshot', snapshot: snapshot({ sessions: [session('s1')], unread: {} }) },
      { type: 'session', session: offered },
      { type: 'unread', sessionId: 's9', count: 304 },
    );
    expect(selectAttention(pending)).toEqual({ offers: 1, unreadChats: 0, total: 1 });
    const ended = reduce(pending, { type: 'session', session: { ...offered, pendingTransfer: null } });
    expect(selectAttention(ended).total).toBe(0);
    // my own chat, transferred away with unread lines: it is Bob's now, and counts nothing for me
    const mine = reduce(ended, { type: 'unread', sessionId: 's1', count: 2 });
    expect(selectAttention(mine).total).toBe(1);
    const away = reduce(mine, { type: 'session', session: session('s1', { ownerId: 'bob', listeners: ['alice'] }) });
    expect(selectAttention(away).total).toBe(0);
  });
});

describe('transfer targets', () => {
  it('are only Present agents other than the owner and me, and follow presence live', () => {
    let state = reduce(undefined, {
      type: 'snapshot',
      snapshot: snapshot({
        me: maria,
        agents: [alice, bob, agent('carol', { status: 'away' }), agent('ed', { status: 'offline' }), maria],
        sessions: [session('s1', { ownerId: 'alice' })],
      }),
    });
    state = rootReducer(state, transferDialogOpened('s1'));
    expect(selectTransferTargets(state).map((a) => a.id)).toEqual(['bob']);
    state = rootReducer(state, transferTargetChosen('bob'));
    expect(selectChosenTarget(state)?.id).toBe('bob');
    state = reduce(state, { type: 'presence', agent: { ...bob, status: 'away' } }, { type: 'presence', agent: agent('carol') });
    expect(selectTransferTargets(state).map((a) => a.id)).toEqual(['carol']);
    expect(selectChosenTarget(state)).toBeNull();
  });
});

describe('chat menu items', () => {
  const pending = offer('s1');
  it.each([
    ['owner', alice, session('s1'), ['Transfer', 'Create request', 'Close chat']],
    ['owner while a transfer waits', alice, session('s1', { pendingTransfer: pending }), ['Cancel transfer', 'Create request', 'Close chat']],
    ['listener', alice, session('s1', { ownerId: 'bob', listeners: ['alice'] }), ['Close window']],
    ['offered', bob, session('s1', { pendingTransfer: pending }), []],
    ['manager on another agent’s chat', maria, session('s1'), ['Transfer', 'Create request', 'Take over']],
    ['anyone on a closed chat', alice, session('s1', { state: 'closed' }), ['Close window']],
  ] as const)('%s', (_name, me, s, expected) => {
    expect(chatMenuItems(s, me)).toEqual(expected);
  });
});

describe('connection words', () => {
  it('counts down to the next reconnect attempt', () => {
    expect(connectionLabel({ status: 'offline', attempt: 2, nextRetryAt: T0 + 4200, reason: 'x' }, T0)).toBe('Offline · retrying in 5 s');
    expect(connectionLabel({ status: 'offline', attempt: 2, nextRetryAt: null, reason: 'x' }, T0)).toBe('Offline');
    expect(connectionLabel({ status: 'connecting', attempt: 0 }, T0)).toBe('Connecting…');
    expect(connectionLabel({ status: 'connecting', attempt: 3 }, T0)).toBe('Offline · retrying now');
    expect(connectionLabel({ status: 'online', since: T0 }, T0)).toBe('Online');
    expect(connectionLabel({ status: 'signed-out' }, T0)).toBe('Signed out');
  });
});
