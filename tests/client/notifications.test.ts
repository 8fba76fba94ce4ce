// Notification policy: which intents are raised and closed.
import { describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../common/bridge';
import { gotByRouting, NotificationPolicy } from '../../main/client/notifications';
import { message, opened, summary } from './fixtures';

const settings: Settings = defaultSettings;
const ctx = (over: Partial<{ me: string; settings: Settings }> = {}) => ({
  me: 'bob',
  settings,
  agentName: (id: string) => ({ alice: 'Alice', bob: 'Bob' })[id] ?? id,
  ...over,
});
const offer = { id: 't1', sessionId: 's1', fromId: 'alice', offeredBy: 'alice', toId: 'bob', note: null, createdAt: 1, expiresAt: null };
const lastMessage = { text: 'where is my order', at: 5, authorKind: 'customer' as const, authorName: 'Erin' };

describe('notification policy', () => {
  it('raises one notification per offer to me and closes it when the offer ends', () => {
    const policy = new NotificationPolicy();
    const offered = summary('s1', { customerName: 'Erin', pendingTransfer: offer, lastMessage });
    expect(policy.sessionsChanged([offered], ctx())).toEqual([
      {
        type: 'notification',
        notification: { id: 'transfer-t1', kind: 'transfer-offer', title: 'Transfer from Alice', body: 'Erin: where is my order', sessionId: 's1', transferId: 't1' },
      },
    ]);
    expect(policy.sessionsChanged([offered], ctx())).toEqual([]);
    expect(policy.sessionChanged({ ...offered, pendingTransfer: null }, offered, ctx())).toEqual([{ type: 'notification-closed', id: 'transfer-t1' }]);
  });

  it('ignores offers to others and closes an offer that vanished from a full welcome', () => {
    const policy = new NotificationPolicy();
    expect(policy.sessionsChanged([summary('s1', { pendingTransfer: { ...offer, toId: 'carol' } })], ctx())).toEqual([]);
    policy.sessionsChanged([summary('s1', { pendingTransfer: offer })], ctx());
    expect(policy.sessionsChanged([], ctx(), true)).toEqual([{ type: 'notification-closed', id: 'transfer-t1' }]);
  });

  it('closes the offer notification on the ending event, wherever it happened', () => {
    const policy = new NotificationPolicy();
    policy.sessionsChanged([summary('s1', { pendingTransfer: offer })], ctx());
    const cancelled = { kind: 'transfer-cancelled' as const, sessionId: 's1', seq: 9, at: 9, transferId: 't1', reason: 'timeout' as const, byId: null };
    expect(policy.eventsStored([cancelled])).toEqual([{ type: 'notification-closed', id: 'transfer-t1' }]);
    expect(policy.eventsStored([cancelled])).toEqual([]);
  });

  it('a chat routing gave me notifies; one I took over or accepted does not (told apart by its log)', () => {
    const policy = new NotificationPolicy();
    const mine = summary('s2', { ownerId: 'bob', customerName: 'Erin' });
    expect(policy.newChat(mine, ctx())).toEqual([
      expect.objectContaining({ type: 'notification', notification: expect.objectContaining({ kind: 'new-chat', title: 'New chat with Erin' }) }),
    ]);
    expect(policy.sessionChanged(mine, undefined, ctx())).toEqual([]);
    expect(policy.newChat(mine, ctx({ settings: { ...settings, notifyNewChats: false } }))).toEqual([]);
    const at = { sessionId: 's2', at: 1 };
    const assigned = { ...at, seq: 2, kind: 'assigned' as const, agentId: 'bob', agentName: 'Bob' };
    const tookOver = { ...at, seq: 3, kind: 'taken-over' as const, byId: 'bob', byName: 'Bob', fromId: null, fromName: null };
    const accepted = { ...at, seq: 3, kind: 'transfer-accepted' as const, transferId: 't', fromId: 'alice', fromName: 'A', toId: 'bob', toName: 'Bob' };
    expect(gotByRouting([opened('s2'), assigned, message('s2', 3, 'hi')], 'bob')).toBe(true);
    expect(gotByRouting([opened('s2'), tookOver], 'bob')).toBe(false);
    expect(gotByRouting([opened('s2'), { ...assigned, agentId: 'alice' }, accepted], 'bob')).toBe(false);
    expect(gotByRouting([opened('s2')], 'bob')).toBe(false);
  });

  it('an offer’s body names who wrote the last line, and a manager’s offer says who made it', () => {
    const policy = new NotificationPolicy();
    const agentLast = { text: 'Let me pass you on', at: 6, authorKind: 'agent' as const, authorName: 'Alice' };
    const [byOwner] = policy.sessionsChanged([summary('s1', { customerName: 'Erin', pendingTransfer: offer, lastMessage: agentLast })], ctx());
    expect(byOwner).toMatchObject({ notification: { title: 'Transfer from Alice', body: 'Alice: Let me pass you on' } });
    const onBehalf = { ...offer, id: 't2', sessionId: 's2', offeredBy: 'maria' };
    const names = (id: string) => ({ alice: 'Alice', bob: 'Bob', maria: 'Maria' })[id] ?? id;
    const [byManager] = policy.sessionsChanged([summary('s2', { pendingTransfer: onBehalf })], { ...ctx(), agentName: names });
    expect(byManager).toMatchObject({ notification: { title: 'Transfer from Maria (for Alice)' } });
  });

  it('an offer to me that someone cancels says so; one that ends because I went away does not', () => {
    const policy = new NotificationPolicy();
    const offered = summary('s1', { customerName: 'Erin', pendingTransfer: offer });
    const cancel = (reason: 'cancelled' | 'target-unavailable' | 'taken-over') => ({
      kind: 'transfer-cancelled' as const,
      sessionId: 's1',
      seq: 9,
      at: 9,
      transferId: 't1',
      reason,
      byId: reason === 'target-unavailable' ? null : 'alice',
    });
    expect(policy.liveEvent(cancel('cancelled'), offered, ctx())).toEqual([
      {
        type: 'notification',
        notification: {
          id: 'transfer-ended-t1',
          kind: 'transfer-ended',
          title: 'Transfer cancelled',
          body: 'Alice cancelled the transfer of the chat with Erin.',
          sessionId: 's1',
          transferId: 't1',
        },
      },
    ]);
    expect(policy.liveEvent(cancel('target-unavailable'), offered, ctx())).toEqual([]);
    expect(policy.liveEvent(cancel('cancelled'), offered, ctx({ me: 'carol' }))).toEqual([]);
  });

  it('a note from someone else in my chat notifies (a whisper); my own does not', () => {
    const policy = new NotificationPolicy();
    const mine = summary('s1', { ownerId: 'bob' });
    const note = (id: string) => ({ kind: 'note' as const, sessionId: 's1', seq: 5, at: 5, noteId: 'note00001', author: { id, name: id }, text: 'refund both' });
    expect(policy.liveEvent(note('alice'), mine, ctx())).toEqual([
      expect.objectContaining({ notification: expect.objectContaining({ kind: 'note', title: 'Note from alice', body: 'refund both' }) }),
    ]);
    expect(policy.liveEvent(note('bob'), mine, ctx())).toEqual([]);
  });

  it('customer messages in my chats notify when enabled; agents\' messages and other chats do not', () => {
    const policy = new NotificationPolicy();
    const mine = summary('s1', { ownerId: 'bob' });
    expect(policy.liveEvent(message('s1', 3, 'hello'), mine, ctx())).toHaveLength(1);
    expect(policy.liveEvent(message('s1', 4, 'hi', { customer: false }), mine, ctx())).toEqual([]);
    expect(policy.liveEvent(message('s1', 5, 'hello'), summary('s1', { ownerId: 'alice' }), ctx())).toEqual([]);
    expect(policy.liveEvent(message('s1', 6, 'hello'), mine, ctx({ settings: { ...settings, notifyMessages: false } }))).toEqual([]);
  });
});

describe('notification text', () => {
  it('strips bidi controls from names and messages, so an override cannot reverse the notification', () => {
    const policy = new NotificationPolicy();
    const evil = 'Mallory\u202Eexe.png';
    const mine = summary('s1', { ownerId: 'bob', customerName: evil, lastMessage: { ...lastMessage, text: 'see \u2067file\u2069 \u202Dnow' } });
    const [newChat] = policy.newChat(mine, ctx());
    expect(newChat).toMatchObject({ notification: { title: 'New chat with Malloryexe.png', body: 'see file now' } });
    const [offered] = policy.sessionsChanged([summary('s2', { customerName: evil, pendingTransfer: { ...offer, sessionId: 's2' } })], ctx({ }));
    expect(offered).toMatchObject({ notification: { body: 'Malloryexe.png' } });
    const said = message('s1', 7, 'ok\u202E');
    if (said.kind !== 'message') throw new Error('a message event');
    const [line] = policy.liveEvent({ ...said, author: { kind: 'customer', id: null, name: evil } }, mine, ctx());
    expect(line).toMatchObject({ notification: { title: 'Malloryexe.png', body: 'ok' } });
  });
});
