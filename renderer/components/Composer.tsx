// What an agent writes below a chat: a message to the customer (with files and canned replies), or an internal note
// that only agents read. The owner switches between the two; a listener writes notes only (a whisper to the owner).
import { type ClipboardEvent, type DragEvent, type KeyboardEvent, useId, useLayoutEffect, useRef } from 'react';
import { type CannedReply, fillPlaceholders, type SessionSummary } from '../../common/domain';
import { isolateText } from '../lib/format';
import {
  cannedPickerClosed,
  cannedPickerOpened,
  composerModeChosen,
  draftChanged,
  fileChosen,
  messageSubmitted,
  noteDraftChanged,
  noteSubmitted,
} from '../store/actions';
import { selectDraft } from '../store/chat';
import { selectComposerMode, selectNoteDraft, selectPickerFor } from '../store/composer';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectAgentNames } from '../store/presence';
import { selectMe } from '../store/session';
import { selectError } from '../store/ui';
import { CannedPicker } from './CannedPicker';
import { ErrorNote } from './Dialog';

export function Composer({ session, notesOnly = false }: { session: SessionSummary; notesOnly?: boolean }) {
  const dispatch = useAppDispatch();
  const chosenMode = useAppSelector((s) => selectComposerMode(s, session.id));
  const mode = notesOnly ? 'note' : chosenMode;
  const messageDraft = useAppSelector((s) => selectDraft(s, session.id));
  const noteDraft = useAppSelector((s) => selectNoteDraft(s, session.id));
  const draft = mode === 'note' ? noteDraft : messageDraft;
  const pickerOpen = useAppSelector(selectPickerFor) === session.id;
  const me = useAppSelector(selectMe);
  const nameOf = useAppSelector(selectAgentNames);
  const error = useAppSelector((s) => selectError(s, `composer:${session.id}`));
  const fieldId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  /** where the caret goes after a canned reply is inserted */
  const caret = useRef<number | null>(null);

  useLayoutEffect(() => {
    if (caret.current === null || !field.current) return;
    field.current.focus();
    field.current.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  });

  const setDraft = (text: string) =>
    dispatch(mode === 'note' ? noteDraftChanged({ sessionId: session.id, text }) : draftChanged({ sessionId: session.id, text }));
  const send = () => {
    if (!draft.trim()) return;
    dispatch(mode === 'note' ? noteSubmitted({ sessionId: session.id, text: draft }) : messageSubmitted({ sessionId: session.id, text: draft }));
  };
  const openPicker = () => dispatch(cannedPickerOpened(session.id));
  const closePicker = () => {
    dispatch(cannedPickerClosed());
    field.current?.focus();
  };
  const insert = (reply: CannedReply) => {
    const text = fillPlaceholders(reply.text, { customer: session.customerName, agent: me?.name ?? '' });
    const el = field.current;
    const start = el?.selectionStart ?? draft.length;
    const end = el?.selectionEnd ?? draft.length;
    caret.current = start + text.length;
    setDraft(draft.slice(0, start) + text + draft.slice(end));
    dispatch(cannedPickerClosed());
  };
  const files = (list: FileList | null | undefined) => {
    for (const file of Array.from(list ?? [])) dispatch(fileChosen({ sessionId: session.id, file }));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if ((event.key === '/' && !draft && !event.ctrlKey && !event.metaKey && !event.altKey) || (event.ctrlKey && event.shiftKey && event.key.toLowerCase() === 'k')) {
      event.preventDefault();
      openPicker();
    }
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    if (mode !== 'message' || !event.clipboardData.files.length) return;
    event.preventDefault();
    files(event.clipboardData.files);
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    if (mode !== 'message' || !event.dataTransfer.files.length) return;
    event.preventDefault();
    files(event.dataTransfer.files);
  };

  const owner = session.ownerId ? nameOf(session.ownerId) : null;
  const placeholder =
    mode === 'message'
      ? `Message ${isolateText(session.customerName)}… (Enter to send, / for canned replies)`
      : notesOnly && owner
        ? `Whisper to ${isolateText(owner)}… (only agents see notes)`
        : 'Internal note… (only agents see notes)';
  return (
    <div className={`composer-wrap mode-${mode}`}>
      {pickerOpen ? <CannedPicker onChoose={insert} onClose={closePicker} /> : null}
      {notesOnly ? null : (
        <div role="radiogroup" aria-label="Write" className="composer-modes">
          {(['message', 'note'] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={mode === m}
              className={`mode-choice ${mode === m ? 'chosen' : ''}`}
              onClick={() => dispatch(composerModeChosen({ sessionId: session.id, mode: m }))}
            >
              {m === 'message' ? 'To the customer' : 'Internal note'}
            </button>
          ))}
        </div>
      )}
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
        onDragOver={(e) => {
          if (mode === 'message' && e.dataTransfer.types.includes('Files')) e.preventDefault();
        }}
        onDrop={onDrop}
      >
        <label htmlFor={fieldId} className="visually-hidden">
          {mode === 'note' ? 'Note' : 'Message'}
        </label>
        <textarea
          id={fieldId}
          ref={field}
          className="composer-input"
          rows={2}
          value={draft}
          placeholder={placeholder}
          maxLength={8000}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <div className="composer-tools">
          <button type="button" className="icon-button" aria-label="Canned replies" title="Canned replies (/ or Ctrl+Shift+K)" onClick={openPicker}>
            <span aria-hidden="true">/</span>
          </button>
          {mode === 'message' ? (
            <>
              <button type="button" className="icon-button" aria-label="Attach a file" title="Attach a file" onClick={() => fileInput.current?.click()}>
                <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path d="M16.5 6.5 8.6 14.4a2 2 0 0 0 2.8 2.8l8-8a4 4 0 0 0-5.7-5.7l-8 8a6 6 0 0 0 8.5 8.5l7-7" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round"/></svg>
              </button>
              <input
                ref={fileInput}
                type="file"
                className="visually-hidden"
                tabIndex={-1}
                aria-hidden="true"
                accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"
                onChange={(e) => {
                  files(e.target.files);
                  e.target.value = '';
                }}
              />
            </>
          ) : null}
          <button type="submit" className="primary" disabled={!draft.trim()}>
            {mode === 'note' ? 'Add note' : 'Send'}
          </button>
        </div>
      </form>
      <ErrorNote text={error} />
    </div>
  );
}
