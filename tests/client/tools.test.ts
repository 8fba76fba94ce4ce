// The client core's conversation tools against a real relay: notes and whispers through the outbox (searchable
// offline, marked as notes), files uploaded with progress and opened offline, canned replies kept for offline use,
// requests changed on the relay, the time a message waited in the outbox, and new-chat notifications only for chats
// routing gave me.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../common/bridge';
import type { CannedReply, Request, SessionEvent } from '../../common/domain';
import { uploadFile } from '../../main/client/attachments';
import { ATTACHMENTS_DIR } from '../../relay/store/attachments';
import { PNG, upload } from '../relay/uploads';
import { testScope } from './harness';
import { startTcpProxy } from './tcp-proxy';

const { relay, probe, customer, defer } = testScope();

const attachmentsOf = (events: SessionEvent[]) => events.flatMap((e) => (e.kind === 'message' ? (e.attachments ?? []) : []));

describe('notes and whispers', () => {
  it('a listener’s whisper reaches the owner, is searchable offline marked as a note, and never reaches the customer', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('my kettle leaks');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    const bob = await probe();
    await bob.signIn(r.wsUrl, 'bob');
    const { transferId } = await alice.must<{ transferId: string }>('transfer:offer', { sessionId, to: 'bob' });
    await bob.until(() => bob.events.some((e) => e.type === 'session' && e.session.pendingTransfer?.id === transferId), 'the offer');
    await bob.must('transfer:accept', { sessionId, transferId });
    await alice.until(() => alice.emittedEvents(sessionId).some((e) => e.kind === 'transfer-accepted'), 'the hand-off');

    const { messageId } = await alice.must<{ messageId: string }>('chat:note', { sessionId, text: 'She wants a replacement kettle' });
    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent');
    const whisper = await bob.until(() => bob.emittedEvents(sessionId).find((e) => e.kind === 'note'), 'the whisper');
    expect(whisper).toMatchObject({ author: { id: 'alice', name: 'Alice Smith' }, text: 'She wants a replacement kettle' });
    expect(bob.events.some((e) => e.type === 'notification' && e.notification.kind === 'note')).toBe(true);

    await erin.say('hello?');
    await bob.until(() => bob.messageTexts(sessionId).includes('hello?'), 'the customer again');
    expect(JSON.stringify(erin.frames)).not.toContain('replacement');

    await r.close();
    await bob.untilConnection('offline');
    const { hits } = await bob.must<{ hits: SearchHit[] }>('history:search', { text: 'replacement' });
    expect(hits).toEqual([expect.objectContaining({ sessionId, kind: 'note', authorName: 'Alice Smith' })]);
    const kettle = await bob.must<{ hits: SearchHit[] }>('history:search', { text: 'kettle' });
    expect(kettle.hits.map((h) => h.kind).sort()).toEqual(['message', 'note']);
  });
});

