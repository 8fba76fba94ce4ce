// What a file is, read from its bytes: an upload's claimed type is never trusted, and a file is served with the type
// found here. Only kinds Baton may accept are recognised; anything else is application/octet-stream.

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Plain text: valid UTF-8, no NUL, and no control characters besides tab, line breaks and form feed. */
function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const allowed = code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
    if ((code < 0x20 && !allowed) || code === 0x7f) return false;
  }
  return true;
}

export function sniffType(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  if (isPlainText(bytes)) return 'text/plain';
  return 'application/octet-stream';
}

/** File name endings that fit each type; the first is added to a name that has none of them. */
export const extensionsOf: Readonly<Record<string, readonly string[]>> = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/gif': ['.gif'],
  'image/webp': ['.webp'],
  'application/pdf': ['.pdf'],
  'text/plain': ['.txt', '.log', '.csv', '.md'],
};

const BIDI_AND_CONTROLS = /[\p{Cc}\p{Cf}]/gu;
const MAX_NAME = 200;

/**
 * A name safe to show and to save under: no folders, no control or bidi characters (a right-to-left override could
 * make "gpj.exe" read as "exe.jpg"), at most 200 characters, ending in an extension that fits what the file is.
 */
export function cleanFileName(claimed: string, type: string): string {
  const base = claimed.split(/[\\/]/).pop() ?? '';
  let name = base.replace(BIDI_AND_CONTROLS, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  if (!name) name = 'file';
  const fits = extensionsOf[type] ?? [];
  const lower = name.toLowerCase();
  const ext = fits.find((e) => lower.endsWith(e)) ?? null;
  const suffix = ext ? '' : (fits[0] ?? '');
  const room = MAX_NAME - suffix.length;
  if (name.length > room) {
    const keep = ext ? name.slice(-ext.length) : '';
    name = `${name.slice(0, room - keep.length)}${keep}`;
  }
  return `${name}${suffix}`;
}

/** `Content-Disposition` for a file name: an ASCII fallback and the exact name in RFC 5987 form. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
