// Auto-away on the desktop: the computer's idle time (Electron's powerMonitor, which sees every application, not only
// Baton's window) reported to the client core, which decides against the agent's setting. Coming back (a resume, an
// unlocked screen) is reported at once, so the agent is Present again without waiting for the next look.
export interface SystemIdle {
  /** seconds since the last keyboard or mouse input anywhere on the machine */
  getSystemIdleTime(): number;
  on(event: 'resume' | 'unlock-screen' | 'lock-screen' | 'suspend', listener: () => void): unknown;
  removeListener(event: 'resume' | 'unlock-screen' | 'lock-screen' | 'suspend', listener: () => void): unknown;
}

export interface IdleWatchOptions {
  powerMonitor: SystemIdle;
  report: (idleSeconds: number) => void;
  /** how often to look (default 15 s: auto-away is counted in minutes) */
  everyMs?: number;
}

/** A locked screen or a sleeping machine: the agent is not at it, however recent the last input was. */
const AWAY_FROM_MACHINE = 1e9;

export function watchSystemIdle({ powerMonitor, report, everyMs = 15_000 }: IdleWatchOptions): () => void {
  let locked = false;
  const look = () => report(locked ? AWAY_FROM_MACHINE : powerMonitor.getSystemIdleTime());
  const gone = () => {
    locked = true;
    look();
  };
  const back = () => {
    locked = false;
    look();
  };
  powerMonitor.on('lock-screen', gone);
  powerMonitor.on('suspend', gone);
  powerMonitor.on('unlock-screen', back);
  powerMonitor.on('resume', back);
  const timer = setInterval(look, everyMs);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    powerMonitor.removeListener('lock-screen', gone);
    powerMonitor.removeListener('suspend', gone);
    powerMonitor.removeListener('unlock-screen', back);
    powerMonitor.removeListener('resume', back);
  };
}
