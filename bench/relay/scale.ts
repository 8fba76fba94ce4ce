// `npm run bench:relay -- scale [connections] [transfers] [restart]`: the scale figures, each printed with its aim
// and whether it was met. All on 127.0.0.1, bounded in count and time; relay and generator pinned to different cores.
import os from 'node:os';
import { type ConnectionsResult, generatorOpenFiles, measureConnections } from './scale-connections';
import { measureRestart, type RestartResult } from './scale-restart';
import { measureTransfers, type TransfersResult } from './scale-transfers';
import { chooseChildBuild, describeChildBuild, Pinning } from './targets';
import { parseArgsOrExplain } from './args';

const USAGE = `Usage: npm run bench:relay -- scale [connections] [transfers] [restart] [--quick] [--no-pin] [--from-source]
  connections: [--connections 15000] [--agent-share 0.2] [--setup-timeout 900] [--heap-snapshot] [--profile]
  transfers:   [--customers 1600] [--agents 400] [--rate 10000] [--seconds 10] [--transfer-chats 50] [--period 1000]
  restart:     [--clients 10000] [--agent-share 0.2] [--storm-rate 2000] [--storm-timeout 120] [--profile]
  common:      [--synchronous FULL|NORMAL] [--concurrency 50] [--gc concurrent|main-thread|single-threaded-gc]
  With no figure named, all three run (about 10-20 minutes on two shared cores; --quick: a small smoke run).`;

const { values: args, positionals } = parseArgsOrExplain({
  args: process.argv.slice(3),
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    'from-source': { type: 'boolean', default: false },
    gc: { type: 'string' },
    connections: { type: 'string' },
    'agent-share': { type: 'string' },
    'setup-timeout': { type: 'string' },
    'heap-snapshot': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    customers: { type: 'string' },
    agents: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    'transfer-chats': { type: 'string' },
    period: { type: 'string' },
    clients: { type: 'string' },
    'storm-rate': { type: 'string' },
    'storm-timeout': { type: 'string' },
    synchronous: { type: 'string', default: 'FULL' },
    concurrency: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
}, USAGE);
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const figures = ['connections', 'transfers', 'restart'] as const;
type Figure = (typeof figures)[number];
for (const name of positionals) {
  if (!figures.includes(name as Figure)) {
    console.error(`"${name}" is not a scale figure: ${figures.join(', ')}.\n${USAGE}`);
    process.exit(2);
  }
}
const chosen = new Set<Figure>(positionals.length ? (positionals as Figure[]) : figures);

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number, not "${text}".\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

const quick = args.quick;
const agentShare = positive('agent-share', args['agent-share'], 0.2);
if (agentShare >= 1) {
  console.error('--agent-share is the fraction of connections that are agents: below 1.');
  process.exit(2);
}
const split = (total: number) => {
  const agents = Math.max(1, Math.round(total * agentShare));
  return { agents, customers: total - agents };
};
const synchronous = args.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL';
const concurrency = Math.round(positive('concurrency', args.concurrency, 50));
const connectionsWanted = Math.round(positive('connections', args.connections, quick ? 2000 : 15_000));
const stormClients = Math.round(positive('clients', args.clients, quick ? 1000 : 10_000));

/** One process may hold 20,000 open files here, and every socket is one, on the relay's side and on the generator's. */
const FILE_CAP = 20_000;
const largest = Math.max(chosen.has('connections') ? connectionsWanted : 0, chosen.has('restart') ? stormClients : 0);
if (largest + generatorOpenFiles() + 200 > FILE_CAP) {
  console.error(`${largest} connections would pass the cap of ${FILE_CAP} open files per process (the generator holds one per connection).`);
  process.exit(2);
}

const gcError = chooseChildBuild(args['from-source'], args.gc);
if (gcError) {
  console.error(`${gcError}\n${USAGE}`);
  process.exit(2);
}
const pinning = new Pinning(args['no-pin']);
pinning.pin(process.pid, 0);

