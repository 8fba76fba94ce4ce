// The chat decisions of relay/core, pure: routing, assignment and closing, messages and notes, requests and canned
// replies, and the helpers every decision shares. What peers see of them is in suites/*; these pin the details behind
// it: effects, exact refusals, and the answers to races the runner leaves to a decision (a chat routed twice, a request
// gone between its lookup and the lock).
import { describe, expect, it } from 'vitest';
import type { CannedReply, Request, SessionEvent } from '../../common/domain';
import type { AgentCommandOf } from '../../common/protocol';
import { mayChange, saveCanned } from '../../relay/core/canned';
import { agentSend, customerSend } from '../../relay/core/messages';
import { audience, capacityOf, type Loaded, loadedOnly, shownStatus } from '../../relay/core/model';
import { addNote } from '../../relay/core/notes';
import { createRequest, updateRequest } from '../../relay/core/requests';
import { chooseAgent, type RoutingView } from '../../relay/core/routing';
import { assign, closeByAgent, closeByCustomer } from '../../relay/core/sessions';
import type { Account, StoredAttachment } from '../../relay/ports';
import { alice, bob, carol, changed, chat, facts, maria, offered } from './core-fixtures';

const loaded = (over: Partial<Loaded> = {}): Loaded => ({ ...loadedOnly(chat()), ...over });
const refusal = (decision: { ok: boolean; error?: { code: string; message: string } }) => (decision.ok ? null : decision.error);

describe('routing', () => {
  const view = (accounts: Account[], over: Partial<RoutingView> = {}): RoutingView => ({
    connected: accounts.map((a) => a.id),
    account: (id) => accounts.find((a) => a.id === id) ?? null,
    openChats: () => 0,
    lastAssignedAt: () => 0,
    capacity: 4,
    team: null,
    ...over,
  });

  it('fewer open chats wins over having waited longer for one', () => {
    // alice got a chat most recently but has none open now; bob waited longer with one open
    const chosen = chooseAgent(
      view([alice, bob], {
        openChats: (id) => (id === 'bob' ? 1 : 0),
        lastAssignedAt: (id) => (id === 'alice' ? 9_000 : 1_000),
      }),
    );
    expect(chosen?.id).toBe('alice');
  });

  it('an agent still connected whose account is gone (removed while the socket closes) is passed over', () => {
    const chosen = chooseAgent({ ...view([bob]), connected: ['alice', 'bob'] });
    expect(chosen?.id).toBe('bob');
  });
});

describe('what every decision shares', () => {
  it('an account not found shows offline and has the relay’s capacity', () => {
    expect(shownStatus(null)).toBe('offline');
    expect(shownStatus(undefined)).toBe('offline');
    expect(capacityOf(null, 4)).toBe(4);
    expect(capacityOf(undefined, 4)).toBe(4);
  });

  it("a queued chat's audience is its listeners and the offer's targets, with nobody standing for the missing owner", () => {
    expect(audience(chat({ state: 'queued', ownerId: null, listeners: ['carol'] }))).toEqual(['carol']);
    expect(audience(chat({ listeners: ['carol'], pendingTransfer: offered() }))).toEqual(['carol', 'alice', 'bob']);
  });
});

