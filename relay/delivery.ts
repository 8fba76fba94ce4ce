// Turns a publication into frames for this process's connections: the same on every node of a cluster, so what an
// agent or a customer receives does not depend on where the change was committed.
import { type AgentId, customerVisibleKinds } from '../common/domain';
import type { RelayFrame } from '../common/protocol';
import { audience } from './core/model';
import type { LocalSockets, Publication } from './ports';

type SessionPublication = Extract<Publication, { kind: 'session' }>;

export function deliverSession(p: SessionPublication, sockets: LocalSockets): void {
  const { session, events } = p;
  const was = new Set(p.was);
  const now = audience(session);
  const joiners = new Set(now.filter((a) => !was.has(a)));
  const told = new Set([...was, ...now]);
  // one frame object per event, so the sockets can serialise it once for every recipient
  const eventFrames = events.map((event) => ({ type: 'event', event }) as const);
  for (const agentId of told) {
    if (joiners.has(agentId)) continue;
    for (const frame of eventFrames) sockets.toAgent(agentId, frame);
  }
  for (const frame of eventFrames) {
    if (customerVisibleKinds.has(frame.event.kind)) sockets.toCustomer(session.id, frame);
  }
  const summaryFrame: RelayFrame = { type: 'session', session };
  // a message changes only what follows from it (last message, seq, waiting time): the audience folds the event
  // itself (common/domain.ts `fold`), so it is not sent a summary as well; dashboards, which get no events, still are
  const folds = events.length > 0 && events.every((event) => event.kind === 'message');
  if (!folds) for (const agentId of told) if (!joiners.has(agentId)) sockets.toAgent(agentId, summaryFrame);
  for (const agentId of sockets.dashboardViewers()) if (!told.has(agentId)) sockets.toAgent(agentId, summaryFrame);
  if (joiners.size) {
    // joiners get the summary and the conversation so far, which includes this change's events
    const replay: RelayFrame = { type: 'replay', sessionId: session.id, events: p.log ?? events };
    for (const agentId of joiners) {
      sockets.toAgent(agentId, summaryFrame);
      sockets.toAgent(agentId, replay);
    }
  }
  if (p.endCustomer) sockets.endCustomer(session.id);
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
