// JSON of relay values, made once per value: an event is written to the store and sent to every recipient as the same
// text, so it is serialised once (the store's body and the frame's inner object are the same string).
import type { SessionEvent } from '../common/domain';

const eventTexts = new WeakMap<SessionEvent, string>();

export function eventJson(event: SessionEvent): string {
  let text = eventTexts.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    eventTexts.set(event, text);
  }
  return text;
}

/** `{"type":"event","event":…}` exactly as JSON.stringify would write it, from the event's one serialisation. */
export function eventFrameJson(event: SessionEvent): string {
  return `{"type":"event","event":${eventJson(event)}}`;
}