describe('attachments', () => {
  it('a file is uploaded with progress, sent as a message, and opens offline; the customer’s file is downloaded once and kept', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('here is my receipt');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    const snapshot = await alice.snapshot();
    expect(snapshot.attachmentLimits).toEqual({ maxBytes: 10 * 1024 * 1024, types: expect.arrayContaining(['image/png']) });

    const { messageId } = await alice.must<{ messageId: string }>('chat:sendFile', {
      sessionId,
      name: 'label.png',
      data: PNG.toString('base64'),
      text: 'Your return label',
    });
    const pending = alice.events.find((e) => e.type === 'outbox' && e.item.messageId === messageId);
    expect(pending).toMatchObject({ item: { state: 'pending', attachment: { name: 'label.png', size: PNG.length } } });
    await alice.untilEvent('outbox', (e) => e.item.messageId === messageId && e.item.state === 'sent');
    expect(alice.events.filter((e) => e.type === 'upload-progress' && e.messageId === messageId).at(-1)).toEqual({
      type: 'upload-progress',
      messageId,
      sent: PNG.length,
      total: PNG.length,
    });
    const sent = await alice.until(() => attachmentsOf(alice.emittedEvents(sessionId))[0], 'the message with its file');
    expect(sent).toMatchObject({ name: 'label.png', type: 'image/png', size: PNG.length });
    await erin.until((f) => f.type === 'event' && f.event.kind === 'message' && f.event.text === 'Your return label');

    const customerFile = await upload(r, sessionId, Buffer.from('Receipt #77\n'), { token: await tokenOf(erin, r.wsUrl) }, { name: 'receipt.txt' });
    expect(customerFile.status).toBe(201);
    erin.raw({ id: 'send-file', type: 'customer-send', messageId: 'cust-file-0001', attachments: [customerFile.body.attachment.id] });
    const received = await alice.until(() => attachmentsOf(alice.emittedEvents(sessionId)).find((a) => a.name === 'receipt.txt'), 'the customer file');
    const read = await alice.must<{ name: string; type: string; data: string }>('attachment:read', { sessionId, attachmentId: received.id });
    expect(Buffer.from(read.data, 'base64').toString()).toBe('Receipt #77\n');

    await r.close();
    await alice.untilConnection('offline');
    const offlineMine = await alice.must<{ data: string; type: string }>('attachment:read', { sessionId, attachmentId: sent.id });
    expect(Buffer.from(offlineMine.data, 'base64').equals(PNG)).toBe(true);
    expect(offlineMine.type).toBe('image/png');
    const offlineTheirs = await alice.must<{ data: string }>('attachment:read', { sessionId, attachmentId: received.id });
    expect(Buffer.from(offlineTheirs.data, 'base64').toString()).toBe('Receipt #77\n');
    expect(await alice.invoke('attachment:read', { sessionId, attachmentId: 'att_neverseen01' })).toMatchObject({ ok: false, error: { code: 'offline' } });
  });

  it('a resend of an upload (an answer lost, a crash) stores the file once on the relay', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('hi');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    const credentials = { relayUrl: r.wsUrl, user: 'alice', password: 'demo' };
    const file = { sessionId, uploadId: 'outbox-item-0001', name: 'a.png', bytes: PNG };
    const first = await uploadFile(credentials, file, () => {});
    const again = await uploadFile(credentials, file, () => {});
    expect(first.ok && again.ok && first.value.id === again.value.id).toBe(true);
    const stored = fs.readdirSync(path.join(r.dataDir, ATTACHMENTS_DIR), { recursive: true }).filter((f) => String(f).length > 10);
    expect(stored).toHaveLength(1);
  });

  it('a file too large for the relay is refused before it is queued, with a sentence', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('hi');
    await alice.until(() => alice.messageTexts(erin.sessionId).length === 1, 'the message');
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x41).toString('base64');
    const result = await alice.invoke('chat:sendFile', { sessionId: erin.sessionId, name: 'big.txt', data: big });
    expect(result).toEqual({ ok: false, error: { code: 'too-large', message: 'That file is just over 10 MB; files up to 10 MB can be sent.' } });
    expect((await alice.snapshot()).outbox).toEqual([]);
  });
});

describe('canned replies', () => {
  it('a manager’s shared reply reaches every agent, an agent’s personal one stays theirs, and both are kept offline', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const maria = await probe();
    await maria.signIn(r.wsUrl, 'maria');
    await maria.must('canned:save', { scope: 'shared', title: 'Greeting', text: 'Hello {customer}, this is {agent}.' });
    await alice.untilEvent('canned-replies', (e) => e.replies.some((x) => x.title === 'Greeting'));
    const { reply } = await alice.must<{ reply: CannedReply }>('canned:save', { scope: 'personal', title: 'Sign-off', text: 'Have a nice day!' });
    await alice.untilEvent('canned-replies', (e) => e.replies.length === 2);
    expect(await alice.invoke('canned:save', { scope: 'shared', title: 'x', text: 'y' })).toMatchObject({ ok: false, error: { code: 'not-manager' } });
    expect((await maria.must<{ replies: CannedReply[] }>('canned:list')).replies.map((x) => x.title)).toEqual(['Greeting']);

    await r.close();
    await alice.untilConnection('offline');
    expect((await alice.snapshot()).cannedReplies.map((x) => x.title)).toEqual(['Greeting', 'Sign-off']);
    expect((await alice.must<{ replies: CannedReply[] }>('canned:list')).replies.map((x) => x.id)).toContain(reply.id);
    expect(await alice.invoke('canned:delete', { replyId: reply.id })).toMatchObject({ ok: false, error: { code: 'offline' } });
  });
});

describe('requests', () => {
  it('changing a request updates every party’s cache; an assignee gets it', async () => {
    const r = await relay();
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('refund please');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    const bob = await probe();
    await bob.signIn(r.wsUrl, 'bob');
    const { request } = await alice.must<{ request: Request }>('request:create', { sessionId, title: 'Refund' });
    const assigned = await alice.must<{ request: Request }>('request:update', { requestId: request.id, assigneeId: 'bob', status: 'pending' });
    expect(assigned.request).toMatchObject({ status: 'pending', assigneeId: 'bob' });
    await bob.untilEvent('request', (e) => e.request.id === request.id && e.request.assigneeId === 'bob');
    await bob.must('request:update', { requestId: request.id, status: 'solved', tellCustomer: true });
    await alice.untilEvent('request', (e) => e.request.status === 'solved');
    await erin.until((f) => f.type === 'event' && f.event.kind === 'request-solved');
    await r.close();
    await alice.untilConnection('offline');
    expect((await alice.must<{ requests: Request[] }>('request:list')).requests).toEqual([
      expect.objectContaining({ id: request.id, status: 'solved', assigneeId: 'bob' }),
    ]);
  });
});

