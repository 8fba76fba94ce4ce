// The stable error codes and the sentence a person reads for each: agents' (errorSentences) and customers'
// (customerErrorSentence, in the chat page's voice). No imports, so the customer chat page bundles it whole.

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
  // client side
  'invalid-argument',
  'offline',
  'cache-newer-version',
  'cache-unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

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
  'invalid-argument': 'That request was not valid.',
  offline: 'You are offline. This needs a connection to the relay.',
  'cache-newer-version':
    'The local chat cache was written by a newer version of Baton. Update Baton to open it.',
  'cache-unavailable': 'The local chat cache could not be opened.',
};

/** What a customer reads for a code: the chat page's voice, with no talk of relays or agents' permissions. */
const customerSentences: Partial<Record<ErrorCode, string>> = {
  'bad-frame': 'The chat service could not read that. Please try again.',
  'too-large': 'That message is too long to send.',
  'rate-limited': 'You are sending messages very quickly. Wait a moment and try again.',
  'unsupported-protocol': 'This chat page is out of date. Reload the page to continue.',
  'session-closed': 'This chat has ended.',
  'not-found': 'We could not find your earlier chat. Start a new one below.',
  unauthorized: 'We could not find your earlier chat. Start a new one below.',
  forbidden: 'That is not allowed in this chat.',
  'invalid-argument': 'That could not be sent. Check your message and try again.',
  internal: 'Something went wrong on our side. Please try again.',
  unavailable: 'Something went wrong on our side. Please try again.',
  timeout: 'The chat service did not answer in time. Please try again.',
};

export function customerErrorSentence(code: string): string {
  return customerSentences[code as ErrorCode] ?? 'Something went wrong. Please try again.';
}
