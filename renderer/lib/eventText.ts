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
    case 'transfer-offered': {
      // who made the offer (a manager may offer on the owner's behalf), to whom (an agent or a team), and the note
      const { transfer } = event;
      const to: LinePart[] = transfer.toId === null ? ['the team ', u(transfer.toTeam?.name ?? '')] : [u(nameOf(transfer.toId))];
      const offer: LinePart[] =
        transfer.offeredBy === transfer.fromId
          ? ['Transfer to ', ...to, ' offered']
          : ['Transfer to ', ...to, ' offered by ', u(nameOf(transfer.offeredBy)), ' for ', u(nameOf(transfer.fromId))];
      return transfer.note ? [...offer, ' · Note: ', u(transfer.note)] : offer;
    }
    case 'transfer-passed':
      return event.why === 'rejected'
        ? [u(nameOf(event.agentId)), ' passed on the transfer', ...(event.reason ? [': ', u(event.reason)] : [])]
        : [u(nameOf(event.agentId)), ' is no longer available for the transfer'];
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
    case 'note':
      return ['Note from ', u(event.author.name), ': ', u(event.text)];
    case 'request-created':
      return ['Request created: ', u(event.request.title)];
    case 'request-updated':
      return requestUpdateParts(event, nameOf);
    case 'request-solved':
      return ['The customer was told the request ', u(event.title), ' is solved'];
    case 'closed':
      return ['Chat closed by ', u(event.by.name)];
    case 'rated':
      return [`The customer rated the chat ${event.score} out of 5`, ...(event.comment ? [': ', u(event.comment)] : [])];
  }
}

const statusWords = { open: 'open', pending: 'pending', solved: 'solved' } as const;

function requestUpdateParts(event: Extract<SessionEvent, { kind: 'request-updated' }>, nameOf: (id: string | null | undefined) => string): LinePart[] {
  const assignee = event.assigneeId ? [', assigned to ', u(nameOf(event.assigneeId))] : [', unassigned'];
  return [u(event.byName), ` set the request to ${statusWords[event.status]}`, ...assignee];
}

export const partText = (part: LinePart): string => (typeof part === 'string' ? part : part.user);
