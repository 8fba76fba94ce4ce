// Today's figures from a known event log: every figure of the Dashboard computed by the relay, with exact times, plus
// the CSV it exports and the window reads of the SQLite store (the PostgreSQL read is in tests/cluster/metrics.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { metricsCsv } from '../../common/metrics';
import { computeMetrics } from '../../relay/core/metrics';
import { openSqliteStore, type SqliteRelayStore } from '../../relay/store/sqlite';
import { removeDir, tempDir } from './helpers';
import { chatA, chatB, chatC, input, summaryOf } from './scripted-day';

describe("today's figures from the event log", () => {
  const metrics = computeMetrics(input);
  const agent = (id: string) => metrics.agents.find((a) => a.agentId === id);
  const team = (id: string) => metrics.teams.find((t) => t.teamId === id);
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
    expect(metrics.agents.map((a) => a.agentId)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(agent('dave')).toMatchObject({ chatsHandled: 0, transfersMade: 0, firstResponseMs: null });
    expect(metrics.teams.map((t) => t.teamId)).toEqual(['billing', 'tech']);
  });

  it('exports CSV with one line per agent and per team, times in seconds, and names that cannot become formulas', () => {
    const csv = metricsCsv({ ...metrics, agents: [...metrics.agents, { ...agent('dave')!, agentId: 'eve', name: '=HYPERLINK("x"), "Eve"' }] });
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
