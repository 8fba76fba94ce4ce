// User and team administration through a manager's relay commands (the Team view), over real sockets: each change
// reaches every connected agent without a restart, and a disabled or removed agent is closed out with a sentence. Run
// against one relay and against a cluster, where the manager and the agent she changes sit on different nodes.
import { describe, expect, it } from 'vitest';
import { AGENT_PATH, CloseCodes } from '../../../common/protocol';
import { basicAuthHeader } from '../../../relay/auth';
import type { StartRelay } from '../helpers';
import { connectCustomer, deployment, openSocket, type TestClient, type TestRelay } from '../helpers';

export function adminSuite(start: StartRelay): void {
  const deployed = deployment(start);
  const agent = (relay: TestRelay, user: string, password = 'demo') => deployed.agent(relay, user, { password });

  async function relayWithMaria() {
    const relay = await deployed.relay({ directoryPollMs: 100 });
    const maria = await agent(relay, 'maria');
    return { relay, maria };
  }

  const presenceOf = (client: TestClient, id: string, holds: (agent: Record<string, unknown>) => boolean) =>
    client.next((f) => f.type === 'presence' && f.agent.id === id && holds(f.agent), 5000, `presence of ${id}`);

  const refusedStatus = (relay: TestRelay, user: string, password: string) =>
    openSocket(`${relay.wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader(user, password) }).then(
      (ws) => {
        ws.terminate();
        return 101;
      },
      (error: { status?: number }) => error.status,
    );

  describe('teams', () => {
    it('a team added or removed is told to every agent, and a removed team leaves its members', async () => {
      const { relay, maria } = await relayWithMaria();
      const bob = await agent(relay, 'bob');
      await maria.ok({ type: 'team-add', team: 'billing', name: 'Billing' });
      expect(await bob.next((f) => f.type === 'teams')).toMatchObject({ teams: [{ id: 'billing', name: 'Billing' }] });
      await maria.ok({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
      expect((await presenceOf(bob, 'bob', (a) => (a.teams as string[]).includes('billing'))).agent.teams).toEqual(['billing']);
      await maria.ok({ type: 'team-remove', team: 'billing' });
      expect(await bob.next((f) => f.type === 'teams' && f.teams.length === 0)).toMatchObject({ teams: [] });
      await presenceOf(bob, 'bob', (a) => (a.teams as string[]).length === 0);
      expect(await maria.command({ type: 'team-remove', team: 'billing' })).toMatchObject({ code: 'unknown-team' });
    });
  });

  describe('sign-in tokens', () => {
    const withToken = (relay: TestRelay, token: string) =>
      openSocket(`${relay.wsUrl}${AGENT_PATH}`, { Authorization: `Bearer ${token}` }).then(
        (ws) => {
          ws.terminate();
          return 101;
        },
        (error: { status?: number }) => error.status,
      );

    it("a password sign-in's welcome carries a token that signs the agent in again, on any node, without the password", async () => {
      const { relay } = await relayWithMaria();
      const bob = await agent(relay, 'bob');
      const token = bob.frames[0]!.signInToken as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // the connection it signs in is bob's, and is not given another token
      const again = await deployed.agent(relay, 'bob', { token });
      expect(again.frames[0]).toMatchObject({ type: 'welcome', me: { id: 'bob' } });
      expect(again.frames[0]!.signInToken).toBeUndefined();
      // each password sign-in gets a token of its own
      const other = await agent(relay, 'bob');
      expect(other.frames[0]!.signInToken).not.toBe(token);
      expect(await withToken(relay, token)).toBe(101);
      expect(await withToken(relay, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(401);
      expect(await withToken(relay, 'not-a-token')).toBe(401);
    });

    it('a new password, a disabled or a removed account: its tokens open nothing any more', async () => {
      const { relay, maria } = await relayWithMaria();
      const tokenOf = async (user: string, password = 'demo') => {
        const client = await agent(relay, user, password);
        const token = client.frames[0]!.signInToken as string;
        await client.close();
        return token;
      };
      const bobs = await tokenOf('bob');
      const carols = await tokenOf('carol');
      const alices = await tokenOf('alice');
      await maria.ok({ type: 'user-set-password', user: 'bob', password: 'n3w-secret' });
      expect(await withToken(relay, bobs)).toBe(401);
      await maria.ok({ type: 'user-set-disabled', user: 'carol', disabled: true });
      expect(await withToken(relay, carols)).toBe(401);
      await maria.ok({ type: 'user-set-disabled', user: 'carol', disabled: false });
      expect(await withToken(relay, carols)).toBe(401);
      // a change that is not about signing in leaves the token alone
      await maria.ok({ type: 'user-set-capacity', user: 'alice', capacity: 2 });
      expect(await withToken(relay, alices)).toBe(101);
      await maria.ok({ type: 'user-remove', user: 'alice' });
      expect(await withToken(relay, alices)).toBe(401);
      // the new password still signs bob in, and gives a token that works
      expect(await withToken(relay, await tokenOf('bob', 'n3w-secret'))).toBe(101);
    });
  });

  describe('users', () => {
    it('user-add: the new user appears to everyone and can sign in at once', async () => {
      const { relay, maria } = await relayWithMaria();
      const bob = await agent(relay, 'bob');
      await maria.ok({ type: 'user-add', user: 'erin', name: 'Erin Example', role: 'agent', password: 'erin-pass' });
      expect((await presenceOf(bob, 'erin', () => true)).agent).toMatchObject({ name: 'Erin Example', status: 'offline' });
      const erin = await agent(relay, 'erin', 'erin-pass');
      expect(erin.frames[0]).toMatchObject({ type: 'welcome', me: { id: 'erin', role: 'agent' } });
      expect(await maria.command({ type: 'user-add', user: 'erin', role: 'agent', password: 'again' })).toMatchObject({
        code: 'already-exists',
      });
    });

    it('user-set-password: the old password no longer opens a connection, the new one does', async () => {
      const { relay, maria } = await relayWithMaria();
      await (await agent(relay, 'bob')).close();
      await maria.ok({ type: 'user-set-password', user: 'bob', password: 'n3w-secret' });
      expect(await refusedStatus(relay, 'bob', 'demo')).toBe(401);
      await agent(relay, 'bob', 'n3w-secret');
    });

    it('user-set-capacity and user-set-teams reach every agent as presence', async () => {
      const { relay, maria } = await relayWithMaria();
      const alice = await agent(relay, 'alice');
      await maria.ok({ type: 'team-add', team: 'tech', name: 'Technical' });
      await maria.ok({ type: 'user-set-capacity', user: 'bob', capacity: 7 });
      expect((await presenceOf(alice, 'bob', (a) => a.capacity === 7)).agent.capacity).toBe(7);
      await maria.ok({ type: 'user-set-capacity', user: 'bob', capacity: null });
      await presenceOf(alice, 'bob', (a) => a.capacity === 4);
      await maria.ok({ type: 'user-set-teams', user: 'bob', teams: ['tech'] });
      await presenceOf(alice, 'bob', (a) => (a.teams as string[]).join() === 'tech');
      expect(await maria.command({ type: 'user-set-teams', user: 'bob', teams: ['nope'] })).toMatchObject({ code: 'unknown-team' });
    });

    it('user-set-role: the agent reconnects with what the new role may see', async () => {
      const { relay, maria } = await relayWithMaria();
      const alice = await agent(relay, 'alice');
      const dana = await connectCustomer(relay, { name: 'Dana' });
      deployed.track(dana);
      await alice.event('assigned', dana.sessionId);
      const bob = await agent(relay, 'bob');
      expect(bob.frames[0]?.sessions).toEqual([]);
      await maria.ok({ type: 'user-set-role', user: 'bob', role: 'agent', canListenIn: true });
      expect(await bob.closed).toEqual({ code: CloseCodes.reconnect, reason: 'Your permissions changed; reconnecting.' });
      const again = await agent(relay, 'bob');
      expect(again.frames[0]).toMatchObject({ me: { canListenIn: true }, sessions: [{ id: dana.sessionId }] });
    });

    it('user-set-disabled: connections close with a sentence, offers end, sign-in is refused until enabled', async () => {
      const { relay, maria } = await relayWithMaria();
      const alice = await agent(relay, 'alice');
      const dana = await connectCustomer(relay, { name: 'Dana' });
      deployed.track(dana);
      await alice.event('assigned', dana.sessionId);
      const bob = await agent(relay, 'bob');
      const { transferId } = await alice.ok({ type: 'offer-transfer', sessionId: dana.sessionId, to: 'bob' });
      await bob.session(dana.sessionId, (s) => s.pendingTransfer?.id === transferId);
      await maria.ok({ type: 'user-set-disabled', user: 'bob', disabled: true });
      expect(await bob.closed).toEqual({ code: CloseCodes.accountClosed, reason: 'Your account was disabled by a manager.' });
      expect(await alice.event('transfer-cancelled', dana.sessionId)).toMatchObject({ transferId, reason: 'target-unavailable' });
      await presenceOf(alice, 'bob', (a) => a.disabled === true && a.status === 'offline');
      expect(await refusedStatus(relay, 'bob', 'demo')).toBe(403);
      await maria.ok({ type: 'user-set-disabled', user: 'bob', disabled: false });
      await presenceOf(alice, 'bob', (a) => a.disabled === false);
      await agent(relay, 'bob');
    });

    it('user-remove: connections close with a sentence, everyone is told, the name no longer signs in', async () => {
      const { relay, maria } = await relayWithMaria();
      const alice = await agent(relay, 'alice');
      const bob = await agent(relay, 'bob');
      await maria.ok({ type: 'user-remove', user: 'bob' });
      expect(await bob.closed).toEqual({ code: CloseCodes.accountClosed, reason: 'Your account was removed by a manager.' });
      expect(await alice.next((f) => f.type === 'agent-removed')).toMatchObject({ agentId: 'bob' });
      expect(await refusedStatus(relay, 'bob', 'demo')).toBe(401);
      expect(await maria.command({ type: 'user-remove', user: 'bob' })).toMatchObject({ code: 'unknown-agent' });
    });

    it('a manager cannot remove or disable herself, nor leave the relay without an enabled manager', async () => {
      const { maria } = await relayWithMaria();
      expect(await maria.command({ type: 'user-remove', user: 'maria' })).toMatchObject({ code: 'forbidden' });
      expect(await maria.command({ type: 'user-set-disabled', user: 'maria', disabled: true })).toMatchObject({ code: 'forbidden' });
      expect(await maria.command({ type: 'user-set-role', user: 'maria', role: 'agent', canListenIn: true })).toMatchObject({
        code: 'last-manager',
      });
      await maria.ok({ type: 'user-set-role', user: 'bob', role: 'manager', canListenIn: false });
      await maria.ok({ type: 'user-set-role', user: 'maria', role: 'agent', canListenIn: true });
    });
  });
}
