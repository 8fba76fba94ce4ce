// The workspace header: brand, main tabs, the connection indicator, the agent's name and Status, Settings, Sign out.
import { type KeyboardEvent, useMemo } from 'react';
import type { SettableStatus } from '../../common/domain';
import { shortcutsOpened, signOutClicked, statusChosen, type Tab, tabChosen } from '../store/actions';
import { selectPendingOutboxCount } from '../store/chat';
import { initials } from '../lib/format';
import { connectionLabel, selectConnection, selectOnline } from '../store/connection';
import { useAppDispatch, useAppSelector, useNow } from '../store/hooks';
import { selectCanSeeDashboard, selectIsManager, selectMe } from '../store/session';
import { selectAttention } from '../store/sessions';
import { selectError, selectTab } from '../store/ui';
import { ErrorNote } from './Dialog';

export const tabLabels: Record<Tab, string> = {
  chats: 'Chats',
  dashboard: 'Dashboard',
  team: 'Team',
  history: 'History',
  requests: 'Requests',
  replies: 'Replies',
};

/** Dashboard for those who may listen in and managers; the Team view (administration) for managers only. */
export function useVisibleTabs(): Tab[] {
  const dashboard = useAppSelector(selectCanSeeDashboard);
  const manager = useAppSelector(selectIsManager);
  return useMemo(() => {
    const tabs: Tab[] = ['chats'];
    if (dashboard) tabs.push('dashboard');
    if (manager) tabs.push('team');
    tabs.push('history', 'requests', 'replies');
    return tabs;
  }, [dashboard, manager]);
}

function ConnectionIndicator() {
  const connection = useAppSelector(selectConnection);
  const pending = useAppSelector(selectPendingOutboxCount);
  const ticking = connection.status === 'offline' && connection.nextRetryAt !== null;
  const now = useNow(ticking ? 1000 : 60_000);
  const label = connectionLabel(connection, now);
  return (
    <div role="status" aria-label="Connection" className={`connection connection-${connection.status}`}>
      <span className="dot" aria-hidden="true" />
      <span>{label}</span>
      {pending > 0 ? <span className="outbox-count">{`${pending} waiting to send`}</span> : null}
    </div>
  );
}

function Tabs() {
  const dispatch = useAppDispatch();
  const current = useAppSelector(selectTab);
  const tabs = useVisibleTabs();
  const { total: waiting } = useAppSelector(selectAttention);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const at = tabs.indexOf(current as Tab);
    const next = tabs[(at + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    if (next) {
      dispatch(tabChosen(next));
      document.getElementById(`tab-${next}`)?.focus();
    }
  };
  return (
    <div role="tablist" aria-label="Workspace" className="tabs" onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button
          key={tab}
          id={`tab-${tab}`}
          type="button"
          role="tab"
          aria-selected={current === tab}
          aria-controls={`panel-${tab}`}
          // with Settings open no tab is current: the first one keeps the tablist reachable by Tab
          tabIndex={current === tab || (tab === tabs[0] && !tabs.includes(current as Tab)) ? 0 : -1}
          className="tab"
          onClick={() => dispatch(tabChosen(tab))}
        >
          {tabLabels[tab]}
          {tab === 'chats' && waiting > 0 ? (
            <span className="badge" aria-hidden="true">
              {waiting}
            </span>
          ) : null}
        </button>
      ))}
    </div>
  );
}

const settable = (value: string): SettableStatus => (value === 'away' || value === 'busy' ? value : 'present');

/**
 * Present / Busy / Away while the relay hears us. Offline the choice would go nowhere and the status we last knew may
 * be stale, so the select says Offline and waits. While idle (auto-away) it says so: any input brings the chosen
 * status back.
 */
function StatusSelect({ status, idle }: { status: string; idle: boolean }) {
  const dispatch = useAppDispatch();
  const online = useAppSelector(selectOnline);
  const title = !online
    ? 'You can set your status again once the relay answers.'
    : idle
      ? 'Away because you were idle; your status comes back when you are active again.'
      : undefined;
  return (
    <label className="status-select" title={title}>
      <span className="visually-hidden">Status</span>
      <select value={online ? (idle ? 'idle' : settable(status)) : 'offline'} disabled={!online} onChange={(e) => dispatch(statusChosen(settable(e.target.value)))}>
        {online ? null : <option value="offline">Offline</option>}
        {online && idle ? <option value="idle">Away (idle)</option> : null}
        <option value="present">Present</option>
        <option value="busy">Busy</option>
        <option value="away">Away</option>
      </select>
    </label>
  );
}

export function Header() {
  const dispatch = useAppDispatch();
  const me = useAppSelector(selectMe);
  const view = useAppSelector(selectTab);
  const online = useAppSelector(selectOnline);
  const statusError = useAppSelector((s) => selectError(s, 'status'));
  const signOutError = useAppSelector((s) => selectError(s, 'signOut'));
  if (!me) return null;
  return (
    <header className="header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          B
        </span>
        <span className="brand-name">Baton</span>
      </div>
      <Tabs />
      <div className="header-tools">
        <ConnectionIndicator />
        {/* offline, the Present/Away we last knew may be stale: the avatar shows no status dot */}
        <span className={`me status-${online ? me.status : 'unknown'}`}>
          <span className="avatar" aria-hidden="true">
            {initials(me.name)}
          </span>
          <bdi className="me-name">{me.name}</bdi>
        </span>
        <StatusSelect status={me.status} idle={me.idle === true} />
        <button
          type="button"
          className={`ghost ${view === 'settings' ? 'current' : ''}`}
          aria-current={view === 'settings' ? 'page' : undefined}
          onClick={() => dispatch(tabChosen('settings'))}
        >
          Settings
        </button>
        <button type="button" className="icon-button" aria-label="Keyboard shortcuts" onClick={() => dispatch(shortcutsOpened())}>
          ?
        </button>
        <button type="button" className="ghost" onClick={() => dispatch(signOutClicked())}>
          Sign out
        </button>
      </div>
      {statusError || signOutError ? (
        <div className="header-errors">
          <ErrorNote text={statusError} />
          <ErrorNote text={signOutError} />
        </div>
      ) : null}
    </header>
  );
}
