// Keyboard shortcuts: the global key handler and the help overlay that lists them.
import { useEffect } from 'react';
import { useStore } from 'react-redux';
import { roleIn } from '../../common/domain';
import {
  acceptClicked,
  adjacentChatRequested,
  chatMenuOpened,
  rejectClicked,
  shortcutsClosed,
  shortcutsOpened,
  type Tab,
  tabChosen,
} from '../store/actions';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import type { RootState } from '../store/root';
import { selectShortcutsOpen } from '../store/ui';
import { Dialog } from './Dialog';

export const shortcutList: Array<[keys: string, what: string]> = [
  ['Alt+↓ / Alt+↑', 'Next / previous chat'],
  ['Ctrl+Shift+M', 'Open the Chat menu'],
  ['Ctrl+Shift+A', 'Accept the transfer offered in the open chat'],
  ['Ctrl+Shift+R', 'Reject the transfer offered in the open chat'],
  ['Ctrl+1 … Ctrl+5', 'Switch tabs'],
  ['/ (in an empty message) or Ctrl+Shift+K', 'Insert a canned reply'],
  ['Enter', 'Send the message'],
  ['Shift+Enter', 'New line in the message'],
  ['Escape', 'Close dialogs and menus'],
  ['? or Ctrl+/', 'Show this help'],
];

const isTextField = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'checkbox'));

/** Listens for the workspace shortcuts and turns them into the same events the buttons dispatch. */
export function useShortcuts(tabs: Tab[]) {
  const dispatch = useAppDispatch();
  const store = useStore<RootState>();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const state = store.getState();
      const ctrl = event.ctrlKey || event.metaKey;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const selected = state.chat.selectedId;
      const session = selected ? state.sessions.entities[selected] : undefined;
      const me = state.session.me;
      let handled = true;
      if ((key === '?' && !ctrl && !event.altKey && !isTextField(event.target)) || (ctrl && key === '/')) dispatch(shortcutsOpened());
      else if (event.altKey && !ctrl && event.key === 'ArrowDown') dispatch(adjacentChatRequested(1));
      else if (event.altKey && !ctrl && event.key === 'ArrowUp') dispatch(adjacentChatRequested(-1));
      else if (ctrl && event.shiftKey && key === 'm' && session) {
        if (state.ui.tab !== 'chats') dispatch(tabChosen('chats'));
        dispatch(chatMenuOpened(session.id));
      } else if (ctrl && event.shiftKey && (key === 'a' || key === 'r') && session && me && roleIn(session, me.id) === 'offered') {
        const offer = session.pendingTransfer;
        if (offer && key === 'a') dispatch(acceptClicked({ sessionId: session.id, transferId: offer.id }));
        if (offer && key === 'r') {
          const reason = state.transfers.rejectReasons[session.id]?.trim();
          dispatch(rejectClicked({ sessionId: session.id, transferId: offer.id, ...(reason ? { reason } : {}) }));
        }
      } else if (ctrl && !event.shiftKey && !event.altKey && /^[1-5]$/.test(key)) {
        const tab = tabs[Number(key) - 1];
        if (tab) dispatch(tabChosen(tab));
      } else handled = false;
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [dispatch, store, tabs]);
}

export function ShortcutsOverlay() {
  const dispatch = useAppDispatch();
  const open = useAppSelector(selectShortcutsOpen);
  if (!open) return null;
  return (
    <Dialog title="Keyboard shortcuts" onClose={() => dispatch(shortcutsClosed())} className="shortcuts-dialog">
      <table className="shortcuts">
        <tbody>
          {shortcutList.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">The theme, notifications and sounds are in Settings (in the header).</p>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={() => dispatch(shortcutsClosed())}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
