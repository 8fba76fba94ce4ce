// Client core against a real relay: sign-in, chats, transfers, offline reads, account switch, retention.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ClientSnapshot, isUnencryptedRemoteRelay, type OutboxItem, type SearchHit } from '../../common/bridge';
import type { SessionEvent } from '../../common/domain';
import { AccountIndex } from '../../main/client/accounts';
import { Cache } from '../../main/client/cache';
import { summary, tempDir } from './fixtures';
import { startRelay } from '../../relay/server';
import { MemoryVault, Probe, testScope } from './harness';
import { startTcpProxy } from './tcp-proxy';

const { relay, probe, customer, defer } = testScope();

describe('agent client against a real relay', () => {
  it('rejects unknown channels and bad arguments with invalid-argument, without throwing', async () => {
    const alice = await probe();
    expect(await alice.invoke('nope')).toEqual({ ok: false, error: { code: 'invalid-argument', message: 'Unknown command "nope".' } });
    const bad = await alice.invoke('chat:send', { sessionId: 's', text: '   ' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('invalid-argument');
    expect(!bad.ok && bad.error.message).toMatch(/cannot be empty/);
    const extra = await alice.invoke('auth:signOut', { surprise: 1 });
    expect(!extra.ok && extra.error.code).toBe('invalid-argument');
  });

  it('signs in, answers after the welcome, remembers the relay, user and password, and signs in again on start', async () => {
    const r = await relay();
    const vault = new MemoryVault();
    const dataDir = tempDir();
    const alice = await probe({ dataDir, vault });
    const { me } = await alice.signIn(r.wsUrl, 'alice');
    expect(me.id).toBe('alice');
    const snap = await alice.snapshot();
    expect(snap.connection.status).toBe('online');
    expect(snap.agents.map((a) => a.id)).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'maria']));
    expect(alice.events.some((e) => e.type === 'snapshot')).toBe(true);
    expect(await alice.must('auth:saved')).toEqual({ relayUrl: r.wsUrl, user: 'alice', hasPassword: true });
    await alice.client.dispose();

    const again = await probe({ dataDir, vault });
    await again.untilConnection('online');
    expect((await again.snapshot()).me?.id).toBe('alice');

    await again.must('auth:signOut');
    expect(again.events.at(-1)).toEqual({ type: 'signed-out' });
    expect((await again.snapshot()).connection).toEqual({ status: 'signed-out' });
    expect(await again.must('auth:saved')).toEqual({ relayUrl: r.wsUrl, user: 'alice', hasPassword: false });
  });

  it('a wrong password answers unauthorized and the link goes to auth-failed without retrying', async () => {
    const r = await relay();
    const alice = await probe();
    const result = await alice.invoke('auth:signIn', { relayUrl: r.wsUrl, user: 'alice', password: 'wrong' });
    expect(result).toEqual({ ok: false, error: { code: 'unauthorized', message: expect.any(String) } });
    const states = alice.events.flatMap((e) => (e.type === 'connection' ? [e.connection.status] : []));
    expect(states).toEqual(['connecting', 'auth-failed']);
    // a retry would need a new socket; a good sign-in afterwards shows the failed link stayed dead
    await alice.signIn(r.wsUrl, 'alice');
    const after = alice.events.flatMap((e) => (e.type === 'connection' ? [e.connection.status] : []));
    expect(after).toEqual(['connecting', 'auth-failed', 'connecting', 'online']);
  });

  it('an unreachable relay answers not-connected with a readable message', async () => {
    const r = await relay();
    const url = r.wsUrl;
    await r.close();
    const alice = await probe();
    const result = await alice.invoke('auth:signIn', { relayUrl: url, user: 'alice', password: 'demo' });
    expect(!result.ok && result.error.code).toBe('not-connected');
    // a sentence naming the relay, not the socket's ECONNREFUSED
    expect(!result.ok && result.error.message).toBe(`The relay at ${url} did not answer.`);
    expect((await alice.snapshot()).connection.status).toBe('signed-out');
  });

  it('a customer chat reaches its agent: session, events, unread, notifications; the reply reaches the customer', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('my parcel is late');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).includes('my parcel is late'), 'the customer message');
    expect(alice.events.some((e) => e.type === 'notification' && e.notification.kind === 'new-chat' && e.notification.sessionId === sessionId)).toBe(true);
    const note = await alice.untilEvent('notification', (e) => e.notification.kind === 'message');
    expect(note.notification).toMatchObject({ title: 'Erin', body: 'my parcel is late', sessionId });
    await alice.untilEvent('unread', (e) => e.sessionId === sessionId && e.count === 1);

    const { messageId } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'Let me check that for you' });
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    const pending = alice.events.find((e) => e.type === 'outbox' && e.item.messageId === messageId);
    expect(pending).toMatchObject({ item: { state: 'pending' } });
    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent');
    await erin.until((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'Let me check that for you');

    const lastSeq = alice.emittedEvents(sessionId).at(-1)!.seq;
    await alice.must('chat:markRead', { sessionId, seq: lastSeq });
    await alice.untilEvent('unread', (e) => e.sessionId === sessionId && e.count === 0);
    const transcript = await alice.must<{ events: SessionEvent[] }>('chat:transcript', { sessionId });
    expect(transcript.events.map((e) => e.seq)).toEqual(alice.emittedEvents(sessionId).map((e) => e.seq));
  });

  it('a transfer: the target is notified, accepting closes the notification, the former owner can no longer send', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('I need billing help');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    const bob = await probe();
    await bob.signIn(r.wsUrl, 'bob');

    const { transferId } = await alice.must<{ transferId: string }>('transfer:offer', { sessionId, to: 'bob', note: 'billing' });
    const offer = await bob.untilEvent('notification', (e) => e.notification.kind === 'transfer-offer');
    expect(offer.notification).toEqual({
      id: `transfer-${transferId}`,
      kind: 'transfer-offer',
      title: 'Transfer from Alice Smith',
      body: 'Erin: I need billing help',
      sessionId,
      transferId,
    });
    // the offered chat's conversation so far is readable before accepting
    await bob.until(() => bob.messageTexts(sessionId).includes('I need billing help'), 'the offered conversation');

    await bob.must('transfer:accept', { sessionId, transferId });
    await bob.untilEvent('notification-closed', (e) => e.id === `transfer-${transferId}`);
    await alice.until(() => alice.emittedEvents(sessionId).some((e) => e.kind === 'transfer-accepted'), 'the accept event');

    const { messageId } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'one more thing' });
    const failed = await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'failed');
    expect(failed.item.error).toMatch(/owns this chat/);
    expect((await alice.snapshot()).outbox).toEqual([expect.objectContaining({ messageId, state: 'failed' })]);
    // a retry resends the same message id and reports the outcome again
    const retryFrom = alice.events.length;
    await alice.must('chat:retry', { messageId });
    expect(alice.events[retryFrom]).toEqual({ type: 'outbox', item: expect.objectContaining({ messageId, state: 'pending', error: null }) });
    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'failed', retryFrom);
    const again = await alice.invoke('transfer:accept', { sessionId, transferId });
    expect(!again.ok && again.error.code).toBe('transfer-not-pending');
  });

  it('on start, closed sessions older than the retention period are deleted and recent ones kept', async () => {
    const dataDir = tempDir();
    const day = 86_400_000;
    const now = Date.now();
    const identity = { relayUrl: 'ws://127.0.0.1:9', user: 'alice' };
    const accounts = AccountIndex.open(dataDir);
    accounts.remember(identity);
    const cache = Cache.open(accounts.dirFor(identity));
    cache.upsertSessions([
      summary('old', { state: 'closed', closedAt: now - 31 * day }),
      summary('recent', { state: 'closed', closedAt: now - 29 * day }),
    ]);
    cache.close();
    const alice = await probe({ dataDir, retentionDays: 30 });
    const { sessions } = await alice.must<{ sessions: { id: string }[] }>('history:list', {});
    expect(sessions.map((s) => s.id)).toEqual(['recent']);
  });

  it('offline, closed chats stay readable and searchable and online-only commands fail fast with offline', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin Example');
    await erin.say('the blender arrived broken');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    await alice.must('session:closeChat', { sessionId });
    await alice.untilEvent('session', (e) => e.session.id === sessionId && e.session.state === 'closed');
    await r.close();
    await alice.untilConnection('offline');

    const history = await alice.must<{ sessions: { id: string }[] }>('history:list', {});
    expect(history.sessions.map((s) => s.id)).toEqual([sessionId]);
    const { hits } = await alice.must<{ hits: SearchHit[] }>('history:search', { text: 'blender', customer: 'example' });
    expect(hits).toHaveLength(1);
    expect(hits[0]?.parts.filter((p) => p.match).map((p) => p.text)).toEqual(['blender']);
    const transcript = await alice.must<{ events: SessionEvent[] }>('chat:transcript', { sessionId });
    expect(transcript.events.map((e) => e.kind)).toContain('closed');
    const offline = await alice.invoke('transfer:offer', { sessionId, to: 'bob' });
    expect(offline).toEqual({ ok: false, error: { code: 'offline', message: expect.stringMatching(/offline/) } });
    expect((await alice.must<{ requests: unknown[] }>('request:list')).requests).toEqual([]);
    const snap: ClientSnapshot = await alice.snapshot();
    expect(snap.connection.status === 'offline' || snap.connection.status === 'connecting').toBe(true);
    const outbox: OutboxItem[] = snap.outbox;
    expect(outbox).toEqual([]);
  });
});

