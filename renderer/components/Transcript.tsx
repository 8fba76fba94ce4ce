// A session's transcript as a virtualized log: sticks to the bottom, pages older events at the top.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { SessionId } from '../../common/domain';
import { formatClock, formatClockSeconds, formatFullDate, formatSize } from '../lib/format';
import { olderEventsRequested, retryClicked } from '../store/actions';
import { makeSelectTranscriptRows, selectLog, type TranscriptRow } from '../store/chat';
import { selectUpload } from '../store/composer';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectBusy, selectError } from '../store/ui';
import { ErrorNote } from './Dialog';
import { AttachmentList } from './Attachments';
import { LineParts } from './LineParts';
import { RichText } from './RichText';

function Stamp({ at, precise = false }: { at: number; precise?: boolean }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatFullDate(at)} className="stamp">
      {precise ? formatClockSeconds(at) : formatClock(at)}
    </time>
  );
}

/** When a line was sent and, when it waited in an outbox first, when it was written. */
function Stamps({ at, writtenAt }: { at: number; writtenAt?: number }) {
  if (writtenAt === undefined) return <Stamp at={at} />;
  const sameMinute = formatClock(at) === formatClock(writtenAt);
  return (
    <span className="stamps">
      <span className="stamp">written</span> <Stamp at={writtenAt} precise={sameMinute} />
      <span className="stamp">, sent</span> <Stamp at={at} precise={sameMinute} />
    </span>
  );
}

function UploadProgress({ messageId, size }: { messageId: string; size: number }) {
  const upload = useAppSelector((s) => selectUpload(s, messageId));
  const sent = upload?.sent ?? 0;
  const total = upload?.total ?? size;
  const percent = total ? Math.floor((sent / total) * 100) : 0;
  return (
    <div className="upload">
      <progress max={100} value={percent} aria-label="Upload" />
      <span>{upload ? `Uploading… ${percent}%` : 'Waiting to upload…'}</span>
    </div>
  );
}

function Row({
  row,
  sessionId,
  readOnly,
  focused,
}: { row: TranscriptRow; sessionId: SessionId; readOnly: boolean; focused: boolean }) {
  const dispatch = useAppDispatch();
  switch (row.kind) {
    case 'day':
      return (
        <div className="day-sep">
          <span>{row.label}</span>
        </div>
      );
    case 'system':
      return (
        <div className={`sys sys-${row.tone}`}>
          <span className="sys-text">
            <LineParts parts={row.parts} />
          </span>{' '}
          <Stamp at={row.at} />
        </div>
      );
    case 'message': {
      const { event, own } = row;
      return (
        <div
          className={`msg ${own ? 'own' : ''} ${event.author.kind === 'customer' ? 'from-customer' : 'from-agent'} ${focused ? 'focused' : ''}`}
        >
          <div className="msg-meta">
            <bdi className="author">{event.author.name}</bdi> <Stamps at={event.at} writtenAt={event.writtenAt} />
          </div>
          {event.text ? (
            <div className="bubble" dir="auto">
              <RichText text={event.text} />
            </div>
          ) : null}
          {event.attachments?.length ? <AttachmentList sessionId={sessionId} attachments={event.attachments} /> : null}
        </div>
      );
    }
    case 'note': {
      const { event, own } = row;
      return (
        <div className={`msg note ${own ? 'own' : ''} ${focused ? 'focused' : ''}`}>
          <div className="msg-meta">
            <span className="note-tag">Note</span> <bdi className="author">{event.author.name}</bdi>{' '}
            <Stamps at={event.at} writtenAt={event.writtenAt} />
          </div>
          <div className="bubble" dir="auto">
            <RichText text={event.text} />
          </div>
        </div>
      );
    }
    case 'outbox': {
      const { item } = row;
      return (
        <div className={`msg own outbox outbox-${item.state} ${item.kind === 'note' ? 'note' : ''}`}>
          <div className="msg-meta">
            {item.kind === 'note' ? <span className="note-tag">Note</span> : null} <bdi className="author">{row.authorName}</bdi>{' '}
            <Stamp at={item.createdAt} />
          </div>
          {item.text ? (
            <div className="bubble" dir="auto">
              {item.text}
            </div>
          ) : null}
          {item.attachment ? (
            <div className="attachment file pending-file">
              <span className="file-name">
                <bdi>{item.attachment.name}</bdi>
                <span className="file-size">{formatSize(item.attachment.size)}</span>
              </span>
              {item.state === 'pending' ? <UploadProgress messageId={item.messageId} size={item.attachment.size} /> : null}
            </div>
          ) : null}
          {item.state === 'pending' ? <div className="delivery">Sending…</div> : null}
          {item.state === 'failed' ? (
            <div className="delivery failed">
              <span>{`Failed: ${item.error ?? 'the relay did not take it'}`}</span>{' '}
              {readOnly ? null : (
                <button
                  type="button"
                  className="link"
                  onClick={() => dispatch(retryClicked({ sessionId, messageId: item.messageId }))}
                >
                  Retry
                </button>
              )}
            </div>
          ) : null}
        </div>
      );
    }
  }
}

