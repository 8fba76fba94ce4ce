// The transfer and take-over decisions of relay/core, pure: what each asks the runner to do (timers, log lines) and
// how each answers a timer or a departure that comes after the offer it was for has changed. The behaviours peers see
// are in suites/transfer.ts, suites/teams.ts and suites/guards.ts; these are the details behind them.
import { describe, expect, it } from 'vitest';
import type { AgentCommandOf } from '../../common/protocol';
import { closeWindow, listen, takeOver } from '../../relay/core/listening';
import { accept, cancel, expire, offer, reject, targetUnavailable } from '../../relay/core/transfers';
import { account, alice, bob, carol, changed, chat, facts, maria, offered } from './core-fixtures';

const billing = { id: 'billing', name: 'Billing' };
const offerCommand = (over: Partial<AgentCommandOf<'offer-transfer'>>): AgentCommandOf<'offer-transfer'> => ({
  id: 'c1',
  type: 'offer-transfer',
  sessionId: 'ses_1',
  ...over,
});
const answer = <T extends 'accept-transfer' | 'reject-transfer' | 'cancel-transfer'>(type: T, transferId = 'tr_7', reason?: string) =>
  ({ id: 'c2', type, sessionId: 'ses_1', transferId, ...(reason === undefined ? {} : { reason }) }) as AgentCommandOf<T>;
const log = (event: string, fields: Record<string, unknown>) => ({
  type: 'log',
  entry: { event, sessionId: 'ses_1', transferId: 'tr_7', from: 'alice', to: 'bob', ...fields },
});
const disarmed = { type: 'disarm-timer', key: 'transfer:ses_1:tr_7' };
const unchanged = (session: ReturnType<typeof chat>) => ({ session, events: [], effects: [], value: undefined });

describe('offering a chat', () => {
  it('an offer to an agent is pending with its note, logged, and its expiry armed; the sender is warned only when the target is full', () => {
    const made = changed(offer(chat(), alice, offerCommand({ to: 'bob', note: 'billing question' }), facts({ options: { transferTimeoutMs: 30_000 } })));
    const transfer = offered({ id: 'tr_1', note: 'billing question', createdAt: 10_000, expiresAt: 40_000 });
    expect(made).toEqual({
      session: chat({ pendingTransfer: transfer }),
      events: [{ kind: 'transfer-offered', transfer }],
      effects: [
        { type: 'log', entry: { event: 'transfer-offered', sessionId: 'ses_1', transferId: 'tr_1', from: 'alice', to: 'bob', by: 'alice' } },
        { type: 'arm-timer', key: 'transfer:ses_1:tr_1', at: 40_000 },
      ],
      value: { transferId: 'tr_1', atCapacity: false },
    });
    // bob at his capacity (the relay's 4) may still accept; the sender is told so, and one chat fewer is not full
    expect(changed(offer(chat(), alice, offerCommand({ to: 'bob' }), facts({ openChats: { bob: 4 } }))).value.atCapacity).toBe(true);
    expect(changed(offer(chat(), alice, offerCommand({ to: 'bob' }), facts({ openChats: { bob: 3 } }))).value.atCapacity).toBe(false);
  });

  it('with transfer timeouts off an offer waits for its answer: no timer, no expiry; an empty note is no note', () => {
    const made = changed(offer(chat(), alice, offerCommand({ to: 'bob', note: '' }), facts()));
    expect(made.session.pendingTransfer).toMatchObject({ note: null, expiresAt: null });
    expect(made.effects.map((e) => e.type)).toEqual(['log']);
  });

  it('a team offer goes to its Present members with room, never to the owner nor to the manager making it, and is logged with them', () => {
    const members = ['alice', 'bob', 'carol', 'dave', 'maria'].map((id) => account(id, { teams: ['billing'] }));
    const f = facts({
      accounts: members,
      teams: [billing],
      // alice (the owner) and maria (offering) would qualify but for who they are; carol is full, dave Away
      openChats: { alice: 1, carol: 4 },
      statuses: { dave: 'away' },
    });
    const made = changed(offer(chat(), members[4]!, offerCommand({ team: 'billing' }), f));
    expect(made.session.pendingTransfer).toMatchObject({ fromId: 'alice', offeredBy: 'maria', toId: null, toTeam: billing, candidates: ['bob'] });
    expect(made.effects).toEqual([
      {
        type: 'log',
        entry: { event: 'transfer-offered', sessionId: 'ses_1', transferId: 'tr_1', from: 'alice', to: 'team:billing', by: 'maria', candidates: ['bob'] },
      },
    ]);
    // nobody chosen is full, so the sender is never warned of capacity
    expect(made.value).toEqual({ transferId: 'tr_1', atCapacity: false });
  });
});

