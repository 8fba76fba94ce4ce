// The sessions list: my chats, offers first, with unread counts and transfer/listening states in words.
import type { KeyboardEvent } from 'react';
import { isOfferedTo, offerTargetName, roleIn, type SessionSummary } from '../../common/domain';
import { type LinePart, partText } from '../lib/eventText';
import { formatListTime, initials } from '../lib/format';
import { sessionOpened } from '../store/actions';
import { selectSelectedId } from '../store/chat';
import { useAppDispatch, useAppSelector, useNow } from '../store/hooks';
import { selectAgentNames } from '../store/presence';
import { selectMe } from '../store/session';
import { selectMySessions, selectUnreadMap } from '../store/sessions';
import { LineParts } from './LineParts';

/** The words that say how a chat stands for me, besides colour (agent names kept apart for isolation). */
export function sessionStateParts(session: SessionSummary, meId: string, nameOf: (id: string) => string): LinePart[] | null {
  if (session.state === 'closed') return ['Closed'];
  const pending = session.pendingTransfer;
  if (pending && isOfferedTo(pending, meId)) return ['Transfer from ', { user: nameOf(pending.offeredBy) }];
  if (pending && (pending.offeredBy === meId || pending.fromId === meId)) {
    return ['Transfer to ', { user: offerTargetName(pending, nameOf) }, ' pending'];
  }
  if (roleIn(session, meId) === 'listener') return ['Listening'];
  return null;
}

export function sessionStateWords(session: SessionSummary, meId: string, nameOf: (id: string) => string): string | null {
  return sessionStateParts(session, meId, nameOf)?.map(partText).join('') ?? null;
}

export function SessionList() {
  const dispatch = useAppDispatch();
  const sessions = useAppSelector(selectMySessions);
  const selectedId = useAppSelector(selectSelectedId);
  const unread = useAppSelector(selectUnreadMap);
  const me = useAppSelector(selectMe);
  const nameOf = useAppSelector(selectAgentNames);
  const now = useNow(30_000);
  if (!me) return null;

  const onKeyDown = (event: KeyboardEvent) => {
    // Alt+↓ / Alt+↑ are the workspace's next/previous chat: handled once, by the shortcut, not here as well
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const at = sessions.findIndex((s) => s.id === selectedId);
    const last = sessions.length - 1;
    const next =
      event.key === 'Home' ? 0 : event.key === 'End' ? last : event.key === 'ArrowDown' ? Math.min(last, at + 1) : Math.max(0, at - 1);
    const target = sessions[next];
    if (target) dispatch(sessionOpened(target.id));
  };

  return (
    <nav className="sidebar" aria-label="Chats">
      <div className="sidebar-head">
        <h2>Chats</h2>
        <span className="count">{sessions.length}</span>
      </div>
      {/* at the top of the list, where the chats will appear */}
      {sessions.length === 0 ? <p className="empty sessions-empty">No chats yet. New chats appear here.</p> : null}
      <div
        role="listbox"
        aria-label="Sessions"
        tabIndex={0}
        className="session-list"
        aria-activedescendant={selectedId && sessions.some((s) => s.id === selectedId) ? `session-${selectedId}` : undefined}
        onKeyDown={onKeyDown}
      >
        {sessions.map((session) => {
          const count = unread[session.id] ?? 0;
          const stateParts = sessionStateParts(session, me.id, nameOf);
          const words = stateParts?.map(partText).join('') ?? null;
          const last = session.lastMessage;
          const lastText = last ? `${last.authorKind === 'agent' ? `${last.authorName}: ` : ''}${last.text}` : 'No messages yet';
          const time = formatListTime(last?.at ?? session.createdAt, now);
          const pending = session.pendingTransfer !== null && session.state !== 'closed';
          const offered = pending && isOfferedTo(session.pendingTransfer, me.id);
          const label = [session.customerName, lastText, time, count > 0 ? `${count} unread` : null, words]
            .filter(Boolean)
            .join(', ');
          const classes = [
            'session',
            selectedId === session.id ? 'selected' : '',
            pending ? 'pending' : '',
            offered ? 'offered' : '',
            session.state === 'closed' ? 'closed' : '',
            count > 0 ? 'unread' : '',
          ].join(' ');
          return (
            <div
              key={session.id}
              id={`session-${session.id}`}
              role="option"
              tabIndex={-1}
              aria-selected={selectedId === session.id}
              aria-label={label}
              className={classes}
              onClick={() => dispatch(sessionOpened(session.id))}
              onKeyDown={(e) => {
                if (e.key === 'Enter') dispatch(sessionOpened(session.id));
              }}
            >
              <span className="avatar customer-avatar" aria-hidden="true">
                {initials(session.customerName)}
              </span>
              <span className="session-body">
                <span className="session-top">
                  <bdi className="customer">{session.customerName}</bdi>
                  <span className="time">{time}</span>
                </span>
                <span className="session-bottom">
                  <span className="last">
                    {last ? (
                      <>
                        {last.authorKind === 'agent' ? (
                          <>
                            <bdi>{last.authorName}</bdi>:{' '}
                          </>
                        ) : null}
                        <bdi>{last.text}</bdi>
                      </>
                    ) : (
                      lastText
                    )}
                  </span>
                  {count > 0 ? <span className="badge">{count}</span> : null}
                </span>
                {words ? (
                  <span className={`session-state ${offered ? 'incoming' : pending ? 'outgoing' : ''}`}>
                    {pending ? (
                      <span className="state-icon" aria-hidden="true">
                        ⇄{' '}
                      </span>
                    ) : null}
                    {stateParts ? <LineParts parts={stateParts} /> : null}
                  </span>
                ) : null}
              </span>
            </div>
          );
        })}
      </div>
    </nav>
  );
}
