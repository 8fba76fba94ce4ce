// Today's figures, computed from the event log alone (so every node of a cluster, reading the same log, gets the same
// answer): the logs are walked in seq order and each event in the window is credited to an agent and a team.
import type { AgentId, SessionEvent, Team, TeamId, TransferOffer } from '../../common/domain';
import { type AgentFigures, emptyFigures, type Figures, type Metrics, type TeamFigures } from '../../common/metrics';

export interface MetricsInput {
  since: number;
  until: number;
  /** every event of the chats that may have events in the window, in seq order per session */
  events: readonly SessionEvent[];
  /** agents listed even with nothing to show (the rest appear when they have figures) */
  agents: ReadonlyArray<{ id: AgentId; name: string }>;
  teams: readonly Team[];
}

/** Sums behind the averages, kept until the end. */
interface Tally {
  figures: Figures;
  firstResponseTotal: number;
  firstResponses: number;
  handleTotal: number;
  handles: number;
}

const tally = (): Tally => ({ figures: emptyFigures(), firstResponseTotal: 0, firstResponses: 0, handleTotal: 0, handles: 0 });

/** Where one chat stands while its log is walked. */
interface ChatWalk {
  openedAt: number | null;
  team: TeamId | null;
  owner: AgentId | null;
  /** when the current owner got the chat */
  ownerSince: number | null;
  /** when an agent first got the chat (team handle time runs from here) */
  firstOwnedAt: number | null;
  answered: boolean;
  offers: Map<string, Pick<TransferOffer, 'toId' | 'toTeam'>>;
}

export function computeMetrics(input: MetricsInput): Metrics {
  const { since, until } = input;
  const inWindow = (at: number) => at >= since && at < until;
  const agents = new Map<AgentId, Tally>();
  const teams = new Map<TeamId, Tally>();
  const names = new Map<AgentId, string>(input.agents.map((a) => [a.id, a.name]));
  const agent = (id: AgentId) => agents.get(id) ?? agents.set(id, tally()).get(id)!;
  const team = (id: TeamId) => teams.get(id) ?? teams.set(id, tally()).get(id)!;
  for (const a of input.agents) agent(a.id);
  for (const t of input.teams) team(t.id);

  const walks = new Map<string, ChatWalk>();
  for (const event of input.events) {
    let chat = walks.get(event.sessionId);
    if (!chat) {
      chat = { openedAt: null, team: null, owner: null, ownerSince: null, firstOwnedAt: null, answered: false, offers: new Map() };
      walks.set(event.sessionId, chat);
    }
    const counted = inWindow(event.at);
    const gets = (id: AgentId, name: string | null) => {
      chat.owner = id;
      chat.ownerSince = event.at;
      chat.firstOwnedAt ??= event.at;
      if (name) names.set(id, name);
    };
    switch (event.kind) {
      case 'opened':
        chat.openedAt = event.at;
        chat.team = event.team ?? null;
        break;
      case 'assigned':
        gets(event.agentId, event.agentName);
        break;
      case 'taken-over':
        gets(event.byId, event.byName);
        break;
      case 'message':
        if (event.author.kind !== 'agent' || chat.answered) break;
        chat.answered = true;
        if (counted && chat.openedAt !== null && event.author.id) {
          const took = event.at - chat.openedAt;
          for (const t of [agent(event.author.id), chat.team ? team(chat.team) : null]) {
            if (!t) continue;
            t.firstResponseTotal += took;
            t.firstResponses += 1;
          }
        }
        break;
      case 'transfer-offered': {
        const offer = event.transfer;
        chat.offers.set(offer.id, { toId: offer.toId, toTeam: offer.toTeam });
        if (counted) {
          agent(offer.offeredBy).figures.transfersMade += 1;
          if (offer.toTeam) team(offer.toTeam.id).figures.transfersMade += 1;
        }
        break;
      }
      case 'transfer-accepted': {
        const offer = chat.offers.get(event.transferId);
        gets(event.toId, event.toName);
        if (offer?.toTeam) chat.team = offer.toTeam.id;
        if (counted) {
          agent(event.toId).figures.transfersAccepted += 1;
          if (offer?.toTeam) team(offer.toTeam.id).figures.transfersAccepted += 1;
        }
        break;
      }
      case 'transfer-passed':
        if (counted && event.why === 'rejected') agent(event.agentId).figures.transfersRejected += 1;
        break;
      case 'transfer-rejected': {
        const offer = chat.offers.get(event.transferId);
        if (counted) {
          agent(event.byId).figures.transfersRejected += 1;
          if (offer?.toTeam) team(offer.toTeam.id).figures.transfersRejected += 1;
        }
        break;
      }
      case 'transfer-cancelled': {
        const offer = chat.offers.get(event.transferId);
        if (counted && event.reason === 'timeout' && offer) {
          if (offer.toId) agent(offer.toId).figures.transfersTimedOut += 1;
          if (offer.toTeam) team(offer.toTeam.id).figures.transfersTimedOut += 1;
        }
        break;
      }
      case 'closed':
        if (!counted) break;
        if (chat.owner && chat.ownerSince !== null) {
          const a = agent(chat.owner);
          a.figures.chatsHandled += 1;
          a.handleTotal += event.at - chat.ownerSince;
          a.handles += 1;
        }
        if (chat.team) {
          const t = team(chat.team);
          t.figures.chatsHandled += 1;
          if (chat.firstOwnedAt !== null) {
            t.handleTotal += event.at - chat.firstOwnedAt;
            t.handles += 1;
          }
        }
        break;
      default:
        break;
    }
  }

  const finish = (t: Tally): Figures => ({
    ...t.figures,
    firstResponseMs: t.firstResponses ? t.firstResponseTotal / t.firstResponses : null,
    handleMs: t.handles ? t.handleTotal / t.handles : null,
  });
  const teamNames = new Map(input.teams.map((t) => [t.id, t.name]));
  const agentRows: AgentFigures[] = [...agents].map(([id, t]) => ({ agentId: id, name: names.get(id) ?? id, ...finish(t) }));
  const teamRows: TeamFigures[] = [...teams].map(([id, t]) => ({ teamId: id, name: teamNames.get(id) ?? id, ...finish(t) }));
  agentRows.sort((a, b) => a.name.localeCompare(b.name) || a.agentId.localeCompare(b.agentId));
  teamRows.sort((a, b) => a.name.localeCompare(b.name) || a.teamId.localeCompare(b.teamId));
  return { since, until, agents: agentRows, teams: teamRows };
}
