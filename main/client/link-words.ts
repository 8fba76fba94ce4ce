// The sentences a person reads when the relay cannot be reached or the link drops: "The relay at ws://… did not
// answer." instead of "connect ECONNREFUSED 127.0.0.1:7420". The raw reason stays in the log.

const didNotAnswer = /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|handshake has timed out|did not answer|socket hang up/i;
const noSuchHost = /ENOTFOUND|EAI_AGAIN|EAI_NONAME|getaddrinfo/i;
const certificate = /CERT|certificate|SSL|TLS|self[- ]signed/i;

/** One sentence for why the relay at `relayUrl` is out of reach, from the link's raw reason. */
export function linkFailureSentence(relayUrl: string, reason: string): string {
  const at = `The relay at ${relayUrl.trim()}`;
  if (noSuchHost.test(reason)) return `${at} did not answer: no computer has that name. Check the address.`;
  if (certificate.test(reason)) return `${at} did not answer securely: its certificate is not trusted.`;
  if (didNotAnswer.test(reason)) return `${at} did not answer.`;
  const http = /HTTP (\d{3})/.exec(reason);
  if (http) return `${at} answered with an error (HTTP ${http[1]}). It may be starting up or behind a proxy that is not set up for Baton.`;
  if (/stopped answering/i.test(reason)) return `${at} stopped answering.`;
  if (/bad relay address/i.test(reason)) return `${at} is not a relay address Baton can use.`;
  if (/connection was lost|closed \(\d+\)/i.test(reason)) return `The connection to the relay at ${relayUrl.trim()} was lost.`;
  // the relay's own close reason (e.g. "relay shutting down") is already words a person can read
  return `${at} closed the connection (${reason.replace(/^Could not reach the relay \((.*)\)\.$/, '$1')}).`;
}

/** Why ws:// to another machine needs a confirmation, in one sentence. */
export function unencryptedRelaySentence(relayUrl: string): string {
  return `${relayUrl.trim()} is not encrypted (ws://): your password and every chat would cross the network readable by anyone on the way. Use a wss:// address, or confirm that you want to sign in without encryption.`;
}