describe('a chat from queue to close', () => {
  it('routing assigns a queued chat, logged; a chat another node or command assigned meanwhile is left as it is', () => {
    const queued = chat({ state: 'queued', ownerId: null });
    expect(changed(assign(queued, bob))).toEqual({
      session: chat({ state: 'active', ownerId: 'bob' }),
      events: [{ kind: 'assigned', agentId: 'bob', agentName: 'Bob Jones' }],
      effects: [{ type: 'log', entry: { event: 'chat-assigned', sessionId: 'ses_1', agentId: 'bob' } }],
      value: undefined,
    });
    expect(changed(assign(chat(), bob))).toEqual({ session: chat(), events: [], effects: [], value: undefined });
  });

  it('closing ends a pending offer (disarmed, logged as cancelled by the close), logs the close and ends the customer', () => {
    expect(changed(closeByAgent(chat({ pendingTransfer: offered() }), alice, 50_000))).toEqual({
      session: chat({ state: 'closed', closedAt: 50_000 }),
      events: [
        { kind: 'transfer-cancelled', transferId: 'tr_7', reason: 'closed', byId: 'alice' },
        { kind: 'closed', by: { kind: 'agent', id: 'alice', name: 'Alice Smith' } },
      ],
      effects: [
        { type: 'disarm-timer', key: 'transfer:ses_1:tr_7' },
        {
          type: 'log',
          entry: { event: 'transfer-cancelled', sessionId: 'ses_1', transferId: 'tr_7', from: 'alice', to: 'bob', by: 'alice', reason: 'closed' },
        },
        { type: 'log', entry: { event: 'chat-closed', sessionId: 'ses_1', by: 'agent', byId: 'alice' } },
        { type: 'end-customer' },
      ],
      value: undefined,
    });
    expect(changed(closeByCustomer(chat({ waitingSince: 9_000 }), 50_000))).toEqual({
      session: chat({ state: 'closed', closedAt: 50_000 }),
      events: [{ kind: 'closed', by: { kind: 'customer', id: null, name: 'Dana' } }],
      effects: [{ type: 'log', entry: { event: 'chat-closed', sessionId: 'ses_1', by: 'customer', byId: null } }, { type: 'end-customer' }],
      value: undefined,
    });
  });
});

describe('messages and notes', () => {
  const file = (id: string, over: Partial<StoredAttachment> = {}): StoredAttachment => ({
    id,
    name: `${id}.png`,
    type: 'image/png',
    size: 10,
    sha256: `sha-${id}`,
    sessionId: 'ses_1',
    uploadId: `up-${id}`,
    uploader: { kind: 'agent', id: 'alice' },
    createdAt: 2_000,
    messageSeq: null,
    ...over,
  });
  const send = (over: Partial<AgentCommandOf<'send'>> = {}): AgentCommandOf<'send'> => ({
    id: 'c1',
    type: 'send',
    sessionId: 'ses_1',
    messageId: 'm-0000001',
    text: 'Here you are',
    attachments: [],
    ...over,
  });

  it('a message is the next event, with no effect; a resend of its id is answered with the stored seq and stores nothing', () => {
    expect(changed(agentSend(chat(), alice, send(), loaded(), facts()))).toEqual({
      session: chat(),
      events: [{ kind: 'message', messageId: 'm-0000001', author: { kind: 'agent', id: 'alice', name: 'Alice Smith' }, text: 'Here you are' }],
      effects: [],
      value: { seq: 4, duplicate: false },
    });
    expect(changed(agentSend(chat(), alice, send(), loaded({ duplicateSeq: 2 }), facts()))).toEqual({
      session: chat(),
      events: [],
      effects: [],
      value: { seq: 2, duplicate: true },
    });
  });

  it('a message carries each file it names once, in the order named; one not in the chat is refused in a sentence', () => {
    const files = [file('att_aaaaaaaa'), file('att_bbbbbbbb')];
    const made = changed(
      agentSend(chat(), alice, send({ attachments: ['att_bbbbbbbb', 'att_aaaaaaaa', 'att_bbbbbbbb'] }), loaded({ attachments: files }), facts()),
    );
    expect(made.events[0]).toMatchObject({
      attachments: [
        { id: 'att_bbbbbbbb', name: 'att_bbbbbbbb.png', type: 'image/png', size: 10, sha256: 'sha-att_bbbbbbbb' },
        { id: 'att_aaaaaaaa', name: 'att_aaaaaaaa.png', type: 'image/png', size: 10, sha256: 'sha-att_aaaaaaaa' },
      ],
    });
    const elsewhere = agentSend(chat(), alice, send({ attachments: ['att_cccccccc'] }), loaded({ attachments: files }), facts());
    expect(refusal(elsewhere)).toEqual({ code: 'not-found', message: 'That attachment is not in this chat. Upload it again.' });
    // a customer passes on only what the customer uploaded
    const customer = customerSend(
      chat(),
      { id: 'c2', type: 'customer-send', messageId: 'm-0000002', text: '', attachments: ['att_aaaaaaaa'] },
      loaded({ attachments: files }),
      facts(),
    );
    expect(refusal(customer)).toEqual({ code: 'not-found', message: 'That attachment is not in this chat. Upload it again.' });
  });

  it('a note is the next event with no effect; a resent note stores nothing', () => {
    const note: AgentCommandOf<'add-note'> = { id: 'c3', type: 'add-note', sessionId: 'ses_1', noteId: 'n-0000001', text: 'VIP' };
    expect(changed(addNote(chat({ listeners: ['carol'] }), carol, note, loaded(), facts()))).toEqual({
      session: chat({ listeners: ['carol'] }),
      events: [{ kind: 'note', noteId: 'n-0000001', author: { id: 'carol', name: 'Carol White' }, text: 'VIP' }],
      effects: [],
      value: { seq: 4, duplicate: false },
    });
    expect(changed(addNote(chat(), alice, note, loaded({ duplicateSeq: 3 }), facts()))).toEqual({
      session: chat(),
      events: [],
      effects: [],
      value: { seq: 3, duplicate: true },
    });
  });
});

