// What a customer reads for an error code (errors.ts holds the codes and the agents' sentences): the chat page's voice.
// No imports, so the customer chat page bundles it whole.

/** What a customer reads for a code: the chat page's voice, with no talk of relays or agents' permissions. */
const customerSentences: Record<string, string> = {
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
  'queue-full': 'All our agents are busy and the queue is full. Please try again in a few minutes.',
  'email-required': 'Enter your e-mail address, so we can answer you.',
};

export function customerErrorSentence(code: string): string {
  return customerSentences[code] ?? 'Something went wrong. Please try again.';
}

const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** Why a file was refused for its size, said the same way by the relay, the agents' client and the customer page. */
export function tooLargeSentence(size: number, max: number): string {
  const shown = megabytes(size) === megabytes(max) ? `just over ${megabytes(max)}` : megabytes(size);
  return `That file is ${shown}; files up to ${megabytes(max)} can be sent.`;
}
