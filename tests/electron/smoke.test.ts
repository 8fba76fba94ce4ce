// The desktop smoke suite's story with `electron` mocked (what tests/desktop checks that needs no Electron binary):
// the shell's own pieces — IPC with its sender check, the notification service, the client core with its cache —
// against a real relay. Bob signs in through IPC, receives a chat and a transfer, accepts it through the
// notification's action path (on Windows from the Action Center, after the toast left the screen), closes the
// chat, and reads it in History once the relay is gone.
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => await import('./fake-electron'));

import type { IpcMain } from 'electron';
import type { SessionEvent, SessionSummary } from '../../common/domain';
import { registerBridgeIpc } from '../../main/electron/ipc';
import { createNotifier, type Notifier } from '../../main/electron/notifier';
import { type Probe, testScope } from '../client/harness';
import { ipcMain, Notification } from './fake-electron';

const { relay: startRelay, probe, customer } = testScope();

type Answer = { ok: boolean; value?: unknown; error?: { code: string; message: string } };
/** A call from the app's own page, as the preload makes it. */
const fromPage = async <T = unknown>(channel: string, args: unknown = {}): Promise<T> => {
  const answer = (await ipcMain.handlers.get(channel)!({ senderFrame: { url: 'baton://app/index.html' } }, args)) as Answer;
  if (!answer.ok) throw new Error(`${channel}: ${answer.error?.code} ${answer.error?.message}`);
  return answer.value as T;
};
const sessionOf = (agent: Probe, customerName: string) =>
  agent.until(
    () => agent.events.flatMap((e) => (e.type === 'session' ? [e.session] : [])).findLast((s) => s.customerName === customerName),
    `the chat with ${customerName}`,
  );

/** Bob's desktop shell: the real core behind IPC, its events into the notification service (as main.ts wires it). */
async function bobsDesktop(platform: NodeJS.Platform) {
  const bob = await probe();
  Notification.instances.length = 0;
  ipcMain.handlers.clear();
  const disposeIpc = registerBridgeIpc({ ipcMain: ipcMain as unknown as IpcMain, handler: bob.client });
  const focused: string[] = [];
  const notifier: Notifier = createNotifier({
    platform,
    invoke: (channel, args) => bob.client.invoke(channel, args),
    focusSession: (sessionId) => focused.push(sessionId),
  });
  bob.client.subscribe((event) => notifier.handle(event));
  const dispose = () => {
    disposeIpc();
    notifier.dispose();
  };
  return { bob, notifier, focused, dispose };
}

describe.each([
  ['win32', 'from the Action Center'],
  ['linux', 'through the notification service'],
] as const)('the desktop story on %s', (platform, how) => {
  it(`sign in, a chat, a transfer accepted ${how}, the chat closed, then History with the relay gone`, async () => {
    const relay = await startRelay();
    const { bob, notifier, dispose } = await bobsDesktop(platform);
    try {
      await fromPage('auth:signIn', { relayUrl: relay.wsUrl, user: 'bob', password: 'demo', remember: false });
      await bob.untilConnection('online');

      // A chat: with only Bob Present it is his, and he is told.
      const dana = await customer(relay.wsUrl, 'Dana Whitfield');
      await dana.say('My invoice shows the wrong amount.');
      expect((await sessionOf(bob, 'Dana Whitfield')).ownerId).toBe('bob');
      await bob.until(() => Notification.instances.find((n) => n.options.title === 'New chat with Dana Whitfield'), 'the new-chat notification');

      // A transfer: Alice (fewer chats, so the next one is hers) offers Ravi's chat to Bob.
      const alice = await probe();
      await alice.signIn(relay.wsUrl, 'alice');
      const ravi = await customer(relay.wsUrl, 'Ravi Patel');
      await ravi.say('Can I get a refund for order 4471?');
      const offered = await alice.until(
        () => alice.events.find((e) => e.type === 'session' && e.session.customerName === 'Ravi Patel' && e.session.ownerId === 'alice'),
        'Ravi’s chat with Alice',
      );
      const sessionId = offered.type === 'session' ? offered.session.id : '';
      const { transferId } = await alice.must<{ transferId: string }>('transfer:offer', { sessionId, to: 'bob' });
      const intentId = `transfer-${transferId}`;
      await bob.until(() => notifier.shownIds().includes(intentId), 'the offer notification');
      const toast = Notification.instances.find((n) => n.options.title === 'Transfer from Alice Smith')!;
      expect(toast.shown).toBe(true);

      // Accept through the action path, without opening the window.
      if (platform === 'win32') {
        expect(toast.options.actions).toHaveLength(2);
        toast.emit('close', { preventDefault() {} }); // the toast goes to the Action Center
        Notification.activate(toast, 'action', 0);
      } else {
        notifier.activate(intentId, 'accept');
      }
      const accepted = await bob.until(() => {
        const s = bob.events.flatMap((e) => (e.type === 'session' ? [e.session] : [])).findLast((x) => x.id === sessionId);
        return s?.ownerId === 'bob' ? s : undefined;
      }, 'Bob owning Ravi’s chat');
      expect((accepted as SessionSummary).listeners).toContain('alice');
      await bob.untilEvent('notification-closed', (e) => e.id === intentId);
      expect(toast.closed).toBe(true);

      // Bob closes the chat; the window closing changes nothing in the core, so next the relay goes away.
      await fromPage('session:closeChat', { sessionId });
      await bob.until(() => bob.events.some((e) => e.type === 'session' && e.session.id === sessionId && e.session.state === 'closed'), 'the closed chat');
      await relay.close();
      await bob.until(() => bob.events.some((e) => e.type === 'connection' && e.connection.status !== 'online'), 'offline');

      // History, offline: listed, its transcript readable, its words searchable.
      const history = await fromPage<{ sessions: SessionSummary[] }>('history:list', {});
      expect(history.sessions.map((s) => s.customerName)).toContain('Ravi Patel');
      const transcript = await fromPage<{ events: SessionEvent[] }>('chat:transcript', { sessionId });
      const kinds = transcript.events.map((e) => e.kind);
      expect(kinds).toContain('transfer-accepted');
      expect(kinds.at(-1)).toBe('closed');
      const hits = await fromPage<{ hits: Array<{ sessionId: string }> }>('history:search', { text: 'refund' });
      expect(hits.hits.map((h) => h.sessionId)).toContain(sessionId);
    } finally {
      dispose();
    }
  }, 30_000);
});
