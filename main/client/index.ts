// The agent client core's public surface: what the Electron shell and web mode wrap.
export {
  type AgentClient,
  type AgentClientOptions,
  createAgentClient,
  type PasswordVault,
} from './agent-client';
export { CacheError } from './cache';
export type { RelayLinkTuning } from './relay-link';