describe('one cache per account, offline start', () => {
  it('switching accounts on one machine never mixes or loses chats or unsent messages', async () => {
    const r = await relay();
    const proxy = await startTcpProxy(r.port);
    defer(() => proxy.close());
    const dataDir = tempDir();
    const client = await probe({ dataDir });
    await client.signIn(proxy.url, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('private matter');
    const sessionId = erin.sessionId;
    await client.until(() => client.messageTexts(sessionId).includes('private matter'), 'the message');
    // the relay goes out of reach: Alice's reply waits in her outbox, and she signs out
    proxy.refuse(true);
    proxy.cut();
    await client.untilConnection('offline');
    await client.must('chat:send', { sessionId, text: 'a reply written offline' });
    await client.must('auth:signOut');
    proxy.refuse(false);

    await client.signIn(proxy.url, 'bob');
    const bobView = await client.snapshot();
    expect(bobView.me?.id).toBe('bob');
    expect(bobView.sessions.map((s) => s.id)).not.toContain(sessionId);
    expect(bobView.outbox).toEqual([]);
    expect((await client.must<{ hits: unknown[] }>('history:search', { text: 'private' })).hits).toEqual([]);
    expect(erin.seenTexts()).not.toContain('a reply written offline');
    await client.must('auth:signOut');

    const from = client.events.length;
    await client.signIn(proxy.url, 'alice');
    expect((await client.snapshot()).sessions.map((s) => s.id)).toContain(sessionId);
    await client.untilEvent('outbox', (e) => e.item.text === 'a reply written offline' && e.item.state === 'sent', from);
    await erin.until((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'a reply written offline');
    expect(fs.readdirSync(path.join(dataDir, 'accounts'))).toHaveLength(2);
  });

  it('a sign-in that fails as another account leaves the shown account as it was and no folder behind', async () => {
    const r = await relay();
    const dataDir = tempDir();
    const client = await probe({ dataDir });
    await client.signIn(r.wsUrl, 'alice');
    await client.must('auth:signOut');
    const wrong = await client.invoke('auth:signIn', { relayUrl: r.wsUrl, user: 'bob', password: 'nope' });
    expect(!wrong.ok && wrong.error.code).toBe('unauthorized');
    expect(fs.readdirSync(path.join(dataDir, 'accounts'))).toEqual([expect.stringMatching(/^alice@/)]);
    expect(await client.must('auth:saved')).toMatchObject({ user: 'alice', relayUrl: r.wsUrl });
  });

  it('with the relay down, a start opens the last account on its cache, keeps trying, and signs in by itself when it is back', async () => {
    const relayDir = tempDir();
    const first = await startRelay({ dataDir: relayDir, port: 0, demo: true, log: () => {} });
    const port = first.port;
    const vault = new MemoryVault();
    const dataDir = tempDir();
    const before = await probe({ dataDir, vault });
    await before.signIn(first.wsUrl, 'alice');
    const erin = await customer(first.wsUrl, 'Erin');
    await erin.say('is my order on its way');
    await before.until(() => before.messageTexts(erin.sessionId).length === 1, 'the message');
    await before.client.dispose();
    erin.close();
    await first.close();

    const after = await probe({ dataDir, vault });
    const offline = await after.untilConnection('offline');
    expect(offline.connection).toMatchObject({ message: `The relay at ${first.wsUrl} did not answer.` });
    const snap = await after.snapshot();
    expect(snap.me?.id).toBe('alice');
    expect(snap.sessions.map((s) => s.id)).toEqual([erin.sessionId]);
    expect((await after.must<{ hits: unknown[] }>('history:search', { text: 'order' })).hits).toHaveLength(1);
    const { messageId } = await after.must<{ messageId: string }>('chat:send', { sessionId: erin.sessionId, text: 'yes, tomorrow' });

    const back = await startRelay({ dataDir: relayDir, port, demo: true, log: () => {} });
    defer(() => back.close());
    await after.untilConnection('online');
    await after.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent');
  });

  it('a start that signs in as a given account (web mode) opens its cache at once and ends in auth-failed on a wrong password', async () => {
    const r = await relay();
    const dataDir = tempDir();
    const first = await probe({ dataDir });
    await first.signIn(r.wsUrl, 'alice');
    await first.client.dispose();

    const wrong = new Probe({ dataDir });
    defer(() => wrong.client.dispose());
    await wrong.client.start({ signIn: { relayUrl: r.wsUrl, user: 'alice', password: 'wrong' } });
    expect((await wrong.snapshot()).me?.id).toBe('alice');
    const failed = await wrong.untilConnection('auth-failed');
    expect(failed.connection).toMatchObject({ message: 'Wrong user name or password.' });
  });

  it('refuses ws:// with credentials to another machine unless the agent confirmed it; loopback and wss:// are fine', async () => {
    const client = await probe();
    const refused = await client.invoke('auth:signIn', { relayUrl: 'ws://relay.example.com:7420', user: 'alice', password: 'demo' });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/^ws:\/\/relay\.example\.com:7420 is not encrypted \(ws:\/\/\): your password/) },
    });
    expect(isUnencryptedRemoteRelay('wss://relay.example.com')).toBe(false);
    expect(isUnencryptedRemoteRelay('ws://127.0.0.1:7420')).toBe(false);
    expect(isUnencryptedRemoteRelay('ws://localhost:7420')).toBe(false);
    expect(isUnencryptedRemoteRelay('ws://[::1]:7420')).toBe(false);
    expect(isUnencryptedRemoteRelay('ws://10.0.0.5:7420')).toBe(true);
    await expect(
      new Probe({ dataDir: tempDir() }).client.start({ signIn: { relayUrl: 'ws://10.0.0.5:7420', user: 'alice', password: 'demo' } }),
    ).rejects.toThrow(/is not encrypted/);
  });

  it('raises attention for a new chat, an offer and a customer message whatever the notification settings say', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    await alice.must('settings:set', { notifyNewChats: false, notifyMessages: false });
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('hello');
    await alice.untilEvent('attention', (e) => e.kind === 'new-chat' && e.sessionId === erin.sessionId && !e.reminder);
    await erin.say('anyone there?');
    await alice.untilEvent('attention', (e) => e.kind === 'message' && e.sessionId === erin.sessionId);
    expect(alice.events.some((e) => e.type === 'notification')).toBe(false);
    const bob = await probe();
    await bob.signIn(r.wsUrl, 'bob');
    await alice.must('transfer:offer', { sessionId: erin.sessionId, to: 'bob' });
    await bob.untilEvent('attention', (e) => e.kind === 'transfer-offer' && e.sessionId === erin.sessionId);
    // settings are the account's own, kept in its cache
    expect((await alice.snapshot()).settings).toMatchObject({ notifyNewChats: false, notifyMessages: false });
    expect((await bob.snapshot()).settings).toMatchObject({ notifyNewChats: true });
  });
});
