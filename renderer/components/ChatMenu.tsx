// The icon menu on a chat (accessible name "Chat menu"), with the items my role in the chat allows.
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { type AgentInfo, roleIn, type SessionSummary } from '../../common/domain';
import {
  cancelTransferClicked,
  chatMenuClosed,
  chatMenuOpened,
  closeWindowClicked,
  confirmationRequested,
  requestDialogOpened,
  transferDialogOpened,
} from '../store/actions';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectMenuFor } from '../store/ui';

export type ChatMenuItem = 'Transfer' | 'Cancel transfer' | 'Create request' | 'Take over' | 'Close window' | 'Close chat';

/** Which menu items an agent gets on a chat, from the help page's rules. */
export function chatMenuItems(session: SessionSummary, me: AgentInfo): ChatMenuItem[] {
  const role = roleIn(session, me.id);
  const manager = me.role === 'manager';
  const live = session.state !== 'closed';
  const pending = session.pendingTransfer;
  const items: ChatMenuItem[] = [];
  if (live && session.state === 'active' && !pending && (role === 'owner' || (manager && role !== 'offered'))) items.push('Transfer');
  if (live && pending && (pending.offeredBy === me.id || manager) && role !== 'offered') items.push('Cancel transfer');
  if (live && (role === 'owner' || (manager && role !== 'offered'))) items.push('Create request');
  if (live && manager && role !== 'owner' && role !== 'offered') items.push('Take over');
  if (role === 'listener' || session.state === 'closed') items.push('Close window');
  if (live && role === 'owner') items.push('Close chat');
  return items;
}

export function ChatMenu({ session, me }: { session: SessionSummary; me: AgentInfo }) {
  const dispatch = useAppDispatch();
  const open = useAppSelector(selectMenuFor) === session.id;
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const items = chatMenuItems(session, me);

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (event: MouseEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) dispatch(chatMenuClosed());
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open, dispatch]);

  const choose = (item: ChatMenuItem) => {
    dispatch(chatMenuClosed());
    const pending = session.pendingTransfer;
    switch (item) {
      case 'Transfer':
        dispatch(transferDialogOpened(session.id));
        return;
      case 'Cancel transfer':
        if (pending) dispatch(cancelTransferClicked({ sessionId: session.id, transferId: pending.id }));
        break;
      case 'Create request':
        dispatch(requestDialogOpened(session.id));
        return;
      case 'Take over':
        dispatch(confirmationRequested({ kind: 'take-over', sessionId: session.id, where: `chat:${session.id}` }));
        return;
      case 'Close window':
        dispatch(closeWindowClicked(session.id));
        break;
      case 'Close chat':
        dispatch(confirmationRequested({ kind: 'close-chat', sessionId: session.id, where: `chat:${session.id}` }));
        return;
    }
    buttonRef.current?.focus();
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const all = Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const at = all.indexOf(document.activeElement as HTMLElement);
    let next: HTMLElement | undefined;
    if (event.key === 'ArrowDown') next = all[(at + 1) % all.length];
    else if (event.key === 'ArrowUp') next = all[(at - 1 + all.length) % all.length];
    else if (event.key === 'Home') next = all[0];
    else if (event.key === 'End') next = all[all.length - 1];
    else if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      event.stopPropagation();
      dispatch(chatMenuClosed());
      buttonRef.current?.focus();
      return;
    }
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };

  return (
    <div className="menu-wrap">
      <button
        ref={buttonRef}
        type="button"
        className="icon-button menu-button"
        aria-label="Chat menu"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => dispatch(open ? chatMenuClosed() : chatMenuOpened(session.id))}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open ? (
        <div role="menu" aria-label="Chat menu" className="menu" ref={menuRef} onKeyDown={onMenuKeyDown}>
          {items.length === 0 ? (
            <div role="menuitem" aria-disabled="true" tabIndex={-1} className="menu-item disabled">
              Answer the transfer below
            </div>
          ) : (
            items.map((item) => (
              <button
                key={item}
                type="button"
                role="menuitem"
                tabIndex={-1}
                className={`menu-item ${item === 'Close chat' ? 'danger' : ''}`}
                onClick={() => choose(item)}
              >
                {item}
              </button>
            ))
          )}
        </div>
      ) : null}
    </div>
  );
}
