// A small WebSocket client for the flood benchmark: connect with headers, wait for frames, see refusals' status.
import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type: string; id?: string };

export interface Socket {
  ws: WebSocket;
  frames: Frame[];
  next(match: (frame: Frame) => boolean, timeoutMs?: number, what?: string): Promise<Frame>;
  send(frame: object): void;
}

export type Refused = { status: number; retryAfter: number };

/** Opens a socket; resolves with it, or with the HTTP status (0: no answer) that refused it. */
export function connect(url: string, headers: Record<string, string>): Promise<Socket | Refused> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    const frames: Frame[] = [];
    const waiters = new Set<() => void>();
    ws.on('message', (data) => {
      frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of [...waiters]) wake();
    });
    ws.on('close', () => {
      for (const wake of [...waiters]) wake();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1) });
      res.resume();
      ws.terminate();
    });
    ws.once('error', () => resolve({ status: 0, retryAfter: 1 }));
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        send: (frame) => ws.send(JSON.stringify(frame)),
        next: (match, timeoutMs = 30_000, what = 'a frame') =>
          new Promise((found, failed) => {
            const timer = setTimeout(() => {
              waiters.delete(check);
              failed(new Error(`timed out waiting for ${what} on ${url}`));
            }, timeoutMs);
            const check = () => {
              const frame = frames.find(match);
              if (frame) {
                clearTimeout(timer);
                waiters.delete(check);
                found(frame);
              } else if (ws.readyState !== WebSocket.OPEN) {
                clearTimeout(timer);
                waiters.delete(check);
                failed(new Error(`closed while waiting for ${what} on ${url}`));
              }
            };
            waiters.add(check);
            check();
          }),
      }),
    );
  });
}

export const isSocket = (value: Socket | Refused): value is Socket => 'ws' in value;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export function quantile(values: number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
