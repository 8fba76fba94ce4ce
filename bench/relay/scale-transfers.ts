// Scale figure 2: transfers while the paced message load runs. Chats of their own (not the load's) are handed back and
// forth between agents of their own: offer -> the target sees it, accept -> the customer sees the new owner, and the
// former owner closes its window, so every offer reaches an agent outside the chat (summary + the conversation so far).
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { Load, openAgent, openCustomer, type PhaseResult, percentile } from './load';
import { agentDisplayName, agentName, type Pinning, startRelayTarget } from './targets';

export interface TransfersOptions {
  /** the message load: customers and agents, as in the throughput benchmark */
  customers: number;
  agents: number;
  rate: number;
  seconds: number;
  /** chats handed back and forth, each by two agents of its own pool */
  transferChats: number;
  /** each chat starts one offer per period (open loop: a late one counts from when it was due) */
  periodMs: number;
  /** messages in each transfer chat before the run, so an offer carries a conversation */
  history: number;
  synchronous: 'FULL' | 'NORMAL';
  pinning: Pinning;
}

export interface LatencyFigure {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface TransfersResult {
  messages: PhaseResult;
  /** offer due -> the target's first frame that shows the offer */
  offered: LatencyFigure;
  /** accept sent -> the customer's transfer-accepted event */
  accepted: LatencyFigure;
  /** refused commands (error frames), turns skipped because the chat's previous transfer was not done, and cycles
   * still unfinished at the end */
  errors: number;
  skipped: number;
  firstError: string;
  unfinished: number;
  problems: string | null;
}

interface TransferChat {
  index: number;
  sessionId: string;
  customer: WebSocket;
  /** indexes into the transfer agents */
  owner: number;
  other: number;
  nextDue: number;
  cycle: number;
  /** the cycle under way */
  due: number | null;
  transferId: string | null;
  acceptSentAt: number | null;
}

const figure = (values: number[]): LatencyFigure => {
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN };
};

