// The customer's decisions of relay/core, pure: a chat opened from the pre-chat form, the offline form's message and
// the rating at the end. What peers see of them is in suites/customer.ts; these pin the details behind it: the
// events and the summary stored, the log lines, exact refusals.
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../common/domain';
import { type Loaded, loadedOnly } from '../../relay/core/model';
import { rateChat } from '../../relay/core/ratings';
import { offlineRequest } from '../../relay/core/requests';
import { openChat } from '../../relay/core/sessions';
import { changed, chat } from './core-fixtures';

const refusal = (decision: { ok: boolean; error?: { code: string; message: string } }) => (decision.ok ? null : decision.error);

describe('opening a chat', () => {
  it('a new chat is queued for its team, with no owner, and its opening names the customer, their e-mail and topic', () => {
    expect(openChat('ses_2', { name: 'Dana', email: 'dana@example.com', topic: 'Billing' }, 4_000, 'billing')).toEqual({
      session: {
        id: 'ses_2',
        customerName: 'Dana',
        state: 'queued',
        ownerId: null,
        listeners: [],
        pendingTransfer: null,
        team: 'billing',
        createdAt: 4_000,
        closedAt: null,
        lastSeq: 0,
        lastMessage: null,
        waitingSince: null,
      },
      events: [{ kind: 'opened', customerName: 'Dana', team: 'billing', email: 'dana@example.com', topic: 'Billing' }],
    });
    // no form details, no team: the opening says so by leaving them out, and any agent may take it
    const plain = openChat('ses_3', { name: 'Lee' }, 4_000);
    expect(plain.session).toMatchObject({ customerName: 'Lee', team: null });
    expect(plain.events).toEqual([{ kind: 'opened', customerName: 'Lee', team: null }]);
  });
});

describe('the offline form', () => {
  const ids = () => {
    let n = 0;
    return { now: 20_000, newId: (prefix: string) => `${prefix}_${++n}` };
  };
  const form = { name: 'Noor', email: 'noor@example.com', message: 'Please call me back.', topic: 'Billing' };

  it('is a chat opened and closed at once by the customer, holding the message and an open request for it', () => {
    const filed = offlineRequest('ses_9', form, ids());
    const request = {
      id: 'req_1',
      sessionId: 'ses_9',
      title: 'Offline message: Billing',
      description: 'Please call me back.',
      customerName: 'Noor',
      customerEmail: 'noor@example.com',
      createdBy: null,
      createdAt: 20_000,
      transcript: [{ at: 20_000, author: 'Noor', text: 'Please call me back.' }],
      status: 'open',
      assigneeId: null,
      updatedAt: 20_000,
      solvedAt: null,
    };
    const customer = { kind: 'customer', id: null, name: 'Noor' };
    expect(filed).toEqual({
      session: {
        id: 'ses_9',
        customerName: 'Noor',
        state: 'closed',
        ownerId: null,
        listeners: [],
        pendingTransfer: null,
        team: null,
        createdAt: 20_000,
        closedAt: 20_000,
        lastSeq: 0,
        lastMessage: null,
        waitingSince: null,
      },
      events: [
        { kind: 'opened', customerName: 'Noor', team: null, email: 'noor@example.com', topic: 'Billing' },
        { kind: 'message', messageId: 'offline_2', author: customer, text: 'Please call me back.' },
        { kind: 'request-created', request },
        { kind: 'closed', by: customer },
      ],
      request,
    });
  });

  it('without a topic, the request is titled "Offline message" and the opening names no topic', () => {
    const { topic: _, ...untitled } = form;
    const filed = offlineRequest('ses_9', untitled, ids());
    expect(filed.request.title).toBe('Offline message');
    expect(filed.events[0]).toEqual({ kind: 'opened', customerName: 'Noor', team: null, email: 'noor@example.com' });
  });
});

describe('the rating', () => {
  const ended = chat({ state: 'closed', closedAt: 9_000 });
  const event = (seq: number, body: Record<string, unknown>) => ({ sessionId: 'ses_1', seq, at: 1_000 + seq, ...body }) as SessionEvent;
  const transcript = (...extra: SessionEvent[]): Loaded => ({
    ...loadedOnly(ended),
    transcript: [
      event(1, { kind: 'opened', customerName: 'Dana', team: null }),
      event(2, { kind: 'assigned', agentId: 'alice', agentName: 'Alice Smith' }),
      event(3, { kind: 'closed', by: { kind: 'agent', id: 'alice', name: 'Alice Smith' } }),
      ...extra,
    ],
  });

  it('an ended chat is rated with the score and comment, logged with the score, and nothing else changes', () => {
    expect(changed(rateChat(ended, 4, 'Quick and kind.', transcript()))).toEqual({
      session: ended,
      events: [{ kind: 'rated', score: 4, comment: 'Quick and kind.' }],
      effects: [{ type: 'log', entry: { event: 'chat-rated', sessionId: 'ses_1', score: 4 } }],
      value: undefined,
    });
  });

  it('a chat not yet ended, or rated already, is refused in a sentence', () => {
    expect(refusal(rateChat(chat(), 5, null, { ...transcript(), session: chat() }))).toEqual({
      code: 'forbidden',
      message: 'A chat can be rated once it has ended.',
    });
    expect(refusal(rateChat(ended, 1, null, transcript(event(4, { kind: 'rated', score: 5, comment: null }))))).toEqual({
      code: 'forbidden',
      message: 'This chat has been rated already.',
    });
  });
});
