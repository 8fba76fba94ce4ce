// The relay's hand-made JSON (relay/wire.ts) reads back as exactly the frame it stands for: a welcome with thousands
// of agents is joined from each agent's text, presence and event frames are written around a cached inner text.
import { describe, expect, it } from 'vitest';
import type { AgentInfo, SessionEvent } from '../../common/domain';
import { type RelayFrameOf, RelayFrameSchema } from '../../common/protocol';
import { agentInfoJson, eventFrameJson, presenceFrameJson, welcomeJson } from '../../relay/wire';

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
