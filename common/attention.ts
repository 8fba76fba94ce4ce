// What needs the agent, counted from state: offers waiting for their answer and their own chats with unread customer
// messages. The window title, the in-app Chats badge and the dock/taskbar badge all use this one count, so a chat
// that has left the agent (transfer away, cancelled offer, relay restart) can never leave a number behind.
import { type AgentId, roleIn, type SessionSummary, type TransferEndReason } from './domain';

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

/** Our words, or a name someone typed (kept apart so the UI can isolate it). */
export type SentencePart = string | { user: string };

const offerEndings: Partial<Record<TransferEndReason, (who: SentencePart, customer: SentencePart) => SentencePart[]>> = {
  cancelled: (who, customer) => [who, ' cancelled the transfer of the chat with ', customer, '.'],
  timeout: (_who, customer) => ['The transfer of the chat with ', customer, ' was not answered in time.'],
  'taken-over': (who, customer) => [who, ' took over the chat with ', customer, '; the transfer is cancelled.'],
  closed: (who, customer) => [who, ' closed the chat with ', customer, '; the transfer is cancelled.'],
};

/**
 * What the agent an offer was made to reads when it ends without their answer (a notification, and a notice in the
 * workspace); null when they ended it themselves by going away.
 */
export function offerEndedParts(reason: TransferEndReason, byName: string, customerName: string): SentencePart[] | null {
  return offerEndings[reason]?.({ user: byName }, { user: customerName }) ?? null;
}

export function offerEndedSentence(reason: TransferEndReason, byName: string, customerName: string): string | null {
  return offerEndedParts(reason, byName, customerName)?.map((p) => (typeof p === 'string' ? p : p.user)).join('') ?? null;
}
