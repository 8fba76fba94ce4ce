// Flood benchmark child: the canary (alice writes to her chat every 25 ms and times each acknowledgement) and the
// managers who sign in during the flood, in a process of their own, so the flood's load generator, busy as it is,
// does not lengthen what they measure.
// argv: <ws base url>; then IPC: { type: 'canary', seconds } → { type: 'canary', times }, { type: 'managers', users }
// → { type: 'managers', results }.
import { performance } from 'node:perf_hooks';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';
import { connect, type Frame, isSocket, type Socket, sleep } from './flood-client';

export type CanaryRequest = { type: 'canary'; seconds: number } | { type: 'managers'; users: string[] };
export type ManagerResult = { user: string; ms: number; sessions: number; tries: number; stillConnected: boolean };
export type CanaryReply =
  | { type: 'ready' }
  | { type: 'canary'; times: number[] }
  | { type: 'managers'; results: ManagerResult[] }
  | { type: 'failed'; error: string };

const base = process.argv[2]!;
const CANARY_EVERY_MS = 25;
const send = (reply: CanaryReply) => process.send?.(reply);
let ids = 0;
const nextId = (prefix: string) => `${prefix}${++ids}`;

async function signIn(user: string, address: string): Promise<Socket> {
  const socket = await connect(`${base}${AGENT_PATH}`, { Authorization: basicAuthHeader(user, 'demo'), 'X-Forwarded-For': address });
  if (!isSocket(socket)) throw new Error(`${user} could not sign in (HTTP ${socket.status})`);
  socket.send({ type: 'hello', id: 'h', protocol: PROTOCOL_VERSION, resume: {} });
  await socket.next((f) => f.type === 'welcome', 30_000, `${user}'s welcome`);
  return socket;
}

const alice = await signIn('alice', '192.0.2.1');
const customer = await connect(`${base}${CUSTOMER_PATH}`, { 'X-Forwarded-For': '192.0.2.2' });
if (!isSocket(customer)) throw new Error('the canary customer could not connect');
customer.send({ type: 'customer-hello', id: 'h', protocol: PROTOCOL_VERSION, name: 'Canary' });
const sessionId = (await customer.next((f) => f.type === 'customer-welcome')).sessionId as string;
const owns = (f: Frame) => f.type === 'session' && (f.session as Frame).id === sessionId && (f.session as Frame).ownerId === 'alice';
await alice.next(owns, 30_000, 'the canary chat');

async function canary(seconds: number): Promise<number[]> {
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    const id = nextId('k');
    alice.send({ type: 'send', id, sessionId, messageId: `canary-${process.pid}-${id}`, text: 'canary' });
    const answer = await alice.next((f) => f.id === id, 30_000, 'the canary ack');
    if (answer.type !== 'ok') throw new Error(`the canary was refused: ${JSON.stringify(answer)}`);
    times.push(performance.now() - started);
    await sleep(Math.max(0, CANARY_EVERY_MS - (performance.now() - started)));
  }
  return times;
}

/** Signs in as Baton would (a refusal with Retry-After is tried again after it) and reads every page of the welcome. */
async function manager(user: string, index: number): Promise<ManagerResult> {
  const started = performance.now();
  for (let tries = 1; ; tries++) {
    const headers = { Authorization: basicAuthHeader(user, 'demo'), 'X-Forwarded-For': `192.0.2.${10 + index}` };
    const socket = await connect(`${base}${AGENT_PATH}`, headers);
    if (!isSocket(socket)) {
      await sleep(Math.min(5, socket.retryAfter || 1) * 1000);
      continue;
    }
    socket.send({ type: 'hello', id: 'h', protocol: PROTOCOL_VERSION, resume: {} });
    const welcome = await socket.next((f) => f.type === 'welcome', 30_000, `${user}'s welcome`);
    let sessions = (welcome.sessions as unknown[]).length;
    for (let cursor = welcome.moreSessions as string | undefined; cursor; ) {
      const id = nextId('p');
      socket.send({ type: 'fetch-sessions', id, cursor });
      const page = await socket.next((f) => f.id === id, 30_000, `${user}'s welcome page`);
      if (page.type !== 'ok') throw new Error(`${user}: a page of the welcome was refused: ${JSON.stringify(page)}`);
      const result = page.result as { sessions: unknown[]; next: string | null };
      sessions += result.sessions.length;
      cursor = result.next ?? undefined;
    }
    const ms = performance.now() - started;
    // a second later, still connected: not closed as a slow consumer by the dashboard's traffic
    await sleep(1000);
    const stillConnected = socket.ws.readyState === socket.ws.OPEN;
    socket.ws.close();
    return { user, ms, sessions, tries, stillConnected };
  }
}

process.on('message', (request: CanaryRequest) => {
  const work =
    request.type === 'canary'
      ? canary(request.seconds).then((times) => send({ type: 'canary', times }))
      : Promise.all(request.users.map((user, i) => manager(user, i))).then((results) => send({ type: 'managers', results }));
  work.catch((error: unknown) => send({ type: 'failed', error: String((error as Error)?.stack ?? error) }));
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
