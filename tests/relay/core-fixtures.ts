// Inputs for the pure decisions of relay/core: accounts, a chat as the runner loads it, and the facts a decision may
// consult. The decisions' tests (core-*.test.ts) pin the details a peer cannot easily see over a socket: the effects a
// decision asks for (timers, log lines), its answers to races the runner's locking leaves to it, and exact refusals.
import type { AgentId, AgentStatus, SessionSummary, Team, TransferOffer } from '../../common/domain';
import type { CoreOptions, Facts } from '../../relay/core/model';
import type { Account } from '../../relay/ports';

const names: Record<string, string> = {
  alice: 'Alice Smith',
  bob: 'Bob Jones',
  carol: 'Carol White',
  dave: 'Dave Brown',
  maria: 'Maria Garcia',
};

/** An enabled, online account choosing Present; maria is a manager, carol and maria may listen in. */
export function account(id: AgentId, over: Partial<Account> = {}): Account {
  return {
    id,
    name: names[id] ?? id,
    role: id === 'maria' ? 'manager' : 'agent',
    canListenIn: id === 'carol' || id === 'maria',
    passwordHash: 'x',
    chosenStatus: 'present',
    online: true,
    teams: [],
    capacity: null,
    disabled: false,
    idle: false,
    statusSince: null,
    ...over,
  };
}

export const alice = account('alice');
export const bob = account('bob');
export const carol = account('carol');
export const maria = account('maria');

/** alice's active chat with Dana (three events so far), nobody listening, no offer. */
export function chat(over: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id: 'ses_1',
    customerName: 'Dana',
    state: 'active',
    ownerId: 'alice',
    listeners: [],
    pendingTransfer: null,
    team: null,
    createdAt: 1_000,
    closedAt: null,
    lastSeq: 3,
    lastMessage: null,
    waitingSince: null,
    ...over,
  };
}

/** alice's pending offer of ses_1 to bob. */
export function offered(over: Partial<TransferOffer> = {}): TransferOffer {
  return {
    id: 'tr_7',
    sessionId: 'ses_1',
    fromId: 'alice',
    offeredBy: 'alice',
    toId: 'bob',
    toTeam: null,
    candidates: [],
    note: null,
    createdAt: 5_000,
    expiresAt: null,
    ...over,
  };
}

export interface FactsWith {
  accounts?: Account[];
  /** the status each agent shows; Present for those not named */
  statuses?: Record<AgentId, AgentStatus>;
  openChats?: Record<AgentId, number>;
  teams?: Team[];
  options?: Partial<CoreOptions>;
  now?: number;
}

/** Facts over the accounts given (alice, bob, carol and maria by default); ids are `<prefix>_<n>` from 1. */
export function facts(over: FactsWith = {}): Facts {
  const accounts = over.accounts ?? [alice, bob, carol, maria];
  const options: CoreOptions = { transferTimeoutMs: null, offlineGraceMs: 1000, capacity: 4, ...over.options };
  let n = 0;
  const find = (id: AgentId) => accounts.find((a) => a.id === id) ?? null;
  return {
    now: over.now ?? 10_000,
    newId: (prefix) => `${prefix}_${++n}`,
    options,
    account: find,
    statusOf: (id) => over.statuses?.[id] ?? (find(id) ? 'present' : 'offline'),
    team: (id) => over.teams?.find((t) => t.id === id) ?? null,
    members: (team) => accounts.filter((a) => a.teams.includes(team)).map((a) => a.id).sort(),
    openChats: (id) => over.openChats?.[id] ?? 0,
    capacityOf: (id) => find(id)?.capacity ?? options.capacity,
  };
}

/** The change a decision made, or the test fails with the refusal it got instead. */
export function changed<R>(decision: { ok: true; value: R } | { ok: false; error: { code: string; message: string } }): R {
  if (!decision.ok) throw new Error(`refused: ${decision.error.code} (${decision.error.message})`);
  return decision.value;
}
