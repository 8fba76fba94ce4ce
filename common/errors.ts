// Stable error codes shared by the relay, the client core and the UI, with the sentence a person reads. The table itself
// is in error-codes.ts (no zod, so the customer chat page bundles it); this module adds the schema.
import { z } from 'zod';

export { customerErrorSentence, tooLargeSentence } from './error-codes';

export const errorCodes = [
  // framing and transport
  'bad-frame',
  'too-large',
  'rate-limited',
  'unsupported-protocol',
  'unauthorized',
  'not-connected',
  'timeout',
  'internal',
  'unavailable',
  'queue-full',
  /** a new chat without the e-mail address the relay's widget settings require */
  'email-required',
  // permissions and state machine
  'forbidden',
  'not-found',
  'session-closed',
  'not-owner',
  'not-target',
  'not-offerer',
  'not-listener',
  'not-present',
  'self-transfer',
  'unknown-agent',
  'transfer-pending',
  'transfer-not-pending',
  'already-owner',
  'already-listening',
  'cannot-listen',
  'not-manager',
  // teams and administration
  'unknown-team',
  'team-unavailable',
  'already-exists',
  'last-manager',
  'not-in-chat',
  // uploads
  'unsupported-type',
  'conflict',
  // client side
  'invalid-argument',
  'offline',
  'cache-newer-version',
  'cache-unavailable',
] as const;

export const ErrorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** What the UI shows for a code when it has nothing more specific to say. */
export const errorSentences: Record<ErrorCode, string> = {
  'bad-frame': 'The relay could not read that request.',
  'too-large': 'That was too large to send.',
  'rate-limited': 'Too many requests at once. Wait a moment and try again.',
  'unsupported-protocol': 'This version of Baton cannot talk to that relay. Update Baton or the relay.',
  unauthorized: 'Wrong user name or password.',
  'not-connected': 'Not connected to the relay.',
  timeout: 'The relay did not answer in time.',
  internal: 'Something went wrong on the relay. Try again.',
  unavailable: 'The relay cannot save anything right now. Nothing was changed; try again in a moment.',
  'queue-full': 'All agents are busy and the queue of waiting chats is full. Try again in a few minutes.',
  'email-required': "This relay needs the customer's e-mail address to start a chat.",
  forbidden: 'You are not allowed to do that.',
  'not-found': 'That chat no longer exists.',
  'session-closed': 'That chat has been closed.',
  'not-owner': 'Only the agent who owns this chat can do that.',
  'not-target': 'This transfer was offered to someone else.',
  'not-offerer': 'Only the agent who offered this transfer can cancel it.',
  'not-listener': 'You are not listening to this chat.',
  'not-present': 'That agent is not Present.',
  'self-transfer': 'You cannot transfer a chat to yourself.',
  'unknown-agent': 'There is no such agent.',
  'transfer-pending': 'This chat already has a transfer waiting for an answer.',
  'transfer-not-pending': 'This transfer is no longer waiting for an answer.',
  'already-owner': 'You already own this chat.',
  'already-listening': 'You are already listening to this chat.',
  'cannot-listen': 'You do not have permission to listen in on chats.',
  'not-manager': 'Only a manager can do that.',
  'unknown-team': 'There is no such team.',
  'team-unavailable': 'Nobody in that team is Present with room for another chat right now.',
  'already-exists': 'That name is taken already.',
  'last-manager': 'At least one manager who can sign in must remain.',
  'not-in-chat': 'Only the agents in this chat, and managers, can do that.',
  'unsupported-type': 'That kind of file cannot be sent.',
  conflict: 'That was already sent with other content.',
  'invalid-argument': 'That request was not valid.',
  offline: 'You are offline. This needs a connection to the relay.',
  'cache-newer-version':
    'The local chat cache was written by a newer version of Baton. Update Baton to open it.',
  'cache-unavailable': 'The local chat cache could not be opened.',
};

