// What the relay tells its customer chat page at GET /chat/settings.json: the widget's looks and words, the pre-chat
// form, whether anyone can chat now, and the relay's limits the page paces its sends to. No zod: the page bundles this,
// so `readWidgetSettings` checks the shape by hand and falls back to the defaults for anything it does not trust.

export interface WidgetSettings {
  title: string;
  greeting: string;
  /** the accent colour, #rgb or #rrggbb */
  colour: string;
  emailRequired: boolean;
  /** topics offered in the pre-chat form (empty: no topic asked), each with the team its chats go to (null: any agent) */
  topics: Topic[];
  /** someone is Present and it is within opening hours: a chat can start; otherwise the offline form is shown */
  available: boolean;
  /** the opening hours as a person reads them, when they are configured */
  openingHours: string | null;
  /** when an offline message is answered ("within one working day") */
  offlineReply: string;
  /** the relay's frame rate limit for one connection */
  limits: { perSecond: number; burst: number };
  /** the largest file the relay takes from the customer (the types are checked by the relay, from the bytes) */
  maxAttachmentBytes: number;
}

export interface Topic {
  name: string;
  team: string | null;
}

/** a team id (common/domain.ts TeamIdSchema), checked here without zod */
export const TEAM_ID = /^[a-z][a-z0-9-]{0,31}$/;

export const WIDGET_SETTINGS_PATH = '/chat/settings.json';

export const defaultWidgetSettings: WidgetSettings = {
  title: 'Chat with us',
  greeting: 'Hi there! Tell us your name and what you need, and an agent will be with you shortly.',
  colour: '#2457c5',
  emailRequired: false,
  topics: [],
  available: true,
  openingHours: null,
  offlineReply: 'within one working day',
  limits: { perSecond: 50, burst: 100 },
  maxAttachmentBytes: 10 * 1024 * 1024,
};

export const COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

const text = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.trim().length > 0 && value.length <= max;
const positive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

export function readWidgetSettings(raw: unknown): WidgetSettings {
  const d = defaultWidgetSettings;
  if (typeof raw !== 'object' || raw === null) return d;
  const r = raw as Record<string, unknown>;
  const limits = (typeof r.limits === 'object' && r.limits !== null ? r.limits : {}) as Record<string, unknown>;
  return {
    title: text(r.title, 80) ? r.title : d.title,
    greeting: text(r.greeting, 500) ? r.greeting : d.greeting,
    colour: typeof r.colour === 'string' && COLOUR.test(r.colour) ? r.colour : d.colour,
    emailRequired: r.emailRequired === true,
    topics: Array.isArray(r.topics) ? r.topics.flatMap(readTopic).slice(0, 20) : d.topics,
    available: r.available !== false,
    openingHours: text(r.openingHours, 200) ? r.openingHours : null,
    offlineReply: text(r.offlineReply, 200) ? r.offlineReply : d.offlineReply,
    limits: {
      perSecond: positive(limits.perSecond) ? limits.perSecond : d.limits.perSecond,
      burst: positive(limits.burst) ? limits.burst : d.limits.burst,
    },
    maxAttachmentBytes: positive(r.maxAttachmentBytes) ? r.maxAttachmentBytes : d.maxAttachmentBytes,
  };
}

function readTopic(raw: unknown): Topic[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const { name, team } = raw as Record<string, unknown>;
  if (!text(name, 80)) return [];
  return [{ name, team: typeof team === 'string' && TEAM_ID.test(team) ? team : null }];
}

