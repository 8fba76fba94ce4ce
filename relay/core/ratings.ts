// The customer's satisfaction rating: once the chat has ended, at most once; stored with the chat (a `rated` event,
// and the ratings table the Dashboard figures read) and delivered to its owner like any event.
import type { SessionSummary } from '../../common/domain';
import { change, check, type Decision, type Loaded } from './model';

export function rateChat(session: SessionSummary, score: number, comment: string | null, loaded: Loaded): Decision {
  const rated = (loaded.transcript ?? []).some((event) => event.kind === 'rated');
  const refused = check(
    [session.state === 'closed', 'forbidden', 'A chat can be rated once it has ended.'],
    [!rated, 'forbidden', 'This chat has been rated already.'],
  );
  if (refused) return refused;
  return change(
    session,
    [{ kind: 'rated', score, comment }],
    [{ type: 'log', entry: { event: 'chat-rated', sessionId: session.id, score } }],
  );
}
