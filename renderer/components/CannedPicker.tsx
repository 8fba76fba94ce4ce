// The canned-reply picker over the composer: a search box (a combobox) and the replies that match, shared and mine.
// Enter or a click inserts the chosen reply with {customer} and {agent} filled in; Escape goes back to the message.
import { type KeyboardEvent, useId, useMemo, useState } from 'react';
import type { CannedReply } from '../../common/domain';
import { filterCanned, selectCannedReplies } from '../store/canned';
import { useAppSelector } from '../store/hooks';

export function CannedPicker({ onChoose, onClose }: { onChoose: (reply: CannedReply) => void; onClose: () => void }) {
  const replies = useAppSelector(selectCannedReplies);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const matches = useMemo(() => filterCanned(replies, query), [replies, query]);
  const current = matches[Math.min(active, matches.length - 1)];

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!matches.length) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (Math.min(i, matches.length - 1) + step + matches.length) % matches.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (current) onChoose(current);
    } else if (event.key === 'Escape') {
      // the picker closes, not the dialogs behind it
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  };

  return (
    <section className="canned-picker" aria-label="Insert a canned reply">
      <input
        type="search"
        role="combobox"
        aria-label="Search canned replies"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={current ? `${listId}-${current.id}` : undefined}
        aria-autocomplete="list"
        placeholder="Search canned replies…"
        value={query}
        // biome-ignore lint/a11y/noAutofocus: the picker opens for typing into it
        autoFocus
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        onBlur={(e) => {
          if (!e.currentTarget.closest('.canned-picker')?.contains(e.relatedTarget as Node | null)) onClose();
        }}
      />
      <div id={listId} role="listbox" aria-label="Canned replies" className="canned-options">
        {matches.map((reply) => (
          <div
            key={reply.id}
            id={`${listId}-${reply.id}`}
            role="option"
            // the search box keeps the focus (aria-activedescendant); an option is focusable only by the pointer
            tabIndex={-1}
            aria-selected={reply.id === current?.id}
            className={`canned-option ${reply.id === current?.id ? 'active' : ''}`}
            // a mouse press would blur the search box and close the picker before the click
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onChoose(reply)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onChoose(reply);
              }
            }}
          >
            <span className="canned-title">
              <bdi>{reply.title}</bdi>
              <span className="canned-scope">{reply.scope === 'shared' ? 'Shared' : 'Mine'}</span>
            </span>
            <span className="canned-text" dir="auto">
              {reply.text}
            </span>
          </div>
        ))}
      </div>
      {matches.length === 0 ? (
        <p className="empty">{replies.length ? 'No canned reply matches.' : 'No canned replies yet. Add them in the Replies tab.'}</p>
      ) : null}
      <p className="hint">↑ ↓ to choose, Enter to insert, Escape to go back.</p>
    </section>
  );
}