describe('requests', () => {
  const message = (seq: number, text: string, attachments: Array<{ name: string }> = []): SessionEvent =>
    ({
      sessionId: 'ses_1',
      seq,
      at: 1_000 + seq,
      kind: 'message',
      messageId: `m-000000${seq}`,
      author: { kind: 'customer', id: null, name: 'Dana' },
      text,
      ...(attachments.length ? { attachments: attachments.map((a, i) => ({ id: `att_0000000${i}`, type: 'image/png', size: 1, sha256: 'x', ...a })) } : {}),
    }) as SessionEvent;
  const request = (over: Partial<Request> = {}): Request => ({
    id: 'req_1',
    sessionId: 'ses_1',
    title: 'Call back',
    description: null,
    customerName: 'Dana',
    createdBy: 'alice',
    createdAt: 5_000,
    transcript: [],
    status: 'open',
    assigneeId: null,
    updatedAt: null,
    solvedAt: null,
    ...over,
  });
  const update = (over: Partial<AgentCommandOf<'update-request'>>): AgentCommandOf<'update-request'> => ({
    id: 'c4',
    type: 'update-request',
    requestId: 'req_1',
    tellCustomer: false,
    ...over,
  });

  it('a request keeps the transcript as lines, naming every file a message carried; it has no effect', () => {
    const transcript = [message(2, 'my bill'), message(3, '', [{ name: 'a.png' }, { name: 'b.png' }]), message(4, 'see', [{ name: 'c.png' }])];
    const made = changed(
      createRequest(chat(), alice, { id: 'c5', type: 'create-request', sessionId: 'ses_1', title: 'Refund' }, facts(), loaded({ transcript })),
    );
    expect(made.value.request).toMatchObject({
      id: 'req_1',
      createdBy: 'alice',
      description: null,
      transcript: [
        { at: 1_002, author: 'Dana', text: 'my bill' },
        { at: 1_003, author: 'Dana', text: '[file: a.png] [file: b.png]' },
        { at: 1_004, author: 'Dana', text: 'see\n[file: c.png]' },
      ],
    });
    expect(made.events).toEqual([{ kind: 'request-created', request: made.value.request }]);
    expect(made.effects).toEqual([]);
  });

  it('an update is logged; solving sets when (kept if solved again), telling the customer only when asked and only as it becomes solved', () => {
    const pending = changed(updateRequest(chat(), maria, update({ status: 'pending', assigneeId: 'bob' }), facts(), loaded({ request: request() })));
    expect(pending).toEqual({
      session: chat(),
      events: [{ kind: 'request-updated', requestId: 'req_1', status: 'pending', assigneeId: 'bob', solvedAt: null, byId: 'maria', byName: 'Maria Garcia' }],
      effects: [{ type: 'log', entry: { event: 'request-updated', requestId: 'req_1', status: 'pending', assigneeId: 'bob', by: 'maria' } }],
      value: { request: request({ status: 'pending', assigneeId: 'bob', updatedAt: 10_000 }) },
    });
    // asking to tell the customer of anything but the solution tells nothing
    const told = (status: Request['status'], before: Request) =>
      changed(updateRequest(chat(), bob, update({ status, tellCustomer: true }), facts(), loaded({ request: before }))).events.map((e) => e.kind);
    expect(told('pending', request({ assigneeId: 'bob' }))).toEqual(['request-updated']);
    expect(told('solved', request({ assigneeId: 'bob' }))).toEqual(['request-updated', 'request-solved']);
    // solved already: a new assignee is an update, the customer is not told twice, and it stays solved since then
    const again = changed(
      updateRequest(
        chat(),
        maria,
        update({ status: 'solved', assigneeId: 'carol', tellCustomer: true }),
        facts(),
        loaded({ request: request({ status: 'solved', solvedAt: 7_000 }) }),
      ),
    );
    expect(again.events).toEqual([
      { kind: 'request-updated', requestId: 'req_1', status: 'solved', assigneeId: 'carol', solvedAt: 7_000, byId: 'maria', byName: 'Maria Garcia' },
    ]);
    // reopened, it is no longer solved
    const reopened = changed(updateRequest(chat(), maria, update({ status: 'open' }), facts(), loaded({ request: request({ status: 'solved', solvedAt: 7_000 }) })));
    expect(reopened.value.request).toMatchObject({ status: 'open', solvedAt: null });
  });

  it('an update that changes nothing is no event and no effect', () => {
    const before = request({ status: 'pending', assigneeId: 'bob' });
    expect(changed(updateRequest(chat(), bob, update({ status: 'pending' }), facts(), loaded({ request: before })))).toEqual({
      session: chat(),
      events: [],
      effects: [],
      value: { request: before },
    });
  });

  it('a request gone between its lookup and the lock is not found; the others may not change it; both say so in a sentence', () => {
    expect(refusal(updateRequest(chat(), maria, update({ status: 'solved' }), facts(), loaded()))).toEqual({
      code: 'not-found',
      message: 'That request no longer exists.',
    });
    expect(refusal(updateRequest(chat(), carol, update({ status: 'solved' }), facts(), loaded({ request: request({ assigneeId: 'bob' }) })))).toEqual({
      code: 'forbidden',
      message: 'Only the agent who created a request, its assignee or a manager can change it.',
    });
  });
});

