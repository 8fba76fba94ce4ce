// Scale figure 3: a restart storm. Clients connected and sending, the relay killed with SIGKILL mid-stream and started
// again at once on the same data folder and port (as a supervisor would); every client reconnects with its jittered
// backoff, resumes by seq and resends what was not acknowledged. Measures how long until every client is back and
// resumed, the peak connection rate, and counts lost and doubled messages from what the clients hold.
import { performance } from 'node:perf_hooks';
import { type SeededChat, seedChats } from './seed';
import { type Pinning, restartRelay, startRelayTarget, type Target } from './targets';
import { RateMeter, StormClient } from './storm-client';

export interface RestartOptions {
  customers: number;
  agents: number;
  /** messages per second offered before the kill (customers and agents alternately), and for how long */
  rate: number;
  loadSeconds: number;
  synchronous: 'FULL' | 'NORMAL';
  pinning: Pinning;
  /** connections opened at once while setting up */
  concurrency: number;
  /** how long the clients get to come back before the run is called */
  stormTimeoutSeconds: number;
  /** a CPU profile of the relay from its restart until every client is back */
  profile: boolean;
}

export interface RestartResult {
  clients: number;
  setupSeconds: number;
  /** kill -> the new process listens */
  restartSeconds: number;
  /** kill -> every client greeted again; kill -> every client greeted with nothing left unacknowledged */
  allBackSeconds: number;
  allResumedSeconds: number;
  notBack: number;
  peakOpensPerSecond: number;
  peakAttemptsPerSecond: number;
  attempts: number;
  /** agents that gave up on a welcome slower than RelayLink's 15 s and connected again */
  helloTimeouts: number;
  /** attempts after the kill that ended before a welcome, by why */
  failures: Record<string, number>;
  /** the .cpuprofile of the storm, when asked for */
  stormProfile: string | null;
  sent: number;
  /** sent before the kill but not acknowledged when it came (resent after the restart) */
  unackedAtKill: number;
  /** acknowledged but not held by the other side of the chat at the end */
  lost: number;
  /** one message id held at two seqs */
  doubled: number;
  /** a seq that reached a client again after it was held */
  redelivered: number;
  /** seqs missing in an agent's chat (agents see every event) */
  gaps: number;
  unacknowledgedAtEnd: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inLanes(items: StormClient[], concurrency: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await items[next++]!.start();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

export async function measureRestart(options: RestartOptions): Promise<RestartResult> {
  const { customers, agents, pinning } = options;
  const capacity = Math.ceil(customers / agents);
  const relayOptions = { capacity, synchronous: options.synchronous, pinning };
  // the chats are seeded (routing 8,000 new chats one by one would take most of the run), and the customers come
  // back to them by token before the storm, as they would after any earlier reconnect
  let chats: SeededChat[] = [];
  let target: Target = await startRelayTarget({ agents, ...relayOptions }, (dataDir) => {
    chats = seedChats(dataDir, agents, customers);
  });
  const meter: { current: RateMeter | null } = { current: null };
  const agentClients = Array.from({ length: agents }, (_, i) => new StormClient('agent', i, target.port, meter));
  const customerClients = chats.map((chat, i) => new StormClient('customer', i, target.port, meter, chat));
  const all = [...agentClients, ...customerClients];
  try {
    const setupStart = performance.now();
    let progress = setInterval(() => {
      const ready = all.filter((c) => c.online).length;
      process.stderr.write(`restart: ${ready} of ${all.length} clients connected after ${((performance.now() - setupStart) / 1000).toFixed(0)} s\n`);
    }, 30_000);
    await inLanes(agentClients, options.concurrency);
    await inLanes(customerClients, options.concurrency);
    clearInterval(progress);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    process.stderr.write(`restart: ${all.length} clients connected in ${setupSeconds.toFixed(1)} s; sending ${options.rate} msgs/s, kill -9 after ${options.loadSeconds} s...\n`);

    // open loop, alternately a customer and an agent (in one of its chats); it goes on for a second after the kill, so
    // some messages are sent into a dead socket and some while offline (both wait in the outbox)
    const total = Math.round(options.rate * (options.loadSeconds + 1));
    let sent = 0;
    const loadStart = performance.now();
    const sender = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - loadStart) * options.rate) / 1000));
      for (; sent < due; sent++) {
        const k = sent >> 1;
        if (sent % 2 === 0) {
          const customer = customerClients[k % customers]!;
          customer.send(customer.sessionId!, `r-${sent}-customer`, `Message ${sent} from the customer`);
        } else {
          const agent = agentClients[k % agents]!;
          const chats = [...agent.owned];
          if (chats.length) agent.send(chats[k % chats.length]!, `r-${sent}-agent`, `Message ${sent} from the agent`);
        }
      }
      if (sent >= total) clearInterval(sender);
    }, 2);
    await sleep(options.loadSeconds * 1000);

    const port = target.port;
    const killedAt = performance.now();
    meter.current = new RateMeter(killedAt);
    await target.kill();
    const unackedAtKill = all.reduce((n, c) => n + c.outbox.size, 0);
    target = await restartRelay(target.dataDir!, port, relayOptions);
    if (options.profile) await target.profile('start');
    const restartSeconds = (performance.now() - killedAt) / 1000;
    process.stderr.write(`restart: relay killed and listening again after ${restartSeconds.toFixed(1)} s; ${unackedAtKill} messages were unacknowledged at the kill\n`);
    progress = setInterval(() => {
      const back = all.filter((c) => c.greetedAt !== null && c.greetedAt > killedAt).length;
      process.stderr.write(`restart: ${back} of ${all.length} clients back after ${((performance.now() - killedAt) / 1000).toFixed(0)} s\n`);
    }, 10_000);
    const back = (c: StormClient) => c.greetedAt !== null && c.greetedAt > killedAt;
    const resumed = (c: StormClient) => back(c) && c.resumedAt !== null && sent >= total;
    await until(() => all.every(resumed), options.stormTimeoutSeconds * 1000);
    clearInterval(progress);
    const stormProfile = options.profile ? await target.profile('stop') : null;
    const greeted = all.filter(back);
    const allBackSeconds = (Math.max(...greeted.map((c) => c.greetedAt!)) - killedAt) / 1000;
    const allResumedSeconds = (Math.max(...greeted.map((c) => c.resumedAt ?? Number.POSITIVE_INFINITY)) - killedAt) / 1000;
    const attempts = meter.current.attempts.reduce((a, b) => a + b, 0);
    const peakOpensPerSecond = RateMeter.peakPerSecond(meter.current.opens);
    const peakAttemptsPerSecond = RateMeter.peakPerSecond(meter.current.attempts);
    const failures = Object.fromEntries([...meter.current.failures].sort((a, b) => b[1] - a[1]));
    meter.current = null;

    // after the storm, one more message each way per chat: the relay takes new work, and it reaches the other side
    for (const customer of customerClients) customer.send(customer.sessionId!, `after-${customer.index}-customer`, 'After the restart');
    for (const agent of agentClients) for (const chat of agent.owned) agent.send(chat, `after-${agent.index}-${chat}`, 'After the restart');
    await until(() => all.every((c) => c.outbox.size === 0), 60_000);
    const counts = verify(agentClients, customerClients);
    // what was acknowledged last may still be on its way to the other side
    if (counts.lost) {
      await sleep(2000);
      Object.assign(counts, verify(agentClients, customerClients));
    }
    return {
      clients: all.length,
      setupSeconds,
      restartSeconds,
      allBackSeconds,
      allResumedSeconds,
      notBack: all.length - greeted.length,
      peakOpensPerSecond,
      peakAttemptsPerSecond,
      attempts,
      helloTimeouts: agentClients.reduce((n, a) => n + a.helloTimeouts, 0),
      sent: total,
      unackedAtKill,
      ...counts,
      unacknowledgedAtEnd: all.reduce((n, c) => n + c.outbox.size, 0),
      stormProfile,
      failures,
    };
  } finally {
    for (const client of all) client.stop();
    await target.stop();
  }
}

