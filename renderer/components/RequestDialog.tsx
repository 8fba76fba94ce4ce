// The Create request dialog: a title (prefilled from the customer) and a description, created from a chat.
import { type FormEvent, useId, useState } from 'react';
import type { SessionSummary } from '../../common/domain';
import { requestDialogClosed, requestSubmitted } from '../store/actions';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectRequestDialogSessionId } from '../store/requests';
import { selectSessionById } from '../store/sessions';
import { selectBusy, selectError } from '../store/ui';
import { chatMenuButton, Dialog, ErrorNote } from './Dialog';

function RequestForm({ session }: { session: SessionSummary }) {
  const dispatch = useAppDispatch();
  const busy = useAppSelector((s) => selectBusy(s, 'requestDialog'));
  const error = useAppSelector((s) => selectError(s, 'requestDialog'));
  const [title, setTitle] = useState(`Chat with ${session.customerName}`);
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const titleId = useId();
  const descriptionId = useId();
  const close = () => dispatch(requestDialogClosed());
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) {
      setProblem('A request needs a title.');
      return;
    }
    setProblem(null);
    dispatch(requestSubmitted({ sessionId: session.id, title: title.trim(), ...(description.trim() ? { description } : {}) }));
  };
  return (
    <Dialog title="Create request" onClose={close} fallbackFocus={chatMenuButton}>
      <form onSubmit={submit} className="stack">
        <p className="dialog-lead">The conversation so far is attached to the request.</p>
        <label className="field" htmlFor={titleId}>
          <span>Title</span>
        </label>
        <input id={titleId} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} data-autofocus />
        <label className="field" htmlFor={descriptionId}>
          <span>Description</span>
        </label>
        <textarea id={descriptionId} rows={4} maxLength={5000} value={description} onChange={(e) => setDescription(e.target.value)} />
        <ErrorNote text={problem ?? error} />
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Create request
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function RequestDialog() {
  const sessionId = useAppSelector(selectRequestDialogSessionId);
  const session = useAppSelector((s) => selectSessionById(s, sessionId));
  if (!session) return null;
  return <RequestForm key={session.id} session={session} />;
}
