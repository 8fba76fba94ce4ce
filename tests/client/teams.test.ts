// The client core's part of teams and supervision, against a real relay: administration and figures through the
// bridge, teams in the snapshot (and kept in the cache), offers to a team, auto-away from activity reports, and an
// account a manager disabled ending in a sign-in screen with the relay's sentence.
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../common/bridge';
import { IdlePolicy } from '../../main/client/idle';
import { tempDir } from './fixtures';
import { testScope } from './harness';
import { startTcpProxy } from './tcp-proxy';

const { relay, probe, customer, defer } = testScope();

describe('teams and supervision in the client core', () => {
  it("a manager's administration reaches the relay; teams arrive in the snapshot, as events, and stay cached", async () => {
    const r = await relay();
    const maria = await probe();
    await maria.signIn(r.wsUrl, 'maria');
    const dataDir = tempDir();
    const alice = await probe({ dataDir });
    await alice.signIn(r.wsUrl, 'alice');
    expect((await alice.snapshot()).teams).toEqual([]);
    await maria.must('admin:command', { type: 'team-add', team: 'billing', name: 'Billing' });
    await maria.must('admin:command', { type: 'user-set-teams', user: 'alice', teams: ['billing'] });
    expect((await alice.untilEvent('teams')).teams).toEqual([{ id: 'billing', name: 'Billing' }]);
    await alice.untilEvent('presence', (e) => e.agent.id === 'alice' && e.agent.teams?.join() === 'billing');
    expect((await alice.snapshot()).teams).toEqual([{ id: 'billing', name: 'Billing' }]);
    expect(await alice.invoke('admin:command', { type: 'team-remove', team: 'billing' })).toMatchObject({
      ok: false,
      error: { code: 'not-manager' },
    });
    expect(await maria.invoke('admin:command', { type: 'team-add', team: 'Not An Id', name: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    await maria.must('admin:command', { type: 'user-add', user: 'erin', role: 'agent', canListenIn: false, password: 'erin-pass' });
    await maria.must('admin:command', { type: 'user-remove', user: 'erin' });
    await alice.untilEvent('agent-removed', (e) => e.agentId === 'erin');
    expect((await alice.snapshot()).agents.map((a) => a.id)).not.toContain('erin');
    // offline, the next start still knows the teams (the Transfer dialog is empty offline anyway, the Dashboard is not)
    await alice.client.dispose();
    await r.close();
    const offline = await probe({ dataDir });
    expect((await offline.snapshot()).teams).toEqual([{ id: 'billing', name: 'Billing' }]);
  });

  it("transfer:offer to a team: each member's core shows it as theirs and notifies; the figures come back", async () => {
    const r = await relay();
    const maria = await probe();
    await maria.signIn(r.wsUrl, 'maria');
    await maria.must('admin:command', { type: 'team-add', team: 'billing', name: 'Billing' });
    await maria.must('admin:command', { type: 'user-set-teams', user: 'bob', teams: ['billing'] });
    const alice = await probe();
    await alice.signIn(r.wsUrl, 'alice');
    const erin = await customer(r.wsUrl, 'Erin');
    await alice.untilEvent('session', (e) => e.session.id === erin.sessionId && e.session.ownerId === 'alice');
    const bob = await probe();
    await bob.signIn(r.wsUrl, 'bob');
    const offer = await alice.must<{ transferId: string; atCapacity: boolean }>('transfer:offer', {
      sessionId: erin.sessionId,
      team: 'billing',
      note: 'invoice',
    });
    expect(offer.atCapacity).toBe(false);
    const shown = await bob.untilEvent('notification', (e) => e.notification.kind === 'transfer-offer');
    expect(shown.notification).toMatchObject({ sessionId: erin.sessionId, transferId: offer.transferId });
    expect(await alice.invoke('transfer:offer', { sessionId: erin.sessionId, to: 'bob', team: 'billing' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    await bob.must('transfer:accept', { sessionId: erin.sessionId, transferId: offer.transferId });
    const figures = await maria.must<{ agents: Array<{ agentId: string; transfersAccepted: number }>; teams: unknown[] }>('metrics:get', {
      since: Date.now() - 60_000,
      until: Date.now() + 1000,
    });
    expect(figures.agents.find((a) => a.agentId === 'bob')?.transfersAccepted).toBe(1);
    expect(figures.teams).toEqual([expect.objectContaining({ teamId: 'billing', transfersAccepted: 1 })]);
    expect(await alice.invoke('metrics:get', { since: 0, until: 1000 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('auto-away: idle past the setting shows the agent Away, input brings them back, a reconnect says it again', async () => {
    const r = await relay();
    const proxy = await startTcpProxy(r.port);
    defer(() => proxy.close());
    const maria = await probe();
    await maria.signIn(r.wsUrl, 'maria');
    const alice = await probe();
    await alice.signIn(proxy.url, 'alice');
    await alice.must('settings:set', { autoAway: { on: true, minutes: 5 } });
    const awayFrom = maria.events.length;
    await alice.must('agent:activity', { idleSeconds: 299 });
    await alice.must('agent:activity', { idleSeconds: 300 });
    await maria.untilEvent('presence', (e) => e.agent.id === 'alice' && e.agent.status === 'away' && e.agent.idle === true, awayFrom);
    const backFrom = maria.events.length;
    await alice.must('agent:activity', { idleSeconds: 2 });
    await maria.untilEvent('presence', (e) => e.agent.id === 'alice' && e.agent.status === 'present', backFrom);
    // idle again, then the link drops: the relay forgets idle at the new hello, the core says it again
    await alice.must('agent:activity', { idleSeconds: 400 });
    await maria.untilEvent('presence', (e) => e.agent.id === 'alice' && e.agent.idle === true, backFrom);
    const reconnectFrom = alice.events.length;
    proxy.cut();
    await alice.untilConnection('online', reconnectFrom);
    const lastAlice = () => maria.events.filter((e) => e.type === 'presence' && e.agent.id === 'alice').at(-1);
    await maria.until(() => {
      const last = lastAlice();
      return last?.type === 'presence' && last.agent.idle === true && last.agent.status === 'away';
    }, 'alice idle again after the reconnect');
    // turning the setting off brings her back at once
    await alice.must('settings:set', { autoAway: { on: false, minutes: 5 } });
    await maria.until(() => {
      const last = lastAlice();
      return last?.type === 'presence' && last.agent.status === 'present';
    }, 'alice present with auto-away off');
  });

  it('an account disabled by a manager ends in auth-failed with the relay’s sentence, without retrying', async () => {
    const r = await relay();
    const maria = await probe();
    await maria.signIn(r.wsUrl, 'maria');
    const bob = await probe();
    await bob.signIn(r.wsUrl, 'bob');
    await maria.must('admin:command', { type: 'user-set-disabled', user: 'bob', disabled: true });
    const failed = await bob.untilConnection('auth-failed');
    expect(failed.connection).toEqual({ status: 'auth-failed', message: 'Your account was disabled by a manager.' });
    const after = bob.events.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.events.slice(after).filter((e) => e.type === 'connection')).toEqual([]);
    // signing in again is refused with the relay's own words, not "wrong password"
    const again = await bob.invoke('auth:signIn', { relayUrl: r.wsUrl, user: 'bob', password: 'demo' });
    expect(again).toEqual({
      ok: false,
      error: { code: 'unauthorized', message: 'This account is disabled. Ask a manager to enable it.' },
    });
  });
});

describe('auto-away policy', () => {
  const on = { on: true, minutes: 2 };

  it('goes idle once the idle time reaches the setting and back at the first report below it, saying each change once', () => {
    const sent: boolean[] = [];
    const idle = new IdlePolicy((value) => sent.push(value));
    for (const seconds of [0, 60, 119, 120, 180, 240, 3, 1]) idle.report(seconds, on);
    expect(sent).toEqual([true, false]);
    expect(idle.isIdle).toBe(false);
  });

  it('never goes idle with the setting off, and turning it off or shortening it is judged at once', () => {
    const sent: boolean[] = [];
    const idle = new IdlePolicy((value) => sent.push(value));
    idle.report(10_000, { on: false, minutes: 2 });
    expect(sent).toEqual([]);
    idle.configure({ on: true, minutes: 60 });
    expect(sent).toEqual([true]);
    idle.configure({ on: false, minutes: 60 });
    expect(sent).toEqual([true, false]);
  });

  it('says idle again after a reconnect, and forgets it at sign-out', () => {
    const sent: boolean[] = [];
    const idle = new IdlePolicy((value) => sent.push(value));
    idle.reconnected();
    idle.report(500, on);
    idle.reconnected();
    expect(sent).toEqual([true, true]);
    idle.reset();
    idle.reconnected();
    expect(sent).toEqual([true, true]);
    expect(defaultSettings.autoAway).toEqual({ on: true, minutes: 10 });
  });
});
