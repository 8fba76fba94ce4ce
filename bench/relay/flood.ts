// Flood benchmark: 500 anonymous clients, each from an address of its own, hammer chat creation and wrong passwords
// against the real relay (its own process, default limits, fsync on) while a canary chat runs and managers sign in.
// It passes when the canary's acknowledgement p99 under the flood stays within 2x its quiet value and every manager
// signs in (following the welcome's pages); it prints the figures either way and exits 1 when it does not pass.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';
import { Pinning } from './targets';
import type { CanaryReply, CanaryRequest, ManagerResult } from './flood-canary';
import { connect, isSocket, quantile, sleep } from './flood-client';
import type { ChildMessage, ServerStats } from './server-stats';
import { parseArgsOrExplain } from './args';

const USAGE = `Usage: npm run bench:flood -- [--clients 500] [--quiet 10] [--flood 20] [--only chats|guesses] [--data <dir>] [--no-pin]
  --clients   anonymous clients, each with an address of its own (each holds at most one socket at a time)
  --quiet     seconds of canary alone, for its quiet acknowledgement times
  --flood     seconds of flood; managers sign in three seconds into it
  --only      flood with chat creation only, or wrong passwords only (default: each client alternates)
  --data      where the relay's database goes (default: a folder in the system's temporary directory); a folder
              on /dev/shm takes the disk out of the figures`;