describe('when a message was written', () => {
  it('a message written offline and sent once the relay is back says when it was written; one sent at once does not', async () => {
    const r = await relay();
    const proxy = await startTcpProxy(r.port);
    defer(() => proxy.close());
    const alice = await probe();
    await alice.signIn(proxy.url, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('anyone?');
    const sessionId = erin.sessionId;
    await alice.until(() => alice.messageTexts(sessionId).length === 1, 'the message');
    const { messageId: atOnce } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'sent right away' });
    await alice.untilEvent('outbox', (e) => e.item.messageId === atOnce && e.item.state === 'sent');

    proxy.refuse(true);
    proxy.cut();
    await alice.untilConnection('offline');
    const { messageId: later } = await alice.must<{ messageId: string }>('chat:send', { sessionId, text: 'written offline' });
    const writtenAt = (await alice.snapshot()).outbox.find((i) => i.messageId === later)!.createdAt;
    const from = alice.events.length;
    proxy.refuse(false);
    await alice.untilConnection('online', from);
    const message = await alice.until(
      () => alice.emittedEvents(sessionId).find((e) => e.kind === 'message' && e.text === 'written offline'),
      'the late message',
    );
    expect(message).toMatchObject({ writtenAt });
    expect(message.at).toBeGreaterThan(writtenAt);
    const first = alice.emittedEvents(sessionId).find((e) => e.kind === 'message' && e.text === 'sent right away');
    expect(first).not.toHaveProperty('writtenAt');
  });
});

/** A customer's chat token, read from its welcome. */
async function tokenOf(c: Awaited<ReturnType<typeof customer>>, _wsUrl: string): Promise<string> {
  const welcome = c.frames.find((f) => f.type === 'customer-welcome');
  if (welcome?.type !== 'customer-welcome') throw new Error('no welcome');
  return welcome.token;
}


describe('new-chat notifications', () => {
  it('a manager who takes over a queued chat is not told of a "new chat"; an agent routing gives a chat to is', async () => {
    const r = await relay();
    const maria = await probe();
    await maria.signIn(r.wsUrl, 'maria');
    // nobody who is routed chats is signed in: the chat waits queued
    const erin = await customer(r.wsUrl, 'Erin');
    await erin.say('is anybody there?');
    const sessionId = erin.sessionId;
    await maria.untilEvent('session', (e) => e.session.id === sessionId && e.session.lastMessage?.text === 'is anybody there?');
    await maria.must('session:takeOver', { sessionId });
    await maria.until(() => maria.emittedEvents(sessionId).some((e) => e.kind === 'taken-over'), 'the take-over in the log');
    await maria.must('chat:transcript', { sessionId });
    const newChats = (p: typeof maria) =>
      p.events.filter(
        (e) => (e.type === 'notification' && e.notification.kind === 'new-chat') || (e.type === 'attention' && e.kind === 'new-chat'),
      );
    expect(newChats(maria)).toEqual([]);

    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const finn = await customer(r.wsUrl, 'Finn');
    await finn.say('hello');
    await alice.untilEvent('notification', (e) => e.notification.kind === 'new-chat' && e.notification.sessionId === finn.sessionId);
    expect(newChats(alice).map((e) => e.type)).toEqual(['notification', 'attention']);
  });

  it('the customer lines written before a manager took the chat over count as unread for her', async () => {
    const r = await relay();
    const maria = await probe();
    await maria.signIn(r.wsUrl, 'maria');
    const gina = await customer(r.wsUrl, 'Gina');
    await gina.say('my card was charged twice');
    await gina.say('both on Monday');
    const sessionId = gina.sessionId;
    await maria.untilEvent('session', (e) => e.session.id === sessionId && e.session.lastMessage?.text === 'both on Monday');
    await maria.must('session:takeOver', { sessionId });
    // her cache had none of its lines: they arrive after the summary that made her the owner, and still count
    await maria.untilEvent('unread', (e) => e.sessionId === sessionId && e.count === 2);
  });
});
