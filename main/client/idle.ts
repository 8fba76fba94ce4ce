// Auto-away: turns reports of how long the agent has given no input (the computer's idle time on the desktop, the
// page's in a browser) into the relay's idle flag, per the agent's setting. The relay clears the flag when a
// connection says hello, so after a reconnect the core says it again if the agent is still away from the keyboard.
import type { Settings } from '../../common/bridge';

export class IdlePolicy {
  private idle = false;
  private lastIdleSeconds = 0;

  constructor(private readonly send: (idle: boolean) => void) {}

  get isIdle(): boolean {
    return this.idle;
  }

  /** `idleSeconds` without input: idle once it reaches the setting's minutes, back as soon as it drops below. */
  report(idleSeconds: number, setting: Settings['autoAway']): void {
    this.lastIdleSeconds = idleSeconds;
    const idle = setting.on && idleSeconds >= setting.minutes * 60;
    if (idle === this.idle) return;
    this.idle = idle;
    this.send(idle);
  }

  /** The setting changed: judged again at once (turning it off brings an idle agent back). */
  configure(setting: Settings['autoAway']): void {
    this.report(this.lastIdleSeconds, setting);
  }

  /** A new connection: the relay has forgotten the flag. */
  reconnected(): void {
    if (this.idle) this.send(true);
  }

  /** Signed out: the next account starts active. */
  reset(): void {
    this.idle = false;
    this.lastIdleSeconds = 0;
  }
}
