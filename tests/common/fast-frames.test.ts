// The relay reads `send` and `customer-send` without zod (common/protocol.ts, fastMessage): these hold that path to the
// schemas. For any value, the fast path accepts exactly what the schema accepts, and gives the same output, key order
// and -0 included; what it does not take goes to the schema, so an error's wording is always the schema's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentCommandSchema, CustomerCommandSchema, fastAgentCommand, fastCustomerCommand, parseFrame } from '../../common/protocol';

const idChars = fc.constantFrom(...'abcXYZ09_-'.split(''), '.', ' ', 'é', '/');
const messageId = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcXYZ09_-'.split('')), minLength: 6, maxLength: 66 }),
  fc.string({ unit: idChars, minLength: 0, maxLength: 70 }),
  fc.constant('valid-message-id'),
);
const commandId = fc.oneof(fc.string({ minLength: 0, maxLength: 66 }), fc.constant('c1'));
const padding = fc.constantFrom('', ' ', '\n\t', '\u00a0', '\u2028', '\ufeff');
const text = fc.oneof(
  fc.tuple(padding, fc.string({ maxLength: 40 }), padding).map(([a, b, c]) => a + b + c),
  fc.tuple(padding, fc.integer({ min: 7995, max: 8005 }), padding).map(([a, n, c]) => `${a}${'x'.repeat(n)}${c}`),
  fc.constant('   '),
  fc.constant('héllo 👋'),
);
const attachmentId = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcXYZ09_-'.split('')), minLength: 6, maxLength: 66 }).map((s) => `att_${s}`),
  fc.string({ maxLength: 20 }),
  fc.integer(),
);
const writtenAt = fc.oneof(
  fc.integer({ min: -5, max: 2_000_000_000_000 }),
  fc.constantFrom(-0, 0.5, 2 ** 53, 2 ** 53 - 1, Number.NaN, 1e21),
  fc.string({ maxLength: 5 }),
);
/** a value of the wrong kind for any field */
const wrong = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.constant({}), fc.constant([]));

const fields = {
  id: fc.oneof(commandId, commandId, wrong),
  sessionId: fc.oneof(fc.string({ minLength: 0, maxLength: 66 }), fc.constant('chat-1'), wrong),
  messageId: fc.oneof(messageId, messageId, wrong),
  text: fc.oneof(text, text, wrong),
  attachments: fc.oneof(fc.array(attachmentId, { maxLength: 12 }), fc.array(attachmentId, { maxLength: 2 }), fc.constant([]), wrong),
  writtenAt: fc.oneof(writtenAt, wrong),
  extra: fc.oneof(fc.string(), fc.integer(), fc.constant({ nested: true })),
};

/** frames that are mostly well-formed, each field now and then wrong, missing or at a limit */
const likely = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: other });
const nearlyValid = {
  id: likely(fc.string({ minLength: 1, maxLength: 64 }), fields.id),
  sessionId: likely(fc.constant('chat-1'), fields.sessionId),
  messageId: likely(fc.constant('message-0001'), fields.messageId),
  text: likely(fc.string({ minLength: 1, maxLength: 30 }), fields.text),
  attachments: likely(fc.array(fc.constantFrom('att_12345678', 'att_abcdefgh-_'), { maxLength: 3 }), fields.attachments),
  writtenAt: likely(fc.integer({ min: 0, max: 2_000_000_000_000 }), fields.writtenAt),
  extra: fields.extra,
};

function frameOf(type: fc.Arbitrary<unknown>) {
  return fc.oneof(
    fc.record({ ...fields, type }, { requiredKeys: ['type'] }),
    fc.record({ ...nearlyValid, type }, { requiredKeys: ['type', 'id', 'sessionId', 'messageId'] }),
  );
}

/** the same value in the same shape: keys in order, -0 told from 0 */
function same(a: unknown, b: unknown): void {
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  expect(a).toStrictEqual(b);
  const at = (v: unknown) => (v as { writtenAt?: number }).writtenAt;
  if (at(a) !== undefined) expect(Object.is(at(a), at(b))).toBe(true);
}

describe.each([
  { name: 'customer-send', schema: CustomerCommandSchema, fast: fastCustomerCommand, types: ['customer-send', 'customer-typing', 'send'] },
  { name: 'send', schema: AgentCommandSchema, fast: fastAgentCommand, types: ['send', 'typing', 'customer-send'] },
])('$name without zod', ({ schema, fast, types }) => {
  const type = fc.oneof(fc.constant(types[0]), fc.constant(types[0]), fc.constantFrom(...types), wrong);

  it('accepts exactly what the schema accepts, with the same output', () => {
    let accepted = 0;
    fc.assert(
      fc.property(frameOf(type), (raw) => {
        const parsed = schema.safeParse(raw);
        const quick = fast(raw);
        if (parsed.success && (parsed.data.type === 'send' || parsed.data.type === 'customer-send')) {
          expect(quick).not.toBeNull();
          same(quick, parsed.data);
          accepted += 1;
        } else {
          expect(quick).toBeNull();
        }
      }),
      { numRuns: 4000 },
    );
    // the generators reach the accepting side often enough for the property to mean something
    expect(accepted).toBeGreaterThan(400);
  });

  it('takes a frame as a client sends it, and leaves the rest (arrays, other types) to the schema', () => {
    const valid = { id: 'c1', type: types[0], sessionId: 'chat-1', messageId: 'message-0001', text: '  hello  ', extra: 1 };
    expect(fast(valid)).toMatchObject({ text: 'hello', attachments: [] });
    expect(fast(valid)).not.toHaveProperty('extra');
    expect(fast([valid])).toBeNull();
    expect(fast(null)).toBeNull();
    expect(fast('send')).toBeNull();
    // each parse has its own attachments array, as the schema's default gives
    const a = fast(valid) as { attachments: string[] };
    const b = fast(valid) as { attachments: string[] };
    expect(a.attachments).not.toBe(b.attachments);
  });

  it('leaves the wording of an error to the schema', () => {
    const empty = JSON.stringify({ id: 'c2', type: types[0], sessionId: 'chat-1', messageId: 'message-0002', text: '   ' });
    const withFast = parseFrame(schema, empty, fast);
    expect(withFast).toEqual(parseFrame(schema, empty));
    expect(withFast).toMatchObject({ ok: false, id: 'c2', message: 'text: a message cannot be empty: give it text or an attachment' });
  });
});
