// A sentence with the strings people typed isolated (<bdi>), so a right-to-left override inside a name stays inside it.
import type { LinePart } from '../lib/eventText';

export function LineParts({ parts }: { parts: readonly LinePart[] }) {
  return (
    <>
      {parts.map((part, i) =>
        // Parts of one sentence never reorder, so the index is a stable key.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        typeof part === 'string' ? part : <bdi key={i}>{part.user}</bdi>,
      )}
    </>
  );
}
