// The Replies tab: the shared canned replies (kept by managers) and my own, searchable, with a form to add or change
// one. In a chat, / in an empty message (or Ctrl+Shift+K) inserts one.
import { type FormEvent, useId, useMemo, useState } from 'react';
import type { CannedReply } from '../../common/domain';
import { cannedEditorClosed, cannedEditorOpened, cannedSaveSubmitted, confirmationRequested } from '../store/actions';
import { filterCanned, selectCannedEditing, selectCannedReplies } from '../store/canned';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectIsManager } from '../store/session';
import { selectBusy, selectError } from '../store/ui';
import { Dialog, ErrorNote } from './Dialog';

function ReplyEditor({ reply }: { reply: CannedReply | null }) {
  const dispatch = useAppDispatch();
  const manager = useAppSelector(selectIsManager);
  const busy = useAppSelector((s) => selectBusy(s, 'cannedEditor'));
  const error = useAppSelector((s) => selectError(s, 'cannedEditor'));
  const [title, setTitle] = useState(reply?.title ?? '');
  const [text, setText] = useState(reply?.text ?? '');
  const [shared, setShared] = useState(reply?.scope === 'shared');
  const [problem, setProblem] = useState<string | null>(null);
  const titleId = useId();
  const textId = useId();
  const close = () => dispatch(cannedEditorClosed());
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim() || !text.trim()) {
      setProblem(!title.trim() ? 'A reply needs a title.' : 'A reply needs its text.');
      return;
    }
    setProblem(null);
    dispatch(
      cannedSaveSubmitted({
        ...(reply ? { replyId: reply.id } : {}),
        scope: reply ? reply.scope : shared ? 'shared' : 'personal',
        title: title.trim(),
        text: text.trim(),
      }),
    );
  };
  return (
    <Dialog title={reply ? 'Edit reply' : 'New reply'} onClose={close}>
      <form onSubmit={submit} className="stack">
        <label className="field" htmlFor={titleId}>
          <span>Title</span>
        </label>
        <input id={titleId} value={title} maxLength={100} onChange={(e) => setTitle(e.target.value)} data-autofocus />
        <label className="field" htmlFor={textId}>
          <span>Text</span>
          <span className="hint">{'{customer}'} and {'{agent}'} are replaced by the customer’s name and yours.</span>
        </label>
        <textarea id={textId} rows={5} maxLength={8000} value={text} onChange={(e) => setText(e.target.value)} />
        {manager && !reply ? (
          <label className="check">
            <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
            Shared with every agent
          </label>
        ) : null}
        <ErrorNote text={problem ?? error} />
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Save reply
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ReplyCard({ reply, canChange }: { reply: CannedReply; canChange: boolean }) {
  const dispatch = useAppDispatch();
  return (
    <li className="card reply-card">
      <div className="card-top">
        <h4>
          <bdi>{reply.title}</bdi>
        </h4>
        {canChange ? (
          <span className="card-actions">
            <button type="button" className="ghost small" aria-label={`Edit ${reply.title}`} onClick={() => dispatch(cannedEditorOpened(reply.id))}>
              Edit
            </button>
            <button
              type="button"
              className="ghost small"
              aria-label={`Delete ${reply.title}`}
              onClick={() => dispatch(confirmationRequested({ kind: 'delete-canned', replyId: reply.id }))}
            >
              Delete
            </button>
          </span>
        ) : null}
      </div>
      <p className="card-body" dir="auto">
        {reply.text}
      </p>
    </li>
  );
}

export function CannedRepliesView() {
  const titleId = useId();
  const dispatch = useAppDispatch();
  const replies = useAppSelector(selectCannedReplies);
  const editing = useAppSelector(selectCannedEditing);
  const manager = useAppSelector(selectIsManager);
  const error = useAppSelector((s) => selectError(s, 'canned'));
  const [query, setQuery] = useState('');
  const shown = useMemo(() => filterCanned(replies, query), [replies, query]);
  const shared = shown.filter((r) => r.scope === 'shared');
  const mine = shown.filter((r) => r.scope === 'personal');
  const edited = editing && editing !== 'new' ? (replies.find((r) => r.id === editing) ?? null) : null;
  return (
    <section className="page replies-page" aria-labelledby={titleId}>
      <div className="page-head page-head-row">
        <div>
          <h2 id={titleId}>Canned replies</h2>
          <p className="subtitle">
            In a chat, type / in an empty message or press Ctrl+Shift+K to insert one. {'{customer}'} and {'{agent}'} become the names.
          </p>
        </div>
        <button type="button" className="primary" onClick={() => dispatch(cannedEditorOpened(null))}>
          New reply
        </button>
      </div>
      <input type="search" className="search" aria-label="Search replies" placeholder="Search replies…" value={query} onChange={(e) => setQuery(e.target.value)} />
      <ErrorNote text={error} />
      <h3 className="section-title">Shared replies</h3>
      {shared.length ? (
        <ul className="cards" aria-label="Shared replies">
          {shared.map((reply) => (
            <ReplyCard key={reply.id} reply={reply} canChange={manager} />
          ))}
        </ul>
      ) : (
        <p className="empty">{manager ? 'No shared replies yet. Add one with New reply.' : 'No shared replies yet. Managers add them.'}</p>
      )}
      <h3 className="section-title">My replies</h3>
      {mine.length ? (
        <ul className="cards" aria-label="My replies">
          {mine.map((reply) => (
            <ReplyCard key={reply.id} reply={reply} canChange />
          ))}
        </ul>
      ) : (
        <p className="empty">No replies of your own yet.</p>
      )}
      {editing ? <ReplyEditor key={editing} reply={edited} /> : null}
    </section>
  );
}
