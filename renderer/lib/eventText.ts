// The sentence a transcript shows for each non-message event, in the help page's words.
import type { SessionEvent, TransferEndReason } from '../../common/domain';

const cancelReasons: Record<TransferEndReason, string> = {
  cancelled: '',
  timeout: 'nobody answered in time',
  'target-unavailable': 'the agent is no longer available',
  'taken-over': 'the chat was taken over',
  closed: 'the chat was closed',
};

export function systemLineText(event: SessionEvent, nameOf: (id: string | null | undefined) => string): string {
  switch (event.kind) {
    case 'opened':
      return `${event.customerName} started the chat`;
    case 'assigned':
      return `${event.agentName} joined the chat`;
    case 'message':
      return event.text;
    case 'transfer-offered':
      return `Transfer to ${nameOf(event.transfer.toId)} offered`;
    case 'transfer-accepted':
      return `Transferred from ${event.fromName} to ${event.toName}`;
    case 'transfer-rejected':
      return `Transfer rejected by ${nameOf(event.byId)}${event.reason ? `: ${event.reason}` : ''}`;
    case 'transfer-cancelled': {
      const why = cancelReasons[event.reason];
      return `Transfer cancelled${why ? `: ${why}` : ''}`;
    }
    case 'taken-over':
      return event.fromName
        ? `${event.byName} took over the chat from ${event.fromName}`
        : `${event.byName} took over the chat`;
    case 'listener-joined':
      return `${event.agentName} started listening`;
    case 'listener-left':
      return `${event.agentName} stopped listening`;
    case 'request-created':
      return `Request created: ${event.request.title}`;
    case 'closed':
      return `Chat closed by ${event.by.name}`;
  }
}
