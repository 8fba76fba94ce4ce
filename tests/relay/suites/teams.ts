// Teams over real sockets: routing per team queue, capacity per agent, Busy, auto-away, and the team offer (shown to
// the team's Present members with capacity, first accept wins, reject by all, cancel, timeout, a member leaving) with
// its races. Run against one relay and against a cluster, where the parties sit on different nodes.
import { describe, expect, it } from 'vitest';
import type { StartRelay } from '../helpers';
import { deployment, type Frame, messageId, type TestClient, type TestRelay } from '../helpers';

export function teamsSuite(start: StartRelay): void {
  const { relay: started, agent, customer: connect } = deployment(start);
  const customer = (relay: TestRelay, name: string, team?: string) => connect(relay, { name, ...(team ? { team } : {}) });

  /** Billing = bob and carol, Technical = alice; maria (manager) set it up and stays signed in. */
  async function withTeams(options: Parameters<StartRelay>[0] = {}) {
    const relay = await started({ directoryPollMs: 100, ...options });
    const maria = await agent(relay, 'maria');
    await maria.ok({ type: 'team-add', team: 'billing', name: 'Billing' });
    await maria.ok({ type: 'team-add', team: 'tech', name: 'Technical' });
    await maria.ok({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
    await maria.ok({ type: 'user-set-teams', user: 'carol', teams: ['billing'] });
    await maria.ok({ type: 'user-set-teams', user: 'alice', teams: ['tech'] });
    return { relay, maria };
  }

  /** alice owns a chat with Dana (no team); bob and carol (Billing) are signed in and Present. */
  async function chatWithBillingPresent(options: Parameters<StartRelay>[0] = {}) {
    const { relay, maria } = await withTeams(options);
    const alice = await agent(relay, 'alice');
    const dana = await customer(relay, 'Dana');
    const sessionId = dana.sessionId;
    await alice.event('assigned', sessionId);
    await alice.ok({ type: 'send', sessionId, messageId: messageId(), text: 'Let me find someone from billing.' });
    const bob = await agent(relay, 'bob');
    const carol = await agent(relay, 'carol');
    return { relay, maria, alice, bob, carol, dana, sessionId };
  }

  async function offerToTeam(from: TestClient, sessionId: string, team = 'billing') {
    const result = await from.ok({ type: 'offer-transfer', sessionId, team });
    return result.transferId as string;
  }

  async function endingsOf(observer: TestClient, sessionId: string, transferId: string) {
    const { events } = await observer.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
    return events.filter(
      (e: Frame) => e.transferId === transferId && ['transfer-accepted', 'transfer-rejected', 'transfer-cancelled'].includes(e.kind),
    );
  }

  describe('routing by team', () => {
    it('a chat for a team goes to a Present member of that team, not to an agent outside it', async () => {
      const { relay } = await withTeams();
      const alice = await agent(relay, 'alice');
      await agent(relay, 'bob');
      const ana = await customer(relay, 'Ana', 'billing');
      expect(await ana.event('assigned')).toMatchObject({ agentName: 'Bob Jones' });
      expect(alice.eventsOf(ana.sessionId)).toHaveLength(0);
      // a chat naming no team goes to anyone: alice has fewer chats now
      const ben = await customer(relay, 'Ben');
      expect(await ben.event('assigned')).toMatchObject({ agentName: 'Alice Smith' });
    });

    it("a team's queue waits for its members without holding up another team's chats", async () => {
      const { relay, maria } = await withTeams();
      const alice = await agent(relay, 'alice');
      await alice.ok({ type: 'set-status', status: 'away' });
      await agent(relay, 'bob');
      const tess = await customer(relay, 'Tess', 'tech');
      expect(await maria.session(tess.sessionId)).toMatchObject({ state: 'queued', team: 'tech' });
      // a later Billing chat is routed although the Technical chat before it still waits
      const bill = await customer(relay, 'Bill', 'billing');
      expect(await bill.event('assigned')).toMatchObject({ agentName: 'Bob Jones' });
      expect(maria.lastSummary(tess.sessionId)).toMatchObject({ state: 'queued' });
      await alice.ok({ type: 'set-status', status: 'present' });
      expect(await tess.event('assigned')).toMatchObject({ agentName: 'Alice Smith' });
    });

    it('routing respects each agent’s own capacity, and the relay default for the others', async () => {
      const { relay, maria } = await withTeams({ capacity: 2 });
      await maria.ok({ type: 'user-set-capacity', user: 'bob', capacity: 1 });
      const bob = await agent(relay, 'bob');
      const carol = await agent(relay, 'carol');
      await bob.until(() => bob.frames.some((f) => f.type === 'welcome' && f.me.capacity === 1), 'capacity 1 in the welcome');
      expect(carol.frames.find((f) => f.type === 'welcome')?.me).toMatchObject({ capacity: 2, teams: ['billing'] });
      const owners: string[] = [];
      const chats = [];
      for (const name of ['One', 'Two', 'Three']) {
        const c = await customer(relay, name, 'billing');
        chats.push(c);
        owners.push((await c.event('assigned')).agentName); // a customer sees display names
      }
      expect(owners.filter((o) => o === 'Bob Jones')).toHaveLength(1);
      expect(owners.filter((o) => o === 'Carol White')).toHaveLength(2);
      // both full: the fourth waits for room
      const four = await customer(relay, 'Four', 'billing');
      expect(await maria.session(four.sessionId)).toMatchObject({ state: 'queued' });
      const bobs = chats[owners.indexOf('Bob Jones')]!;
      await bob.ok({ type: 'close-chat', sessionId: bobs.sessionId });
      expect(await four.event('assigned')).toMatchObject({ agentName: 'Bob Jones' });
    });
  });

  describe('Busy and auto-away', () => {
    it('a Busy agent is not routed new chats but takes a transfer', async () => {
      const { relay, maria } = await withTeams();
      const bob = await agent(relay, 'bob');
      await bob.ok({ type: 'set-status', status: 'busy' });
      await maria.until(() => maria.frames.some((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status === 'busy'), 'bob busy');
      const ann = await customer(relay, 'Ann');
      expect(await maria.session(ann.sessionId)).toMatchObject({ state: 'queued' });
      const alice = await agent(relay, 'alice');
      await alice.event('assigned', ann.sessionId);
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: ann.sessionId, to: 'bob' });
      await bob.ok({ type: 'accept-transfer', sessionId: ann.sessionId, transferId });
      expect(await bob.session(ann.sessionId, (s) => s.ownerId === 'bob')).toMatchObject({ ownerId: 'bob' });
    });

    it('idle shows the agent Away (not routed, offers to them end) and activity brings back the chosen status', async () => {
      const { relay, maria } = await withTeams();
      const alice = await agent(relay, 'alice');
      const dana = await customer(relay, 'Dana');
      await alice.event('assigned', dana.sessionId);
      const bob = await agent(relay, 'bob');
      await bob.ok({ type: 'set-status', status: 'busy' });
      await maria.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status === 'busy');
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: dana.sessionId, to: 'bob' });
      await bob.session(dana.sessionId, (s) => s.pendingTransfer?.id === transferId);
      await bob.ok({ type: 'set-idle', idle: true });
      const away = await maria.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status === 'away');
      expect(away.agent).toMatchObject({ idle: true });
      expect(await bob.event('transfer-cancelled', dana.sessionId)).toMatchObject({ transferId, reason: 'target-unavailable' });
      await bob.ok({ type: 'set-idle', idle: false });
      // the first change to bob after the Away (a directory reload may repeat a status already told, before or after)
      const afterAway = (f: (typeof maria.frames)[number]) => maria.frames.indexOf(f) > maria.frames.indexOf(away);
      const back = await maria.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status !== 'away' && afterAway(f));
      expect(back.agent.status).toBe('busy');
      expect(back.agent).toMatchObject({ idle: false });
      expect(back.agent.statusSince).toBeGreaterThanOrEqual(away.agent.statusSince);
    });

    it('a reconnect clears idle and restores the chosen status (Busy)', async () => {
      const { relay, maria } = await withTeams();
      const bob = await agent(relay, 'bob');
      await bob.ok({ type: 'set-status', status: 'busy' });
      await bob.ok({ type: 'set-idle', idle: true });
      await maria.next((f) => f.type === 'presence' && f.agent.id === 'bob' && f.agent.status === 'away');
      await bob.close();
      const again = await agent(relay, 'bob');
      expect(again.frames.find((f) => f.type === 'welcome')?.me).toMatchObject({ status: 'busy', idle: false });
    });
  });

  describe('transfer to a team', () => {
    it('an agent signing in again is sent the live chats they own, listen to or are offered, alone or with their team, and no closed or other chat', async () => {
      const { relay, maria } = await withTeams();
      const alice = await agent(relay, 'alice');
      const carol = await agent(relay, 'carol');
      // alice hands Dana's chat to carol and listens to it
      const dana = await customer(relay, 'Dana');
      await alice.event('assigned', dana.sessionId);
      const toCarol = await alice.ok({ type: 'offer-transfer', sessionId: dana.sessionId, to: 'carol' });
      await carol.session(dana.sessionId, (s) => s.pendingTransfer?.id === toCarol.transferId);
      await carol.ok({ type: 'accept-transfer', sessionId: dana.sessionId, transferId: toCarol.transferId });
      const bob = await agent(relay, 'bob');
      // Technical's chat is alice's, and she offers it to Billing (bob and carol)
      const tess = await customer(relay, 'Tess', 'tech');
      await alice.event('assigned', tess.sessionId);
      const toBilling = await offerToTeam(alice, tess.sessionId);
      await bob.session(tess.sessionId, (s) => s.pendingTransfer?.id === toBilling);
      // Billing's chats go to bob, who has none: one he closes, one he keeps
      const finn = await customer(relay, 'Finn', 'billing');
      await bob.event('assigned', finn.sessionId);
      await bob.ok({ type: 'close-chat', sessionId: finn.sessionId });
      const gus = await customer(relay, 'Gus', 'billing');
      await bob.event('assigned', gus.sessionId);
      // and offers Gus's chat to alice
      const toAlice = await bob.ok({ type: 'offer-transfer', sessionId: gus.sessionId, to: 'alice' });
      await maria.session(gus.sessionId, (s) => s.pendingTransfer?.id === toAlice.transferId);
      const welcomed = async (user: string) => {
        const again = await agent(relay, user);
        return (again.frames.find((f) => f.type === 'welcome')!.sessions as Frame[]).map((s) => s.id);
      };
      expect(await welcomed('alice')).toEqual([dana.sessionId, tess.sessionId, gus.sessionId]);
      expect(await welcomed('bob')).toEqual([tess.sessionId, gus.sessionId]);
      // carol may listen in and maria is a manager: their Dashboard shows every live chat
      expect(await welcomed('carol')).toEqual([dana.sessionId, tess.sessionId, gus.sessionId]);
      expect(await welcomed('maria')).toEqual([dana.sessionId, tess.sessionId, gus.sessionId]);
    });

    it('is shown to the Present members with capacity; the first to accept gets it and the other sees it disappear', async () => {
      const { alice, bob, carol, dana, maria, sessionId } = await chatWithBillingPresent();
      const transferId = await offerToTeam(alice, sessionId);
      for (const member of [bob, carol]) {
        const summary = await member.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
        expect(summary.pendingTransfer).toMatchObject({ toId: null, toTeam: { id: 'billing', name: 'Billing' } });
        expect([...summary.pendingTransfer.candidates].sort()).toEqual(['bob', 'carol']);
        const replay = await member.next((f) => f.type === 'replay' && f.sessionId === sessionId);
        expect(replay.events.map((e: Frame) => e.kind)).toEqual(['opened', 'assigned', 'message', 'transfer-offered']);
      }
      await carol.ok({ type: 'accept-transfer', sessionId, transferId });
      const after = await bob.session(sessionId, (s) => s.pendingTransfer === null);
      expect(after).toMatchObject({ ownerId: 'carol', team: 'billing' });
      expect(await dana.event('transfer-accepted')).toMatchObject({ fromName: 'Alice Smith', toName: 'Carol White' });
      expect(await bob.command({ type: 'accept-transfer', sessionId, transferId })).toMatchObject({ code: 'transfer-not-pending' });
      expect(await maria.session(sessionId, (s) => s.ownerId === 'carol')).toMatchObject({ listeners: ['alice'] });
    });

    it('passes over members who are Away, at capacity or the owner; a team with nobody left is refused', async () => {
      const { relay, alice, bob, carol, sessionId, maria } = await chatWithBillingPresent({ capacity: 1 });
      await maria.ok({ type: 'user-set-teams', user: 'alice', teams: ['billing', 'tech'] });
      await carol.ok({ type: 'set-status', status: 'away' });
      // bob is at capacity (1) once he owns a chat of his own
      const other = await customer(relay, 'Other', 'billing');
      await bob.event('assigned', other.sessionId);
      expect(await alice.command({ type: 'offer-transfer', sessionId, team: 'billing' })).toMatchObject({ code: 'team-unavailable' });
      expect(await alice.command({ type: 'offer-transfer', sessionId, team: 'nope' })).toMatchObject({ code: 'unknown-team' });
      await carol.ok({ type: 'set-status', status: 'present' });
      await alice.until(
        () => alice.frames.some((f) => f.type === 'presence' && f.agent.id === 'carol' && f.agent.status === 'present'),
        'carol present',
      );
      const transferId = await offerToTeam(alice, sessionId);
      const summary = await carol.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      expect(summary.pendingTransfer.candidates).toEqual(['carol']);
    });

    it('a reject takes one member out; when every member rejected, the transfer ends and the owner keeps the chat', async () => {
      const { alice, bob, carol, maria, sessionId } = await chatWithBillingPresent();
      const transferId = await offerToTeam(alice, sessionId);
      await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      await carol.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      await bob.ok({ type: 'reject-transfer', sessionId, transferId, reason: 'on a call' });
      expect(await carol.event('transfer-passed', sessionId)).toMatchObject({ agentId: 'bob', why: 'rejected', reason: 'on a call' });
      // bob sees the offer go; carol still has it, now hers alone
      await bob.session(sessionId, (s) => s.pendingTransfer?.candidates?.includes('bob') === false);
      await carol.until(() => carol.lastSummary(sessionId)?.pendingTransfer?.candidates?.join() === 'carol', 'carol alone');
      // bob is out: his answer is no longer his to give
      expect(await bob.command({ type: 'accept-transfer', sessionId, transferId })).toMatchObject({ code: 'not-target' });
      await carol.ok({ type: 'reject-transfer', sessionId, transferId });
      const rejected = await alice.event('transfer-rejected', sessionId);
      expect(rejected).toMatchObject({ transferId, byId: 'carol' });
      expect(await maria.session(sessionId, (s) => s.lastSeq >= rejected.seq)).toMatchObject({ ownerId: 'alice', pendingTransfer: null });
      expect(await endingsOf(maria, sessionId, transferId)).toHaveLength(1);
    });

    it('cancel and timeout end a team offer for every member, as for an agent', async () => {
      const { alice, bob, carol, sessionId } = await chatWithBillingPresent({ transferTimeoutMs: 1500 });
      const first = await offerToTeam(alice, sessionId);
      await carol.session(sessionId, (s) => s.pendingTransfer?.id === first);
      await alice.ok({ type: 'cancel-transfer', sessionId, transferId: first });
      const ended = (member: TestClient, transferId: string) =>
        member.eventWhere((e) => e.kind === 'transfer-cancelled' && e.transferId === transferId, `end of ${transferId}`, 5000);
      for (const member of [bob, carol]) {
        expect(await ended(member, first)).toMatchObject({ reason: 'cancelled' });
        await member.until(() => member.lastSummary(sessionId)?.pendingTransfer === null, 'the offer gone');
      }
      const second = await offerToTeam(alice, sessionId);
      for (const member of [bob, carol]) expect(await ended(member, second)).toMatchObject({ reason: 'timeout' });
    });

    it('a member who goes Away drops out; when the last one leaves the offer ends with target-unavailable', async () => {
      const { alice, bob, carol, sessionId } = await chatWithBillingPresent();
      const transferId = await offerToTeam(alice, sessionId);
      await carol.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      await bob.ok({ type: 'set-status', status: 'away' });
      expect(await carol.event('transfer-passed', sessionId)).toMatchObject({ agentId: 'bob', why: 'unavailable' });
      await carol.ok({ type: 'set-idle', idle: true });
      expect(await alice.event('transfer-cancelled', sessionId)).toMatchObject({ transferId, reason: 'target-unavailable' });
    });

    it('two members accept at once: exactly one gets the chat, the other is told, and everyone agrees', async () => {
      const { alice, bob, carol, maria, dana, sessionId } = await chatWithBillingPresent();
      const transferId = await offerToTeam(alice, sessionId);
      await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      await carol.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      const fromBob = bob.fire({ type: 'accept-transfer', sessionId, transferId });
      const fromCarol = carol.fire({ type: 'accept-transfer', sessionId, transferId });
      const answers = [await bob.answer(fromBob), await carol.answer(fromCarol)];
      expect(answers.map((a) => a.type).sort()).toEqual(['error', 'ok']);
      expect(answers.find((a) => a.type === 'error')).toMatchObject({ code: 'transfer-not-pending' });
      const winner = answers[0]!.type === 'ok' ? 'bob' : 'carol';
      for (const party of [alice, bob, carol, maria]) {
        await party.until(() => party.lastSummary(sessionId)?.ownerId === winner, `${party.label} sees ${winner} own it`);
        expect(party.lastSummary(sessionId)?.pendingTransfer).toBeNull();
      }
      const endings = await endingsOf(maria, sessionId, transferId);
      expect(endings).toEqual([expect.objectContaining({ kind: 'transfer-accepted', toId: winner })]);
      expect(await dana.event('transfer-accepted')).toMatchObject({ toName: winner === 'bob' ? 'Bob Jones' : 'Carol White' });
    });

    it('one member accepts while the other rejects: the accept decides, the reject changes nothing after it', async () => {
      const { alice, bob, carol, maria, sessionId } = await chatWithBillingPresent();
      const transferId = await offerToTeam(alice, sessionId);
      await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      await carol.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
      const rejectId = bob.fire({ type: 'reject-transfer', sessionId, transferId });
      const acceptId = carol.fire({ type: 'accept-transfer', sessionId, transferId });
      const accept = await carol.answer(acceptId);
      const reject = await bob.answer(rejectId);
      // the accept always wins here: bob's reject only takes him out of a team offer, whichever comes first
      expect(accept.type).toBe('ok');
      if (reject.type === 'error') expect(reject).toMatchObject({ code: 'transfer-not-pending' });
      await alice.until(() => alice.lastSummary(sessionId)?.ownerId === 'carol', 'carol owns it');
      expect(await endingsOf(maria, sessionId, transferId)).toEqual([expect.objectContaining({ kind: 'transfer-accepted' })]);
    });
  });

  describe('offer to an agent at capacity', () => {
    it('the sender is warned and the receiver may still accept', async () => {
      const { alice, bob, maria, relay, sessionId } = await chatWithBillingPresent({ capacity: 3 });
      await maria.ok({ type: 'user-set-capacity', user: 'bob', capacity: 1 });
      const own = await customer(relay, 'Own', 'billing');
      await bob.event('assigned', own.sessionId);
      const result = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
      expect(result).toMatchObject({ atCapacity: true });
      await bob.ok({ type: 'accept-transfer', sessionId, transferId: result.transferId });
      expect(await alice.session(sessionId, (s) => s.ownerId === 'bob')).toMatchObject({ ownerId: 'bob' });
    });
  });
}