describe('answering an offer', () => {
  it('an accept gives the chat to the target, makes the former owner a listener in their place, ends the timer and is logged', () => {
    const session = chat({ listeners: ['carol', 'maria'], pendingTransfer: offered({ toId: 'carol', expiresAt: 40_000 }) });
    expect(accept(session, carol, answer('accept-transfer'), facts())).toEqual({
      ok: true,
      value: {
        session: chat({ ownerId: 'carol', listeners: ['maria', 'alice'] }),
        events: [{ kind: 'transfer-accepted', transferId: 'tr_7', fromId: 'alice', fromName: 'Alice Smith', toId: 'carol', toName: 'Carol White' }],
        effects: [disarmed, log('transfer-accepted', { to: 'carol', by: 'carol' })],
        value: undefined,
      },
    });
  });

  it('accepted through a team offer the chat joins the team; a former owner whose account is gone is named by login', () => {
    const session = chat({ team: null, pendingTransfer: offered({ toId: null, toTeam: billing, candidates: ['bob', 'carol'] }) });
    const made = changed(accept(session, bob, answer('accept-transfer'), facts({ accounts: [bob, carol, maria] })));
    expect(made.session).toMatchObject({ ownerId: 'bob', team: 'billing', listeners: ['alice'] });
    expect(made.events).toEqual([
      { kind: 'transfer-accepted', transferId: 'tr_7', fromId: 'alice', fromName: 'alice', toId: 'bob', toName: 'Bob Jones' },
    ]);
    expect(made.effects).toEqual([disarmed, log('transfer-accepted', { to: 'team:billing', by: 'bob' })]);
  });

  it('a reject ends the offer with its reason (none when empty), disarmed and logged; the owner keeps the chat', () => {
    const session = chat({ pendingTransfer: offered() });
    expect(changed(reject(session, bob, answer('reject-transfer', 'tr_7', 'on a call')))).toEqual({
      session: chat(),
      events: [{ kind: 'transfer-rejected', transferId: 'tr_7', byId: 'bob', reason: 'on a call' }],
      effects: [disarmed, log('transfer-rejected', { by: 'bob', reason: 'on a call' })],
      value: undefined,
    });
    expect(changed(reject(session, bob, answer('reject-transfer', 'tr_7', ''))).events).toEqual([
      { kind: 'transfer-rejected', transferId: 'tr_7', byId: 'bob', reason: null },
    ]);
  });

  it('one member rejecting a team offer passes: the others keep it, its timer runs on, the pass is logged', () => {
    const team = offered({ toId: null, toTeam: billing, candidates: ['bob', 'carol'], expiresAt: 40_000 });
    expect(changed(reject(chat({ pendingTransfer: team }), bob, answer('reject-transfer', 'tr_7', 'busy')))).toEqual({
      session: chat({ pendingTransfer: { ...team, candidates: ['carol'] } }),
      events: [{ kind: 'transfer-passed', transferId: 'tr_7', agentId: 'bob', why: 'rejected', reason: 'busy' }],
      effects: [log('transfer-passed', { to: 'team:billing', by: 'bob', why: 'rejected', reason: 'busy' })],
      value: undefined,
    });
    // the last one's reject ends it
    const last = changed(reject(chat({ pendingTransfer: { ...team, candidates: ['carol'] } }), carol, answer('reject-transfer')));
    expect(last.session.pendingTransfer).toBeNull();
    expect(last.events).toEqual([{ kind: 'transfer-rejected', transferId: 'tr_7', byId: 'carol', reason: null }]);
  });

  it("a manager's cancel of someone else's offer is logged as theirs", () => {
    expect(changed(cancel(chat({ pendingTransfer: offered() }), maria, answer('cancel-transfer')))).toEqual({
      session: chat(),
      events: [{ kind: 'transfer-cancelled', transferId: 'tr_7', reason: 'cancelled', byId: 'maria' }],
      effects: [disarmed, log('transfer-cancelled', { by: 'maria', reason: 'cancelled' })],
      value: undefined,
    });
  });
});

