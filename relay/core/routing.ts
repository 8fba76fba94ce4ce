// Routing: which Present agent gets the chat that has waited longest. Pure: the runner supplies who is connected,
// their open-chat counts and when each last got a chat.
import type { AgentId } from '../../common/domain';
import type { Account } from '../ports';

export interface RoutingView {
  /** agents with at least one live connection */
  connected: Iterable<AgentId>;
  account(id: AgentId): Account | null;
  openChats(id: AgentId): number;
  /** when the agent was last assigned a chat (0: never); ties go to whoever waited longest */
  lastAssignedAt(id: AgentId): number;
  capacity: number;
}

/** The agent (not manager) who is Present, connected and below capacity, with the fewest open chats. */
export function chooseAgent(view: RoutingView): Account | null {
  let best: Account | null = null;
  for (const id of view.connected) {
    const account = view.account(id);
    if (account?.role !== 'agent' || account.chosenStatus !== 'present' || !account.online) continue;
    if (view.openChats(id) >= view.capacity) continue;
    if (!best || better(view, account, best)) best = account;
  }
  return best;
}

function better(view: RoutingView, a: Account, b: Account): boolean {
  return (
    (view.openChats(a.id) - view.openChats(b.id) ||
      view.lastAssignedAt(a.id) - view.lastAssignedAt(b.id) ||
      a.id.localeCompare(b.id)) < 0
  );
}
