// A TCP proxy between a client and the relay that a test can cut (destroy sockets) or stall (stop forwarding, keep sockets open).
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** ws://127.0.0.1:<proxy port> */
  url: string;
  /** connections accepted so far */
  readonly accepted: number;
  /** destroys every open connection; new ones still go through */
  cut(): void;
  /** stops forwarding without closing anything (a half-open link); 'down' drops only relay→client bytes */
  stall(direction?: 'both' | 'down'): void;
  resume(): void;
  /** refuse new connections (accept and destroy at once) until allowed again */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let stalled: 'none' | 'both' | 'down' = 'none';
  let refusing = false;
  let accepted = 0;

  const server = net.createServer((client) => {
    accepted += 1;
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket, down: boolean) => {
      from.on('data', (chunk) => {
        // while stalled, bytes are swallowed: like a network that silently drops packets
        if (stalled === 'both' || (stalled === 'down' && down)) return;
        to.write(chunk);
      });
    };
    forward(client, upstream, false);
    forward(upstream, client, true);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  const cut = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    cut,
    stall(direction = 'both') {
      stalled = direction;
    },
    resume() {
      stalled = 'none';
    },
    refuse(value) {
      refusing = value;
    },
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
