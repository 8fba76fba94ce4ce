// Large answers in pages: the welcome's sessions, replays and fetch-events each carry at most a page (a byte budget
// and an item cap) and a cursor to the rest, which the client asks for when it is ready. No answer is then larger than
// a page, so a chat of any length neither ties up the event loop in one JSON.stringify nor sits in a socket buffer.
import { randomBytes } from 'node:crypto';
import type { SessionEvent, SessionId, SessionSummary } from '../common/domain';
import type { RelayStore } from './ports';

/** Items per page at most. */
export const PAGE_ITEMS = 200;

/** What the runners read of a log, inside the commit, for an agent who joins a chat's audience: its first page. */
export const JOINER_LOG_EVENTS = 100;

/** Bytes of JSON per page by default; an item larger than this still goes, alone, so every page moves on. */
export const DEFAULT_PAGE_BYTES = 256 * 1024;

/** The longest prefix of `items` within the budget and PAGE_ITEMS, never empty unless `items` is. */
export function firstPage<T>(items: readonly T[], maxBytes: number): T[] {
  let bytes = 0;
  let count = 0;
  for (const item of items) {
    if (count >= PAGE_ITEMS) break;
    const size = Buffer.byteLength(JSON.stringify(item));
    if (count > 0 && bytes + size > maxBytes) break;
    bytes += size;
    count += 1;
  }
  return items.slice(0, count);
}

export interface EventsPage {
  events: SessionEvent[];
  /** the `afterSeq` that asks for the next page; null when this page reaches the session's last seq */
  next: number | null;
}

/** A page of events already read (a joiner's log): cut to the budget, with the cursor to what follows. */
export function pageOfEvents(events: readonly SessionEvent[], lastSeq: number, maxBytes: number): EventsPage {
  const page = firstPage(events, maxBytes);
  const last = page.at(-1)?.seq;
  // nothing read means nothing more to read, whatever the summary said a moment ago
  return { events: page, next: last !== undefined && last < lastSeq ? last : null };
}

/** One page of a session's events after `afterSeq`, read from the store. */
export async function readEventsPage(
  store: Pick<RelayStore, 'eventsAfter'>,
  sessionId: SessionId,
  afterSeq: number,
  lastSeq: number,
  maxBytes: number,
): Promise<EventsPage> {
  // read in small chunks until the budget is spent, so a page of big messages does not read PAGE_ITEMS of them
  const read: SessionEvent[] = [];
  let bytes = 0;
  for (let after = afterSeq; read.length < PAGE_ITEMS && bytes < maxBytes; ) {
    const chunk = await store.eventsAfter(sessionId, after, Math.min(READ_CHUNK, PAGE_ITEMS - read.length));
    read.push(...chunk);
    if (chunk.length < READ_CHUNK) break;
    for (const event of chunk) bytes += Buffer.byteLength(JSON.stringify(event));
    after = chunk.at(-1)!.seq;
  }
  return pageOfEvents(read, lastSeq, maxBytes);
}

const READ_CHUNK = 25;

/** The sessions of one connection's welcome that did not fit the welcome, handed out a page per cursor. */
export class SessionPages {
  private cursor: string;

  constructor(
    private rest: SessionSummary[],
    private readonly maxBytes: number,
  ) {
    this.cursor = newCursor();
  }

  /** The cursor that asks for the next page. */
  get next(): string {
    return this.cursor;
  }

  /** The page `cursor` names, and the cursor after it (null on the last); null when the cursor is not the current one. */
  take(cursor: string): { sessions: SessionSummary[]; next: string | null } | null {
    if (cursor !== this.cursor) return null;
    const sessions = firstPage(this.rest, this.maxBytes);
    this.rest = this.rest.slice(sessions.length);
    this.cursor = this.rest.length ? newCursor() : '';
    return { sessions, next: this.rest.length ? this.cursor : null };
  }
}

const newCursor = () => `s_${randomBytes(9).toString('base64url')}`;

/**
 * A welcome with more sessions than fit a page keeps the first page and names the rest by a cursor; the connection
 * keeps the rest (as it was at hello: a change since reaches the connection as a `session` frame anyway).
 */
export function pageWelcome<F extends { type: string }>(frames: F[], maxBytes: number): { frames: F[]; pages: SessionPages | null } {
  const welcome = frames[0] as (F & { type: 'welcome'; sessions: SessionSummary[] }) | undefined;
  if (welcome?.type !== 'welcome') return { frames, pages: null };
  const first = firstPage(welcome.sessions, maxBytes);
  if (first.length === welcome.sessions.length) return { frames, pages: null };
  const pages = new SessionPages(welcome.sessions.slice(first.length), maxBytes);
  return { frames: [{ ...welcome, sessions: first, moreSessions: pages.next }, ...frames.slice(1)], pages };
}
