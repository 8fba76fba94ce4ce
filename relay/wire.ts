// JSON of relay values, made once per value: an event is written to the store and sent to every recipient as the same
// text, so it is serialised once (the store's body and the frame's inner object are the same string).
import type { SessionEvent } from '../common/domain';
import type { CustomerEvent } from '../common/protocol';

// a customer's view of an event (relay/delivery.ts) is an object of its own, made once per delivery: cached the same way
type AnyEvent = SessionEvent | CustomerEvent;
const eventTexts = new WeakMap<AnyEvent, string>();

export function eventJson(event: AnyEvent): string {
  let text = eventTexts.get(event);
  if (text === undefined) {
    text = JSON.stringify(event);
    eventTexts.set(event, text);
  }
  return text;
}

/** `{"type":"event","event":…}` exactly as JSON.stringify would write it, from the event's one serialisation. */
export function eventFrameJson(event: AnyEvent): string {
  return `{"type":"event","event":${eventJson(event)}}`;
}
