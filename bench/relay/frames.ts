// How much a frame costs the relay to write, ws's `send` against the relay's own framing (relay/connections.ts
// `textFrame`, one buffer written straight to the socket): three ~400-byte event frames per corked turn, as a message
// costs the relay (the agent's event, the customer's `ok` and event), over a real loopback socket with a ws client
// reading them in the same process. Prints the median CPU per frame of each, alternated, and their ratio.
// `npx tsx bench/relay/frames.ts [--frames 60000] [--rounds 8]`
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from '../../relay/connections';

const { values: args } = parseArgs({ options: { frames: { type: 'string', default: '60000' }, rounds: { type: 'string', default: '8' } } });
const frames = Number(args.frames);
const rounds = Number(args.rounds);
if (!Number.isInteger(frames) || frames < 3 || !Number.isInteger(rounds) || rounds < 1) {
  console.error('frames.ts: --frames takes a whole number of at least 3, --rounds a whole number of at least 1');
  process.exit(2);
}

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', clientTracking: false, perMessageDeflate: false });
await new Promise((resolve) => wss.once('listening', resolve));
const { port } = wss.address() as { port: number };
let received = 0;
const client = new WebSocket(`ws://127.0.0.1:${port}`);
client.on('message', () => {
  received += 1;
});
const server = await new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
const socket = (server as unknown as { _socket: Socket })._socket;
const text = JSON.stringify({
  type: 'event',
  event: {
    sessionId: `s_${'a'.repeat(16)}`,
    seq: 12,
    at: Date.now(),
    kind: 'message',
    messageId: `m_${'b'.repeat(20)}`,
    author: { kind: 'customer', name: 'Customer 12' },
    text: 'hello there, '.repeat(24),
  },
});

/** CPU per frame (µs), from the first write until the client has read every frame */
async function measure(send: () => void): Promise<number> {
  const until = received + frames;
  const started = process.cpuUsage();
  for (let i = 0; i < frames; i += 3) {
    socket.cork();
    send();
    send();
    send();
    process.nextTick(() => socket.uncork());
    if (i % 150 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  while (received < until) await new Promise((resolve) => setTimeout(resolve, 1));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / frames;
}

const ways = {
  'ws send': () => server.send(text),
  'textFrame + socket.write': () => socket.write(textFrame(text)),
};
const figures: Record<string, number[]> = { 'ws send': [], 'textFrame + socket.write': [] };
await measure(ways['ws send']); // warm-up of both paths
await measure(ways['textFrame + socket.write']);
for (let round = 0; round < rounds; round++) for (const [name, send] of Object.entries(ways)) figures[name]!.push(await measure(send));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`Frame writes, ${new Date().toISOString()}, Node ${process.version}: ${frames} frames of ${Buffer.byteLength(text)} bytes per round, ${rounds} rounds alternated`);
for (const [name, values] of Object.entries(figures)) {
  console.log(`  ${name.padEnd(26)} median ${median(values).toFixed(2)} µs per frame (rounds: ${values.map((v) => v.toFixed(2)).join(', ')})`);
}
console.log(`  own framing ÷ ws send: ${(median(figures['textFrame + socket.write']!) / median(figures['ws send']!)).toFixed(2)}`);
client.close();
wss.close();
process.exit(0);
