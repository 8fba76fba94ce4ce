// Who may do what: each command by owner, target, listener, other agent, manager and customer, with the error code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerEventSchema, PROTOCOL_VERSION } from '../../common/protocol';
import {
  addAccount,
  connectAgent,
  connectCustomer,
  type Frame,
  messageId,
  removeDir,
  startTestRelay,
  type TestClient,
  type TestCustomer,
  type TestRelay,
} from './helpers';

type Role = 'owner' | 'target' | 'listener' | 'other' | 'manager';

let relay: TestRelay;
let sessionId: string;
let transferId: string;
let customer: TestCustomer;
let lastSeqBefore: number;
const as: Record<Role, TestClient> = {} as Record<Role, TestClient>;

beforeAll(async () => {
  relay = await startTestRelay();
  addAccount(relay.dataDir, { id: 'dave', name: 'Dave Other' });
  as.owner = await connectAgent(relay, 'alice');
  customer = await connectCustomer(relay, { name: 'Dana' });
  sessionId = customer.sessionId;
  await as.owner.event('assigned', sessionId);
  as.target = await connectAgent(relay, 'bob');
  as.listener = await connectAgent(relay, 'carol');
  as.other = await connectAgent(relay, 'dave');
  as.manager = await connectAgent(relay, 'maria');
  await as.listener.ok({ type: 'listen', sessionId });
  ({ transferId } = await as.owner.ok({ type: 'offer-transfer', sessionId, to: 'bob' }));
  lastSeqBefore = (await as.manager.session(sessionId, (s) => s.pendingTransfer !== null)).lastSeq;
});

afterAll(async () => {
  await Promise.all([...Object.values(as), customer].map((c) => c.close()));
  await relay.close();
  removeDir(relay.dataDir);
});

const commands: Record<string, () => Frame> = {
  send: () => ({ type: 'send', sessionId, messageId: messageId(), text: 'hello' }),
  typing: () => ({ type: 'typing', sessionId, active: true }),
  'offer-transfer': () => ({ type: 'offer-transfer', sessionId, to: 'dave' }),
  'accept-transfer': () => ({ type: 'accept-transfer', sessionId, transferId }),
  'reject-transfer': () => ({ type: 'reject-transfer', sessionId, transferId }),
  'cancel-transfer': () => ({ type: 'cancel-transfer', sessionId, transferId }),
  'take-over': () => ({ type: 'take-over', sessionId }),
  listen: () => ({ type: 'listen', sessionId }),
  'close-window': () => ({ type: 'close-window', sessionId }),
  'close-chat': () => ({ type: 'close-chat', sessionId }),
  'create-request': () => ({ type: 'create-request', sessionId, title: 'Follow up' }),
  'fetch-events': () => ({ type: 'fetch-events', sessionId, afterSeq: 0 }),
  'add-note': () => ({ type: 'add-note', sessionId, noteId: messageId(), text: 'internal' }),
};

