// The agent's conversation tools on the relay, against one relay and against a cluster: internal notes and whispers
// (never to a customer), attachments over HTTP (served only to the chat's parties), canned replies, requests with a
// status and an assignee, and the time a message was written.
import { describe, expect, it } from 'vitest';
import type { StartRelay } from '../helpers';
import { deployment, type Frame, messageId, type TestClient, type TestRelay } from '../helpers';
import { download, PNG, upload } from '../uploads';

export function toolsSuite(start: StartRelay): void {
  const d = deployment(start);
  const agent = (relay: TestRelay, user: string) => d.agent(relay, user);

  /** alice owns a chat with Dana; bob (agent), carol (can listen in) and maria (manager) are signed in and Present. */
  async function chat(options: Parameters<StartRelay>[0] = {}) {
    const relay = await d.relay(options);
    const alice = await agent(relay, 'alice');
    const customer = await d.customer(relay, { name: 'Dana' });
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    const bob = await agent(relay, 'bob');
    const carol = await agent(relay, 'carol');
    const maria = await agent(relay, 'maria');
    return { relay, alice, bob, carol, maria, customer, sessionId };
  }

  const note = (sessionId: string, text: string, noteId = messageId()) => ({ type: 'add-note', sessionId, noteId, text });
  const noteEvents = (client: TestClient, sessionId: string) => client.eventsOf(sessionId).filter((e) => e.kind === 'note');

  describe('internal notes', () => {
    it('a note reaches the chat’s agents, never the customer, live or on resume', async () => {
      const { relay, alice, carol, maria, customer, sessionId } = await chat();
      await carol.ok({ type: 'listen', sessionId });
      await carol.event('listener-joined', sessionId);
      const { seq } = await alice.ok(note(sessionId, 'VIP customer, be gentle'));
      expect(await carol.event('note', sessionId)).toMatchObject({ seq, author: { id: 'alice', name: 'Alice Smith' }, text: 'VIP customer, be gentle' });
      // maria manages but is not in the audience: she reads it when she fetches the log
      const fetched = await maria.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(fetched.events.filter((e: Frame) => e.kind === 'note')).toHaveLength(1);
      await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'after the note' });
      await customer.eventWhere((e) => e.kind === 'message' && e.text === 'after the note');
      expect(customer.eventsOf(sessionId).map((e) => e.kind)).not.toContain('note');
      const again = await d.customer(relay, { token: customer.token, lastSeq: 0 });
      await again.eventWhere((e) => e.kind === 'message' && e.text === 'after the note');
      expect(again.eventsOf(sessionId).map((e) => e.kind)).not.toContain('note');
      expect(JSON.stringify(again.frames)).not.toContain('VIP customer');
    });

    it('a listener whispers to the owner after handing the chat off; the customer sees nothing of it', async () => {
      const { alice, bob, customer, sessionId } = await chat();
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob', note: 'billing question' });
      await bob.session(sessionId);
      await bob.ok({ type: 'accept-transfer', sessionId, transferId });
      await alice.session(sessionId, (s) => s.ownerId === 'bob');
      expect(await alice.command({ type: 'send', sessionId, messageId: messageId(), text: 'x' })).toMatchObject({ code: 'not-owner' });
      await alice.ok(note(sessionId, 'She was charged twice, refund both'));
      expect(await bob.event('note', sessionId)).toMatchObject({ author: { id: 'alice' }, text: 'She was charged twice, refund both' });
      await bob.ok({ type: 'send', sessionId, messageId: messageId(), text: 'I see the double charge' });
      await customer.eventWhere((e) => e.kind === 'message' && e.text === 'I see the double charge');
      expect(customer.eventsOf(sessionId).map((e) => e.kind)).not.toContain('note');
    });

    it('the agent offered the chat gets the notes so far with the conversation', async () => {
      const { alice, bob, sessionId } = await chat();
      await alice.ok(note(sessionId, 'Order 42 was lost in transit'));
      await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      const replay = await bob.next((f) => f.type === 'replay' && f.sessionId === sessionId);
      expect(replay.events.filter((e: Frame) => e.kind === 'note').map((e: Frame) => e.text)).toEqual(['Order 42 was lost in transit']);
    });

    it('a resent note is stored once; an agent outside the chat may not write one, nor read them', async () => {
      const { alice, bob, carol, sessionId } = await chat();
      const id = messageId();
      const first = await alice.ok(note(sessionId, 'once', id));
      expect(await alice.ok(note(sessionId, 'once', id))).toEqual({ seq: first.seq, duplicate: true });
      expect(await bob.command(note(sessionId, 'let me in'))).toMatchObject({ type: 'error', code: 'not-in-chat' });
      // carol may look at every live chat, but reads notes only once she listens in
      const before = await carol.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(before.events.map((e: Frame) => e.kind)).not.toContain('note');
      await carol.ok({ type: 'listen', sessionId });
      const after = await carol.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(after.events.filter((e: Frame) => e.kind === 'note')).toHaveLength(1);
      expect(noteEvents(alice, sessionId)).toHaveLength(1);
    });

    it('a request never carries notes to the customer', async () => {
      const { alice, customer, sessionId } = await chat();
      await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'Where is my parcel?' });
      await alice.ok(note(sessionId, 'internal: courier lost it'));
      const { request } = await alice.ok({ type: 'create-request', sessionId, title: 'Lost parcel' });
      expect(request.transcript.map((l: Frame) => l.text)).toEqual(['Where is my parcel?']);
      const seen = await customer.event('request-created');
      expect(JSON.stringify(seen)).not.toContain('courier');
    });
  });

  describe('attachments', () => {
    it('a customer uploads an image; its type is sniffed from the bytes; a resend stores nothing new; the agent sees and downloads it', async () => {
      const { relay, alice, customer, sessionId } = await chat();
      const uploadId = messageId();
      const first = await upload(relay, sessionId, PNG, { token: customer.token }, { uploadId, name: 'photo.html', contentType: 'text/html' });
      expect(first).toMatchObject({ status: 201, body: { attachment: { type: 'image/png', name: 'photo.html.png', size: PNG.length } } });
      const again = await upload(relay, sessionId, PNG, { token: customer.token }, { uploadId, name: 'photo.html' });
      expect(again).toMatchObject({ status: 200, body: { attachment: { id: first.body.attachment.id } } });
      const attachmentId = first.body.attachment.id as string;
      await customer.ok({ type: 'customer-send', messageId: messageId(), attachments: [attachmentId] });
      const seen = await alice.eventWhere((e) => e.kind === 'message' && e.attachments?.length === 1);
      expect(seen).toMatchObject({ text: '', author: { kind: 'customer' }, attachments: [{ id: attachmentId, type: 'image/png' }] });
      const got = await download(relay, attachmentId, { agent: 'alice' });
      expect(got.status).toBe(200);
      expect(got.bytes.equals(PNG)).toBe(true);
      expect(got.headers.get('content-type')).toBe('image/png');
      expect(got.headers.get('x-content-type-options')).toBe('nosniff');
      expect(got.headers.get('content-disposition')).toBe(`inline; filename="photo.html.png"; filename*=UTF-8''photo.html.png`);
      expect((await download(relay, attachmentId, { token: customer.token })).status).toBe(200);
    });

    it('a request made from the chat names the files its messages carried', async () => {
      const { relay, alice, customer, sessionId } = await chat();
      const sent = await upload(relay, sessionId, PNG, { token: customer.token }, { name: 'receipt.png' });
      await customer.ok({ type: 'customer-send', messageId: messageId(), attachments: [sent.body.attachment.id] });
      await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'see above', attachments: [sent.body.attachment.id] });
      await alice.eventWhere((e) => e.kind === 'message' && e.text === 'see above');
      const { request } = await alice.ok({ type: 'create-request', sessionId, title: 'Refund' });
      expect(request.transcript.map((l: Frame) => l.text)).toEqual(['[file: receipt.png]', 'see above\n[file: receipt.png]']);
    });

    it('is never served to someone outside the chat', async () => {
      const { relay, alice, customer, sessionId } = await chat();
      const other = await d.customer(relay, { name: 'Eve' });
      const { body } = await upload(relay, sessionId, PNG, { token: customer.token });
      const id = body.attachment.id as string;
      await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'see this', attachments: [id] });
      await alice.eventWhere((e) => e.kind === 'message' && e.text === 'see this');
      // bob was never in the chat; another customer holds another chat's token
      expect((await download(relay, id, { agent: 'bob' })).status).toBe(403);
      expect((await download(relay, id, { token: other.token })).status).toBe(403);
      expect((await download(relay, id, null)).status).toBe(401);
      expect((await download(relay, id, { agent: 'alice', password: 'wrong' })).status).toBe(401);
      expect((await upload(relay, sessionId, PNG, { token: other.token })).status).toBe(403);
      expect((await upload(relay, sessionId, PNG, { agent: 'bob' })).status).toBe(403);
      // managers and agents who may listen in see every chat, as they see its events
      expect((await download(relay, id, { agent: 'maria' })).status).toBe(200);
      expect((await download(relay, id, { agent: 'carol' })).status).toBe(200);
    });

    it('what an agent uploads reaches the customer only once a message carries it', async () => {
      const { relay, alice, customer, sessionId } = await chat();
      const { body } = await upload(relay, sessionId, Buffer.from('Opening hours: 9-17\n'), { agent: 'alice' }, { name: 'hours' });
      expect(body.attachment).toMatchObject({ type: 'text/plain', name: 'hours.txt' });
      const id = body.attachment.id as string;
      expect((await download(relay, id, { token: customer.token })).status).toBe(403);
      // a customer cannot send what an agent uploaded, nor anything from another chat
      expect(await customer.command({ type: 'customer-send', messageId: messageId(), attachments: [id] })).toMatchObject({ code: 'not-found' });
      await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'Here you are', attachments: [id] });
      const seen = await customer.eventWhere((e) => e.kind === 'message' && e.text === 'Here you are');
      expect(seen.attachments).toEqual([expect.objectContaining({ id, name: 'hours.txt', size: 20 })]);
      const got = await download(relay, id, { token: customer.token });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(got.headers.get('content-disposition')).toMatch(/^attachment; /);
    });

    it('refuses files too large, of a type not allowed, empty, into a closed chat, or a reused upload id with other bytes', async () => {
      const { relay, alice, customer, sessionId } = await chat({ attachments: { maxBytes: 1024 } });
      const big = await upload(relay, sessionId, Buffer.alloc(2048, 0x41), { token: customer.token });
      expect(big).toMatchObject({ status: 413, body: { error: { code: 'too-large', message: expect.stringContaining('up to') } } });
      const binary = await upload(relay, sessionId, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]), { token: customer.token }, { name: 'setup.exe' });
      expect(binary).toMatchObject({ status: 415, body: { error: { code: 'unsupported-type' } } });
      expect((await upload(relay, sessionId, Buffer.alloc(0), { token: customer.token })).status).toBe(400);
      const uploadId = messageId();
      expect((await upload(relay, sessionId, PNG, { agent: 'alice' }, { uploadId })).status).toBe(201);
      expect(await upload(relay, sessionId, Buffer.from('other'), { agent: 'alice' }, { uploadId })).toMatchObject({
        status: 409,
        body: { error: { code: 'conflict' } },
      });
      await alice.ok({ type: 'close-chat', sessionId });
      expect((await upload(relay, sessionId, PNG, { agent: 'alice' })).status).toBe(409);
    });

    it('a message may carry only attachments of its own chat', async () => {
      const { relay, alice, sessionId } = await chat();
      const second = await d.customer(relay, { name: 'Finn' });
      const { body } = await upload(relay, second.sessionId, PNG, { token: second.token });
      expect(await alice.command({ type: 'send', sessionId, messageId: messageId(), attachments: [body.attachment.id] })).toMatchObject({
        code: 'not-found',
      });
      expect(await alice.command({ type: 'send', sessionId, messageId: messageId() })).toMatchObject({ code: 'bad-frame' });
    });
  });

  describe('canned replies', () => {
    it('managers keep the shared replies, everyone gets them; personal ones stay with their owner', async () => {
      const { alice, bob, maria } = await chat();
      const shared = { type: 'save-canned', scope: 'shared', title: 'Greeting', text: 'Hello {customer}, I am {agent}.' };
      expect(await alice.command(shared)).toMatchObject({ code: 'not-manager' });
      const { reply } = await maria.ok(shared);
      expect(reply).toMatchObject({ scope: 'shared', ownerId: null, updatedBy: 'maria' });
      expect(await bob.next((f) => f.type === 'canned-reply' && f.reply.id === reply.id)).toBeTruthy();
      expect(await alice.next((f) => f.type === 'canned-reply' && f.reply.id === reply.id)).toBeTruthy();
      expect(await alice.command({ type: 'delete-canned', replyId: reply.id })).toMatchObject({ code: 'not-manager' });
      expect(await alice.command({ ...shared, replyId: reply.id, title: 'Mine now' })).toMatchObject({ code: 'not-manager' });

      const personal = await alice.ok({ type: 'save-canned', scope: 'personal', title: 'Bye', text: 'Bye {customer}!' });
      expect(personal.reply).toMatchObject({ scope: 'personal', ownerId: 'alice' });
      await alice.next((f) => f.type === 'canned-reply' && f.reply.id === personal.reply.id);
      expect((await alice.ok({ type: 'list-canned' })).replies.map((r: Frame) => r.title)).toEqual(['Bye', 'Greeting']);
      expect((await bob.ok({ type: 'list-canned' })).replies.map((r: Frame) => r.title)).toEqual(['Greeting']);
      expect(await bob.command({ type: 'save-canned', replyId: personal.reply.id, scope: 'personal', title: 'x', text: 'y' })).toMatchObject({
        code: 'forbidden',
      });
      expect(await bob.command({ type: 'delete-canned', replyId: personal.reply.id })).toMatchObject({ code: 'forbidden' });
      expect(await alice.command({ type: 'save-canned', replyId: personal.reply.id, scope: 'shared', title: 'x', text: 'y' })).toMatchObject({
        code: 'forbidden',
      });
      const edited = await alice.ok({ type: 'save-canned', replyId: personal.reply.id, scope: 'personal', title: 'Goodbye', text: 'Bye!' });
      expect(edited.reply).toMatchObject({ id: personal.reply.id, title: 'Goodbye' });
      await alice.ok({ type: 'delete-canned', replyId: personal.reply.id });
      expect(await alice.next((f) => f.type === 'canned-reply-deleted')).toMatchObject({ replyId: personal.reply.id });
      expect((await alice.ok({ type: 'list-canned' })).replies.map((r: Frame) => r.title)).toEqual(['Greeting']);
      // bob was never told of alice's personal reply
      await bob.ok({ type: 'list-canned' });
      expect(bob.frames.some((f) => f.type.startsWith('canned-reply') && f.reply?.id === personal.reply.id)).toBe(false);
      expect(bob.frames.some((f) => f.type === 'canned-reply-deleted')).toBe(false);
      expect(await maria.command({ type: 'delete-canned', replyId: 'cr_none' })).toMatchObject({ code: 'not-found' });
    });
  });

  describe('requests', () => {
    it('a request is assigned, worked on and solved; the customer is told when asked to; its assignee lists it', async () => {
      const { relay, alice, bob, carol, maria, customer, sessionId } = await chat();
      const { request } = await alice.ok({ type: 'create-request', sessionId, title: 'Refund order 42' });
      expect(request).toMatchObject({ status: 'open', assigneeId: null });
      expect(await carol.command({ type: 'update-request', requestId: request.id, status: 'pending' })).toMatchObject({ code: 'forbidden' });
      expect(await maria.command({ type: 'update-request', requestId: request.id, assigneeId: 'zoe' })).toMatchObject({ code: 'unknown-agent' });
      expect(await maria.command({ type: 'update-request', requestId: 'req_none', status: 'solved' })).toMatchObject({ code: 'not-found' });
      const assigned = await maria.ok({ type: 'update-request', requestId: request.id, assigneeId: 'bob', status: 'pending' });
      expect(assigned.request).toMatchObject({ status: 'pending', assigneeId: 'bob' });
      expect(await bob.next((f) => f.type === 'request' && f.request.assigneeId === 'bob')).toMatchObject({ request: { status: 'pending' } });
      expect((await bob.ok({ type: 'list-requests' })).requests.map((r: Frame) => r.id)).toEqual([request.id]);
      await alice.ok({ type: 'close-chat', sessionId });
      // the chat is over, the request is not: its assignee solves it and tells the customer
      const solved = await bob.ok({ type: 'update-request', requestId: request.id, status: 'solved', tellCustomer: true });
      expect(solved.request).toMatchObject({ status: 'solved', solvedAt: expect.any(Number) });
      expect(await alice.next((f) => f.type === 'request' && f.request.status === 'solved')).toBeTruthy();
      const fetched = await maria.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(fetched.events.filter((e: Frame) => e.kind.startsWith('request-')).map((e: Frame) => e.kind)).toEqual([
        'request-created',
        'request-updated',
        'request-updated',
        'request-solved',
      ]);
      expect((await maria.ok({ type: 'list-requests' })).requests[0]).toMatchObject({ id: request.id, status: 'solved', assigneeId: 'bob' });
      const back = await d.customer(relay, { token: customer.token, lastSeq: 0 });
      const told = await back.event('request-solved');
      expect(told).toMatchObject({ title: 'Refund order 42' });
      expect(told).not.toHaveProperty('requestId'); // the customer's view: what the page shows, nothing of the agents' side
      expect(back.eventsOf(sessionId).map((e) => e.kind)).not.toContain('request-updated');
      // nothing changes: no event
      const same = await bob.ok({ type: 'update-request', requestId: request.id, status: 'solved' });
      expect(same.request.status).toBe('solved');
      const after = await maria.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
      expect(after.events).toHaveLength(fetched.events.length);
    });
  });


  describe('when a message was written', () => {
    it('a message sent later keeps when it was written, never in the future nor before the chat', async () => {
      const { alice, customer, sessionId } = await chat();
      const now = Date.now();
      await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'written offline', writtenAt: now - 1 });
      const late = await customer.eventWhere((e) => e.kind === 'message' && e.text === 'written offline');
      expect(late.writtenAt).toBeLessThan(late.at);
      await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'from the future', writtenAt: now + 3_600_000 });
      expect((await customer.eventWhere((e) => e.kind === 'message' && e.text === 'from the future')).writtenAt).toBeUndefined();
      await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'long ago', writtenAt: 5 });
      const old = await alice.eventWhere((e) => e.kind === 'message' && e.text === 'long ago');
      const summary = alice.lastSummary(sessionId)!;
      expect(old.writtenAt).toBe(summary.createdAt);
    });
  });
}
