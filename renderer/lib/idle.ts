// Auto-away in a browser (web mode): the page watches for input and reports how long it has had none to the client
// core, which applies the agent's setting (on the desktop the core hears the computer's idle time instead). Only
// input on this page counts: an agent working in another tab looks idle to it, as the Settings hint says.
import type { BatonBridge } from '../../common/bridge';

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

export interface IdleReportOptions {
  /** how often to report (default 15 s) */
  everyMs?: number;
  now?: () => number;
}

/** Starts reporting; returns a function that stops it. */
export function startIdleReports(win: Window, bridge: Pick<BatonBridge, 'invoke'>, options: IdleReportOptions = {}): () => void {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 15_000;
  let lastInput = now();
  let reportedIdle = 0;
  const report = () => {
    const idleSeconds = Math.max(0, Math.floor((now() - lastInput) / 1000));
    reportedIdle = idleSeconds;
    // a report that does not arrive changes nothing: the next one says the same
    void Promise.resolve(bridge.invoke('agent:activity', { idleSeconds })).catch(() => undefined);
  };
  const onInput = () => {
    lastInput = now();
    // back after a while: said at once, so the chosen status returns without waiting for the next report
    if (reportedIdle >= everyMs / 1000) report();
  };
  for (const name of INPUT_EVENTS) win.addEventListener(name, onInput, { passive: true, capture: true });
  const onVisible = () => {
    if (win.document.visibilityState === 'visible') onInput();
  };
  win.document.addEventListener('visibilitychange', onVisible);
  const timer = win.setInterval(report, everyMs);
  return () => {
    win.clearInterval(timer);
    for (const name of INPUT_EVENTS) win.removeEventListener(name, onInput, { capture: true });
    win.document.removeEventListener('visibilitychange', onVisible);
  };
}