/** Refusals only: each leaves the session untouched, which the last test checks. "ok" rows are in transfer.test.ts. */
const matrix: Array<[command: string, role: Role, code: string]> = [
  ['send', 'target', 'not-owner'],
  ['send', 'listener', 'not-owner'],
  ['send', 'other', 'not-owner'],
  ['send', 'manager', 'not-owner'],
  ['typing', 'listener', 'not-owner'],
  ['typing', 'other', 'not-owner'],
  ['offer-transfer', 'owner', 'transfer-pending'],
  ['offer-transfer', 'manager', 'transfer-pending'],
  ['offer-transfer', 'target', 'not-owner'],
  ['offer-transfer', 'listener', 'not-owner'],
  ['offer-transfer', 'other', 'not-owner'],
  ['accept-transfer', 'owner', 'not-target'],
  ['accept-transfer', 'listener', 'not-target'],
  ['accept-transfer', 'other', 'not-target'],
  ['accept-transfer', 'manager', 'not-target'],
  ['reject-transfer', 'owner', 'not-target'],
  ['reject-transfer', 'listener', 'not-target'],
  ['reject-transfer', 'other', 'not-target'],
  ['reject-transfer', 'manager', 'not-target'],
  ['cancel-transfer', 'target', 'not-offerer'],
  ['cancel-transfer', 'listener', 'not-offerer'],
  ['cancel-transfer', 'other', 'not-offerer'],
  ['take-over', 'owner', 'not-manager'],
  ['take-over', 'target', 'not-manager'],
  ['take-over', 'listener', 'not-manager'],
  ['take-over', 'other', 'not-manager'],
  ['listen', 'owner', 'cannot-listen'],
  ['listen', 'target', 'cannot-listen'],
  ['listen', 'listener', 'already-listening'],
  ['listen', 'other', 'cannot-listen'],
  ['close-window', 'owner', 'not-listener'],
  ['close-window', 'target', 'not-listener'],
  ['close-window', 'other', 'not-listener'],
  ['close-window', 'manager', 'not-listener'],
  ['close-chat', 'target', 'not-owner'],
  ['close-chat', 'listener', 'not-owner'],
  ['close-chat', 'other', 'not-owner'],
  ['close-chat', 'manager', 'not-owner'],
  ['create-request', 'target', 'not-owner'],
  ['create-request', 'listener', 'not-owner'],
  ['create-request', 'other', 'not-owner'],
  ['fetch-events', 'other', 'forbidden'],
  ['add-note', 'other', 'not-in-chat'],
];

/** Administration: only managers (the Team view); every other role is refused, and nothing changes. */
const adminCommands: Record<string, () => Frame> = {
  'user-add': () => ({ type: 'user-add', user: 'zed', role: 'manager', password: 'pass-word' }),
  'user-remove': () => ({ type: 'user-remove', user: 'dave' }),
  'user-set-disabled': () => ({ type: 'user-set-disabled', user: 'dave', disabled: true }),
  'user-set-password': () => ({ type: 'user-set-password', user: 'maria', password: 'taken-over' }),
  'user-set-role': () => ({ type: 'user-set-role', user: 'dave', role: 'manager', canListenIn: true }),
  'user-set-teams': () => ({ type: 'user-set-teams', user: 'dave', teams: [] }),
  'user-set-capacity': () => ({ type: 'user-set-capacity', user: 'dave', capacity: 50 }),
  'team-add': () => ({ type: 'team-add', team: 'billing', name: 'Billing' }),
  'team-remove': () => ({ type: 'team-remove', team: 'billing' }),
};
const adminMatrix = Object.keys(adminCommands).flatMap((command) =>
  (['owner', 'target', 'listener', 'other'] as const).map((role) => [command, role] as const),
);

describe('authorization matrix', () => {
  it.each(matrix)('%s by the %s is refused with %s', async (command, role, code) => {
    expect(await as[role].command(commands[command]!())).toMatchObject({ type: 'error', code });
  });

  it.each(Object.keys(commands))('%s on an unknown session is not-found', async (command) => {
    const frame = { ...commands[command]!(), sessionId: 'ses_does_not_exist' };
    expect(await as.manager.command(frame)).toMatchObject({ type: 'error', code: 'not-found' });
  });

  it.each(Object.keys(commands))('%s sent by a customer is not a customer command (bad-frame)', async (command) => {
    expect(await customer.command(commands[command]!())).toMatchObject({ type: 'error', code: 'bad-frame' });
  });

  it.each(adminMatrix)('%s by the %s is refused with not-manager', async (command, role) => {
    expect(await as[role].command(adminCommands[command]!())).toMatchObject({ type: 'error', code: 'not-manager' });
  });

  it.each(Object.keys(adminCommands))('%s sent by a customer is not a customer command (bad-frame)', async (command) => {
    expect(await customer.command(adminCommands[command]!())).toMatchObject({ type: 'error', code: 'bad-frame' });
  });

  it.each([
    ['owner', 'forbidden'],
    ['target', 'forbidden'],
    ['other', 'forbidden'],
    ['listener', 'ok'],
    ['manager', 'ok'],
  ] as const)("today's figures asked by the %s: %s", async (role, outcome) => {
    const answer = await as[role].command({ type: 'get-metrics', since: Date.now() - 3600_000, until: Date.now() + 1000 });
    if (outcome === 'ok') expect(answer).toMatchObject({ type: 'ok', result: { agents: expect.any(Array), teams: [] } });
    else expect(answer).toMatchObject({ type: 'error', code: outcome });
  });

  it('a customer cannot say hello as an agent', async () => {
    expect(await customer.command({ type: 'hello', protocol: PROTOCOL_VERSION })).toMatchObject({ code: 'bad-frame' });
  });

  it('the refusals changed nothing', async () => {
    const { events } = await as.manager.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
    expect(events.at(-1).seq).toBe(lastSeqBefore);
    const summary = as.manager.frames.filter((f) => f.type === 'session' && f.session.id === sessionId).at(-1)!.session;
    expect(summary).toMatchObject({ ownerId: 'alice', listeners: ['carol'], pendingTransfer: { id: transferId, toId: 'bob' } });
    // nor did the refused administration: a new welcome shows the accounts and teams as they were
    const check = await connectAgent(relay, 'dave');
    const welcome = check.frames[0]!;
    await check.close();
    expect(welcome.teams).toEqual([]);
    expect(welcome.agents.map((a: Frame) => a.id)).toEqual(['alice', 'bob', 'carol', 'dave', 'maria']);
    expect(welcome.me).toMatchObject({ role: 'agent', canListenIn: false, disabled: false, capacity: 4, teams: [] });
  });
});

