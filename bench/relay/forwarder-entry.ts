// Benchmark child: the baseline, a bare ws server that forwards each customer frame to its paired agent socket
// (no validation, no persistence, no acknowledgement), measured with the same load and connection count as the relay.
// argv: <customersPerAgent>
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { reportFailure, serveStats } from './server-stats';

const perAgent = Number(process.argv[2] ?? 4);
const agents = new Map<number, WebSocket>();

try {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  // the relay's own ws settings (relay/server.ts), so the baseline pays for the same library per connection
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'http://forwarder');
    const index = Number(url.searchParams.get('i'));
    ws.on('error', () => {});
    if (url.pathname === '/agent') {
      agents.set(index, ws);
      ws.on('close', () => agents.delete(index));
      return;
    }
    const agentIndex = Math.floor(index / perAgent);
    ws.on('message', (data, isBinary) => agents.get(agentIndex)?.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serveStats((server.address() as AddressInfo).port, async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    server.close();
  });
} catch (error) {
  reportFailure(error);
}