describe('canned replies', () => {
  const reply = (over: Partial<CannedReply> = {}): CannedReply => ({
    id: 'cr_9',
    scope: 'shared',
    ownerId: null,
    title: 'Greeting',
    text: 'Hello {customer}',
    updatedAt: 1_000,
    updatedBy: 'maria',
    ...over,
  });
  const save = (over: Partial<AgentCommandOf<'save-canned'>>): AgentCommandOf<'save-canned'> => ({
    id: 'c6',
    type: 'save-canned',
    scope: 'shared',
    title: 'Greeting',
    text: 'Hi',
    ...over,
  });

  it('a new reply gets an id of its kind; a manager changes a shared one in place, an agent their personal one', () => {
    expect(changed(saveCanned(null, alice, save({ scope: 'personal' }), facts()))).toEqual({
      id: 'cr_1',
      scope: 'personal',
      ownerId: 'alice',
      title: 'Greeting',
      text: 'Hi',
      updatedAt: 10_000,
      updatedBy: 'alice',
    });
    expect(changed(saveCanned(reply(), maria, save({ replyId: 'cr_9', text: 'Hello' }), facts()))).toMatchObject({ id: 'cr_9', ownerId: null, text: 'Hello' });
    expect(mayChange(reply(), maria)).toBe(true);
    expect(mayChange(reply(), carol)).toBe(false);
    expect(mayChange(reply({ scope: 'personal', ownerId: 'alice' }), alice)).toBe(true);
    expect(mayChange(reply({ scope: 'personal', ownerId: 'alice' }), maria)).toBe(false);
  });

  it('each refusal says why in a sentence', () => {
    const mine = reply({ scope: 'personal', ownerId: 'alice' });
    expect(refusal(saveCanned(null, maria, save({ replyId: 'cr_gone' }), facts()))).toEqual({
      code: 'not-found',
      message: 'That reply no longer exists.',
    });
    expect(refusal(saveCanned(mine, alice, save({ replyId: 'cr_9', scope: 'shared' }), facts()))).toEqual({
      code: 'forbidden',
      message: 'A reply stays shared or personal; create a new one instead.',
    });
    expect(refusal(saveCanned(null, alice, save({ scope: 'shared' }), facts()))).toEqual({
      code: 'not-manager',
      message: 'Only a manager can change the shared replies.',
    });
    expect(refusal(saveCanned(mine, bob, save({ replyId: 'cr_9', scope: 'personal' }), facts()))).toEqual({
      code: 'forbidden',
      message: 'That reply belongs to another agent.',
    });
  });
});
