// A bare agent speaking the wire protocol over `ws`, so the customer page can be tested against the real relay
// without the agent app in between.
import WebSocket from 'ws';
import { AGENT_PATH, type AgentCommandInput, PROTOCOL_VERSION, type RelayFrame } from '../../common/protocol';

type CommandBody = AgentCommandInput;

export interface ScriptedAgent {
  frames: RelayFrame[];
  /** resolves with the first frame (already received or still to come) that matches */
  waitFor<T extends RelayFrame>(match: (frame: RelayFrame) => frame is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (frame: RelayFrame) => boolean, timeoutMs?: number): Promise<RelayFrame>;
  /** sends a command and resolves with its ok result, or rejects with the relay's error */
  command(body: CommandBody): Promise<unknown>;
  close(): Promise<void>;
}

export function agentSocketUrl(wsUrl: string): string {
  const base = wsUrl.replace(/\/+$/, '');
  return base.endsWith(AGENT_PATH) ? base : `${base}${AGENT_PATH}`;
}

export async function connectScriptedAgent(wsUrl: string, user: string, password = 'demo'): Promise<ScriptedAgent> {
  const ws = new WebSocket(agentSocketUrl(wsUrl), {
    headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  const frames: RelayFrame[] = [];
  const waiters = new Set<{ match: (frame: RelayFrame) => boolean; resolve: (frame: RelayFrame) => void }>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as RelayFrame;
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.match(frame)) {
        waiters.delete(waiter);
        waiter.resolve(frame);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  let nextId = 1;
  const waitFor = (match: (frame: RelayFrame) => boolean, timeoutMs = 10_000): Promise<RelayFrame> => {
    const seen = frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (frame: RelayFrame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`scripted agent ${user}: no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };
  const command = async (body: CommandBody): Promise<unknown> => {
    const id = `t${nextId++}`;
    const answer = waitFor((f) => (f.type === 'ok' || f.type === 'error') && f.id === id);
    ws.send(JSON.stringify({ id, ...body }));
    const frame = await answer;
    if (frame.type === 'error') throw new Error(`${body.type} refused: ${frame.code}: ${frame.message}`);
    return frame.type === 'ok' ? frame.result : undefined;
  };

  const helloId = 'hello';
  const welcome = waitFor((f) => f.type === 'welcome' || (f.type === 'error' && f.id === helloId));
  ws.send(JSON.stringify({ id: helloId, type: 'hello', protocol: PROTOCOL_VERSION, resume: {} }));
  const greeting = await welcome;
  if (greeting.type === 'error') throw new Error(`scripted agent ${user} was refused: ${greeting.message}`);

  return {
    frames,
    waitFor: waitFor as ScriptedAgent['waitFor'],
    command,
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close(1000, 'test done');
      }),
  };
}