interface Row {
  figure: string;
  measured: string;
  aim: string;
  met: boolean | null;
}
const rows: Row[] = [];
const notes: string[] = [];
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function reportConnections(relay: ConnectionsResult, forwarder: ConnectionsResult): void {
  const all = relay.connected === relay.wanted;
  rows.push({
    figure: 'connections on one relay process',
    measured: `${int(relay.connected)} of ${int(relay.wanted)} (relay ${int(relay.serverOpenFiles)} open files, generator ${int(relay.generatorOpenFiles)})`,
    aim: `${int(relay.wanted)}, under ${int(FILE_CAP)} files each`,
    met: all && relay.serverOpenFiles < FILE_CAP && relay.generatorOpenFiles < FILE_CAP,
  });
  const ratio = relay.rssKb / forwarder.rssKb;
  const cap = forwarder.rssKb <= 15 ? ' and <= 15 KB' : ` (15 KB waived: the forwarder itself takes ${f1(forwarder.rssKb)} KB)`;
  rows.push({
    figure: 'RSS per idle connection',
    measured: `relay ${f1(relay.rssKb)} KB, forwarder ${f1(forwarder.rssKb)} KB = ${f2(ratio)}x (V8 heap in use: ${f2(relay.heapKb)} vs ${f2(forwarder.heapKb)} KB = ${f2(relay.heapKb / forwarder.heapKb)}x)`,
    aim: `<= 2x the forwarder${cap}`,
    met: ratio <= 2 && (forwarder.rssKb > 15 || relay.rssKb <= 15),
  });
  if (relay.marginal && forwarder.marginal) {
    // one-time costs (code compiled on first use, pools and caches filled) land on the first tenth: this is what one
    // more idle connection costs
    const m = relay.marginal;
    const mf = forwarder.marginal;
    const marginalRatio = m.rssKb / mf.rssKb;
    rows.push({
      figure: 'RSS per idle connection past the first tenth',
      measured: `relay ${f1(m.rssKb)} KB, forwarder ${f1(mf.rssKb)} KB = ${f2(marginalRatio)}x (from ${int(m.firstTenth)} to ${int(relay.connected)} connected; V8 heap in use: ${f2(m.heapKb)} vs ${f2(mf.heapKb)} KB, reserved ${f2(m.heapTotalKb)} vs ${f2(mf.heapTotalKb)} KB)`,
      aim: `<= 2x the forwarder${mf.rssKb <= 15 ? ' and <= 15 KB' : ''}`,
      met: marginalRatio <= 2 && (mf.rssKb > 15 || m.rssKb <= 15),
    });
  }
  rows.push({
    figure: 'connection setup',
    measured: `relay ${f1(relay.setupSeconds)} s (${int(relay.connected / relay.setupSeconds)}/s, ${f1(relay.setupCpuSeconds)} CPU s), forwarder ${f1(forwarder.setupSeconds)} s (${int(forwarder.connected / forwarder.setupSeconds)}/s) = ${f1(relay.setupSeconds / forwarder.setupSeconds)}x`,
    aim: '(no aim: reported)',
    met: null,
  });
  if (relay.newChats) {
    const n = relay.newChats;
    rows.push({
      figure: `a new chat with ${int(relay.connected)} connected`,
      measured: `hello -> assigned p50 ${f1(n.p50)} ms, p99 ${f1(n.p99)} ms (one at a time, ${n.count}); relay CPU ${f1(n.cpuMs)} ms per chat`,
      aim: '(no aim: reported)',
      met: null,
    });
  }
  for (const r of [relay, forwarder]) {
    notes.push(
      `${r.target}: RSS ${f1(r.baseRssMb)} MB with no connection, ${f1(r.idleRssMb)} MB with ${int(r.connected)} idle (peak ${f1(r.peakRssMb)}); per connection: V8 heap ${f2(r.heapKb)} KB used (${f2(r.heapTotalKb)} KB reserved), outside the heap ${f2(r.externalKb)} KB` +
        (r.heapSnapshot ? `; heap snapshot ${r.heapSnapshot}` : '') +
        (r.setupProfile ? `; CPU profile of the set-up ${r.setupProfile}` : '') +
        (r.problems ? `; ${r.problems}` : ''),
    );
  }
}

function reportTransfers(t: TransfersResult): void {
  const limit = t.messages.p99 + 5;
  // a relay that fell behind the message load queues everything: its transfer times are its backlog, not transfers
  const keptUp = t.messages.received >= t.messages.sent * 0.99;
  const behind = keptUp ? '' : ` (the relay did not keep up with ${int(t.messages.offered)} msgs/s: backlog, not a transfer figure)`;
  rows.push({
    figure: 'offer -> target sees it, p99',
    measured: `${f2(t.offered.p99)} ms (p50 ${f2(t.offered.p50)}, max ${f1(t.offered.max)}, ${int(t.offered.count)} offers)${behind}`,
    aim: `<= message p99 + 5 = ${f2(limit)} ms`,
    met: keptUp && t.offered.count > 0 && t.offered.p99 <= limit,
  });
  rows.push({
    figure: 'accept -> customer sees new owner, p99',
    measured: `${f2(t.accepted.p99)} ms (p50 ${f2(t.accepted.p50)}, max ${f1(t.accepted.max)}, ${int(t.accepted.count)} accepts)${behind}`,
    aim: `<= message p99 + 5 = ${f2(limit)} ms`,
    met: keptUp && t.accepted.count > 0 && t.accepted.p99 <= limit,
  });
  const m = t.messages;
  notes.push(
    `transfers: message load ${int(m.offered)} msgs/s offered, ${int(m.deliveredPerSecond)} delivered, p50 ${f2(m.p50)} ms, p99 ${f2(m.p99)} ms, max ${f1(m.max)} ms, generator lag max ${f1(m.maxSendLagMs)} ms, relay CPU ${Math.round(m.serverCpu * 100)}%; ` +
      `${t.errors} refused transfer commands${t.firstError ? ` (first: ${t.firstError.slice(0, 200)})` : ''}, ${t.skipped} turns skipped (the chat's previous transfer not done), ${t.unfinished} cycles unfinished at the end` +
      (t.problems ? `; ${t.problems}` : ''),
  );
}

