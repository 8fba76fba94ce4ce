// The RelayStore port over the embedded SQLite store: its reads are synchronous, answered as settled promises.
import type { AgentId, SessionId, SettableStatus } from '../../common/domain';
import type { NewAccount, RelayStore } from '../ports';
import type { SqliteRelayStore } from '../store/sqlite';

export function sqliteReads(store: SqliteRelayStore): RelayStore {
  const settled = <T>(read: () => T): Promise<T> => {
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    listAccounts: () => settled(() => store.listAccounts()),
    getAccount: (id: AgentId) => settled(() => store.getAccount(id)),
    createAccount: (account: NewAccount) => settled(() => store.transaction(() => store.createAccount(account))),
    setChosenStatus: (id: AgentId, status: SettableStatus) =>
      settled(() => store.transaction(() => store.setChosenStatus(id, status))),
    setOnline: (id: AgentId, online: boolean) => settled(() => store.transaction(() => store.setOnline(id, online))),
    getSession: (id: SessionId) => settled(() => store.getSession(id)),
    listLiveSessions: () => settled(() => store.listLiveSessions()),
    openChatCounts: () => settled(() => store.openChatCounts()),
    listPendingTransfers: () => settled(() => store.listPendingTransfers()),
    eventsAfter: (sessionId: SessionId, afterSeq: number) => settled(() => store.eventsAfter(sessionId, afterSeq)),
    isParticipant: (sessionId: SessionId, agentId: AgentId) => settled(() => store.isParticipant(sessionId, agentId)),
    sessionForToken: (tokenHash: string) => settled(() => store.sessionForToken(tokenHash)),
    listRequests: (createdBy: AgentId | null) => settled(() => store.listRequests(createdBy)),
    ratingsSince: (since: number) => settled(() => store.ratingsSince(since)),
  };
}