describe('offers that end by themselves', () => {
  it('the timer of the pending offer ends it with timeout, logged as expired', () => {
    expect(changed(expire(chat({ pendingTransfer: offered({ expiresAt: 40_000 }) }), 'tr_7'))).toEqual({
      session: chat(),
      events: [{ kind: 'transfer-cancelled', transferId: 'tr_7', reason: 'timeout', byId: null }],
      effects: [disarmed, log('transfer-expired', { by: null, reason: 'timeout' })],
      value: undefined,
    });
  });

  it('a timer firing late, for an offer answered since or replaced by a newer one, changes nothing', () => {
    const newer = chat({ pendingTransfer: offered({ id: 'tr_8' }) });
    expect(changed(expire(newer, 'tr_7'))).toEqual(unchanged(newer));
    expect(changed(expire(chat(), 'tr_7'))).toEqual(unchanged(chat()));
  });

  it('the target gone ends an offer to them with target-unavailable; anyone else gone, or no offer, changes nothing', () => {
    const session = chat({ pendingTransfer: offered() });
    expect(changed(targetUnavailable(session, 'bob'))).toEqual({
      session: chat(),
      events: [{ kind: 'transfer-cancelled', transferId: 'tr_7', reason: 'target-unavailable', byId: null }],
      effects: [disarmed, log('transfer-cancelled', { by: null, reason: 'target-unavailable' })],
      value: undefined,
    });
    // decided under the session's lock: the offer the runner saw waiting on carol may since have gone to bob
    expect(changed(targetUnavailable(session, 'carol'))).toEqual(unchanged(session));
    expect(changed(targetUnavailable(chat(), 'bob'))).toEqual(unchanged(chat()));
  });

  it('a team member gone drops out of the offer; the last one gone ends it', () => {
    const team = offered({ toId: null, toTeam: billing, candidates: ['bob', 'carol'] });
    const passed = changed(targetUnavailable(chat({ pendingTransfer: team }), 'carol'));
    expect(passed.session.pendingTransfer?.candidates).toEqual(['bob']);
    expect(passed.events).toEqual([{ kind: 'transfer-passed', transferId: 'tr_7', agentId: 'carol', why: 'unavailable', reason: null }]);
    const ended = changed(targetUnavailable(passed.session, 'bob'));
    expect(ended.events).toEqual([{ kind: 'transfer-cancelled', transferId: 'tr_7', reason: 'target-unavailable', byId: null }]);
  });
});

describe('taking over and listening', () => {
  it('a take-over cancels the pending offer (disarmed, logged), makes the manager owner and the former owner a listener', () => {
    const session = chat({ listeners: ['maria', 'carol'], pendingTransfer: offered() });
    expect(changed(takeOver(session, maria, facts()))).toEqual({
      session: chat({ ownerId: 'maria', listeners: ['carol', 'alice'] }),
      events: [
        { kind: 'transfer-cancelled', transferId: 'tr_7', reason: 'taken-over', byId: 'maria' },
        { kind: 'taken-over', byId: 'maria', byName: 'Maria Garcia', fromId: 'alice', fromName: 'Alice Smith' },
      ],
      effects: [
        disarmed,
        log('transfer-cancelled', { by: 'maria', reason: 'taken-over' }),
        { type: 'log', entry: { event: 'transfer-taken-over', sessionId: 'ses_1', by: 'maria', from: 'alice' } },
      ],
      value: undefined,
    });
  });

  it('a queued chat taken over becomes active with nobody to listen; an owner whose account is gone is named by login', () => {
    expect(changed(takeOver(chat({ state: 'queued', ownerId: null, listeners: ['carol'] }), maria, facts()))).toEqual({
      session: chat({ state: 'active', ownerId: 'maria', listeners: ['carol'] }),
      events: [{ kind: 'taken-over', byId: 'maria', byName: 'Maria Garcia', fromId: null, fromName: null }],
      effects: [{ type: 'log', entry: { event: 'transfer-taken-over', sessionId: 'ses_1', by: 'maria', from: null } }],
      value: undefined,
    });
    expect(changed(takeOver(chat(), maria, facts({ accounts: [maria] }))).events).toEqual([
      { kind: 'taken-over', byId: 'maria', byName: 'Maria Garcia', fromId: 'alice', fromName: 'alice' },
    ]);
  });

  it('listening in and closing the window change only the listener list, with an event each and no effect', () => {
    const joined = changed(listen(chat({ listeners: ['maria'] }), carol));
    expect(joined).toEqual({
      session: chat({ listeners: ['maria', 'carol'] }),
      events: [{ kind: 'listener-joined', agentId: 'carol', agentName: 'Carol White' }],
      effects: [],
      value: undefined,
    });
    expect(changed(closeWindow(joined.session, maria))).toEqual({
      session: chat({ listeners: ['carol'] }),
      events: [{ kind: 'listener-left', agentId: 'maria', agentName: 'Maria Garcia' }],
      effects: [],
      value: undefined,
    });
  });
});
