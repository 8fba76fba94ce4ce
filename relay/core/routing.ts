// Routing: which Present agent gets a queued chat. Each team has its own queue; a chat names a team or none (any
// agent). Pure: the runner supplies who is connected, their open-chat counts and when each last got a chat.
import type { AgentId, TeamId } from '../../common/domain';
import type { Account } from '../ports';
import { capacityOf, shownStatus } from './model';

export interface RoutingView {
  /** agents with at least one live connection */
  connected: Iterable<AgentId>;
  account(id: AgentId): Account | null;
  openChats(id: AgentId): number;
  /** when the agent was last assigned a chat (0: never); ties go to whoever waited longest */
  lastAssignedAt(id: AgentId): number;
  /** the relay's default capacity, for agents without their own */
  capacity: number;
  /** the chat's team (one that exists); null: any agent may take it */
  team: TeamId | null;
}

/**
 * The agent (not manager) who is Present (not Busy, not idle), connected, in the chat's team if it has one, and below
 * their capacity, with the fewest open chats.
 */
export function chooseAgent(view: RoutingView): Account | null {
  let best: Account | null = null;
  for (const id of view.connected) {
    const account = view.account(id);
    if (account?.role !== 'agent' || shownStatus(account) !== 'present') continue;
    if (view.team !== null && !account.teams.includes(view.team)) continue;
    if (view.openChats(id) >= capacityOf(account, view.capacity)) continue;
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
