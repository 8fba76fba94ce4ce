// Attention policy: when a sound (and a taskbar flash) is due, and the reminders while an offer or a new chat waits.
import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../common/bridge';
import { AttentionPolicy } from '../../main/client/attention';
import { message, summary } from './fixtures';

/** A policy on a hand-turned clock: `advance` runs whatever reminder timer is due. */
function policyOnClock() {
  let now = 0;
  const events: ClientEvent[] = [];
  let timer: { at: number; fn: () => void } | null = null;
  const policy = new AttentionPolicy({
    now: () => now,
    emit: (e) => events.push(e),
    schedule: (ms, fn) => {
      const entry = { at: now + ms, fn };
      timer = entry;
      return () => {
        if (timer === entry) timer = null;
      };
    },
  });
  const advance = (ms: number) => {
    const until = now + ms;
    while (timer && timer.at <= until) {
      const due = timer;
      timer = null;
      now = due.at;
      due.fn();
    }
    now = until;
  };
  const kinds = () => events.map((e) => (e.type === 'attention' ? `${e.kind}${e.reminder ? ' (reminder)' : ''}` : e.type));
  return { policy, advance, kinds, events, armed: () => timer !== null };
}

const offer = { id: 't1', sessionId: 's1', fromId: 'alice', offeredBy: 'alice', toId: 'bob', note: null, createdAt: 1, expiresAt: null };

describe('attention policy', () => {
  it('an offer to me rings at once and again every interval until it is answered', () => {
    const { policy, advance, kinds, armed } = policyOnClock();
    policy.configure({ on: true, everySeconds: 30 });
    const offered = summary('s1', { pendingTransfer: offer });
    policy.sessionChanged(offered, summary('s1'), 'bob');
    expect(kinds()).toEqual(['transfer-offer']);
    advance(29_000);
    expect(kinds()).toEqual(['transfer-offer']);
    advance(1_000);
    advance(30_000);
    expect(kinds()).toEqual(['transfer-offer', 'transfer-offer (reminder)', 'transfer-offer (reminder)']);
    // cancelled, rejected or timed out: the summary comes back without it, and the reminders stop
    policy.sessionChanged(summary('s1'), offered, 'bob');
    expect(armed()).toBe(false);
    advance(120_000);
    expect(kinds()).toHaveLength(3);
  });

  it('a new chat rings once and reminds until an agent writes in it; offers to others and replays never ring', () => {
    const { policy, advance, kinds } = policyOnClock();
    policy.configure({ on: true, everySeconds: 10 });
    policy.sessionChanged(summary('s1', { pendingTransfer: { ...offer, toId: 'carol' } }), undefined, 'bob');
    expect(kinds()).toEqual([]);
    const mine = summary('s2', { ownerId: 'bob', lastMessage: { text: 'hi', at: 1, authorKind: 'customer', authorName: 'Erin' } });
    policy.sessionChanged(mine, summary('s2', { ownerId: null }), 'bob');
    policy.newChat(mine, 'bob');
    advance(10_000);
    expect(kinds()).toEqual(['new-chat', 'new-chat (reminder)']);
    policy.liveEvent(message('s2', 3, 'Hello Erin', { customer: false }), mine, 'bob');
    advance(60_000);
    expect(kinds()).toEqual(['new-chat', 'new-chat (reminder)']);
    expect(policy.pending()).toEqual([]);
  });

  it('a customer message in a chat I own rings; in a chat I only listen to it does not', () => {
    const { policy, kinds } = policyOnClock();
    policy.liveEvent(message('s1', 4, 'still there?'), summary('s1', { ownerId: 'bob' }), 'bob');
    policy.liveEvent(message('s1', 5, 'hello?'), summary('s1', { ownerId: 'alice', listeners: ['bob'] }), 'bob');
    expect(kinds()).toEqual(['message']);
  });

  it('reminders off: the first sound still rings, no reminder follows; turning them on plans the next one', () => {
    const { policy, advance, kinds } = policyOnClock();
    policy.configure({ on: false, everySeconds: 10 });
    policy.welcome([summary('s1', { pendingTransfer: offer })], 'bob');
    advance(60_000);
    expect(kinds()).toEqual(['transfer-offer']);
    policy.configure({ on: true, everySeconds: 10 });
    advance(0);
    expect(kinds()).toEqual(['transfer-offer', 'transfer-offer (reminder)']);
  });

  it('a welcome (start or reconnect) rings for a pending offer but never calls the chats I already have new', () => {
    const { policy, advance, kinds } = policyOnClock();
    policy.configure({ on: true, everySeconds: 10 });
    const mine = summary('s2', { ownerId: 'bob', lastMessage: { text: 'hi', at: 1, authorKind: 'customer', authorName: 'Erin' } });
    policy.sessionChanged(mine, summary('s2', { ownerId: null }), 'bob');
    policy.newChat(mine, 'bob');
    policy.welcome([mine, summary('s3', { ownerId: 'bob' }), summary('s1', { pendingTransfer: offer })], 'bob');
    expect(kinds()).toEqual(['new-chat', 'transfer-offer']);
    // the new chat from before the reconnect still waits for its answer and keeps reminding
    advance(10_000);
    expect(kinds()).toEqual(['new-chat', 'transfer-offer', 'new-chat (reminder)', 'transfer-offer (reminder)']);
  });

  it('a welcome without the offered chat (it ended while we were away) stops its reminders; sign-out stops all', () => {
    const { policy, advance, kinds } = policyOnClock();
    policy.configure({ on: true, everySeconds: 10 });
    policy.welcome([summary('s1', { pendingTransfer: offer })], 'bob');
    policy.welcome([], 'bob');
    advance(30_000);
    expect(kinds()).toEqual(['transfer-offer']);
    policy.welcome([summary('s1', { pendingTransfer: { ...offer, id: 't2' } })], 'bob');
    policy.reset();
    advance(30_000);
    expect(kinds()).toEqual(['transfer-offer', 'transfer-offer']);
  });
});
