// Turns a publication into frames for this process's connections: the same on every node of a cluster, so what an
// agent or a customer receives does not depend on where the change was committed. Customers get their own view of
// each event (customerView): display names and what the chat page shows, nothing of the agents' side.
import { type AgentId, customerVisibleKinds, type SessionEvent } from '../common/domain';
import type { CustomerEvent, CustomerFrame, RelayFrame } from '../common/protocol';
import { audience } from './core/model';
import { DEFAULT_PAGE_BYTES, firstPage, pageOfEvents } from './paging';
import type { LocalSockets, Publication } from './ports';

type SessionPublication = Extract<Publication, { kind: 'session' }>;
const NOBODY: ReadonlySet<AgentId> = new Set();

/**
 * What the customer is shown of an event, or null for the kinds kept among agents. Login ids (which are sign-in
 * names), who filed a request and its internal description never leave the relay towards a customer.
 */
export function customerView(event: SessionEvent): CustomerEvent | null {
  if (!customerVisibleKinds.has(event.kind)) return null;
  const { sessionId, seq, at } = event;
  const base = { sessionId, seq, at };
  switch (event.kind) {
    case 'opened':
      return { ...base, kind: 'opened', customerName: event.customerName };
    case 'assigned':
      return { ...base, kind: 'assigned', agentName: event.agentName };
    case 'message': {
      // the hot path: one object, fields in a fixed order, no spreads
      const seen: CustomerEvent = {
        sessionId,
        seq,
        at,
        kind: 'message',
        messageId: event.messageId,
        author: { kind: event.author.kind, name: event.author.name },
        text: event.text,
      };
      if (event.attachments) seen.attachments = event.attachments;
      if (event.writtenAt !== undefined) seen.writtenAt = event.writtenAt;
      return seen;
    }
    case 'transfer-accepted':
      return { ...base, kind: 'transfer-accepted', fromName: event.fromName, toName: event.toName };
    case 'taken-over':
      return { ...base, kind: 'taken-over', byName: event.byName, fromName: event.fromName };
    case 'request-created':
      return { ...base, kind: 'request-created', request: { title: event.request.title } };
    case 'request-solved':
      return { ...base, kind: 'request-solved', title: event.title };
    case 'closed':
      return { ...base, kind: 'closed', by: { kind: event.by.kind, name: event.by.name } };
    default:
      return null;
  }
}

export function deliverSession(p: SessionPublication, sockets: LocalSockets, pageBytes = DEFAULT_PAGE_BYTES): void {
  const { session, events } = p;
  const { was } = p;
  const now = audience(session);
  // a message leaves the audience as it was (the common case, checked without Sets); both lists are short
  const same = was.length === now.length && now.every((a) => was.includes(a));
  const joiners: ReadonlySet<AgentId> = same ? NOBODY : new Set(now.filter((a) => !was.includes(a)));
  const told: readonly AgentId[] = same ? now : [...new Set([...was, ...now])];
  // one frame object per event, so the sockets can serialise it once for every recipient
  const eventFrames = events.map((event) => ({ type: 'event', event }) as const);
  for (const agentId of told) {
    if (joiners.has(agentId)) continue;
    for (const frame of eventFrames) sockets.toAgent(agentId, frame);
  }
  for (const event of events) {
    const seen = customerView(event);
    if (seen) sockets.toCustomer(session.id, { type: 'event', event: seen });
  }
  const summaryFrame: RelayFrame = { type: 'session', session };
  // a message changes only what follows from it (last message, seq, waiting time): the audience folds the event
  // itself (common/domain.ts `fold`), so it is not sent a summary as well; dashboards, which get no events, still are
  const folds = events.length > 0 && events.every((event) => event.kind === 'message');
  if (!folds) for (const agentId of told) if (!joiners.has(agentId)) sockets.toAgent(agentId, summaryFrame);
  for (const agentId of sockets.dashboardViewers()) if (!told.includes(agentId)) sockets.toAgent(agentId, summaryFrame);
  if (joiners.size) {
    // joiners get the summary and the conversation so far (which includes this change's events), a page of it: the
    // runner read the log's first page, and `next` sends the joiner's client to fetch-events for the rest
    const page = p.log ? pageOfEvents(p.log, session.lastSeq, pageBytes) : { events, next: null };
    const replay: RelayFrame = {
      type: 'replay',
      sessionId: session.id,
      events: page.events,
      ...(page.next === null ? {} : { next: page.next }),
    };
    for (const agentId of joiners) {
      sockets.toAgent(agentId, summaryFrame);
      sockets.toAgent(agentId, replay);
    }
  }
  if (p.endCustomer) sockets.endCustomer(session.id);
}

/** A customer's resume: the visible events in their view, as replays of at most a page each. */
export function customerReplays(sessionId: string, events: readonly SessionEvent[], pageBytes = DEFAULT_PAGE_BYTES): CustomerFrame[] {
  const seen = events.flatMap((event) => customerView(event) ?? []);
  const frames: CustomerFrame[] = [];
  for (let rest = seen; rest.length; ) {
    const page = firstPage(rest, pageBytes);
    frames.push({ type: 'replay', sessionId, events: page });
    rest = rest.slice(page.length);
  }
  return frames;
}

export function deliverTyping(p: Extract<Publication, { kind: 'typing' }>, sockets: LocalSockets): void {
  for (const agentId of p.agents) sockets.toAgent(agentId, p.frame);
  if (p.customer) {
    const { type, sessionId, name, active } = p.frame;
    sockets.toCustomer(sessionId, { type, sessionId, who: 'agent', name, active });
  }
}

export function deliverRequest(p: Extract<Publication, { kind: 'request' }>, sockets: LocalSockets): void {
  const frame: RelayFrame = { type: 'request', request: p.request };
  for (const agentId of new Set<AgentId>(p.to)) sockets.toAgent(agentId, frame);
}

export function deliverQueue(p: Extract<Publication, { kind: 'queue' }>, sockets: LocalSockets): void {
  for (const place of p.positions) sockets.toCustomer(place.sessionId, { type: 'queue', ...place });
}
