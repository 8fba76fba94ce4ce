// The RelayStore port over the embedded SQLite store: its reads are synchronous, answered as settled promises; each
// write is one transaction (a savepoint inside the relay's group-commit batch).
import type { AgentId, SessionId, SettableStatus, Team, TeamId } from '../../common/domain';
import type { AccountPatch, NewAccount, RelayStore } from '../ports';
import type { SqliteRelayStore } from '../store/sqlite';

export function sqliteReads(store: SqliteRelayStore): RelayStore {
  const settled = <T>(read: () => T): Promise<T> => {
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const written = <T>(write: () => T): Promise<T> => settled(() => store.transaction(write));
  return {
    listAccounts: () => settled(() => store.listAccounts()),
    getAccount: (id: AgentId) => settled(() => store.getAccount(id)),
    createAccount: (account: NewAccount) => written(() => store.createAccount(account)),
    updateAccount: (id: AgentId, patch: AccountPatch) => written(() => store.updateAccount(id, patch)),
    removeAccount: (id: AgentId) => written(() => store.removeAccount(id)),
    listTeams: () => settled(() => store.listTeams()),
    createTeam: (team: Team) => written(() => store.createTeam(team)),
    removeTeam: (id: TeamId) => written(() => store.removeTeam(id)),
    directoryVersion: () => settled(() => store.directoryVersion()),
    setChosenStatus: (id: AgentId, status: SettableStatus) => written(() => store.setChosenStatus(id, status)),
    setOnline: (id: AgentId, online: boolean) => written(() => store.setOnline(id, online)),
    setIdle: (id: AgentId, idle: boolean) => written(() => store.setIdle(id, idle)),
    getSession: (id: SessionId) => settled(() => store.getSession(id)),
    listLiveSessions: () => settled(() => store.listLiveSessions()),
    openChatCounts: () => settled(() => store.openChatCounts()),
    listPendingTransfers: () => settled(() => store.listPendingTransfers()),
    eventsAfter: (sessionId: SessionId, afterSeq: number, limit?: number) =>
      settled(() => store.eventsAfter(sessionId, afterSeq, limit)),
    isParticipant: (sessionId: SessionId, agentId: AgentId) => settled(() => store.isParticipant(sessionId, agentId)),
    sessionForToken: (tokenHash: string) => settled(() => store.sessionForToken(tokenHash)),
    listRequests: (createdBy: AgentId | null) => settled(() => store.listRequests(createdBy)),
    logsInWindow: (since: number, until: number) => settled(() => store.logsInWindow(since, until)),
  };
}
