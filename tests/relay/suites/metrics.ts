// Today's figures from a day scripted over real sockets: the relay counts what happened from its event log, and (in a
// cluster) every node answers the same. Run against one relay and against three nodes.
import { describe, expect, it } from 'vitest';
import type { StartRelay } from '../helpers';
import { connectCustomer, deployment, type Frame, messageId, } from '../helpers';

export function metricsSuite(start: StartRelay): void {
  const { relay: started, agent, track } = deployment(start);

  describe("today's figures", () => {
    it('count the scripted day per agent and per team, the same from every connection', async () => {
      const since = Date.now() - 1000;
      const relay = await started({ directoryPollMs: 100, transferTimeoutMs: 600 });
      const maria = await agent(relay, 'maria');
      await maria.ok({ type: 'team-add', team: 'billing', name: 'Billing' });
      await maria.ok({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
      await maria.ok({ type: 'user-set-teams', user: 'carol', teams: ['billing'] });
      const alice = await agent(relay, 'alice');

      // Ann's chat: alice answers, offers it to Billing, bob passes, carol accepts and closes it
      const ann = await connectCustomer(relay, { name: 'Ann' });
      track(ann);
      await alice.event('assigned', ann.sessionId);
      await alice.ok({ type: 'send', sessionId: ann.sessionId, messageId: messageId(), text: 'Hello Ann' });
      const bob = await agent(relay, 'bob');
      const carol = await agent(relay, 'carol');
      const { transferId: t1 } = await alice.ok({ type: 'offer-transfer', sessionId: ann.sessionId, team: 'billing' });
      await bob.session(ann.sessionId, (s) => s.pendingTransfer?.id === t1);
      await carol.session(ann.sessionId, (s) => s.pendingTransfer?.id === t1);
      await bob.ok({ type: 'reject-transfer', sessionId: ann.sessionId, transferId: t1, reason: 'on a call' });
      await carol.ok({ type: 'accept-transfer', sessionId: ann.sessionId, transferId: t1 });
      await carol.ok({ type: 'close-chat', sessionId: ann.sessionId });

      // Ben's chat, for Billing: bob gets it (carol is Busy), answers, offers it to alice who lets it time out
      await carol.ok({ type: 'set-status', status: 'busy' });
      await bob.until(() => bob.frames.some((f) => f.type === 'presence' && f.agent.id === 'carol' && f.agent.status === 'busy'), 'carol busy');
      const ben = await connectCustomer(relay, { name: 'Ben', team: 'billing' });
      track(ben);
      await bob.event('assigned', ben.sessionId);
      await bob.ok({ type: 'send', sessionId: ben.sessionId, messageId: messageId(), text: 'Hello Ben' });
      const { transferId: t2 } = await bob.ok({ type: 'offer-transfer', sessionId: ben.sessionId, to: 'alice' });
      await bob.eventWhere((e) => e.kind === 'transfer-cancelled' && e.transferId === t2, 'the timeout', 5000);
      await bob.ok({ type: 'close-chat', sessionId: ben.sessionId });

      const ask = { type: 'get-metrics', since, until: Date.now() + 1000 };
      const fromMaria = await maria.ok(ask);
      // carol may listen in: she sees the figures too, from her node in a cluster
      const fromCarol = await carol.ok(ask);
      expect(fromCarol).toEqual(fromMaria);
      const agentRow = (id: string) => fromMaria.agents.find((a: Frame) => a.agentId === id);
      expect(agentRow('alice')).toMatchObject({ chatsHandled: 0, transfersMade: 1, transfersTimedOut: 1, transfersAccepted: 0 });
      expect(agentRow('bob')).toMatchObject({ chatsHandled: 1, transfersMade: 1, transfersRejected: 1, transfersAccepted: 0 });
      expect(agentRow('carol')).toMatchObject({ chatsHandled: 1, transfersAccepted: 1, transfersMade: 0 });
      for (const id of ['alice', 'bob']) expect(agentRow(id).firstResponseMs).toBeGreaterThanOrEqual(0);
      expect(agentRow('carol').firstResponseMs).toBeNull();
      expect(agentRow('bob').handleMs).toBeGreaterThan(0);
      expect(fromMaria.teams).toEqual([
        expect.objectContaining({ teamId: 'billing', name: 'Billing', chatsHandled: 2, transfersMade: 1, transfersAccepted: 1 }),
      ]);
      // a window before the day had started shows nothing
      const before = await maria.ok({ type: 'get-metrics', since: since - 3600_000, until: since - 1 });
      expect(before.agents.every((a: Frame) => a.chatsHandled === 0 && a.transfersMade === 0)).toBe(true);
    });
  });
}
