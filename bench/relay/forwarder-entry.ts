// Benchmark child: the baseline, a bare ws server that forwards each customer frame to its paired agent socket
// (no validation, no persistence, no acknowledgement), measured with the same load and connection count as the relay.
// With a data folder it is the durable forwarder: each turn's frames are appended to a file and forwarded only once
// an fsync covers them (one write and one fsync in flight at a time, frames arriving meanwhile form the next batch: the
// relay's group commit with nothing else), so the relay's cost over it is what it does besides waiting for the disk.
// argv: <customersPerAgent> [<dataDir>]
import './child-gc';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { reportFailure, serveStats } from './server-stats';

const perAgent = Number(process.argv[2] ?? 4);
const dataDir = process.argv[3];
const agents = new Map<number, WebSocket>();

/** Frames written to the log and forwarded after its fsync; `forward` is what the bare forwarder does at once. */
function durableLog(file: string, forward: (agentIndex: number, data: Buffer) => void) {
  const fd = fs.openSync(file, 'a');
  let pending: { agentIndex: number; data: Buffer }[] = [];
  let busy = false;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (busy || !pending.length) return;
    busy = true;
    const batch = pending;
    pending = [];
    fs.writev(
      fd,
      batch.map((b) => b.data),
      (error) => {
        if (error) reportFailure(error);
        fs.fsync(fd, (syncError) => {
          if (syncError) reportFailure(syncError);
          for (const b of batch) forward(b.agentIndex, b.data);
          busy = false;
          flush();
        });
      },
    );
  };
  return (agentIndex: number, data: Buffer) => {
    pending.push({ agentIndex, data });
    if (!busy && !scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

try {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  // the relay's own ws settings (relay/server.ts), so the baseline pays for the same library per connection
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  const forward = (agentIndex: number, data: Buffer) => agents.get(agentIndex)?.send(data, { binary: false });
  const deliver = dataDir ? durableLog(path.join(dataDir, 'frames.log'), forward) : forward;
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
    // text frames only (the load sends text); ws hands a single Buffer without fragmentation
    ws.on('message', (data: RawData) => deliver(agentIndex, data as Buffer));
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
