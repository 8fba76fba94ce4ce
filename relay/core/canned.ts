// Canned replies: who may write which. Shared replies are kept by managers; a personal reply only by its owner.
import type { CannedReply } from '../../common/domain';
import type { AgentCommandOf } from '../../common/protocol';
import type { Result } from '../../common/result';
import { ok } from '../../common/result';
import type { Account } from '../ports';
import { check, type Facts } from './model';

/** The reply as it should be stored, or why not. `existing` is the stored reply the command names, if any. */
export function saveCanned(
  existing: CannedReply | null,
  actor: Account,
  command: AgentCommandOf<'save-canned'>,
  facts: Pick<Facts, 'now' | 'newId'>,
): Result<CannedReply> {
  const refused = check(
    [command.replyId === undefined || existing !== null, 'not-found', 'That reply no longer exists.'],
    [existing === null || existing.scope === command.scope, 'forbidden', 'A reply stays shared or personal; create a new one instead.'],
    [command.scope === 'personal' || actor.role === 'manager', 'not-manager', 'Only a manager can change the shared replies.'],
    [existing === null || mayChange(existing, actor), 'forbidden', 'That reply belongs to another agent.'],
  );
  if (refused) return refused;
  return ok({
    id: existing?.id ?? facts.newId('cr'),
    scope: command.scope,
    ownerId: command.scope === 'personal' ? actor.id : null,
    title: command.title,
    text: command.text,
    updatedAt: facts.now,
    updatedBy: actor.id,
  });
}

export function mayChange(reply: CannedReply, actor: Account): boolean {
  return reply.scope === 'shared' ? actor.role === 'manager' : reply.ownerId === actor.id;
}

/** Who sees a reply: everyone for a shared one, its owner for a personal one. */
export function seesCanned(reply: CannedReply, agentId: string): boolean {
  return reply.scope === 'shared' || reply.ownerId === agentId;
}
