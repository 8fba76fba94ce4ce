// The Requests tab: requests created from chats, newest first, filtered by status and assignee. Each has a status
// (open, pending, solved) and an assignee its creator, its assignee or a manager may change; solving one can tell the
// customer. Its transcript opens here.
import { useId, useState } from 'react';
import type { Request, RequestStatus } from '../../common/domain';
import { formatClock, formatFullDate, formatListTime } from '../lib/format';
import { requestFilterChanged, requestTranscriptClosed, requestTranscriptOpened, requestUpdateSubmitted } from '../store/actions';
import { useAppDispatch, useAppSelector, useNow } from '../store/hooks';
import { selectAgentNames, selectAgents } from '../store/presence';
import { selectFilteredRequests, selectRequestFilter, selectRequests, selectRequestTranscriptFor } from '../store/requests';
import { selectMe } from '../store/session';
import { selectBusy, selectError } from '../store/ui';
import { Dialog, ErrorNote } from './Dialog';

export const statusWords: Record<RequestStatus, string> = { open: 'Open', pending: 'Pending', solved: 'Solved' };

function RequestCard({ request }: { request: Request }) {
  const dispatch = useAppDispatch();
  const nameOf = useAppSelector(selectAgentNames);
  const agents = useAppSelector(selectAgents);
  const me = useAppSelector(selectMe);
  const where = `request:${request.id}`;
  const busy = useAppSelector((s) => selectBusy(s, where));
  const error = useAppSelector((s) => selectError(s, where));
  const [tell, setTell] = useState(true);
  const now = useNow(60_000);
  const statusId = useId();
  const assigneeId = useId();
  const mayChange = !!me && (me.role === 'manager' || request.createdBy === me.id || request.assigneeId === me.id);
  const update = (change: Parameters<typeof requestUpdateSubmitted>[0]) => dispatch(requestUpdateSubmitted(change));
  return (
    <li className={`card request-card status-${request.status}`} aria-label={`Request ${request.title}`}>
      <div className="card-top">
        <h3>
          <bdi>{request.title}</bdi>
        </h3>
        <span className={`status-tag status-${request.status}`}>{statusWords[request.status]}</span>
        <time dateTime={new Date(request.createdAt).toISOString()} title={formatFullDate(request.createdAt)}>
          {formatListTime(request.createdAt, now)}
        </time>
      </div>
      <p className="card-meta">
        Customer: <bdi>{request.customerName}</bdi>
        {request.customerEmail ? (
          <>
            {' '}
            (<bdi>{request.customerEmail}</bdi>)
          </>
        ) : null}{' '}
        ·{' '}
        {request.createdBy ? (
          <>
            Created by <bdi>{nameOf(request.createdBy)}</bdi>
          </>
        ) : (
          'Left with the offline form'
        )}{' '}
        ·{' '}
        {request.assigneeId ? (
          <>
            Assigned to <bdi>{nameOf(request.assigneeId)}</bdi>
          </>
        ) : (
          'Not assigned'
        )}
      </p>
      {request.description ? (
        <p className="card-body" dir="auto">
          {request.description}
        </p>
      ) : null}
      <div className="request-actions">
        <button type="button" className="secondary small" onClick={() => dispatch(requestTranscriptOpened(request.id))}>
          Open transcript
        </button>
        {mayChange ? (
          <>
            <label htmlFor={statusId} className="inline-label">
              Status
            </label>
            <select
              id={statusId}
              value={request.status}
              disabled={busy}
              onChange={(e) => update({ requestId: request.id, status: e.target.value as RequestStatus, tellCustomer: tell })}
            >
              {(['open', 'pending', 'solved'] as const).map((status) => (
                <option key={status} value={status}>
                  {statusWords[status]}
                </option>
              ))}
            </select>
            <label htmlFor={assigneeId} className="inline-label">
              Assignee
            </label>
            <select
              id={assigneeId}
              value={request.assigneeId ?? ''}
              disabled={busy}
              onChange={(e) => update({ requestId: request.id, assigneeId: e.target.value || null })}
            >
              <option value="">Nobody</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id} dir="auto">
                  {a.name}
                </option>
              ))}
            </select>
            {request.status !== 'solved' ? (
              <label className="check inline">
                <input type="checkbox" checked={tell} onChange={(e) => setTell(e.target.checked)} />
                Tell the customer when it is solved
              </label>
            ) : null}
          </>
        ) : null}
      </div>
      <ErrorNote text={error} />
    </li>
  );
}

