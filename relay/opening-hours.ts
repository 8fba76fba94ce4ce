// Opening hours for the customer page: "mon-fri 09:00-17:00, sat 10:00-14:00" in a time zone. Outside them the page
// offers the offline form instead of a chat.

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface OpeningHours {
  text: string;
  /** per weekday (0 = Sunday), the open intervals in minutes after midnight, end exclusive */
  days: [number, number][][];
}

const RANGE = /^([a-z]{3})(?:-([a-z]{3}))?\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** The hours, or the sentence saying what is wrong with them. */
export function parseOpeningHours(text: string): OpeningHours | string {
  const days: [number, number][][] = DAYS.map(() => []);
  for (const part of text.toLowerCase().split(',').map((p) => p.trim())) {
    const m = RANGE.exec(part);
    if (!m) return `"${part}" is not like "mon-fri 09:00-17:00"`;
    const from = DAYS.indexOf(m[1] as (typeof DAYS)[number]);
    const to = m[2] ? DAYS.indexOf(m[2] as (typeof DAYS)[number]) : from;
    if (from < 0 || to < 0) return `"${part}": days are mon, tue, wed, thu, fri, sat, sun`;
    const start = Number(m[3]) * 60 + Number(m[4]);
    const end = Number(m[5]) * 60 + Number(m[6]);
    if (Number(m[4]) > 59 || Number(m[6]) > 59 || end > 24 * 60 || start >= end) {
      return `"${part}": the hours must be times of day, the first before the second`;
    }
    for (let day = from; ; day = (day + 1) % 7) {
      days[day]!.push([start, end]);
      if (day === to) break;
    }
  }
  return { text, days };
}

/** Whether `now` falls within the hours, read on the clock of `timeZone`. */
export function isOpen(hours: OpeningHours, timeZone: string, now: number): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAYS.indexOf(part('weekday').toLowerCase() as (typeof DAYS)[number]);
  const minute = Number(part('hour')) * 60 + Number(part('minute'));
  return (hours.days[day] ?? []).some(([start, end]) => minute >= start && minute < end);
}

export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
