// Links and files in the customer's transcript: web and e-mail links made clickable (common/links.ts), the files a
// message carries fetched with the chat token (the relay serves a file only to the chat's parties, so a plain
// <img src> cannot load it), and the upload of a file the customer attaches, checked against the relay's cap first.
import { isImageType } from '../../../common/content-types';
import { tooLargeSentence } from '../../../common/error-codes';
import { formatSize } from '../../../common/formats';
import { linkParts } from '../../../common/links';
import { attachmentPath, attachmentUploadPath, FILE_NAME_HEADER, UPLOAD_ID_HEADER } from '../../../common/wire-constants';
import { el } from './dom';
import { strings } from './strings';

/** A file as a message event carries it (common/domain.ts Attachment, read loosely). */
export interface FileInfo {
  id: string;
  name: string;
  type: string;
  size: number;
}

/** The attachments of an event, keeping only the well-formed ones. */
export function filesOf(raw: unknown): FileInfo[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (a): a is FileInfo =>
      typeof a === 'object' &&
      a !== null &&
      typeof a.id === 'string' &&
      typeof a.name === 'string' &&
      typeof a.type === 'string' &&
      typeof a.size === 'number',
  );
}

/** A message's text as nodes, its links opened in a new tab that cannot reach this page. */
export function linkNodes(text: string): (string | HTMLAnchorElement)[] {
  return linkParts(text, { mailto: true }).map((part) => {
    if (!('href' in part)) return part.text;
    const link = el('a', 'link', part.text);
    link.href = part.href;
    if (!part.href.startsWith('mailto:')) link.target = '_blank';
    link.rel = 'noopener noreferrer';
    return link;
  });
}

const blobUrls = new Map<string, string>();

async function fetchFile(id: string, token: string): Promise<string> {
  const known = blobUrls.get(id);
  if (known) return known;
  const res = await fetch(attachmentPath(id), { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  blobUrls.set(id, url);
  return url;
}

/** An image is shown; any other file is a button that downloads it. */
export function fileNode(file: FileInfo, token: () => string | null, alert: (text: string) => void): HTMLElement {
  if (isImageType(file.type)) {
    const figure = el('figure', 'attachment image');
    const img = el('img');
    img.alt = file.name;
    figure.append(img, el('figcaption', undefined, file.name));
    fetchFile(file.id, token() ?? '').then(
      (url) => {
        img.src = url;
      },
      () => figure.replaceChildren(el('p', 'file-name', strings.fileNotLoaded(file.name))),
    );
    return figure;
  }
  const button = el('button', 'attachment file', strings.downloadFile(file.name, formatSize(file.size)));
  button.type = 'button';
  button.addEventListener('click', async () => {
    try {
      const link = el('a');
      link.href = await fetchFile(file.id, token() ?? '');
      link.download = file.name;
      link.click();
    } catch {
      alert(strings.downloadFailed);
    }
  });
  return button;
}

/** Why a file cannot be sent, said before the relay reads megabytes of it; null when it may be tried. */
export function refusedBeforeUpload(file: File, maxBytes: number): string | null {
  if (file.size > maxBytes) return tooLargeSentence(file.size, maxBytes);
  return file.size === 0 ? strings.fileEmpty : null;
}

/**
 * Uploads a file into the chat; the upload id is the message's id, so a second try after a lost answer stores the
 * file once. Answers the attachment's id, or the relay's sentence for why it was not taken (its type, its size).
 */
export async function uploadFile(
  file: File,
  chat: { sessionId: string; token: string; uploadId: string },
): Promise<{ ok: true; id: string } | { ok: false; why: string }> {
  try {
    const res = await fetch(attachmentUploadPath(chat.sessionId), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${chat.token}`,
        [UPLOAD_ID_HEADER]: chat.uploadId,
        [FILE_NAME_HEADER]: encodeURIComponent(file.name),
      },
      body: file,
    });
    const answer = (await res.json().catch(() => ({}))) as { attachment?: { id?: unknown }; error?: { message?: unknown } };
    if (res.ok && typeof answer.attachment?.id === 'string') return { ok: true, id: answer.attachment.id };
    return { ok: false, why: typeof answer.error?.message === 'string' ? answer.error.message : strings.fileFailed };
  } catch {
    return { ok: false, why: strings.notConnected };
  }
}
