// Notification policy: turns session changes and live events into notification intents, and closes offer notifications when the offer ends.
import type { ClientEvent, NotificationIntent, Settings } from '../../common/bridge';
import { offerEndedSentence } from '../../common/attention';
import { type AgentId, isOfferedTo, type SessionEvent, type SessionSummary } from '../../common/domain';

export interface NotificationContext {
  me: AgentId | null;
  settings: Settings;
  agentName: (id: AgentId) => string;
}

const BODY_MAX = 200;

/**
 * Embedding, override and isolate controls (and the marks) in a customer's name or message would reorder the rest
 * of the notification ("Mallory tahc eht detrats"): OS notifications cannot isolate a part, so they are removed.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
export const stripBidiControls = (text: string): string => text.replace(BIDI_CONTROLS, '');

const clip = (text: string) => {
  const plain = stripBidiControls(text);
  return plain.length > BODY_MAX ? `${plain.slice(0, BODY_MAX - 1)}…` : plain;
};

/**
 * A chat that was unknown or queued and now has me as its active owner may be a new chat for me: it is one when
 * routing assigned it (see `gotByRouting`), not when I took it over or accepted it (I asked for it).
 */
export function becameMyNewChat(session: SessionSummary, previous: SessionSummary | undefined, me: AgentId | null): boolean {
  const isNew = !previous || previous.ownerId === null;
  return isNew && me !== null && session.ownerId === me && session.state === 'active';
}

/** Whether the latest change of owner in a log (newest last) was routing giving the chat to me. */
export function gotByRouting(events: readonly SessionEvent[], me: AgentId): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'assigned') return event.agentId === me;
    if (event.kind === 'taken-over' || event.kind === 'transfer-accepted') return false;
  }
  return false;
}

export const offerNotificationId = (transferId: string) => `transfer-${transferId}`;

export class NotificationPolicy {
  /** open offer notifications: notification id → session id */
  private readonly openOffers = new Map<string, string>();

  /**
   * New or changed summaries. `complete` means the list is every session the agent may see (a welcome), so an
   * offer notification whose session is missing has ended too.
   */
  sessionsChanged(sessions: readonly SessionSummary[], ctx: NotificationContext, complete = false): ClientEvent[] {
    const out: ClientEvent[] = [];
    const seen = new Set<string>();
    for (const session of sessions) {
      seen.add(session.id);
      out.push(...this.offerChanges(session, ctx));
    }
    if (complete) {
      for (const [id, sessionId] of this.openOffers) if (!seen.has(sessionId)) out.push(this.close(id));
    }
    return out;
  }

  /**
   * One live summary change. A chat that was unknown or queued and now has me as owner is a new chat; one that
   * reaches me by transfer or takeover is not (I asked for it).
   */
  sessionChanged(session: SessionSummary, _previous: SessionSummary | undefined, ctx: NotificationContext): ClientEvent[] {
    return this.offerChanges(session, ctx);
  }

  /** Routing gave me this chat (decided by the client from the log). */
  newChat(session: SessionSummary, ctx: NotificationContext): ClientEvent[] {
    if (!ctx.settings.notifyNewChats) return [];
    const last = session.lastMessage;
    return [
      {
        type: 'notification',
        notification: {
          id: `chat-${session.id}`,
          kind: 'new-chat',
          title: clip(`New chat with ${session.customerName}`),
          body: clip(last && last.authorKind === 'customer' ? last.text : `${session.customerName} is waiting for an answer.`),
          sessionId: session.id,
          transferId: null,
        },
      },
    ];
  }

  private offerChanges(session: SessionSummary, ctx: NotificationContext): ClientEvent[] {
    const out: ClientEvent[] = [];
    const offer = session.pendingTransfer;
    const liveId = offer && ctx.me !== null && isOfferedTo(offer, ctx.me) && session.state !== 'closed' ? offerNotificationId(offer.id) : null;
    for (const [id, sessionId] of this.openOffers) {
      if (sessionId === session.id && id !== liveId) out.push(this.close(id));
    }
    if (offer && liveId && !this.openOffers.has(liveId)) {
      this.openOffers.set(liveId, session.id);
      const last = session.lastMessage;
      // a manager offering on the owner's behalf is named: the offer is theirs
      const from =
        offer.offeredBy === offer.fromId
          ? ctx.agentName(offer.fromId)
          : `${ctx.agentName(offer.offeredBy)} (for ${ctx.agentName(offer.fromId)})`;
      const notification: NotificationIntent = {
        id: liveId,
        kind: 'transfer-offer',
        title: clip(`Transfer from ${from}`),
        // the last line is attributed to whoever wrote it: the customer, or an agent
        body: clip(last ? `${last.authorName}: ${last.text}` : session.customerName),
        sessionId: session.id,
        transferId: offer.id,
      };
      out.push({ type: 'notification', notification });
    }
    return out;
  }

  /** Events in the log, live or replayed: an ended offer closes its notification wherever it ended. */
  eventsStored(events: readonly SessionEvent[]): ClientEvent[] {
    const out: ClientEvent[] = [];
    for (const event of events) {
      if (event.kind === 'transfer-accepted' || event.kind === 'transfer-rejected' || event.kind === 'transfer-cancelled') {
        const id = offerNotificationId(event.transferId);
        if (this.openOffers.has(id)) out.push(this.close(id));
      }
    }
    return out;
  }

  /** A live event (never a replay: history is not news). */
  liveEvent(event: SessionEvent, session: SessionSummary | undefined, ctx: NotificationContext): ClientEvent[] {
    if (!ctx.me) return [];
    if (event.kind === 'note' && event.author.id !== ctx.me && session?.ownerId === ctx.me && ctx.settings.notifyMessages) {
      // a whisper to the owner from a listener, or a note from a manager
      return [
        {
          type: 'notification',
          notification: {
            id: `note-${event.sessionId}-${event.seq}`,
            kind: 'note',
            title: clip(`Note from ${event.author.name}`),
            body: clip(event.text),
            sessionId: event.sessionId,
            transferId: null,
          },
        },
      ];
    }
    const offer = session?.pendingTransfer;
    if (event.kind === 'transfer-cancelled' && offer?.id === event.transferId && offer.toId === ctx.me) {
      // the summary before this change: the offer it ends was mine to answer
      const sentence = offerEndedSentence(event.reason, event.byId ? ctx.agentName(event.byId) : '', session!.customerName);
      if (!sentence) return [];
      return [
        {
          type: 'notification',
          notification: {
            id: `transfer-ended-${event.transferId}`,
            kind: 'transfer-ended',
            title: 'Transfer cancelled',
            body: clip(sentence),
            sessionId: event.sessionId,
            transferId: event.transferId,
          },
        },
      ];
    }
    if (
      event.kind === 'message' &&
      event.author.kind === 'customer' &&
      session?.ownerId === ctx.me &&
      ctx.settings.notifyMessages
    ) {
      return [
        {
          type: 'notification',
          notification: {
            id: `message-${event.sessionId}-${event.seq}`,
            kind: 'message',
            title: clip(event.author.name || session.customerName),
            body: clip(event.text),
            sessionId: event.sessionId,
            transferId: null,
          },
        },
      ];
    }
    return [];
  }

  /** Sign-out: nothing stays on screen. */
  closeAll(): ClientEvent[] {
    return [...this.openOffers.keys()].map((id) => this.close(id));
  }

  private close(id: string): ClientEvent {
    this.openOffers.delete(id);
    return { type: 'notification-closed', id };
  }
}