/** Lost and doubled messages, from what each side of every chat acknowledged and holds. */
function verify(agents: StormClient[], customers: StormClient[]) {
  const ownerOf = new Map<string, StormClient>();
  for (const agent of agents) for (const chat of agent.owned) ownerOf.set(chat, agent);
  let lost = 0;
  let doubled = 0;
  let gaps = 0;
  let redelivered = 0;
  const holds = (client: StormClient | undefined, sessionId: string, seq: number, messageId: string) =>
    client?.held.get(sessionId)?.get(seq)?.messageId === messageId;
  for (const client of [...agents, ...customers]) {
    redelivered += client.redelivered;
    for (const [sessionId, events] of client.held) {
      const seen = new Set<string>();
      for (const event of events.values()) {
        if (!event.messageId) continue;
        if (seen.has(event.messageId)) doubled += 1;
        seen.add(event.messageId);
      }
      if (client.kind === 'agent' && ownerOf.get(sessionId) === client) gaps += Math.max(...events.keys()) - events.size;
    }
  }
  const customerOf = new Map(customers.map((c) => [c.sessionId!, c]));
  for (const customer of customers) {
    for (const [messageId, { sessionId, seq }] of customer.acked) if (!holds(ownerOf.get(sessionId), sessionId, seq, messageId)) lost += 1;
  }
  for (const agent of agents) {
    for (const [messageId, { sessionId, seq }] of agent.acked) if (!holds(customerOf.get(sessionId), sessionId, seq, messageId)) lost += 1;
  }
  return { lost, doubled, gaps, redelivered };
}
