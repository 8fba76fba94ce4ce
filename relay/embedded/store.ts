// The RelayStore port over the embedded SQLite store: its reads are synchronous, answered as settled promises; each
// write is one transaction (a savepoint inside the relay's group-commit batch).
import type { AgentId, CannedReply, SessionId, SettableStatus, Team, TeamId } from '../../common/domain';
import type { AccountPatch, AttachmentStore, NewAccount, RelayStore, StoredAttachment } from '../ports';
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
    issueAgentToken: (tokenHash: string, agentId: AgentId, now: number, expiresAt: number) =>
      written(() => store.issueAgentToken(tokenHash, agentId, now, expiresAt)),
    agentForToken: (tokenHash: string, now: number) => settled(() => store.agentForToken(tokenHash, now)),
    listTeams: () => settled(() => store.listTeams()),
    createTeam: (team: Team) => written(() => store.createTeam(team)),
    removeTeam: (id: TeamId) => written(() => store.removeTeam(id)),
    directoryVersion: () => settled(() => store.directoryVersion()),
    setChosenStatus: (id: AgentId, status: SettableStatus) => written(() => store.setChosenStatus(id, status)),
    setOnline: (id: AgentId, online: boolean) => written(() => store.setOnline(id, online)),
    setIdle: (id: AgentId, idle: boolean) => written(() => store.setIdle(id, idle)),
    getSession: (id: SessionId) => settled(() => store.getSession(id)),
    listLiveSessions: () => settled(() => store.listLiveSessions()),
    listLiveSessionsOf: (agentId: AgentId) => settled(() => store.listLiveSessionsOf(agentId)),
    listQueuedSessions: (limit: number) => settled(() => store.listQueuedSessions(limit)),
    countQueued: () => settled(() => store.countQueued()),
    openChatCounts: () => settled(() => store.openChatCounts()),
    listPendingTransfers: () => settled(() => store.listPendingTransfers()),
    eventsAfter: (sessionId: SessionId, afterSeq: number, limit?: number) =>
      settled(() => store.eventsAfter(sessionId, afterSeq, limit)),
    isParticipant: (sessionId: SessionId, agentId: AgentId) => settled(() => store.isParticipant(sessionId, agentId)),
    sessionForToken: (tokenHash: string) => settled(() => store.sessionForToken(tokenHash)),
    ratingsSince: (since: number) => settled(() => store.ratingsSince(since)),
    logsInWindow: (since: number, until: number) => settled(() => store.logsInWindow(since, until)),
    listRequests: (agentId: AgentId | null) => settled(() => store.listRequests(agentId)),
    getRequest: (id: string) => settled(() => store.getRequest(id)),
    listCannedReplies: (agentId: AgentId) => settled(() => store.listCannedReplies(agentId)),
    getCannedReply: (id: string) => settled(() => store.getCannedReply(id)),
    putCannedReply: (reply: CannedReply) => settled(() => store.transaction(() => store.putCannedReply(reply))),
    deleteCannedReply: (id: string) => settled(() => store.transaction(() => store.deleteCannedReply(id))),
  };
}

/** The AttachmentStore port over the embedded store: an upload is answered once its row is committed (and synced). */
export function sqliteAttachments(store: SqliteRelayStore): AttachmentStore {
  const committed = <T>(value: T) => new Promise<T>((resolve) => store.afterCommit(() => resolve(value)));
  return {
    put(attachment: StoredAttachment, bytes: Buffer) {
      try {
        const earlier = store.attachments.byUpload(attachment.sessionId, attachment.uploadId);
        if (earlier) return committed(earlier.sha256 === attachment.sha256 ? { attachment: earlier, created: false } : { conflict: true as const });
        store.transaction(() => store.attachments.insert(attachment, bytes));
        return committed({ attachment, created: true });
      } catch (error) {
        return Promise.reject(error);
      }
    },
    get: (id: string) => Promise.resolve(store.attachments.get(id)),
    read: (attachment: StoredAttachment) => store.attachments.read(attachment),
    purgeSessions(sessionIds: readonly SessionId[]) {
      try {
        const purged = store.transaction(() => store.attachments.purgeSessions(sessionIds));
        return committed(purged).then(({ removed, orphans }) => {
          store.attachments.removeFiles(orphans);
          return removed;
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