const estimate = (row: TranscriptRow | undefined) =>
  row?.kind === 'day'
    ? 40
    : row?.kind === 'system'
      ? 34
      : (row?.kind === 'message' || row?.kind === 'note' ? Math.ceil(row.event.text.length / 60) : 1) * 20 +
        52 +
        (row?.kind === 'message' && row.event.attachments?.length ? 200 : 0);

export function Transcript({
  sessionId,
  readOnly = false,
  label = 'Messages',
  focusSeq = null,
}: {
  sessionId: SessionId;
  readOnly?: boolean;
  label?: string;
  /** a message to bring into view and mark (a search hit) */
  focusSeq?: number | null;
}) {
  const dispatch = useAppDispatch();
  const selectRows = useMemo(makeSelectTranscriptRows, []);
  const rows = useAppSelector((s) => selectRows(s, sessionId));
  const log = useAppSelector((s) => selectLog(s, sessionId));
  const loading = useAppSelector((s) => selectBusy(s, `transcript:${sessionId}`));
  const loadError = useAppSelector((s) => selectError(s, `transcript:${sessionId}`));
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [showJump, setShowJump] = useState(false);
  const previous = useRef<{ first?: string; last?: string; total: number; sessionId: string }>({ total: 0, sessionId });

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => estimate(rows[i]),
    getItemKey: (i) => rows[i]?.key ?? i,
    overscan: 12,
    initialRect: { width: 640, height: 640 },
  });
  const total = virtualizer.getTotalSize();

  // Keep the view where the agent left it: follow new lines at the bottom, hold still when older ones arrive on top.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const first = rows[0]?.key;
    const last = rows[rows.length - 1]?.key;
    const prev = previous.current;
    if (prev.sessionId !== sessionId) {
      atBottom.current = true;
      setShowJump(false);
    }
    if (el && prev.sessionId === sessionId && prev.first && first !== prev.first && last === prev.last) {
      el.scrollTop += total - prev.total;
    } else if (last !== prev.last || prev.sessionId !== sessionId) {
      if (atBottom.current && el) el.scrollTop = el.scrollHeight;
      else if (prev.last !== undefined && prev.sessionId === sessionId) setShowJump(true);
    } else if (atBottom.current && el && total !== prev.total) {
      // Rows measured taller than estimated: stay pinned to the bottom.
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { first, last, total, sessionId };
  }, [rows, total, sessionId]);

  // The log's box shrinks when a banner or an offer bar appears above it: a log pinned to the bottom stays pinned.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Bring a search hit into view once its row is loaded; page older events until it is.
  const focusIndex = focusSeq === null ? -1 : rows.findIndex((r) => (r.kind === 'message' || r.kind === 'note') && r.event.seq === focusSeq);
  useLayoutEffect(() => {
    if (focusSeq === null) return;
    if (focusIndex >= 0) {
      atBottom.current = false;
      virtualizer.scrollToIndex(focusIndex, { align: 'center' });
    } else if (log?.loaded && log.hasMore && !loading) {
      dispatch(olderEventsRequested(sessionId));
    }
  }, [focusSeq, focusIndex, log?.loaded, log?.hasMore, loading, sessionId, dispatch, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (atBottom.current) setShowJump(false);
    if (el.scrollTop < 160 && log?.hasMore && !loading) dispatch(olderEventsRequested(sessionId));
  };

  const jumpToBottom = () => {
    atBottom.current = true;
    setShowJump(false);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  return (
    <div className="transcript">
      <ErrorNote text={loadError} className="transcript-error" />
      {loading ? <div className="older">{log?.loaded ? 'Loading older messages…' : 'Loading conversation…'}</div> : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be reachable to scroll it by keyboard */}
      <div role="log" aria-label={label} aria-busy={loading} className="log" ref={scrollRef} onScroll={onScroll} tabIndex={0}>
        <div className="log-inner" style={{ height: total }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="row"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <Row
                  row={row}
                  sessionId={sessionId}
                  readOnly={readOnly}
                  focused={(row.kind === 'message' || row.kind === 'note') && row.event.seq === focusSeq}
                />
              </div>
            );
          })}
        </div>
      </div>
      {showJump ? (
        <button type="button" className="jump" onClick={jumpToBottom}>
          New messages ↓
        </button>
      ) : null}
    </div>
  );
}
