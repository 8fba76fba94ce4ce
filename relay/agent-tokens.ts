// Sign-in tokens: a connection that signed in with the password is given one in its welcome, and the client's next
// connections (a network blink, the relay restarting) present it instead of the password. Checking it is one hash and
// one indexed read, where the password costs a scrypt on the sign-in threads: a restart that brings every agent back
// at once is no longer a queue of thousands of scrypts. 32 random bytes, so the hash needs no salt nor slowness; only
// the hash is stored. A new password, a disabled or a removed account drops the agent's tokens (the stores do it with
// the change), and they expire after a shift.
import { createHash, randomBytes } from 'node:crypto';
import type { AgentId } from '../common/domain';
import type { RelayStore } from './ports';

/** how long a token lets an agent's connections back in without the password */
export const AGENT_TOKEN_TTL_MS = 12 * 60 * 60_000;

export const agentTokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A new token for the agent, kept (as its hash) until it expires. */
export async function issueAgentToken(store: Pick<RelayStore, 'issueAgentToken'>, agentId: AgentId, now: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await store.issueAgentToken(agentTokenHash(token), agentId, now, now + AGENT_TOKEN_TTL_MS);
  return token;
}

/** `Authorization: Bearer <token>`: the token, or null for any other header. */
export function parseBearer(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header.trim());
  return match ? match[1]! : null;
}
