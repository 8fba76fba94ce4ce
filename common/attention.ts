// What needs the agent, counted from state: offers waiting for their answer and their own chats with unread customer
// messages. The window title, the in-app Chats badge and the dock/taskbar badge all use this one count, so a chat
// that has left the agent (transfer away, cancelled offer, relay restart) can never leave a number behind.
import { type AgentId, roleIn, type SessionSummary } from './domain';

export interface AttentionCounts {
  /** transfers offered to me, still pending */
  offers: number;
  /** open chats I own with unread customer messages */
  unreadChats: number;
  total: number;
}

export const noAttention: AttentionCounts = { offers: 0, unreadChats: 0, total: 0 };

export function attentionCounts(
  sessions: Iterable<SessionSummary>,
  unread: Readonly<Record<string, number>>,
  me: AgentId | null,
): AttentionCounts {
  if (!me) return noAttention;
  let offers = 0;
  let unreadChats = 0;
  for (const session of sessions) {
    if (session.state === 'closed') continue;
    const role = roleIn(session, me);
    if (role === 'offered') offers += 1;
    else if (role === 'owner' && (unread[session.id] ?? 0) > 0) unreadChats += 1;
  }
  return { offers, unreadChats, total: offers + unreadChats };
}
