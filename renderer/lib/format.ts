// Formatting of times, durations and error sentences for display; pure functions so tests can pin them.
import { type ErrorCode, errorSentences } from '../../common/errors';
import { clockHour, formatSize } from '../../common/formats';
import type { BatonError } from '../../common/result';

const pad = (n: number) => String(n).padStart(2, '0');

// 12-hour readers write 9:04 PM, 24-hour readers 09:04 (common/formats.ts)
const clock = new Intl.DateTimeFormat(undefined, { hour: clockHour, minute: '2-digit' });
const clockSeconds = new Intl.DateTimeFormat(undefined, { hour: clockHour, minute: '2-digit', second: '2-digit' });

/**
 * The compact stamp beside every line, in the user's locale (24-hour or 12-hour as they read time; the customer page
 * follows its reader's locale the same way).
 */
export function formatClock(at: number): string {
  return clock.format(at);
}

/** With seconds: for two times of one message that fall in the same minute (written, then sent). */
export function formatClockSeconds(at: number): string {
  return clockSeconds.format(at);
}

export { formatSize };

/** The full local date and time, shown on hover. */
export function formatFullDate(at: number): string {
  return new Date(at).toLocaleString(undefined, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function dayKey(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "Today", "Yesterday" or a date, for the separators between days in a transcript. */
export function dayLabel(at: number, now: number): string {
  if (dayKey(at) === dayKey(now)) return 'Today';
  if (dayKey(at) === dayKey(now - 86_400_000)) return 'Yesterday';
  return new Date(at).toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

/** Elapsed time as m:ss (or h:mm:ss), never negative. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The time of a list entry: HH:MM today, otherwise a short date. */
export function formatListTime(at: number, now: number): string {
  if (dayKey(at) === dayKey(now)) return formatClock(at);
  return new Date(at).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** What a person reads for a failed call: the message when there is one, else the sentence for its code. */
export function errorText(error: Partial<BatonError> | null | undefined): string {
  const message = typeof error?.message === 'string' ? error.message.trim() : '';
  if (message) return message;
  const code = error?.code as ErrorCode | undefined;
  return (code && errorSentences[code]) || 'Something went wrong. Try again.';
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** The first user-perceived character: a flag, a family emoji or an accented letter stays whole. */
const firstGrapheme = (word: string) => graphemes.segment(word)[Symbol.iterator]().next().value?.segment ?? '';

/** Avatar initials: the first character of the first and last words ("Dana Whitfield" → "DW"), by grapheme. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = firstGrapheme(words[0] ?? '');
  const last = words.length > 1 ? firstGrapheme(words[words.length - 1] ?? '') : '';
  return (first + last).toLocaleUpperCase() || '?';
}

/**
 * Wraps a string someone typed in Unicode isolates (FSI … PDI), for the places a <bdi> cannot go: attributes such
 * as placeholders. An override inside it then ends with it.
 */
export const isolateText = (text: string): string => `\u2068${text}\u2069`;
