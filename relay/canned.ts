// Canned replies on the relay: listed, saved and deleted for an agent (the rules are relay/core/canned.ts), stored
// in the RelayStore, and told to whoever sees them: shared replies to every agent, personal ones to their owner.
import type { AgentCommandOf } from '../common/protocol';
import { ok, type Result } from '../common/result';
import { mayChange, saveCanned } from './core/canned';
import { refuse } from './core/model';
import type { Account, Clock, Fanout, Ids, LocalSockets, Log, Publication, RelayStore } from './ports';

export interface CannedRepliesDeps {
  store: RelayStore;
  fanout: Fanout;
  clock: Clock;
  ids: Ids;
  log: Log;
}

export class CannedReplies {
  constructor(private readonly deps: CannedRepliesDeps) {}

  async list(actor: Account): Promise<Result<unknown>> {
    return ok({ replies: await this.deps.store.listCannedReplies(actor.id) });
  }

  async save(actor: Account, command: AgentCommandOf<'save-canned'>): Promise<Result<unknown>> {
    const { store, clock, ids } = this.deps;
    const existing = command.replyId ? await store.getCannedReply(command.replyId) : null;
    const decided = saveCanned(existing, actor, command, { now: clock.now(), newId: (prefix) => ids.id(prefix) });
    if (!decided.ok) return decided;
    const reply = decided.value;
    await store.putCannedReply(reply);
    this.deps.log({ event: existing ? 'canned-reply-changed' : 'canned-reply-created', replyId: reply.id, scope: reply.scope, by: actor.id });
    this.deps.fanout.publish({ kind: 'canned', reply, deleted: false });
    return ok({ reply });
  }

  async delete(actor: Account, command: AgentCommandOf<'delete-canned'>): Promise<Result<unknown>> {
    const { store } = this.deps;
    const reply = await store.getCannedReply(command.replyId);
    if (!reply) return refuse('not-found', 'That reply no longer exists.');
    if (!mayChange(reply, actor)) {
      return reply.scope === 'shared'
        ? refuse('not-manager', 'Only a manager can change the shared replies.')
        : refuse('forbidden', 'That reply belongs to another agent.');
    }
    await store.deleteCannedReply(reply.id);
    this.deps.log({ event: 'canned-reply-deleted', replyId: reply.id, scope: reply.scope, by: actor.id });
    this.deps.fanout.publish({ kind: 'canned', reply, deleted: true });
    return ok(undefined);
  }
}

/** A changed reply reaches whoever sees it: every agent for a shared one, the owner's connections for a personal one. */
export function deliverCanned(p: Extract<Publication, { kind: 'canned' }>, sockets: LocalSockets): void {
  const frame = p.deleted
    ? ({ type: 'canned-reply-deleted', replyId: p.reply.id } as const)
    : ({ type: 'canned-reply', reply: p.reply } as const);
  if (p.reply.scope === 'shared') sockets.toAllAgents(frame);
  else if (p.reply.ownerId) sockets.toAgent(p.reply.ownerId, frame);
}