function reportRestart(r: RestartResult): void {
  rows.push({
    figure: 'restart storm: kill -9 -> every client back and resumed',
    measured: r.notBack ? `${int(r.notBack)} of ${int(r.clients)} not back after the timeout` : `${f1(r.allResumedSeconds)} s (all greeted ${f1(r.allBackSeconds)} s; relay listening ${f1(r.restartSeconds)} s)`,
    aim: `<= 30 s, ${int(r.clients)} clients`,
    met: r.notBack === 0 && r.allResumedSeconds <= 30,
  });
  rows.push({
    figure: 'restart storm: lost / doubled messages',
    measured: `${r.lost} lost, ${r.doubled} doubled (${int(r.sent)} sent, ${int(r.unackedAtKill)} unacknowledged at the kill; ${r.redelivered} seqs redelivered, ${r.gaps} gaps, ${r.unacknowledgedAtEnd} never acknowledged)`,
    aim: '0 lost, 0 doubled',
    met: r.lost === 0 && r.doubled === 0 && r.gaps === 0 && r.unacknowledgedAtEnd === 0,
  });
  const mean = r.clients / Math.max(0.1, r.allBackSeconds);
  rows.push({
    figure: 'restart storm: peak connection rate',
    measured: `${int(r.peakOpensPerSecond)} opened/s at the peak (${int(r.peakAttemptsPerSecond)} attempts/s; ${int(r.attempts)} attempts in all; mean ${int(mean)}/s; ${int(r.helloTimeouts)} agents gave up on a welcome after 15 s and retried)`,
    aim: '(reported: jittered backoff spreads the herd)',
    met: null,
  });
  const failed = Object.entries(r.failures).map(([why, n]) => `${int(n)} ${why}`).join(', ') || 'none';
  notes.push(`restart: attempts that ended before a welcome, by why: ${failed}`);
  notes.push(`restart: ${int(r.clients)} clients set up in ${f1(r.setupSeconds)} s before the storm${r.stormProfile ? `; CPU profile of the storm ${r.stormProfile}` : ""}`);
}

const started = new Date();
try {
  if (chosen.has('connections')) {
    const { agents, customers } = split(connectionsWanted);
    const options = {
      agents,
      customers,
      synchronous,
      pinning,
      concurrency,
      setupTimeoutSeconds: positive('setup-timeout', args['setup-timeout'], quick ? 120 : 900),
      heapSnapshot: args['heap-snapshot'],
      profile: args.profile,
      newChats: quick ? 20 : 100,
    } as const;
    process.stderr.write(`connections: ${agents} agents + ${customers} customers on the relay, then on the forwarder...\n`);
    const relay = await measureConnections('relay', options);
    const forwarder = await measureConnections('forwarder', options);
    reportConnections(relay, forwarder);
  }
  if (chosen.has('transfers')) {
    reportTransfers(
      await measureTransfers({
        customers: Math.round(positive('customers', args.customers, quick ? 160 : 1600)),
        agents: Math.round(positive('agents', args.agents, quick ? 40 : 400)),
        rate: positive('rate', args.rate, quick ? 2000 : 10_000),
        seconds: positive('seconds', args.seconds, quick ? 3 : 10),
        transferChats: Math.round(positive('transfer-chats', args['transfer-chats'], quick ? 10 : 50)),
        periodMs: positive('period', args.period, 1000),
        history: 10,
        synchronous,
        pinning,
      }),
    );
  }
  if (chosen.has('restart')) {
    const { agents, customers } = split(stormClients);
    process.stderr.write(`restart: ${agents} agents + ${customers} customers...\n`);
    reportRestart(
      await measureRestart({
        agents,
        customers,
        rate: positive('storm-rate', args['storm-rate'], quick ? 500 : 2000),
        loadSeconds: quick ? 2 : 3,
        synchronous,
        pinning,
        concurrency,
        stormTimeoutSeconds: positive('storm-timeout', args['storm-timeout'], quick ? 60 : 120),
        profile: args.profile,
      }),
    );
  }
} catch (error) {
  console.error(`scale benchmark failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
}

console.log(`\nRelay scale figures, ${started.toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const placement = pinning.enabled
  ? 'Load generator (one process) pinned to core 0, servers to core 1 (taskset)'
  : 'Load generator and server share the cores (not pinned)';
console.log(`${placement}; SQLite synchronous=${synchronous}; ${describeChildBuild()}.\n`);
console.log('| figure | measured | aim | met |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(`| ${row.figure} | ${row.measured} | ${row.aim} | ${row.met === null ? '-' : row.met ? 'met' : 'MISSED'} |`);
for (const note of notes) console.log(`\n${note}`);
process.exit(0);
