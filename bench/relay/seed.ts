// Live chats written straight into a relay's data folder before it starts, with the relay's own decisions and runner
// (open a chat, assign it): the state thousands of customers leave behind, without routing them one by one through
// the relay first. Routing each new chat reads every account and open-chat count, so opening 12,000 chats live takes
// tens of minutes on two shared cores; the scale figures measure connections, not that (docs/performance.md).
import { randomBytes } from 'node:crypto';
import { hashToken } from '../../relay/auth';
import { assign, openChat } from '../../relay/core/sessions';
import { MemoryScheduler } from '../../relay/embedded/memory';
import { SqliteRunner } from '../../relay/embedded/runner';
import { openSqliteStore } from '../../relay/store/sqlite';
import { agentName } from './targets';

export interface SeededChat {
  sessionId: string;
  /** the customer's resume token */
  token: string;
  /** the agent it is assigned to */
  agent: number;
}

/** `chats` live chats, dealt round-robin to agents 0..agents-1 (the accounts must exist). */
export function seedChats(dataDir: string, agents: number, chats: number): SeededChat[] {
  const store = openSqliteStore(dataDir, { synchronous: 'NORMAL' });
  const clock = { now: () => Date.now() };
  const runner = new SqliteRunner(store, clock, new MemoryScheduler(clock, () => {}));
  const seeded: SeededChat[] = [];
  try {
    store.transaction(() => {
      for (let i = 0; i < chats; i++) {
        const token = randomBytes(32).toString('base64url');
        const opened = openChat(`ses_${randomBytes(12).toString("base64url")}`, { name: `Customer ${i}` }, clock.now());
        void runner.open(opened.session, opened.events, hashToken(token));
        const agent = i % agents;
        const account = store.getAccount(agentName(agent));
        if (!account) throw new Error(`no account ${agentName(agent)} to assign chats to`);
        const assigned = runner.runNow({ sessionId: opened.session.id, requireOpen: true, decide: ({ session }) => assign(session, account) });
        if (!assigned.ok) throw new Error(`could not assign a seeded chat: ${assigned.error.message}`);
        seeded.push({ sessionId: opened.session.id, token, agent });
      }
    });
  } finally {
    store.close();
  }
  return seeded;
}
