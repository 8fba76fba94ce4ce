// An in-memory BatonBridge for renderer tests: records invokes, returns scripted results, lets a test push events.
import type {
  BatonBridge,
  BridgeArgs,
  BridgeChannel,
  BridgeResult,
  ClientEvent,
  ClientSnapshot,
} from '../../common/bridge';
import type { ErrorCode } from '../../common/errors';
import { fail, ok, type Result } from '../../common/result';

type Handler<C extends BridgeChannel> = (args: BridgeArgs<C>) => Result<BridgeResult<C>> | Promise<Result<BridgeResult<C>>>;

export interface RecordedCall {
  channel: BridgeChannel;
  args: unknown;
}

export class FakeBridge implements BatonBridge {
  platform: 'desktop' | 'web' = 'web';
  readonly calls: RecordedCall[] = [];
  private readonly handlers = new Map<BridgeChannel, Handler<BridgeChannel>>();
  private readonly listeners = new Set<(event: ClientEvent) => void>();
  private messageCount = 0;

  constructor(public snapshot: ClientSnapshot) {}

  /** Scripts the answer to a channel (a fixed Result or a function of the arguments). */
  respond<C extends BridgeChannel>(channel: C, answer: Result<BridgeResult<C>> | Handler<C>): this {
    const handler = typeof answer === 'function' ? answer : () => answer;
    this.handlers.set(channel, handler as unknown as Handler<BridgeChannel>);
    return this;
  }

  /** Makes a channel fail with a relay error. */
  failWith(channel: BridgeChannel, code: ErrorCode, message = ''): this {
    return this.respond(channel, fail(code, message) as never);
  }

  async invoke<C extends BridgeChannel>(channel: C, args: BridgeArgs<C>): Promise<Result<BridgeResult<C>>> {
    this.calls.push({ channel, args });
    const handler = this.handlers.get(channel) as Handler<C> | undefined;
    if (handler) return handler(args);
    return this.defaultAnswer(channel) as Result<BridgeResult<C>>;
  }

  onEvent(listener: (event: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(event: ClientEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  callsTo(channel: BridgeChannel): unknown[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.args);
  }

  private defaultAnswer(channel: BridgeChannel): Result<unknown> {
    switch (channel) {
      case 'app:snapshot':
        return ok(this.snapshot);
      case 'auth:saved':
        return ok({ relayUrl: null, user: null, hasPassword: false });
      case 'chat:transcript':
        return ok({ events: [], hasMore: false });
      case 'chat:send':
        this.messageCount++;
        return ok({ messageId: `msg-${String(this.messageCount).padStart(8, '0')}` });
      case 'transfer:offer':
        return ok({ transferId: 'tr-new' });
      case 'request:list':
        return ok({ requests: this.snapshot.requests });
      case 'history:list':
        return ok({ sessions: [] });
      case 'history:search':
        return ok({ hits: [] });
      case 'settings:set':
        return ok(this.snapshot.settings);
      default:
        return ok(null);
    }
  }
}
