// The relay's hand-made JSON (relay/wire.ts) reads back as exactly the frame it stands for: a welcome with thousands
// of agents is joined from each agent's text, presence and event frames are written around a cached inner text; the
// WebSocket frames the relay writes to sockets itself read back, through ws's own reader, as the texts they carry.
import { describe, expect, it } from 'vitest';
import type { AgentInfo, SessionEvent } from '../../common/domain';
import { type RelayFrameOf, RelayFrameSchema } from '../../common/protocol';
import { createRequire } from 'node:module';
import { textFrame } from '../../relay/connections';
import { agentInfoJson, EVENT_FRAME, eventFrameJson, presenceFrameJson, welcomeJson } from '../../relay/wire';

const agent = (id: string, over: Partial<AgentInfo> = {}): AgentInfo => ({
  id,
  name: `Agent ${id}`,
  role: 'agent',
  canListenIn: false,
  status: 'present',
  openChats: 0,
  teams: [],
  capacity: 3,
  statusSince: 1,
  idle: false,
  disabled: false,
  ...over,
});

describe('hand-made JSON of frames', () => {
  it('a welcome reads back as the frame it was made from, names with quotes, escapes and "agents":[] in them included', () => {
    const frame: RelayFrameOf<'welcome'> = {
      type: 'welcome',
      id: 'c1',
      protocol: 1,
      serverTime: 123,
      me: agent('alice', { name: 'Alice "Al" Smith' }),
      agents: [agent('alice', { name: 'Alice "Al" Smith' }), agent('bob', { name: '"agents":[] \\ \n Bøb 😀' }), agent('carol', { role: 'manager' })],
      sessions: [],
      teams: [{ id: 'billing', name: 'Billing' }],
    };
    const text = welcomeJson(frame);
    expect(JSON.parse(text)).toEqual(frame);
    expect(RelayFrameSchema.parse(JSON.parse(text))).toEqual(frame);
    expect(JSON.parse(welcomeJson({ ...frame, agents: [] }))).toEqual({ ...frame, agents: [] });
  });

  it('presence and event frames are exactly what JSON.stringify writes', () => {
    const bob = agent('bob', { name: 'Bob "B" \u2028' });
    expect(presenceFrameJson(bob)).toBe(JSON.stringify({ type: 'presence', agent: bob }));
    expect(agentInfoJson(bob)).toBe(JSON.stringify(bob));
    const event: SessionEvent = {
      kind: 'message',
      sessionId: 's1',
      seq: 2,
      at: 5,
      messageId: 'm1',
      author: { kind: 'customer', id: null, name: 'Pat "P"' },
      text: 'a "quoted" line',
    };
    expect(eventFrameJson(event)).toBe(JSON.stringify({ type: 'event', event }));
  });
});

describe('frames written without ws.send', () => {
  // (@types/ws does not declare the Receiver that ws exports)
  type Receiver = { on(event: string, listener: (...args: never[]) => void): void; write(bytes: Buffer, done: () => void): void };
  const { Receiver } = createRequire(import.meta.url)('ws') as { Receiver: new (options: { isServer: boolean }) => Receiver };
  // ws's own client-side reader: what every agent's and customer's socket parses the relay's bytes with
  const readBack = (bytes: Buffer): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const texts: string[] = [];
      const receiver = new Receiver({ isServer: false });
      receiver.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? reject(new Error('a binary frame')) : texts.push(data.toString('utf8'))));
      receiver.on('error', reject);
      receiver.write(bytes, () => resolve(texts));
    });

  it('each payload length form (7-bit, 16-bit, 64-bit) and multi-byte UTF-8 read back as the text framed', async () => {
    const texts = ['', 'x', `${'é'.repeat(62)}a`, 'a'.repeat(125), 'a'.repeat(126), '€'.repeat(21_845), 'b'.repeat(65_535), 'b'.repeat(65_536), '😀'.repeat(40_000)];
    const bytes = Buffer.concat(texts.map((text) => textFrame(text)));
    expect(await readBack(bytes)).toEqual(texts);
  });

  it('a text framed with what goes around it is the same bytes as the joined text, at every length form', async () => {
    const { before, after } = EVENT_FRAME;
    const around = before.length + after.length;
    // the joined lengths at each side of the 7-bit, 16-bit and 64-bit forms, and multi-byte UTF-8 inside
    const inners = [0, 125 - around, 126 - around, 65_535 - around, 65_536 - around].map((n) => 'q'.repeat(n));
    inners.push('{"text":"é€😀"}');
    for (const inner of inners) expect(textFrame(inner, before, after).equals(textFrame(before + inner + after))).toBe(true);
    expect(await readBack(textFrame('{"kind":"x"}', before, after))).toEqual([`${before}{"kind":"x"}${after}`]);
  });

  it('the header is a final, unmasked, uncompressed text frame of the UTF-8 length', () => {
    const frame = textFrame('{"type":"ok","id":"é"}');
    expect(frame[0]).toBe(0x81);
    expect(frame[1]).toBe(Buffer.byteLength('{"type":"ok","id":"é"}'));
    expect(frame.length).toBe(2 + frame[1]!);
    const long = textFrame('z'.repeat(70_000));
    expect([long[0], long[1], long.readUInt32BE(2), long.readUInt32BE(6), long.length]).toEqual([0x81, 127, 0, 70_000, 70_010]);
  });
});
