// Races: on a pending transfer, both frames are fired without waiting and exactly one wins, everyone agreeing; commands
// read in one turn are published in seq order. Run against one relay and against a cluster.
import { describe, expect, it } from 'vitest';
import { connectAgent, connectCustomer, deployment, type Frame, messageId, type StartRelay, type TestClient } from '../helpers';

/** The races on a pending transfer, against the deployment `start` makes. */
export function racesSuite(start: StartRelay): void {
  const { relay: relayWith, track } = deployment(start);

  async function pendingTransfer(options: Parameters<StartRelay>[0] = {}) {
    const relay = await relayWith(options);
    const alice = await connectAgent(relay, 'alice');
    const customer = await connectCustomer(relay, { name: 'Dana' });
    await alice.event('assigned', customer.sessionId);
    const bob = await connectAgent(relay, 'bob');
    const maria = await connectAgent(relay, 'maria');
    track(alice); track(customer); track(bob); track(maria);
    const sessionId = customer.sessionId;
    const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId, to: 'bob' });
    await bob.session(sessionId, (s) => s.pendingTransfer?.id === transferId);
    return { relay, alice, bob, maria, customer, sessionId, transferId: transferId as string };
  }

  /**
   * The owner each participant ends up seeing: once its last summary shows the owner the winner implies (on one relay
   * that is already true after an answer; in a cluster it arrives from another node), or whatever it shows after 5 s.
   */
  async function finalOwners(sessionId: string, expected: string | null, ...agents: TestClient[]) {
    const owners: Array<string | null> = [];
    for (const agent of agents) {
      await agent.until(() => agent.lastSummary(sessionId)?.ownerId === expected, `owner ${expected}`).catch(() => {});
      owners.push(agent.lastSummary(sessionId)?.ownerId ?? null);
    }
    return owners;
  }

  /** How the transfer ended, read from the authoritative event log. */
  async function endingsOf(agent: TestClient, sessionId: string, transferId: string) {
    const { events } = await agent.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
    return events.filter(
      (e: Frame) => e.transferId === transferId && ['transfer-accepted', 'transfer-rejected', 'transfer-cancelled'].includes(e.kind),
    );
  }

  describe('commands read in one turn', () => {
    it("are published in the order they were decided: a message does not overtake the note before it", async () => {
      const relay = await relayWith();
      const alice = await connectAgent(relay, 'alice');
      const customer = await connectCustomer(relay, { name: 'Dana' });
      track(alice);
      track(customer);
      const { sessionId } = customer;
      await alice.event('assigned', sessionId);
      // notes go the way every other command does; messages may be applied at once (the embedded relay): one chunk
      // mixes them, so any message published before the note decided ahead of it shows as a seq out of order
      const frames: Frame[] = [];
      for (let i = 0; i < 8; i++) {
        frames.push(
          i % 2 === 0
            ? { type: 'add-note', sessionId, noteId: messageId(), text: `note ${i}` }
            : { type: 'send', sessionId, messageId: messageId(), text: `message ${i}` },
        );
      }
      const ids = alice.fireTogether(frames);
      const answers = await Promise.all(ids.map((id) => alice.answer(id)));
      expect(answers.map((a) => a.type)).toEqual(frames.map(() => 'ok'));
      const written = () => alice.eventsOf(sessionId).filter((e) => e.kind === 'note' || e.kind === 'message');
      await alice.until(() => written().length === frames.length, 'every note and message');
      const seqs = alice.eventsOf(sessionId).map((e) => e.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(written().map((e) => e.text)).toEqual(frames.map((f) => f.text));
      await customer.until(() => customer.eventsOf(sessionId).filter((e) => e.kind === 'message').length === 4, 'the messages');
      const seen = customer.eventsOf(sessionId).map((e) => e.seq as number);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    });
  });

  describe('races on a pending transfer', () => {
    for (const acceptFirst of [true, false]) {
      it(`accept vs cancel (${acceptFirst ? 'accept' : 'cancel'} sent first): exactly one wins`, async () => {
        const { alice, bob, maria, sessionId, transferId } = await pendingTransfer();
        const fireAccept = () => bob.fire({ type: 'accept-transfer', sessionId, transferId });
        const fireCancel = () => alice.fire({ type: 'cancel-transfer', sessionId, transferId });
        let acceptId: string;
        let cancelId: string;
        if (acceptFirst) {
          acceptId = fireAccept();
          cancelId = fireCancel();
        } else {
          cancelId = fireCancel();
          acceptId = fireAccept();
        }
        const accept = await bob.answer(acceptId);
        const cancel = await alice.answer(cancelId);
        const answers = [accept, cancel];
        expect(answers.filter((a) => a.type === 'ok')).toHaveLength(1);
        expect(answers.find((a) => a.type === 'error')).toMatchObject({ code: 'transfer-not-pending' });
        const expected = accept.type === 'ok' ? 'bob' : 'alice';
        expect(await finalOwners(sessionId, expected, alice, bob, maria)).toEqual([expected, expected, expected]);
        expect(await endingsOf(maria, sessionId, transferId)).toHaveLength(1);
      });
    }

    it('two accepts by the same target on two connections: one wins, the other is told it is no longer pending', async () => {
      const { relay, alice, bob, maria, sessionId, transferId } = await pendingTransfer();
      const bobToo = await connectAgent(relay, 'bob');
      track(bobToo);
      const first = bob.fire({ type: 'accept-transfer', sessionId, transferId });
      const second = bobToo.fire({ type: 'accept-transfer', sessionId, transferId });
      const answers = [await bob.answer(first), await bobToo.answer(second)];
      expect(answers.map((a) => a.type).sort()).toEqual(['error', 'ok']);
      expect(answers.find((a) => a.type === 'error')).toMatchObject({ code: 'transfer-not-pending' });
      expect(await finalOwners(sessionId, 'bob', alice, bob, bobToo, maria)).toEqual(['bob', 'bob', 'bob', 'bob']);
      expect(await endingsOf(maria, sessionId, transferId)).toHaveLength(1);
    });

    for (const takeOverFirst of [true, false]) {
      it(`take over during accept (${takeOverFirst ? 'take-over' : 'accept'} sent first): the transfer ends once and the manager owns the chat`, async () => {
        const { alice, bob, maria, sessionId, transferId } = await pendingTransfer();
        let takeOverId: string;
        let acceptId: string;
        if (takeOverFirst) {
          takeOverId = maria.fire({ type: 'take-over', sessionId });
          acceptId = bob.fire({ type: 'accept-transfer', sessionId, transferId });
        } else {
          acceptId = bob.fire({ type: 'accept-transfer', sessionId, transferId });
          takeOverId = maria.fire({ type: 'take-over', sessionId });
        }
        const takeOver = await maria.answer(takeOverId);
        const accept = await bob.answer(acceptId);
        // a take-over is always allowed to a manager; it either beats the accept or follows it
        expect(takeOver.type).toBe('ok');
        const endings = await endingsOf(maria, sessionId, transferId);
        expect(endings).toHaveLength(1);
        if (accept.type === 'ok') expect(endings[0].kind).toBe('transfer-accepted');
        else {
          expect(accept).toMatchObject({ code: 'transfer-not-pending' });
          expect(endings[0]).toMatchObject({ kind: 'transfer-cancelled', reason: 'taken-over' });
        }
        expect(await finalOwners(sessionId, 'maria', alice, bob, maria)).toEqual(['maria', 'maria', 'maria']);
      });
    }

    it('reject after the timeout: the timeout already ended it, the reject changes nothing', async () => {
      const { alice, bob, maria, sessionId, transferId } = await pendingTransfer({ transferTimeoutMs: 120 });
      await bob.event('transfer-cancelled', sessionId);
      expect(await bob.command({ type: 'reject-transfer', sessionId, transferId })).toMatchObject({ code: 'transfer-not-pending' });
      expect(await endingsOf(maria, sessionId, transferId)).toEqual([expect.objectContaining({ reason: 'timeout' })]);
      expect(await finalOwners(sessionId, 'alice', alice, bob, maria)).toEqual(['alice', 'alice', 'alice']);
    });

    it('reject racing the timeout: exactly one of them ends the transfer', async () => {
      const { alice, bob, maria, sessionId, transferId } = await pendingTransfer({ transferTimeoutMs: 40 });
      const answer = await bob.command({ type: 'reject-transfer', sessionId, transferId });
      const endings = await endingsOf(maria, sessionId, transferId);
      expect(endings).toHaveLength(1);
      if (answer.type === 'ok') expect(endings[0].kind).toBe('transfer-rejected');
      else expect(endings[0]).toMatchObject({ kind: 'transfer-cancelled', reason: 'timeout' });
      await alice.event(endings[0].kind, sessionId);
      expect(await finalOwners(sessionId, 'alice', alice, maria)).toEqual(['alice', 'alice']);
    });
  });
}
