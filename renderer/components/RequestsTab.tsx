// The Requests tab: requests created from chats, newest first.
import { useId } from 'react';
import { formatFullDate, formatListTime } from '../lib/format';
import { useAppSelector, useNow } from '../store/hooks';
import { selectAgentNames } from '../store/presence';
import { selectRequests } from '../store/requests';
import { selectBusy, selectError } from '../store/ui';
import { ErrorNote } from './Dialog';

export function RequestsTab() {
  const titleId = useId();
  const requests = useAppSelector(selectRequests);
  const nameOf = useAppSelector(selectAgentNames);
  const error = useAppSelector((s) => selectError(s, 'requests'));
  const loading = useAppSelector((s) => selectBusy(s, 'requests'));
  const now = useNow(60_000);
  return (
    <section className="page" aria-labelledby={titleId}>
      <div className="page-head">
        <h2 id={titleId}>Requests</h2>
        <p className="subtitle">{loading ? 'Loading…' : `${requests.length} ${requests.length === 1 ? 'request' : 'requests'}`}</p>
      </div>
      <ErrorNote text={error} />
      {requests.length === 0 && !loading ? <p className="empty">No requests yet. Create one from a chat's menu.</p> : null}
      <ul className="cards" aria-label="Requests">
        {requests.map((request) => (
          <li key={request.id} className="card">
            <div className="card-top">
              <h3>
                <bdi>{request.title}</bdi>
              </h3>
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
              · {request.createdBy ? (
                <>
                  Created by <bdi>{nameOf(request.createdBy)}</bdi>
                </>
              ) : (
                'Left with the offline form'
              )}
            </p>
            {request.description ? (
              <p className="card-body" dir="auto">
                {request.description}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