/**
 * What a customer may see of each event: display names and what the chat page shows. Login ids (the agents' sign-in
 * names), who filed a request, its internal description and the transcript stay among agents.
 */
describe('what customers receive', () => {
  let chat: TestRelay;
  const seen: Frame[] = [];
  const logins = ['alice', 'bob', 'carol', 'maria'];
  const internal = 'Internal: refund only after the manager agrees';

  beforeAll(async () => {
    chat = await startTestRelay();
    const alice = await connectAgent(chat, 'alice');
    const dana = await connectCustomer(chat, { name: 'Dana' });
    await alice.event('assigned', dana.sessionId);
    const bob = await connectAgent(chat, 'bob');
    const maria = await connectAgent(chat, 'maria');
    const sessionId = dana.sessionId;
    await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'Hello Dana' });
    const { transferId: id } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob', note: 'billing' });
    await bob.session(sessionId, (s) => s.pendingTransfer?.id === id);
    await bob.ok({ type: 'accept-transfer', sessionId, transferId: id });
    await maria.ok({ type: 'take-over', sessionId });
    await maria.ok({ type: 'create-request', sessionId, title: 'Refund', description: internal });
    await maria.ok({ type: 'close-chat', sessionId });
    await dana.event('closed');
    await dana.closed;
    // and the same chat once more, as a resume replays it
    const again = await connectCustomer(chat, { token: dana.token, lastSeq: 0 });
    await again.eventWhere((e) => e.kind === 'closed');
    await again.closed;
    seen.push(...dana.frames, ...again.frames);
    await Promise.all([alice, bob, maria].map((c) => c.close()));
  });

  afterAll(async () => {
    await chat.close();
    removeDir(chat.dataDir);
  });

  const events = () => seen.flatMap((f) => (f.type === 'event' ? [f.event] : f.type === 'replay' ? f.events : []));
  const kinds = ['opened', 'assigned', 'message', 'transfer-accepted', 'taken-over', 'request-created', 'closed'];

  it.each(kinds)('%s is sent to the customer live and on resume, in the customer view only', (kind) => {
    const ofKind = events().filter((e) => e.kind === kind);
    expect(ofKind.length).toBeGreaterThanOrEqual(2);
    // parsing drops unknown fields, so equality means the relay sent nothing beyond the customer view
    for (const event of ofKind) expect(CustomerEventSchema.parse(event)).toEqual(event);
  });

  const hidden: Array<[kind: string, field: string]> = [
    ['assigned', 'agentId'],
    ['message', 'author.id'],
    ['transfer-accepted', 'fromId'],
    ['transfer-accepted', 'toId'],
    ['transfer-accepted', 'transferId'],
    ['taken-over', 'byId'],
    ['taken-over', 'fromId'],
    ['request-created', 'request.createdBy'],
    ['request-created', 'request.description'],
    ['request-created', 'request.transcript'],
    ['request-created', 'request.customerName'],
    ['closed', 'by.id'],
  ];
  it.each(hidden)('%s carries no %s', (kind, field) => {
    for (const event of events().filter((e) => e.kind === kind)) {
      const value = field.split('.').reduce<Frame | undefined>((at, part) => at?.[part], event);
      expect(value).toBeUndefined();
    }
  });

  it('no frame a customer received holds an agent login id, the internal description, or the offer', () => {
    const text = JSON.stringify(seen);
    for (const login of logins) expect(text).not.toContain(`"${login}"`);
    expect(text).not.toContain(internal);
    expect(text).not.toContain('billing');
    expect(events().map((e) => e.kind)).not.toContain('transfer-offered');
    // display names are what the customer is shown
    expect(text).toContain('Bob Jones');
    expect(text).toContain('Maria Garcia');
  });
});

