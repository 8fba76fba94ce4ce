// The page's socket to the relay: connects to /customer, says customer-hello, and reconnects with backoff and full
// jitter (common/backoff.ts) behind a countdown the customer reads. What the frames mean is the chat's (main.ts).
import { Backoff } from '../../../common/backoff';
import { CloseCodes, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../../common/wire-constants';
import { randomId } from './state';
import { strings } from './strings';
import { setConnection } from './view';

export interface ConnectionEvents {
  /** whether a chat is under way, so the page should be connected */
  wanted(): boolean;
  /** the customer-hello's own fields (a token to resume, or the pre-chat form's answers) */
  hello(): Record<string, unknown>;
  frame(frame: Record<string, unknown>): void;
  /** the socket closed: anything on its way is lost */
  lost(): void;
  /** the relay closed the socket because the chat has ended */
  ended(): void;
  /** the relay no longer speaks this page's protocol: reloading is the only way on */
  outdated(): void;
}

export class Connection {
  private socket: WebSocket | null = null;
  private helloId: string | null = null;
  private stopped = false;
  private welcome = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private countdownTimer: ReturnType<typeof setInterval> | undefined;
  private readonly backoff = new Backoff({ baseMs: 500, capMs: 15_000 });

  constructor(private readonly events: ConnectionEvents) {}

  /** Whether `id` is the command id of this connection's hello. */
  isHello(id: unknown): boolean {
    return typeof id === 'string' && id === this.helloId;
  }

  /** The relay has welcomed this socket: commands besides the hello may go. */
  get greeted(): boolean {
    return this.welcome;
  }

  send(frame: object): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** A fresh start (a new chat): reconnect attempts count from zero again. */
  start(): void {
    this.stopped = false;
    this.backoff.reset();
    this.connect();
  }

  /** No more reconnecting until start(): the chat is over, refused, or replaced by a new one. */
  stop(reason: string): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.countdownTimer);
    const socket = this.socket;
    this.socket = null;
    this.welcome = false;
    if (!socket) return;
    socket.close(1000, reason);
    this.events.lost();
  }

  /** The relay greeted us: the connection is good. */
  welcomed(): void {
    this.welcome = true;
    this.backoff.connected();
    setConnection('');
  }

  /** Coming back online is a better moment to retry than whatever the backoff had picked. */
  online(): void {
    if (this.socket || this.stopped || !this.events.wanted()) return;
    this.backoff.reset();
    this.connect();
  }

  connect(): void {
    clearTimeout(this.retryTimer);
    clearInterval(this.countdownTimer);
    if (this.stopped || !this.events.wanted()) return;
    setConnection(this.backoff.attempt === 0 ? '' : strings.connecting);
    let ws: WebSocket;
    try {
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      ws = new WebSocket(`${scheme}//${location.host}${CUSTOMER_PATH}`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = ws;
    ws.addEventListener('open', () => {
      if (this.socket !== ws) return;
      this.helloId = `h-${randomId(6)}`;
      this.send({ id: this.helloId, type: 'customer-hello', protocol: PROTOCOL_VERSION, ...this.events.hello() });
    });
    ws.addEventListener('message', (msg) => {
      if (this.socket !== ws) return;
      let frame: unknown;
      try {
        frame = JSON.parse(typeof msg.data === 'string' ? msg.data : '');
      } catch {
        return;
      }
      if (frame && typeof frame === 'object') this.events.frame(frame as Record<string, unknown>);
    });
    ws.addEventListener('close', (closeEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.welcome = false;
      this.backoff.disconnected();
      this.events.lost();
      if (closeEvent.code === CloseCodes.unsupportedProtocol) {
        this.stopped = true;
        setConnection('');
        this.events.outdated();
        return;
      }
      if (closeEvent.code === CloseCodes.sessionEnded || !this.events.wanted()) {
        setConnection('');
        if (closeEvent.code === CloseCodes.sessionEnded) this.events.ended();
        return;
      }
      if (closeEvent.code === CloseCodes.reconnect && this.backoff.attempt === 0) {
        this.connect();
        return;
      }
      this.scheduleReconnect();
    });
  }

  /** so many customers do not all come back at the same instant */
  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = Math.max(250, this.backoff.next());
    const at = Date.now() + delay;
    const tick = () => setConnection(strings.reconnectingIn(Math.max(1, Math.ceil((at - Date.now()) / 1000))));
    tick();
    this.countdownTimer = setInterval(tick, 1000);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
