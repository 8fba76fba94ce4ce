// Today's figures from a known event log: every figure of the Dashboard computed by the relay, with exact times, plus
// the CSV it exports and the window reads of the SQLite store (the PostgreSQL read is in tests/cluster/metrics.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { metricsCsv } from '../../common/metrics';
import { computeMetrics } from '../../relay/core/metrics';
import { openSqliteStore, type SqliteRelayStore } from '../../relay/store/sqlite';
import { removeDir, tempDir } from './helpers';
import { agentSays, at, chatA, chatB, chatC, DAY, type Draft, input, log, offer, summaryOf } from './scripted-day';

describe("today's figures from the event log", () => {
  // computed inside each test, not as the file is collected: mutation testing activates a mutant only while tests run
  const metrics = () => computeMetrics(input);
  const agent = (id: string) => metrics().agents.find((a) => a.agentId === id);
  const team = (id: string) => metrics().teams.find((t) => t.teamId === id);
  const min = 60_000;

  it('credits chats handled and handle time to the owner at close, from when they got the chat', () => {
    expect(agent('carol')).toMatchObject({ chatsHandled: 1, handleMs: 18 * min });
    expect(agent('bob')).toMatchObject({ chatsHandled: 1, handleMs: 19 * min });
    expect(agent('alice')).toMatchObject({ chatsHandled: 0, handleMs: null });
  });

  it('first response: from the opening to the first agent message, credited to who wrote it', () => {
    expect(agent('alice')?.firstResponseMs).toBe(1 * min);
    expect(agent('bob')?.firstResponseMs).toBe(2 * min);
    // carol wrote, but not first
    expect(agent('carol')?.firstResponseMs).toBeNull();
  });

  it('counts transfers made, accepted, rejected (a pass on a team offer included) and timed out per agent', () => {
    expect(agent('alice')).toMatchObject({ transfersMade: 1, transfersAccepted: 0, transfersRejected: 0, transfersTimedOut: 1 });
    expect(agent('bob')).toMatchObject({ transfersMade: 1, transfersAccepted: 0, transfersRejected: 1, transfersTimedOut: 0 });
    expect(agent('carol')).toMatchObject({ transfersMade: 0, transfersAccepted: 1, transfersRejected: 0, transfersTimedOut: 0 });
  });

  it('per team: the chats that belong to it (opened for it, or accepted through a team offer) and offers to it', () => {
    // A joined Billing by the accepted team offer; B was opened for it; C was yesterday
    expect(team('billing')).toMatchObject({
      chatsHandled: 2,
      transfersMade: 1,
      transfersAccepted: 1,
      transfersRejected: 0,
      transfersTimedOut: 0,
    });
    // handle time per team runs from the first assignment: A 29:55, B 19:00
    expect(team('billing')?.handleMs).toBe(((29 * 60 + 55) * 1000 + 19 * min) / 2);
    // B was Billing's when bob answered it; A was not yet Billing's when alice did
    expect(team('billing')?.firstResponseMs).toBe(2 * min);
    expect(team('tech')).toMatchObject({ chatsHandled: 0, firstResponseMs: null, transfersMade: 0 });
  });

  it('lists every agent and team, those without figures too, by name', () => {
    expect(metrics().agents.map((a) => a.agentId)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(agent('dave')).toMatchObject({ chatsHandled: 0, transfersMade: 0, firstResponseMs: null });
    expect(metrics().teams.map((t) => t.teamId)).toEqual(['billing', 'tech']);
  });

  it('exports CSV with one line per agent and per team, times in seconds, and names that cannot become formulas', () => {
    const figures = metrics();
    const csv = metricsCsv({ ...figures, agents: [...figures.agents, { ...agent('dave')!, agentId: 'eve', name: '=HYPERLINK("x"), "Eve"' }] });
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'scope,id,name,chats handled,first response (s),average handle time (s),transfers made,transfers accepted,transfers rejected,transfers timed out',
    );
    expect(lines[1]).toBe('agent,alice,Alice Smith,0,60,,1,0,0,1');
    expect(lines[2]).toBe('agent,bob,Bob Jones,1,120,1140,1,0,1,0');
    expect(lines).toContain('team,billing,Billing,2,120,1467.5,1,1,0,0');
    expect(lines).toContain(`agent,eve,"'=HYPERLINK(""x""), ""Eve""",0,,,0,0,0,0`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});

describe("today's figures at their edges", () => {
  const min = 60_000;
  const tech = { id: 'tech', name: 'Technical' };
  const customerSays = (name: string, time: number, messageId: string): Draft => ({
    kind: 'message',
    at: time,
    messageId,
    author: { kind: 'customer', id: null, name },
    text: 'hello?',
  });
  // D, for Technical, opens at the window's first instant; the customer writes before dave answers; a team offer with
  // one candidate left is rejected; a second loses erin (gone Away) and times out; D closes at the window's end.
  const chatD = log('D', [
    { kind: 'opened', at: at(0, 0), customerName: 'Dee', team: 'tech' },
    customerSays('Dee', at(0, 1), 'm-d-000001'),
    { kind: 'assigned', at: at(0, 2), agentId: 'dave', agentName: 'Dave Idle' },
    agentSays('dave', 'Dave Idle', at(0, 3), 'm-d-000002'),
    { kind: 'transfer-offered', at: at(0, 4), transfer: offer('t3', 'D', { fromId: 'dave', offeredBy: 'dave', toTeam: tech, candidates: ['erin'] }) },
    { kind: 'transfer-rejected', at: at(0, 5), transferId: 't3', byId: 'erin', reason: null },
    {
      kind: 'transfer-offered',
      at: at(0, 6),
      transfer: offer('t4', 'D', { fromId: 'dave', offeredBy: 'dave', toTeam: tech, candidates: ['erin', 'frank'] }),
    },
    { kind: 'transfer-passed', at: at(0, 7), transferId: 't4', agentId: 'erin', why: 'unavailable', reason: null },
    { kind: 'transfer-cancelled', at: at(0, 8), transferId: 't4', reason: 'timeout', byId: null },
    { kind: 'closed', at: at(24, 0), by: { kind: 'agent', id: 'dave', name: 'Dave Idle' } },
  ]);
  // E opened an hour before the window, owned by an account since removed (not among the agents listed); its offer is
  // made at the window's first instant and cancelled
  const chatE = log('E', [
    { kind: 'opened', at: at(-1, 0), customerName: 'Eve', team: null },
    { kind: 'assigned', at: at(-1, 1), agentId: 'gone', agentName: 'Gone Agent' },
    { kind: 'transfer-offered', at: at(0, 0), transfer: offer('t5', 'E', { fromId: 'gone', offeredBy: 'gone', toId: 'dave' }) },
    { kind: 'transfer-cancelled', at: at(0, 1), transferId: 't5', reason: 'cancelled', byId: 'gone' },
    agentSays('gone', 'Gone Agent', at(0, 10), 'm-e-000001'),
    { kind: 'closed', at: at(0, 20), by: { kind: 'agent', id: 'gone', name: 'Gone Agent' } },
  ]);
  // F, for Technical, is closed by its customer while still queued; I the same, for a team since removed
  const chatF = log('F', [
    { kind: 'opened', at: at(1, 0), customerName: 'Fay', team: 'tech' },
    customerSays('Fay', at(1, 0, 30), 'm-f-000001'),
    { kind: 'closed', at: at(1, 1), by: { kind: 'customer', id: null, name: 'Fay' } },
  ]);
  const chatI = log('I', [
    { kind: 'opened', at: at(3, 0), customerName: 'Ida', team: 'old' },
    { kind: 'closed', at: at(3, 5), by: { kind: 'customer', id: null, name: 'Ida' } },
  ]);
  // H is read from seq 2: without its opening nobody can say how long its first response took, and the answers to
  // offers made before are credited to who answered, to no team
  const chatH = log('H', [
    { kind: 'assigned', at: at(2, 0), agentId: 'sam1', agentName: 'Sam' },
    agentSays('sam1', 'Sam', at(2, 1), 'm-h-000001'),
    { kind: 'transfer-rejected', at: at(2, 2), transferId: 't10', byId: 'sam2', reason: null },
    { kind: 'transfer-accepted', at: at(2, 3), transferId: 't9', fromId: 'sam1', fromName: 'Sam', toId: 'sam2', toName: 'Sam' },
    { kind: 'transfer-cancelled', at: at(2, 4), transferId: 't11', reason: 'timeout', byId: null },
  ]).map((e) => ({ ...e, seq: e.seq + 1 }));
  // J: dave answers in five minutes, zoe listens in, then maria (listed nowhere else) takes it over and closes it
  const chatJ = log('J', [
    { kind: 'opened', at: at(4, 0), customerName: 'Jo', team: null },
    { kind: 'assigned', at: at(4, 0), agentId: 'dave', agentName: 'Dave Idle' },
    agentSays('dave', 'Dave Idle', at(4, 5), 'm-j-000001'),
    // listening is no work of its own: zoe has no figures for it
    { kind: 'listener-joined', at: at(4, 6), agentId: 'zoe', agentName: 'Zoe Quiet' },
    { kind: 'taken-over', at: at(4, 10), byId: 'maria', byName: 'Maria Manager', fromId: 'dave', fromName: 'Dave Idle' },
    { kind: 'closed', at: at(4, 30), by: { kind: 'agent', id: 'maria', name: 'Maria Manager' } },
  ]);
  // K happened yesterday, offers and answers included: none of it counts today
  const chatK = log('K', [
    { kind: 'opened', at: at(-3, 0), customerName: 'Kim', team: null },
    { kind: 'assigned', at: at(-3, 1), agentId: 'sam2', agentName: 'Sam' },
    { kind: 'transfer-offered', at: at(-3, 2), transfer: offer('t6', 'K', { fromId: 'sam2', offeredBy: 'sam2', toTeam: tech, candidates: ['dave'] }) },
    { kind: 'transfer-rejected', at: at(-3, 3), transferId: 't6', byId: 'dave', reason: null },
    { kind: 'transfer-offered', at: at(-3, 4), transfer: offer('t7', 'K', { fromId: 'sam2', offeredBy: 'sam2', toId: 'dave' }) },
    { kind: 'transfer-accepted', at: at(-3, 5), transferId: 't7', fromId: 'sam2', fromName: 'Sam', toId: 'dave', toName: 'Dave Idle' },
    { kind: 'transfer-offered', at: at(-3, 6), transfer: offer('t8', 'K', { fromId: 'dave', offeredBy: 'dave', toTeam: tech, candidates: ['sam1'] }) },
    { kind: 'transfer-accepted', at: at(-3, 7), transferId: 't8', fromId: 'dave', fromName: 'Dave Idle', toId: 'sam1', toName: 'Sam' },
    { kind: 'closed', at: at(-2, 0), by: { kind: 'agent', id: 'sam1', name: 'Sam' } },
  ]);
  const none = { chatsHandled: 0, firstResponseMs: null, handleMs: null, transfersMade: 0, transfersAccepted: 0, transfersRejected: 0, transfersTimedOut: 0 };
  const metrics = () =>
    computeMetrics({
      since: DAY,
      until: at(24, 0),
      events: [...chatD, ...chatE, ...chatF, ...chatH, ...chatI, ...chatJ, ...chatK],
      agents: [
        { id: 'dave', name: 'Dave Idle' },
        { id: 'sam2', name: 'Sam' },
        { id: 'sam1', name: 'Sam' },
        { id: 'zoe', name: 'Zoe Quiet' },
      ],
      teams: [tech, { id: 'support', name: 'Technical' }],
    });
  const row = (agents: Array<{ agentId: string }>, id: string) => agents.find((a) => a.agentId === id);

  it('counts what happens at the first instant of the window and nothing at its end or before it; a customer line is no response', () => {
    const { agents } = metrics();
    // D's close at the window's end is tomorrow's, J was taken over; dave answered D in three minutes (not the
    // customer's line) and J in five
    expect(row(agents, 'dave')).toEqual({ agentId: 'dave', name: 'Dave Idle', ...none, firstResponseMs: 4 * min, transfersMade: 2 });
    // E's offer at the first instant counts; its first response runs from the opening, an hour before the window
    expect(row(agents, 'gone')).toEqual({
      agentId: 'gone',
      name: 'Gone Agent',
      ...none,
      chatsHandled: 1,
      firstResponseMs: 70 * min,
      handleMs: 79 * min,
      transfersMade: 1,
    });
    // a take-over gives the chat to the manager from then on
    expect(row(agents, 'maria')).toEqual({ agentId: 'maria', name: 'Maria Manager', ...none, chatsHandled: 1, handleMs: 20 * min });
  });

  it("a team offer rejected by its last candidate is the team's rejection; a member gone Away has not rejected; its timeout is the team's", () => {
    const { agents, teams } = metrics();
    expect(row(agents, 'erin')).toEqual({ agentId: 'erin', name: 'erin', ...none, transfersRejected: 1 });
    expect(row(agents, 'frank')).toBeUndefined();
    expect(teams.find((t) => t.teamId === 'tech')).toEqual({
      teamId: 'tech',
      name: 'Technical',
      ...none,
      // F, closed while queued, was the team's all the same; nobody handled it, so no handle time
      chatsHandled: 1,
      firstResponseMs: 3 * min,
      transfersMade: 2,
      transfersRejected: 1,
      transfersTimedOut: 1,
    });
  });

  it('a log read without its start gives no first response and credits answers to offers it never saw to who answered', () => {
    const { agents } = metrics();
    expect(row(agents, 'sam1')).toEqual({ agentId: 'sam1', name: 'Sam', ...none });
    expect(row(agents, 'sam2')).toEqual({ agentId: 'sam2', name: 'Sam', ...none, transfersAccepted: 1, transfersRejected: 1 });
  });

  it('names come from the log, else the list, else the id; a removed team is named by its id; equal names go by id', () => {
    const { agents, teams } = metrics();
    expect(agents.map((a) => a.agentId)).toEqual(['dave', 'erin', 'gone', 'maria', 'sam1', 'sam2', 'zoe']);
    expect(row(agents, 'zoe')).toEqual({ agentId: 'zoe', name: 'Zoe Quiet', ...none });
    expect(teams).toEqual([
      { teamId: 'old', name: 'old', ...none, chatsHandled: 1 },
      { teamId: 'support', name: 'Technical', ...none },
      expect.objectContaining({ teamId: 'tech' }),
    ]);
  });
});

describe('the SQLite store reads the logs of a window', () => {
  let store: SqliteRelayStore | null = null;
  let dir = '';
  afterEach(() => {
    store?.close();
    removeDir(dir);
  });

  it('returns every event of the chats live in the window, in seq order, and none of chats closed before it', () => {
    dir = tempDir();
    store = openSqliteStore(dir, { synchronous: 'NORMAL' });
    const s = store;
    s.transaction(() => {
      for (const [id, events] of [['A', chatA], ['B', chatB], ['C', chatC]] as const) {
        s.putSession(summaryOf(id, events));
        for (const event of events) s.appendEvent(event);
      }
    });
    const read = s.logsInWindow(input.since, input.until);
    expect(read.map((e) => `${e.sessionId}${e.seq}`)).toEqual([...chatA, ...chatB].map((e) => `${e.sessionId}${e.seq}`));
    expect(computeMetrics({ ...input, events: read })).toEqual(computeMetrics(input));
  });
});