// Runs after the refusals were checked: these change the session.
describe('internal notes, for each party', () => {
  const parties: Role[] = ['owner', 'target', 'listener', 'manager'];

  it.each(parties)('the %s may write a note', async (role) => {
    expect(await as[role].command(commands['add-note']!())).toMatchObject({ type: 'ok', result: { duplicate: false } });
  });

  it.each(['owner', 'target', 'listener'] as Role[])('the %s receives every note live', async (role) => {
    await as[role].until(() => as[role].eventsOf(sessionId).filter((e) => e.kind === 'note').length === parties.length, 'four notes');
  });

  it('the manager reads every note in the log', async () => {
    const { events } = await as.manager.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
    expect(events.filter((e: Frame) => e.kind === 'note')).toHaveLength(parties.length);
  });

  it('another agent receives none and may not read the log', async () => {
    expect(as.other.eventsOf(sessionId)).toEqual([]);
    expect(await as.other.command(commands['fetch-events']!())).toMatchObject({ code: 'forbidden' });
  });

  it('the customer receives none, live or when resuming from the start', async () => {
    await as.owner.ok({ type: 'send', sessionId, messageId: messageId(), text: 'after the notes' });
    await customer.eventWhere((e) => e.kind === 'message' && e.text === 'after the notes');
    expect(customer.eventsOf(sessionId).some((e) => e.kind === 'note')).toBe(false);
    const resumed = await connectCustomer(relay, { token: customer.token, lastSeq: 0 });
    await resumed.eventWhere((e) => e.kind === 'message' && e.text === 'after the notes');
    expect(resumed.eventsOf(sessionId).some((e) => e.kind === 'note')).toBe(false);
    await resumed.close();
  });

  it('a customer cannot write one', async () => {
    expect(await customer.command({ type: 'add-note', noteId: messageId(), text: 'x' })).toMatchObject({ code: 'bad-frame' });
  });
});

describe('requests, for each party', () => {
  let requestId: string;
  it('the owner creates one and may change it; so may a manager; others may not', async () => {
    ({ request: { id: requestId } } = await as.owner.ok({ type: 'create-request', sessionId, title: 'Follow up' }));
    for (const role of ['target', 'listener', 'other'] as Role[]) {
      expect(await as[role].command({ type: 'update-request', requestId, status: 'pending' })).toMatchObject({ code: 'forbidden' });
    }
    await as.owner.ok({ type: 'update-request', requestId, status: 'pending' });
    await as.manager.ok({ type: 'update-request', requestId, assigneeId: 'dave' });
    // once assigned, dave may work on it
    await as.other.ok({ type: 'update-request', requestId, status: 'solved' });
  });
});

describe('canned replies, for each party', () => {
  it.each(['owner', 'target', 'listener', 'other'] as Role[])('the %s may not change shared replies', async (role) => {
    expect(await as[role].command({ type: 'save-canned', scope: 'shared', title: 't', text: 'x' })).toMatchObject({ code: 'not-manager' });
  });
});
