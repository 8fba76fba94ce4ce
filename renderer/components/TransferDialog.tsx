// The Transfer chat dialog: a live list of Present agents to transfer to, an optional note, Transfer/Cancel.
import { type KeyboardEvent, useId } from 'react';
import { offerSubmitted, transferDialogClosed, transferNoteChanged, transferTargetChosen } from '../store/actions';
import { selectOnline } from '../store/connection';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectSessionById } from '../store/sessions';
import { selectChosenTarget, selectTransferDialog, selectTransferTargets } from '../store/transfers';
import { selectBusy, selectError } from '../store/ui';
import { chatMenuButton, Dialog, ErrorNote } from './Dialog';
import { initials } from '../lib/format';

export function TransferDialog() {
  const dispatch = useAppDispatch();
  const dialog = useAppSelector(selectTransferDialog);
  const session = useAppSelector((s) => selectSessionById(s, dialog?.sessionId));
  const targets = useAppSelector(selectTransferTargets);
  const chosen = useAppSelector(selectChosenTarget);
  const busy = useAppSelector((s) => selectBusy(s, 'transferDialog'));
  const error = useAppSelector((s) => selectError(s, 'transferDialog'));
  const online = useAppSelector(selectOnline);
  const listLabelId = useId();
  const noteId = useId();
  if (!dialog || !session) return null;

  const close = () => dispatch(transferDialogClosed());
  const onListKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const at = chosen ? targets.findIndex((a) => a.id === chosen.id) : -1;
    const next = targets[event.key === 'ArrowDown' ? Math.min(targets.length - 1, at + 1) : Math.max(0, at - 1)];
    if (next) dispatch(transferTargetChosen(next.id));
  };
  const submit = () => {
    if (!chosen) return;
    dispatch(offerSubmitted({ sessionId: session.id, to: chosen.id, ...(dialog.note.trim() ? { note: dialog.note } : {}) }));
  };

  return (
    <Dialog title="Transfer chat" onClose={close} fallbackFocus={chatMenuButton} className="transfer-dialog">
      <p className="dialog-lead">
        Hand the chat with <bdi>{session.customerName}</bdi> to a colleague. Only agents who are Present are listed.
      </p>
      <div className="field">
        <span id={listLabelId}>Transfer to</span>
        <div
          role="listbox"
          aria-labelledby={listLabelId}
          tabIndex={0}
          data-autofocus
          className="target-list"
          aria-activedescendant={chosen ? `target-${chosen.id}` : undefined}
          onKeyDown={onListKeyDown}
        >
          {targets.map((agent) => (
            <div
              key={agent.id}
              id={`target-${agent.id}`}
              role="option"
              tabIndex={-1}
              aria-selected={chosen?.id === agent.id}
              className={`target ${chosen?.id === agent.id ? 'selected' : ''}`}
              onClick={() => dispatch(transferTargetChosen(agent.id))}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') dispatch(transferTargetChosen(agent.id));
              }}
              onDoubleClick={() => dispatch(offerSubmitted({ sessionId: session.id, to: agent.id, ...(dialog.note.trim() ? { note: dialog.note } : {}) }))}
            >
              <span className="avatar" aria-hidden="true">
                {initials(agent.name)}
              </span>
              <bdi className="target-name">{agent.name}</bdi>
              <span className="target-meta">
                <span className="presence-dot" aria-hidden="true" /> Present ·{' '}
                {agent.openChats === 1 ? '1 open chat' : `${agent.openChats} open chats`}
              </span>
            </div>
          ))}
        </div>
        {!online ? (
          <p className="empty">You are offline, so Baton cannot tell who is Present. The list comes back when the relay answers.</p>
        ) : targets.length === 0 ? (
          <p className="empty">No other agent is Present</p>
        ) : null}
      </div>
      <label className="field" htmlFor={noteId}>
        <span>Note (optional)</span>
      </label>
      <textarea
        id={noteId}
        rows={3}
        maxLength={1000}
        value={dialog.note}
        placeholder="What should your colleague know?"
        onChange={(e) => dispatch(transferNoteChanged(e.target.value))}
      />
      <ErrorNote text={error} />
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!chosen || busy} aria-busy={busy} onClick={submit}>
          Transfer
        </button>
      </div>
    </Dialog>
  );
}
