// The sentence a transcript shows for each non-message event, in the help page's words. Names, titles and reasons
// that people typed are kept apart as `user` parts, so the UI can isolate each one (<bdi>): a right-to-left override
// in a customer's name cannot reverse the sentence around it.
import type { SessionEvent, TransferEndReason } from '../../common/domain';

/** A piece of a sentence: our words, or a string someone typed. */
export type LinePart = string | { user: string };

const cancelReasons: Record<TransferEndReason, string> = {
  cancelled: '',
  timeout: 'nobody answered in time',
  'target-unavailable': 'the agent is no longer available',
  'taken-over': 'the chat was taken over',
  closed: 'the chat was closed',
};

const u = (text: string): LinePart => ({ user: text });

export function systemLineParts(event: SessionEvent, nameOf: (id: string | null | undefined) => string): LinePart[] {
  switch (event.kind) {
    case 'opened':
      return [u(event.customerName), ' started the chat'];
    case 'assigned':
      return [u(event.agentName), ' joined the chat'];
    case 'message':
      return [u(event.text)];
    case 'transfer-offered':
      return ['Transfer to ', u(nameOf(event.transfer.toId)), ' offered'];
    case 'transfer-accepted':
      return ['Transferred from ', u(event.fromName), ' to ', u(event.toName)];
    case 'transfer-rejected':
      return ['Transfer rejected by ', u(nameOf(event.byId)), ...(event.reason ? [': ', u(event.reason)] : [])];
    case 'transfer-cancelled': {
      const why = cancelReasons[event.reason];
      return [`Transfer cancelled${why ? `: ${why}` : ''}`];
    }
    case 'taken-over':
      return event.fromName ? [u(event.byName), ' took over the chat from ', u(event.fromName)] : [u(event.byName), ' took over the chat'];
    case 'listener-joined':
      return [u(event.agentName), ' started listening'];
    case 'listener-left':
      return [u(event.agentName), ' stopped listening'];
    case 'request-created':
      return ['Request created: ', u(event.request.title)];
    case 'closed':
      return ['Chat closed by ', u(event.by.name)];
    case 'rated':
      return [`The customer rated the chat ${event.score} out of 5`, ...(event.comment ? [': ', u(event.comment)] : [])];
  }
}

export const partText = (part: LinePart): string => (typeof part === 'string' ? part : part.user);
