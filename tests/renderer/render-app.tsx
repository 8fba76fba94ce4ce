// Mounts the real renderer (store, effects, App) on a FakeBridge for component tests.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'react-redux';
import { App } from '../../renderer/App';
import { createBatonStore } from '../../renderer/store/store';
import type { AttentionKind } from '../../common/bridge';
import type { SoundPlayer } from '../../renderer/lib/sounds';
import type { FakeBridge } from './fake-bridge';

/** Records every sound the effects ask for, instead of playing it. */
export class RecordingSoundPlayer implements SoundPlayer {
  readonly played: Array<{ kind: AttentionKind; volume: number }> = [];
  play(kind: AttentionKind, volume: number): void {
    this.played.push({ kind, volume });
  }
}

// happy-dom does no layout, so every element is 0 px tall and a virtualized list would show nothing:
// give transcript logs the height of a typical window so the virtualizer renders rows.
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return this.getAttribute('role') === 'log' ? 800 : 0;
  },
});

export async function renderApp(bridge: FakeBridge, { signedIn = true, sounds = new RecordingSoundPlayer() } = {}) {
  const baton = createBatonStore(bridge, { document, searchDebounceMs: 0, typingIdleMs: 5, sounds });
  const user = userEvent.setup();
  const view = render(
    <Provider store={baton.store}>
      <App />
    </Provider>,
  );
  baton.start();
  if (signedIn) await screen.findByRole('banner');
  else await screen.findByRole('heading', { name: 'Sign in to Baton' });
  return { ...view, store: baton.store, user, sounds, dispose: baton.dispose };
}
