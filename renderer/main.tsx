// The renderer's entry: installs the web bridge when there is no preload, builds the store, mounts the app.
import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { App } from './App';
import { installWebBridgeIfNeeded } from './bridge/web';
import { startIdleReports } from './lib/idle';
import { createAudioPlayer } from './lib/sounds';
import { themeChosen, visibilityChanged } from './store/actions';
import { createBatonStore } from './store/store';
import './styles.css';
import './supervision.css';

installWebBridgeIfNeeded();

const { store, start } = createBatonStore(window.baton, { document, sounds: createAudioPlayer(document) });
document.addEventListener('visibilitychange', () => store.dispatch(visibilityChanged(document.visibilityState === 'visible')));
const savedTheme = localStorage.getItem('baton.theme');
if (savedTheme === 'light' || savedTheme === 'dark') store.dispatch(themeChosen(savedTheme));
store.subscribe(() => {
  const theme = store.getState().ui.theme;
  if (localStorage.getItem('baton.theme') !== theme) localStorage.setItem('baton.theme', theme);
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Provider store={store}>
        <App />
      </Provider>
    </StrictMode>,
  );
}
start();
// on the desktop the core hears the computer's idle time; in a browser only this page can tell
if (window.baton.platform === 'web') startIdleReports(window, window.baton);