function TranscriptDialog({ request }: { request: Request }) {
  const dispatch = useAppDispatch();
  return (
    <Dialog title={`Transcript: ${request.title}`} onClose={() => dispatch(requestTranscriptClosed())} className="transcript-dialog">
      <p className="dialog-lead">
        The conversation with <bdi>{request.customerName}</bdi> when the request was created.
      </p>
      {request.transcript.length ? (
        <ol className="request-transcript" aria-label="Transcript">
          {request.transcript.map((line, i) => (
            // lines of a stored transcript never change order
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={i}>
              <span className="line-meta">
                <bdi className="author">{line.author}</bdi>{' '}
                <time dateTime={new Date(line.at).toISOString()} title={formatFullDate(line.at)}>
                  {formatClock(line.at)}
                </time>
              </span>
              <span className="line-text" dir="auto">
                {line.text}
              </span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="empty">The chat had no messages yet.</p>
      )}
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={() => dispatch(requestTranscriptClosed())}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

export function RequestsTab() {
  const titleId = useId();
  const dispatch = useAppDispatch();
  const all = useAppSelector(selectRequests);
  const requests = useAppSelector(selectFilteredRequests);
  const filter = useAppSelector(selectRequestFilter);
  const agents = useAppSelector(selectAgents);
  const open = useAppSelector(selectRequestTranscriptFor);
  const error = useAppSelector((s) => selectError(s, 'requests'));
  const loading = useAppSelector((s) => selectBusy(s, 'requests'));
  const statusFilterId = useId();
  const assigneeFilterId = useId();
  const count = `${requests.length} ${requests.length === 1 ? 'request' : 'requests'}`;
  return (
    <section className="page" aria-labelledby={titleId}>
      <div className="page-head">
        <h2 id={titleId}>Requests</h2>
        <p className="subtitle">{loading ? 'Loading…' : requests.length === all.length ? count : `${count} of ${all.length}`}</p>
      </div>
      <div className="filters" role="group" aria-label="Filters">
        <label htmlFor={statusFilterId} className="inline-label">
          Show
        </label>
        <select
          id={statusFilterId}
          aria-label="Status filter"
          value={filter.status}
          onChange={(e) => dispatch(requestFilterChanged({ status: e.target.value as RequestStatus | 'all' }))}
        >
          <option value="all">Every status</option>
          <option value="open">Open</option>
          <option value="pending">Pending</option>
          <option value="solved">Solved</option>
        </select>
        <label htmlFor={assigneeFilterId} className="inline-label">
          assigned to
        </label>
        <select
          id={assigneeFilterId}
          aria-label="Assignee filter"
          value={filter.assignee}
          onChange={(e) => dispatch(requestFilterChanged({ assignee: e.target.value }))}
        >
          <option value="anyone">Anyone</option>
          <option value="me">Me</option>
          <option value="unassigned">Nobody</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id} dir="auto">
              {a.name}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote text={error} />
      {all.length === 0 && !loading ? <p className="empty">No requests yet. Create one from a chat's menu.</p> : null}
      {all.length > 0 && requests.length === 0 ? <p className="empty">No request matches these filters.</p> : null}
      <ul className="cards" aria-label="Requests">
        {requests.map((request) => (
          <RequestCard key={request.id} request={request} />
        ))}
      </ul>
      {open ? <TranscriptDialog request={open} /> : null}
    </section>
  );
}
