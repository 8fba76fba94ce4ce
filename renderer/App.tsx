// The renderer's top level: sign-in or the workspace (header, tabs, the tab's panel, dialogs).
import { ChatPanel } from './components/ChatPanel';
import { Dashboard } from './components/Dashboard';
import { Header, useVisibleTabs } from './components/Header';
import { History } from './components/History';
import { RequestDialog } from './components/RequestDialog';
import { RequestsTab } from './components/RequestsTab';
import { SessionList } from './components/SessionList';
import { ShortcutsOverlay, useShortcuts } from './components/Shortcuts';
import { SignIn } from './components/SignIn';
import { TransferDialog } from './components/TransferDialog';
import { useAppSelector } from './store/hooks';
import { selectReady, selectShowSignIn } from './store/session';
import { selectTab } from './store/ui';

function Workspace() {
  const tab = useAppSelector(selectTab);
  const tabs = useVisibleTabs();
  useShortcuts(tabs);
  const current = tabs.includes(tab) ? tab : 'chats';
  return (
    <div className="app">
      <Header />
      <main id={`panel-${current}`} role="tabpanel" aria-labelledby={`tab-${current}`} className={`main main-${current}`}>
        {current === 'chats' ? (
          <div className="chats">
            <SessionList />
            <ChatPanel />
          </div>
        ) : null}
        {current === 'dashboard' ? <Dashboard /> : null}
        {current === 'history' ? <History /> : null}
        {current === 'requests' ? <RequestsTab /> : null}
      </main>
      <TransferDialog />
      <RequestDialog />
      <ShortcutsOverlay />
    </div>
  );
}

export function App() {
  const ready = useAppSelector(selectReady);
  const showSignIn = useAppSelector(selectShowSignIn);
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
