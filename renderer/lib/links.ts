// Finds the web links in a message so they can be clicked: http and https only (anything else stays text), with the
// punctuation that ends a sentence left outside the link.

export type TextPart = { text: string } | { text: string; href: string };

const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** closing punctuation that usually ends the sentence, not the address */
const TRAILING = /[.,;:!?)\]}'"»”’]+$/;

export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    let candidate = match[0];
    // keep a closing bracket that closes one opened inside the address (Wikipedia-style links)
    const trailing = TRAILING.exec(candidate)?.[0] ?? '';
    let cut = trailing.length;
    if (trailing.startsWith(')') && (candidate.match(/\(/g)?.length ?? 0) >= (candidate.match(/\)/g)?.length ?? 0)) cut -= 1;
    if (cut > 0) candidate = candidate.slice(0, -cut);
    const href = safeHref(candidate);
    if (!href) continue;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: candidate, href });
    at = start + candidate.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/** The address, normalised, when it is a well-formed http(s) URL; null otherwise. */
export function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