const { values: args } = parseArgsOrExplain({
  options: {
    clients: { type: 'string', default: '500' },
    quiet: { type: 'string', default: '10' },
    flood: { type: 'string', default: '20' },
    only: { type: 'string' },
    data: { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
}, USAGE);
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const whole = (name: string, text: string, min: number, max: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, not "${text}".\n${USAGE}`);
    process.exit(2);
  }
  return value;
};
// each client holds one socket here and one on the relay: 5,000 clients stay below the 20,000 open files
const clientCount = whole('clients', args.clients, 1, 5000);
const quietSeconds = whole('quiet', args.quiet, 1, 300);
const floodSeconds = whole('flood', args.flood, 5, 300);
if (args.only !== undefined && args.only !== 'chats' && args.only !== 'guesses') {
  console.error(`--only must be "chats" or "guesses", not "${args.only}".\n${USAGE}`);
  process.exit(2);
}

const MANAGERS = ['maria', 'mgr1', 'mgr2', 'mgr3', 'mgr4'];
/** the flood guesses passwords for agents who exist and for names that do not (not for the managers signing in) */
const GUESSED = ['alice', 'bob', 'carol'];

const here = path.dirname(new URL(import.meta.url).pathname);
const pinning = new Pinning(args['no-pin']);
const pin = (pid: number, core: number) => pinning.pin(pid, core);
// the flood on core 0; the relay and the canary (which needs little) on core 1
pin(process.pid, 0);

function start(entry: string, argv: string[]): ChildProcess {
  const child = fork(path.join(here, entry), argv, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid) pin(child.pid, 1);
  return child;
}

function reply<T>(child: ChildProcess, accept: (message: ChildMessage | CanaryReply) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage | CanaryReply) => {
      if (message.type === 'failed') reject(new Error(message.error));
      const value = accept(message);
      if (value === undefined) return;
      child.off('message', onMessage);
      resolve(value);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`a benchmark process exited with code ${code}`)));
  });
}

const dataDir = fs.mkdtempSync(path.join(args.data ?? os.tmpdir(), 'baton-flood-'));
const relay = start('flood-relay.ts', [dataDir, MANAGERS.filter((m) => m !== 'maria').join(',')]);
const port = await reply(relay, (m) => (m.type === 'ready' && 'port' in m ? m.port : undefined));
// threads the relay started while it came up get its core too
if (relay.pid) pin(relay.pid, 1);
const base = `ws://127.0.0.1:${port}`;
const stats = () => {
  const answer = reply(relay, (m) => (m.type === 'stats' ? (m.stats as ServerStats) : undefined));
  relay.send({ type: 'stats' });
  return answer;
};
const canaryProcess = start('flood-canary.ts', [base]);
await reply(canaryProcess, (m) => (m.type === 'ready' ? true : undefined));
const ask = <T>(request: CanaryRequest, accept: (m: CanaryReply) => T | undefined) => {
  const answer = reply(canaryProcess, (m) => accept(m as CanaryReply));
  canaryProcess.send(request);
  return answer;
};
const canary = (seconds: number) => ask({ type: 'canary', seconds }, (m) => (m.type === 'canary' ? m.times : undefined));
const signInManagers = () => ask({ type: 'managers', users: MANAGERS }, (m) => (m.type === 'managers' ? m.results : undefined));

// -------------------------------------------------------------------------------------------
// The flood: each client, from its own address, alternates opening a chat and guessing a password, with no pause

const outcomes = new Map<string, number>();
const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
let flooding = true;

async function openChat(address: string): Promise<void> {
  const socket = await connect(`${base}${CUSTOMER_PATH}`, { 'X-Forwarded-For': address });
  if (!isSocket(socket)) return void count(`chat: HTTP ${socket.status}`);
  socket.send({ type: 'customer-hello', id: 'h', protocol: PROTOCOL_VERSION, name: `Flood ${address}` });
  try {
    const answer = await socket.next((f) => f.id === 'h', 15_000, 'customer-welcome');
    count(answer.type === 'customer-welcome' ? 'chat: opened' : `chat: ${answer.code as string}`);
  } catch (error) {
    count(`chat: ${(error as Error).message.split(' on ')[0]}`);
  }
  socket.ws.terminate();
}

async function guess(address: string, n: number): Promise<void> {
  const user = n % 2 ? GUESSED[n % GUESSED.length]! : `nobody${n}`;
  const socket = await connect(`${base}${AGENT_PATH}`, { Authorization: basicAuthHeader(user, 'wrong'), 'X-Forwarded-For': address });
  if (isSocket(socket)) {
    count('sign-in: let in?!');
    socket.ws.terminate();
  } else count(`sign-in: HTTP ${socket.status}`);
}

async function client(index: number): Promise<void> {
  const address = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  for (let n = 0; flooding; n++) {
    if (args.only === 'guesses' || (args.only !== 'chats' && n % 2)) await guess(address, n + index);
    else await openChat(address);
  }
}

console.log(
  `Flood benchmark: ${clientCount} anonymous clients (one address each) hammer ${args.only === 'guesses' ? 'wrong passwords' : args.only === 'chats' ? 'chat creation' : 'chat creation and wrong passwords'} for ${floodSeconds} s; ` +
    `a canary writes every 25 ms; ${MANAGERS.length} managers sign in during the flood. ` +
    (pinning.enabled ? 'Flood on core 0; relay and canary on core 1.' : 'Not pinned to cores.'),
);
await canary(1);
const quiet = await canary(quietSeconds);
const before = await stats();
const floodStarted = performance.now();
const clients = Array.from({ length: clientCount }, (_, i) => client(i + 1));
// the canary under flood, from the first second on, while the managers sign in from the third
const [loaded, signedIn] = await Promise.all([
  sleep(1000).then(() => canary(floodSeconds - 1)),
  sleep(3000).then(signInManagers) as Promise<ManagerResult[]>,
]);
flooding = false;
const after = await stats();
const floodMs = performance.now() - floodStarted;
await Promise.allSettled(clients);

const figures = {
  quiet: { p50: quantile(quiet, 0.5), p99: quantile(quiet, 0.99), samples: quiet.length },
  flood: { p50: quantile(loaded, 0.5), p99: quantile(loaded, 0.99), samples: loaded.length },
};
const ms = (n: number) => `${n.toFixed(1)} ms`;
console.log('\nCanary acknowledgement (send → ok, fsync on):');
console.log(`  quiet  p50 ${ms(figures.quiet.p50)}  p99 ${ms(figures.quiet.p99)}  (${figures.quiet.samples} messages)`);
console.log(`  flood  p50 ${ms(figures.flood.p50)}  p99 ${ms(figures.flood.p99)}  (${figures.flood.samples} messages)`);
console.log(`  p99 ratio ${(figures.flood.p99 / figures.quiet.p99).toFixed(2)} (aim: at most 2)`);
console.log('\nManagers signing in during the flood (tries include refusals answered with Retry-After):');
for (const m of signedIn) {
  console.log(
    `  ${m.user.padEnd(6)} signed in after ${ms(m.ms)} in ${m.tries} ${m.tries === 1 ? 'try' : 'tries'}; welcome held ${m.sessions} chats; ` +
      (m.stillConnected ? 'still connected a second later' : 'DISCONNECTED'),
  );
}
console.log(`\nWhat the flood got in ${(floodMs / 1000).toFixed(1)} s:`);
for (const [what, n] of [...outcomes].sort()) console.log(`  ${what.padEnd(28)} ${String(n).padStart(6)}  (${(n / (floodMs / 1000)).toFixed(0)}/s)`);
console.log(
  `\nRelay: event loop ${(after.loopUtilization * 100).toFixed(0)}% busy during the flood, CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(1)} s, peak RSS ${(after.peakRss / 1e6).toFixed(0)} MB`,
);

canaryProcess.disconnect();
relay.send({ type: 'stop' });
await new Promise((resolve) => relay.once('exit', resolve));
fs.rmSync(dataDir, { recursive: true, force: true });

const passed =
  figures.flood.p99 <= 2 * figures.quiet.p99 &&
  signedIn.length === MANAGERS.length &&
  signedIn.every((m) => m.stillConnected) &&
  !outcomes.has('sign-in: let in?!');
console.log(passed ? '\nPASS' : '\nFAIL: the canary p99 more than doubled, or a manager did not stay signed in');
process.exit(passed ? 0 : 1);