export async function measureTransfers(options: TransfersOptions): Promise<TransfersResult> {
  const { customers, agents, transferChats, pinning } = options;
  const capacity = Math.ceil(customers / agents);
  // the load's agents are exactly full (customers = agents x capacity), so routing gives the transfer chats to the
  // transfer agents, one chat each (routing picks the agent with the fewest open chats)
  const loadCustomers = agents * capacity;
  const poolSize = Math.max(2, transferChats);
  const target = await startRelayTarget({ agents: agents + poolSize, capacity, synchronous: options.synchronous, pinning });
  const load = new Load();
  const offered: number[] = [];
  const accepted: number[] = [];
  let errors = 0;
  let firstError = '';
  let running = false;
  let skipped = 0;
  const chats = new Map<string, TransferChat>();
  const pool: WebSocket[] = [];
  try {
    const senders = await load.connectRelay(target, agents, loadCustomers);
    const poolIds = Array.from({ length: poolSize }, (_, k) => agentName(agents + k));
    const poolNames = Array.from({ length: poolSize }, (_, k) => agentDisplayName(agents + k));

    const sendFrom = (agent: number, frame: object) => pool[agent]!.send(JSON.stringify(frame));
    const failed = (chat: TransferChat, text: string) => {
      errors += 1;
      firstError ||= text;
      // start over at the next due time, from whatever the chat's state is now
      chat.due = null;
      chat.transferId = null;
    };
    const startCycle = (chat: TransferChat, due: number) => {
      chat.due = due;
      chat.cycle += 1;
      sendFrom(chat.owner, { type: 'offer-transfer', id: `o-${chat.index}-${chat.cycle}`, sessionId: chat.sessionId, to: poolIds[chat.other] });
    };
    const offerSeen = (chat: TransferChat, transferId: string) => {
      if (chat.due === null || chat.transferId !== null) return;
      const now = performance.now();
      if (running) offered.push(now - chat.due);
      chat.transferId = transferId;
      chat.acceptSentAt = now;
      sendFrom(chat.other, { type: 'accept-transfer', id: `a-${chat.index}-${chat.cycle}`, sessionId: chat.sessionId, transferId });
    };
    // customers are told the new owner's name, never a transfer's id (nor a login id): the accept in flight is the one
    // naming the agent it was sent to
    const ownerSeen = (chat: TransferChat, toName: string) => {
      if (chat.acceptSentAt === null || toName !== poolNames[chat.other]) return;
      if (running) accepted.push(performance.now() - chat.acceptSentAt);
      chat.acceptSentAt = null;
      // the former owner, now a listener, leaves: the next offer goes to an agent outside the chat again
      sendFrom(chat.owner, { type: 'close-window', id: `w-${chat.index}-${chat.cycle}`, sessionId: chat.sessionId });
    };
    const windowClosed = (chat: TransferChat) => {
      [chat.owner, chat.other] = [chat.other, chat.owner];
      chat.due = null;
      chat.transferId = null;
    };

    for (let k = 0; k < poolSize; k++) {
      const { ws } = await openAgent(target.agentPort, agents + k);
      load.adopt(ws);
      pool.push(ws);
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('{"type":"presence"') || text.startsWith('{"type":"replay"')) return;
        const frame = JSON.parse(text);
        if (frame.type === 'error' || frame.type === 'ok') {
          const [kind, index] = String(frame.id ?? '').split('-');
          const chat = [...chats.values()].find((c) => c.index === Number(index));
          if (!chat) return;
          if (frame.type === 'error') failed(chat, text);
          else if (kind === 'w') windowClosed(chat);
          return;
        }
        const sessionId = frame.type === 'session' ? frame.session.id : frame.type === 'event' ? frame.event.sessionId : null;
        const chat = sessionId ? chats.get(sessionId) : undefined;
        if (!chat || chat.other !== k) return;
        // the target learns of the offer from the summary (joining the chat) or, had it been in the chat, its event
        if (frame.type === 'session' && frame.session.pendingTransfer?.toId === poolIds[k]) offerSeen(chat, frame.session.pendingTransfer.id);
        if (frame.type === 'event' && frame.event.kind === 'transfer-offered' && frame.event.transfer.toId === poolIds[k]) {
          offerSeen(chat, frame.event.transfer.id);
        }
      });
    }
    for (let k = 0; k < transferChats; k++) {
      const customer = await openCustomer(target.port, `Transfer customer ${k}`);
      load.adopt(customer.ws);
      const owner = poolNames.indexOf(customer.agentName);
      if (owner < 0) throw new Error(`transfer chat ${k} was routed to ${customer.agentName}, not to an agent of the transfer pool`);
      const chat: TransferChat = {
        index: k,
        sessionId: customer.sessionId,
        customer: customer.ws,
        owner,
        other: (owner + 1) % poolSize,
        nextDue: 0,
        cycle: 0,
        due: null,
        transferId: null,
        acceptSentAt: null,
      };
      chats.set(chat.sessionId, chat);
      customer.ws.on('message', (data) => {
        const text = data.toString();
        if (!text.includes('"transfer-accepted"')) return;
        const { event } = JSON.parse(text);
        if (event?.kind === 'transfer-accepted') ownerSeen(chat, event.toName);
      });
      for (let m = 0; m < options.history; m++) {
        customer.ws.send(JSON.stringify({ type: 'customer-send', id: `h${m}`, messageId: `history-${k}-${m}`, text: `Message ${m} before the transfers` }));
      }
    }
    process.stderr.write(`transfers: ${transferChats} transfer chats ready; paced ${options.rate} msgs/s with transfers for ${options.seconds} s...\n`);

    const start = performance.now();
    for (const chat of chats.values()) chat.nextDue = start + (chat.index * options.periodMs) / transferChats;
    running = true;
    const end = start + options.seconds * 1000;
    // open loop like the messages (a late timer counts against the relay), but a chat whose previous transfer is still
    // under way skips its turn: an agent does not offer a chat that is already being handed over
    const driver = setInterval(() => {
      const now = performance.now();
      for (const chat of chats.values()) {
        if (chat.nextDue > now || chat.nextDue >= end) continue;
        if (chat.due === null) startCycle(chat, chat.nextDue);
        else skipped += 1;
        chat.nextDue += options.periodMs;
      }
    }, 2);
    const messages = await load.runPhase(target, senders, 'paced', options.rate, options.seconds, 10_000);
    clearInterval(driver);
    running = false;
    const unfinished = [...chats.values()].filter((c) => c.due !== null).length;
    return {
      messages,
      offered: figure(offered),
      accepted: figure(accepted),
      errors,
      skipped,
      firstError,
      unfinished,
      problems: load.problems(),
    };
  } finally {
    await load.close();
    await target.stop();
  }
}
