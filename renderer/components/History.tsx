// The History tab: closed chats from the local cache, full-text search with highlights, read-only transcripts.
import type { SearchHit } from '../../common/bridge';
import { formatFullDate, formatListTime } from '../lib/format';
import { historyChatOpened, historyQueryChanged } from '../store/actions';
import { useAppDispatch, useAppSelector, useNow } from '../store/hooks';
import { selectHistory } from '../store/history';
import { selectSessionEntities } from '../store/sessions';
import { selectBusy, selectError } from '../store/ui';
import { ErrorNote } from './Dialog';
import { Transcript } from './Transcript';

export function Snippet({ parts }: { parts: SearchHit['parts'] }) {
  return (
    <span className="snippet">
      {parts.map((part, i) =>
        // Parts never reorder within a hit, so the index is a stable key.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
      )}
    </span>
  );
}

export function History() {
  const dispatch = useAppDispatch();
  const history = useAppSelector(selectHistory);
  const live = useAppSelector(selectSessionEntities);
  const listError = useAppSelector((s) => selectError(s, 'history'));
  const searchError = useAppSelector((s) => selectError(s, 'historySearch'));
  const searching = useAppSelector((s) => selectBusy(s, 'historySearch'));
  const loading = useAppSelector((s) => selectBusy(s, 'history'));
  const now = useNow(60_000);
  const open = history.openSessionId;
  const openName =
    (open &&
      (history.sessions.find((s) => s.id === open)?.customerName ??
        history.hits?.find((h) => h.sessionId === open)?.customerName ??
        live[open]?.customerName)) ||
    'customer';
  const hasQuery = history.query.trim().length > 0;

  return (
    <div className="history">
      <aside className="history-side">
        <input
          type="search"
          aria-label="Search history"
          placeholder="Search closed chats…"
          value={history.query}
          onChange={(e) => dispatch(historyQueryChanged(e.target.value))}
          className="search"
        />
        <ErrorNote text={searchError} />
        {hasQuery ? (
          <div className="history-section">
            <h3>{searching ? 'Searching…' : history.hits ? `${history.hits.length} ${history.hits.length === 1 ? 'match' : 'matches'}` : 'Searching…'}</h3>
            <ul aria-label="Search results" className="history-list">
              {(history.hits ?? []).map((hit) => (
                <li key={`${hit.sessionId}-${hit.seq}`}>
                  <button
                    type="button"
                    className={`history-item ${open === hit.sessionId && history.openSeq === hit.seq ? 'selected' : ''}`}
                    aria-current={open === hit.sessionId && history.openSeq === hit.seq ? 'true' : undefined}
                    onClick={() => dispatch(historyChatOpened({ sessionId: hit.sessionId, seq: hit.seq }))}
                  >
                    <span className="history-top">
                      <bdi className="customer">{hit.customerName}</bdi>
                      <time dateTime={new Date(hit.at).toISOString()} title={formatFullDate(hit.at)}>
                        {formatListTime(hit.at, now)}
                      </time>
                    </span>
                    <span className="history-snippet">
                      {hit.kind === 'note' ? <span className="note-tag">Note</span> : null}
                      <bdi className="author">{hit.authorName}</bdi>
                      {': '}
                      <bdi>
                        <Snippet parts={hit.parts} />
                      </bdi>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <div className="history-section">
          <h3>Closed chats</h3>
          <ErrorNote text={listError} />
          {loading && history.sessions.length === 0 ? <p className="empty">Loading…</p> : null}
          <ul aria-label="Closed chats" className="history-list">
            {history.sessions.map((session) => (
              <li key={session.id}>
                <button
                  type="button"
                  className={`history-item ${open === session.id && history.openSeq === null ? 'selected' : ''}`}
                  aria-current={open === session.id && history.openSeq === null ? 'true' : undefined}
                  onClick={() => dispatch(historyChatOpened({ sessionId: session.id }))}
                >
                  <span className="history-top">
                    <bdi className="customer">{session.customerName}</bdi>
                    <time
                      dateTime={new Date(session.closedAt ?? session.createdAt).toISOString()}
                      title={formatFullDate(session.closedAt ?? session.createdAt)}
                    >
                      {formatListTime(session.closedAt ?? session.createdAt, now)}
                    </time>
                  </span>
                  <span className="history-snippet">{session.lastMessage ? <bdi>{session.lastMessage.text}</bdi> : 'No messages'}</span>
                </button>
              </li>
            ))}
          </ul>
          {history.loaded && history.sessions.length === 0 ? <p className="empty">No closed chats yet.</p> : null}
        </div>
      </aside>
      <section className="history-view" aria-label={open ? `Transcript of the chat with ${openName}` : 'Transcript'}>
        {open ? (
          <>
            <div className="chat-header">
              <div className="chat-title">
                <h2>
                  <bdi>{openName}</bdi>
                </h2>
                <p className="subtitle">Read-only transcript</p>
              </div>
            </div>
            <Transcript sessionId={open} readOnly label={`Messages with ${openName}`} focusSeq={history.openSeq} />
          </>
        ) : (
          <div className="empty-state">
            <p>Choose a closed chat or a search result to read it.</p>
          </div>
        )}
      </section>
    </div>
  );
}
