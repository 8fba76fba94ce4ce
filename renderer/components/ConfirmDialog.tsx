// The question asked before what cannot be undone: taking over a chat, closing a chat, deleting a canned reply.
import { confirmationAnswered } from '../store/actions';
import { selectCannedReplies } from '../store/canned';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectConfirmation } from '../store/notices';
import { selectAgentNames } from '../store/presence';
import { selectSessionEntities } from '../store/sessions';
import { chatMenuButton, Dialog } from './Dialog';

export function ConfirmDialog() {
  const dispatch = useAppDispatch();
  const asked = useAppSelector(selectConfirmation);
  const sessions = useAppSelector(selectSessionEntities);
  const replies = useAppSelector(selectCannedReplies);
  const nameOf = useAppSelector(selectAgentNames);
  if (!asked) return null;
  const answer = (yes: boolean) => dispatch(confirmationAnswered(yes));
  let title: string;
  let lead: React.ReactNode;
  let action: string;
  let danger = false;
  if (asked.kind === 'delete-canned') {
    const reply = replies.find((r) => r.id === asked.replyId);
    title = 'Delete this reply?';
    action = 'Delete';
    danger = true;
    lead = (
      <>
        <bdi>{reply?.title ?? 'The reply'}</bdi>{' '}
        {reply?.scope === 'shared' ? 'is removed for every agent.' : 'is removed from your replies.'}
      </>
    );
  } else {
    const session = sessions[asked.sessionId];
    const customer = session?.customerName ?? 'the customer';
    const owner = session?.ownerId ? nameOf(session.ownerId) : null;
    if (asked.kind === 'take-over') {
      title = 'Take over this chat?';
      action = 'Take over';
      lead = owner ? (
        <>
          You become the owner of the chat with <bdi>{customer}</bdi> at once. <bdi>{owner}</bdi> keeps listening but can no
          longer write to the customer.
        </>
      ) : (
        <>
          You become the owner of the chat with <bdi>{customer}</bdi> at once.
        </>
      );
    } else {
      title = 'Close this chat?';
      action = 'Close chat';
      danger = true;
      lead = (
        <>
          <bdi>{customer}</bdi> is told the chat has ended, and it cannot go on. It stays readable in History.
        </>
      );
    }
  }
  return (
    <Dialog title={title} onClose={() => answer(false)} fallbackFocus={chatMenuButton} className="confirm-dialog">
      <p className="dialog-lead">{lead}</p>
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={() => answer(true)} data-autofocus>
          {action}
        </button>
      </div>
    </Dialog>
  );
}
