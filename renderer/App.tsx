// The renderer's top level: sign-in or the workspace (header, offline banner, offers, the view's panel, dialogs).
import { useId } from 'react';
import { CannedRepliesView } from './components/CannedReplies';
import { ChatPanel } from './components/ChatPanel';
import { ConfirmDialog } from './components/ConfirmDialog';
import { Dashboard } from './components/Dashboard';
import { Header, useVisibleTabs } from './components/Header';
import { History } from './components/History';
import { OfferBars } from './components/OfferBars';
import { OfflineBanner } from './components/OfflineBanner';
import { RequestDialog } from './components/RequestDialog';
import { RequestsTab } from './components/RequestsTab';
import { SessionList } from './components/SessionList';
import { SettingsView } from './components/Settings';
import { ShortcutsOverlay, useShortcuts } from './components/Shortcuts';
import { SignIn } from './components/SignIn';
import { TeamView } from './components/team/TeamView';
import { TransferDialog } from './components/TransferDialog';
import type { Tab } from './store/actions';
import { useAppSelector } from './store/hooks';
import { selectReady, selectShowSignIn } from './store/session';
import { selectLinkExpired, selectTab } from './store/ui';

function Workspace() {
  const view = useAppSelector(selectTab);
  const tabs = useVisibleTabs();
  useShortcuts(tabs);
  const current = view === 'settings' ? 'settings' : tabs.includes(view as Tab) ? view : 'chats';
  // Settings is reached from the header, not from the tablist, so its panel is labelled by its own heading
  const panel = current === 'settings' ? {} : ({ role: 'tabpanel', 'aria-labelledby': `tab-${current}` } as const);
  return (
    <div className="app">
      <Header />
      <OfflineBanner />
      <OfferBars />
      <main id={`panel-${current}`} {...panel} className={`main main-${current}`}>
        {current === 'chats' ? (
          <div className="chats">
            <SessionList />
            <ChatPanel />
          </div>
        ) : null}
        {current === 'dashboard' ? <Dashboard /> : null}
        {current === 'team' ? <TeamView /> : null}
        {current === 'history' ? <History /> : null}
        {current === 'requests' ? <RequestsTab /> : null}
        {current === 'replies' ? <CannedRepliesView /> : null}
        {current === 'settings' ? <SettingsView /> : null}
      </main>
      <TransferDialog />
      <RequestDialog />
      <ShortcutsOverlay />
      <ConfirmDialog />
    </div>
  );
}

/** Web mode after a host restart: the page's token is dead, and only the new address helps. */
function LinkExpired({ message }: { message: string }) {
  const titleId = useId();
  return (
    <main className="signin">
      <section className="signin-card" aria-labelledby={titleId}>
        <div className="signin-logo" aria-hidden="true">
          B
        </div>
        <h1 id={titleId}>This link has expired</h1>
        <p className="lead">{message}</p>
      </section>
    </main>
  );
}

export function App() {
  const ready = useAppSelector(selectReady);
  const showSignIn = useAppSelector(selectShowSignIn);
  const linkExpired = useAppSelector(selectLinkExpired);
  if (linkExpired) return <LinkExpired message={linkExpired} />;
  if (!ready) {
    return (
      <div className="splash" role="status" aria-label="Loading">
        <span className="brand-mark">B</span>
        <span>Starting Baton…</span>
      </div>
    );
  }
  return showSignIn ? <SignIn /> : <Workspace />;
}
