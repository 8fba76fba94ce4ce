// JSON of relay values, made once per value: an event is written to the store and sent to every recipient as the same
// text, so it is serialised once (the store's body and the frame's inner object are the same string).
import type { AgentInfo, SessionEvent } from '../common/domain';
import type { RelayFrameOf } from '../common/protocol';

/** JSON.stringify, once per object: the objects it is given are not changed after they are first written */
function onceEach<T extends object>(): (value: T) => string {
  const texts = new WeakMap<T, string>();
  return (value) => {
    let text = texts.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      texts.set(value, text);
    }
    return text;
  };
}

export const eventJson = onceEach<SessionEvent>();

/** What goes around an event's JSON to make `{"type":"event","event":…}`, exactly as JSON.stringify would write it. */
export const EVENT_FRAME = { before: '{"type":"event","event":', after: '}' } as const;

/** The frame's text as one string (Connections writes the pieces apart; tests/relay/wire.test.ts compares this). */
export function eventFrameJson(event: SessionEvent): string {
  return EVENT_FRAME.before + eventJson(event) + EVENT_FRAME.after;
}

// An agent's entry in the directory is sent in every welcome and every presence frame about them: its text is made
// once per change (the hub hands out the same AgentInfo object until the agent or their open-chat count changes), so
// a welcome listing thousands of agents joins texts instead of serialising thousands of objects per sign-in.
export const agentInfoJson = onceEach<AgentInfo>();

/** The welcome as JSON, its directory joined from each agent's text (written last: same value, other key order). */
export function welcomeJson(frame: RelayFrameOf<'welcome'>): string {
  const { agents, ...rest } = frame;
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"agents":[${agents.map(agentInfoJson).join(',')}]}`;
}

/** What goes around an agent's JSON to make `{"type":"presence","agent":…}`, exactly as JSON.stringify would write it. */
export const PRESENCE_FRAME = { before: '{"type":"presence","agent":', after: '}' } as const;

/** The frame's text as one string, as `eventFrameJson`. */
export function presenceFrameJson(agent: AgentInfo): string {
  return PRESENCE_FRAME.before + agentInfoJson(agent) + PRESENCE_FRAME.after;
}
