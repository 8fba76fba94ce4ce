// Builds the renderer's Redux store around one BatonBridge: reducers, effects, and the bridge's event stream.
import { configureStore } from '@reduxjs/toolkit';
import { type BatonBridge, ClientEventSchema } from '../../common/bridge';
import { describeZodError } from '../../common/protocol';
import { appStarted, eventReceived, platformDetected } from './actions';
import { createEffects, type EffectsOptions } from './effects';
import { rootReducer } from './root';

export function createBatonStore(bridge: BatonBridge, options: EffectsOptions = {}) {
  const effects = createEffects(bridge, options);
  const store = configureStore({
    reducer: rootReducer,
    middleware: (getDefault) =>
      getDefault({
        // Transcripts can hold tens of thousands of events; the dev-only checks would walk them on every action.
        // previews are data: URLs of up to a few MB each
        immutableCheck: { ignoredPaths: ['chat.logs', 'attachments.previews'] },
        // a chosen file is handed to the effects that read it, never stored
        serializableCheck: { ignoredPaths: ['chat.logs', 'attachments.previews'], ignoredActions: ['composer/fileChosen'] },
      }).prepend(effects.middleware),
  });
  store.dispatch(platformDetected(bridge.platform === 'desktop' ? 'desktop' : 'web'));
  const stopEvents = bridge.onEvent((raw) => {
    // The bridge is a process boundary: an event that does not match the contract is reported and dropped.
    const parsed = ClientEventSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn(`Baton ignored a malformed event from its core: ${describeZodError(parsed.error)}`);
      return;
    }
    store.dispatch(eventReceived(parsed.data));
  });
  return {
    store,
    start: () => store.dispatch(appStarted()),
    dispose: () => {
      stopEvents();
      effects.clearListeners();
    },
  };
}

export type BatonStore = ReturnType<typeof createBatonStore>['store'];
export type AppDispatch = BatonStore['dispatch'];
