// Today's figures per agent and per team, as the relay computes them from the event log (relay/core/metrics.ts), and
// the CSV the Dashboard exports. Times are milliseconds; an average with nothing to average is null.
import { z } from 'zod';
import { AgentIdSchema, TeamIdSchema } from './domain';

export const FiguresSchema = z.object({
  /** chats that closed in the window while this agent owned them / that belonged to this team */
  chatsHandled: z.number().int().nonnegative(),
  /** average time from a chat's opening to its first agent message */
  firstResponseMs: z.number().nonnegative().nullable(),
  /** average time from getting a chat (assigned, accepted, taken over) to its close */
  handleMs: z.number().nonnegative().nullable(),
  /** agent: transfers they offered; team: offers made to the team */
  transfersMade: z.number().int().nonnegative(),
  /** agent: transfers they accepted; team: team offers accepted by a member */
  transfersAccepted: z.number().int().nonnegative(),
  /** agent: transfers they rejected (passing on a team offer included); team: team offers every member rejected */
  transfersRejected: z.number().int().nonnegative(),
  /** agent: transfers offered to them that nobody answered in time; team: team offers that timed out */
  transfersTimedOut: z.number().int().nonnegative(),
});
export type Figures = z.infer<typeof FiguresSchema>;

export const AgentFiguresSchema = FiguresSchema.extend({ agentId: AgentIdSchema, name: z.string() });
export type AgentFigures = z.infer<typeof AgentFiguresSchema>;
export const TeamFiguresSchema = FiguresSchema.extend({ teamId: TeamIdSchema, name: z.string() });
export type TeamFigures = z.infer<typeof TeamFiguresSchema>;

export const MetricsSchema = z.object({
  /** the window the figures cover: [since, until) in ms since 1970 */
  since: z.number(),
  until: z.number(),
  agents: z.array(AgentFiguresSchema),
  teams: z.array(TeamFiguresSchema),
});
export type Metrics = z.infer<typeof MetricsSchema>;

export const emptyFigures = (): Figures => ({
  chatsHandled: 0,
  firstResponseMs: null,
  handleMs: null,
  transfersMade: 0,
  transfersAccepted: 0,
  transfersRejected: 0,
  transfersTimedOut: 0,
});

const CSV_COLUMNS = [
  'scope',
  'id',
  'name',
  'chats handled',
  'first response (s)',
  'average handle time (s)',
  'transfers made',
  'transfers accepted',
  'transfers rejected',
  'transfers timed out',
] as const;

/** One field of a CSV line: quoted when it holds a comma, quote or line break; formula starters are defused. */
function field(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  // a name typed as "=cmd()" must not become a formula in a spreadsheet
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/** The figures as CSV (RFC 4180, CRLF line ends): one line per agent, then one per team. */
export function metricsCsv(metrics: Metrics): string {
  const line = (scope: 'agent' | 'team', id: string, name: string, f: Figures) =>
    [
      scope,
      id,
      name,
      f.chatsHandled,
      seconds(f.firstResponseMs),
      seconds(f.handleMs),
      f.transfersMade,
      f.transfersAccepted,
      f.transfersRejected,
      f.transfersTimedOut,
    ]
      .map(field)
      .join(',');
  return [
    CSV_COLUMNS.join(','),
    ...metrics.agents.map((a) => line('agent', a.agentId, a.name, a)),
    ...metrics.teams.map((t) => line('team', t.teamId, t.name, t)),
  ]
    .map((l) => `${l}\r\n`)
    .join('');
}
