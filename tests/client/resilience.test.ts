// Client resilience through a TCP proxy that cuts or stalls the link: nothing lost, nothing twice.
import { describe, expect, it } from 'vitest';
import type { ClientSnapshot } from '../../common/bridge';
import type { SessionEvent } from '../../common/domain';
import { tempDir } from './fixtures';
import { MemoryVault, Probe, testScope } from './harness';

const { probe, customer, relayBehindProxy: setup } = testScope();

/** The whole cached transcript of a session, paged the way the UI pages it. */
async function fullTranscript(p: Probe, sessionId: string): Promise<SessionEvent[]> {
  const out: SessionEvent[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await p.must<{ events: SessionEvent[]; hasMore: boolean }>('chat:transcript', { sessionId, beforeSeq, limit: 50 });
    out.unshift(...page.events);
    if (!page.hasMore || page.events.length === 0) return out;
    beforeSeq = page.events[0]!.seq;
  }
}

/** What a client that never lost its link sees: a fresh data folder, signed in directly. */
async function freshView(wsUrl: string, user: string, sessionId: string) {
  const fresh = await probe();
  await fresh.signIn(wsUrl, user);
  const summary = (await fresh.snapshot()).sessions.find((s) => s.id === sessionId);
  await fresh.until(() => summary && fresh.emittedEvents(sessionId).length >= summary.lastSeq, 'the fresh replay');
  return { summary, events: await fullTranscript(fresh, sessionId) };
}

function expectNoDuplicates(p: Probe, sessionId: string) {
  const seqs = p.emittedEvents(sessionId).map((e) => e.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
}

describe('client resilience through a link that breaks', () => {
  it('a link cut mid-chat comes back with nothing lost and nothing shown twice; the cache equals the relay', async () => {
    const { relay, proxy } = await setup();
    const alice = await probe();
    await alice.signIn(proxy.url, 'alice');
    const erin = await customer(relay.wsUrl, 'Erin');
    await erin.say('first');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).includes('first'), 'the first message');

    proxy.refuse(true);
    proxy.cut();
    await alice.untilConnection('offline');
    await erin.say('second, while you were away');
    await erin.say('third');
    const { messageId } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'written offline' });
    expect((await alice.snapshot()).outbox).toEqual([expect.objectContaining({ messageId, state: 'pending' })]);

    const onlineFrom = alice.events.length;
    proxy.refuse(false);
    await alice.untilConnection('online', onlineFrom);
    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent');
    await alice.until(() => alice.messageTexts(sessionId).includes('written offline'), 'the own message echoed');
    expect(alice.messageTexts(sessionId)).toEqual(['first', 'second, while you were away', 'third', 'written offline']);
    expectNoDuplicates(alice, sessionId);
    await erin.until((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'written offline');
    expect(erin.seenTexts().filter((t) => t === 'written offline')).toHaveLength(1);

    const fresh = await freshView(relay.wsUrl, 'alice', sessionId);
    expect(await fullTranscript(alice, sessionId)).toEqual(fresh.events);
    expect((await alice.snapshot()).sessions.find((s) => s.id === sessionId)).toEqual(fresh.summary);
  });

  it('a stalled link is detected by the heartbeat, and a send whose answer was lost is stored once after the resend', async () => {
    const { relay, proxy } = await setup();
    const alice = await probe();
    await alice.signIn(proxy.url, 'alice');
    const erin = await customer(relay.wsUrl, 'Erin');
    await erin.say('hello?');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).includes('hello?'), 'the message');

    // the relay still hears the client, but nothing comes back: the send lands, its `ok` is lost
    proxy.stall('down');
    const from = alice.events.length;
    const { messageId } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'are you there' });
    await erin.until((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'are you there');
    const offline = await alice.untilConnection('offline', from);
    expect(offline.connection).toMatchObject({ status: 'offline', reason: 'the relay stopped answering' });
    expect(alice.events.slice(from).some((e) => e.type === 'outbox' && e.item.state === 'sent')).toBe(false);

    proxy.resume();
    await alice.untilConnection('online', from);
    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent', from);
    await erin.say('after');
    await alice.until(() => alice.messageTexts(sessionId).includes('after'), 'the later message');
    expect(alice.messageTexts(sessionId)).toEqual(['hello?', 'are you there', 'after']);
    expect(erin.seenTexts()).toEqual(['hello?', 'are you there', 'after']);
    expectNoDuplicates(alice, sessionId);
  });

  it('messages written offline are delivered exactly once, in order, after a client restart', async () => {
    const { relay, proxy } = await setup();
    const vault = new MemoryVault();
    const dataDir = tempDir();
    const first = await Probe.started({ dataDir, vault });
    await first.signIn(proxy.url, 'alice');
    const erin = await customer(relay.wsUrl, 'Erin');
    await erin.say('can you hear me');
    const sessionId = erin.sessionId;
    await first.until(() => first.messageTexts(sessionId).length === 1, 'the message');

    proxy.refuse(true);
    proxy.cut();
    await first.untilConnection('offline');
    await first.must('chat:send', { sessionId, text: 'one' });
    await first.must('chat:send', { sessionId, text: 'two' });
    await first.client.dispose();

    const second = await probe({ dataDir, vault });
    const snap = await second.snapshot();
    expect(snap.outbox.map((i) => [i.text, i.state])).toEqual([
      ['one', 'pending'],
      ['two', 'pending'],
    ]);
    expect(snap.sessions.map((s) => s.id)).toContain(sessionId);
    proxy.refuse(false);
    await second.until(() => second.events.filter((e) => e.type === 'outbox' && e.item.state === 'sent').length === 2, 'both sent');
    await erin.until((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'two');
    expect(erin.seenTexts()).toEqual(['can you hear me', 'one', 'two']);
    expect((await second.snapshot()).outbox).toEqual([]);
    const fresh = await freshView(relay.wsUrl, 'alice', sessionId);
    expect(fresh.events.filter((e) => e.kind === 'message').map((e) => (e.kind === 'message' ? e.text : ''))).toEqual([
      'can you hear me',
      'one',
      'two',
    ]);
  });

  it('a transfer offered while the target is reconnecting reaches it on resume and raises the notification', async () => {
    const { relay, proxy } = await setup();
    const alice = await probe();
    await alice.signIn(relay.wsUrl, 'alice');
    const erin = await customer(relay.wsUrl, 'Erin');
    await erin.say('I want to talk to Bob');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    const bob = await probe();
    await bob.signIn(proxy.url, 'bob');

    proxy.refuse(true);
    proxy.cut();
    await bob.untilConnection('offline');
    const { transferId } = await alice.must<{ transferId: string }>('transfer:offer', { sessionId, to: 'bob' });
    expect(bob.events.some((e) => e.type === 'notification')).toBe(false);

    proxy.refuse(false);
    const note = await bob.untilEvent('notification', (e) => e.notification.kind === 'transfer-offer');
    expect(note.notification).toMatchObject({ transferId, sessionId, title: 'Transfer from Alice Smith', body: 'Erin: I want to talk to Bob' });
    const snap: ClientSnapshot = await bob.snapshot();
    expect(snap.sessions.find((s) => s.id === sessionId)?.pendingTransfer?.id).toBe(transferId);
    await bob.until(() => bob.messageTexts(sessionId).includes('I want to talk to Bob'), 'the offered conversation');

    await alice.must('transfer:cancel', { sessionId, transferId });
    await bob.untilEvent('notification-closed', (e) => e.id === `transfer-${transferId}`);
  });
});
