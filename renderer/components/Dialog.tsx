// A modal dialog that traps focus while open, closes on Escape, and gives focus back to where it came from.
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef } from 'react';

const focusable =
  'a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** where focus goes on close when the element that opened the dialog is gone (e.g. a closed menu's item) */
  fallbackFocus?: () => HTMLElement | null;
  className?: string;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const { fallbackFocus } = props;
  const fallbackRef = useRef(fallbackFocus);
  fallbackRef.current = fallbackFocus;
  const closeRef = useRef(props.onClose);
  closeRef.current = props.onClose;

  // Escape closes the dialog even when focus has fallen out of it (e.g. onto the body after a button got disabled).
  useEffect(() => {
    const onEscape = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      closeRef.current();
    };
    window.addEventListener('keydown', onEscape);
    return () => window.removeEventListener('keydown', onEscape);
  }, []);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first = ref.current?.querySelector<HTMLElement>('[data-autofocus]') ?? ref.current?.querySelector<HTMLElement>(focusable);
    (first ?? ref.current)?.focus();
    return () => {
      const target = opener && opener !== document.body && opener.isConnected ? opener : fallbackRef.current?.();
      target?.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const items = Array.from(ref.current.querySelectorAll<HTMLElement>(focusable));
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: clicking outside is a mouse shortcut; Escape is the keyboard way
    <div
      className="backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) props.onClose();
      }}
    >
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className={`dialog ${props.className ?? ''}`}
        ref={ref}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="dialog-title">
          {props.title}
        </h2>
        {props.children}
      </div>
    </div>
  );
}

/** A sentence about something that went wrong, shown beside what caused it. */
export function ErrorNote({ text, className }: { text: string | undefined; className?: string }) {
  if (!text) return null;
  return (
    <p role="alert" className={`error-note ${className ?? ''}`}>
      {text}
    </p>
  );
}

export const chatMenuButton = () => document.querySelector<HTMLElement>('[aria-label="Chat menu"]');
