// Finds the links in a message so they can be clicked: http and https (and, where the caller allows it, mailto)
// only; anything else stays text, and the punctuation that ends a sentence is left outside the link. No imports: the
// agents' renderer and the customer chat page use the same rules.

export type TextPart = { text: string } | { text: string; href: string };

const WEB = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const WEB_OR_MAIL = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;
/** closing punctuation that usually ends the sentence, not the address */
const TRAILING = /[.,;:!?)\]}'"»”’]/;

const count = (text: string, char: string) => text.split(char).length - 1;

/** The address without the punctuation after it; a ")" that closes a "(" inside it stays (Wikipedia-style links). */
function withoutTrailing(candidate: string): string {
  let end = candidate.length;
  while (end > 0 && TRAILING.test(candidate[end - 1]!)) {
    const head = candidate.slice(0, end);
    if (head.endsWith(')') && count(head, '(') >= count(head, ')')) break;
    end -= 1;
  }
  return candidate.slice(0, end);
}

/**
 * `mailto`: also e-mail links (the customer page; the desktop app's window opens only http and https addresses, so
 * its renderer leaves them as text).
 */
export function linkParts(text: string, { mailto = false }: { mailto?: boolean } = {}): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(mailto ? WEB_OR_MAIL : WEB)) {
    const start = match.index ?? 0;
    const candidate = withoutTrailing(match[0]);
    const href = safeHref(candidate, { mailto });
    if (!href) continue;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: candidate, href });
    at = start + candidate.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/** The address, normalised, when it is a well-formed http(s) URL (or mailto: with an address); null otherwise. */
export function safeHref(candidate: string, { mailto = false }: { mailto?: boolean } = {}): string | null {
  try {
    const url = new URL(candidate);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    return mailto && url.protocol === 'mailto:' && /^[^@\s]+@[^@\s]+$/.test(decodeURIComponent(url.pathname)) ? url.href : null;
  } catch {
    return null;
  }
}
