// Files on the agent's side: the bytes of files waiting in the outbox, the files downloaded (or sent) from this
// account, and the HTTP calls to the relay that upload and download them with the agent's credentials.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { type Attachment, AttachmentSchema } from '../../common/domain';
import type { ErrorCode } from '../../common/errors';
import { attachmentPath, attachmentUploadPath, FILE_NAME_HEADER, UPLOAD_ID_HEADER } from '../../common/protocol';
import { fail, ok, type Result } from '../../common/result';

export const FILES_DIR = 'attachments';
const CHUNK = 64 * 1024;

/** The relay's HTTP origin for its WebSocket address: ws → http, wss → https, no path. */
export function httpBase(relayUrl: string): URL {
  const url = new URL(relayUrl.trim());
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/';
  url.search = '';
  url.hash = '';
  return url;
}

export interface Credentials {
  relayUrl: string;
  user: string;
  password: string;
}

const basic = ({ user, password }: Credentials) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/** One account's files: `<account>/attachments/<name>`, names made here (never from the relay or the page). */
export class AccountFiles {
  readonly dir: string;

  constructor(accountDir: string) {
    this.dir = path.join(accountDir, FILES_DIR);
  }

  /** Writes bytes durably under a new name; returns the name. */
  write(bytes: Buffer): string {
    fs.mkdirSync(this.dir, { recursive: true });
    const name = `f${randomUUID().replaceAll('-', '')}`;
    const file = path.join(this.dir, name);
    const fd = fs.openSync(file, 'w', 0o600);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return name;
  }

  read(name: string): Buffer | null {
    try {
      return fs.readFileSync(this.pathOf(name));
    } catch {
      return null;
    }
  }

  remove(name: string): void {
    fs.rmSync(this.pathOf(name), { force: true });
  }

  private pathOf(name: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error('not a file name of ours');
    return path.join(this.dir, name);
  }
}

export type HttpOutcome<T> = Result<T>;

/** The relay's refusal, as the result envelope: its code and sentence, or what went wrong on the way. */
function refusal(status: number, body: string): Result<never> {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
    if (parsed.error?.code && parsed.error.message) return fail(parsed.error.code as ErrorCode, parsed.error.message);
  } catch {
    // not our JSON: a proxy's page, say
  }
  return fail(status >= 500 ? 'unavailable' : 'internal', `The relay answered ${status} to the file.`);
}

function request(url: URL, options: http.RequestOptions): http.ClientRequest {
  return (url.protocol === 'https:' ? https : http).request(url, options);
}

/**
 * Uploads a file into a chat; `onProgress` is told the bytes written so far. Resolves with the relay's attachment
 * (the same one again when the upload id was seen before), or the relay's refusal, or `not-connected`.
 */
export function uploadFile(
  credentials: Credentials,
  upload: { sessionId: string; uploadId: string; name: string; bytes: Buffer },
  onProgress: (sent: number, total: number) => void,
): Promise<Result<Attachment>> {
  const url = new URL(attachmentUploadPath(upload.sessionId), httpBase(credentials.relayUrl));
  return new Promise((resolve) => {
    const total = upload.bytes.length;
    const req = request(url, {
      method: 'POST',
      headers: {
        Authorization: basic(credentials),
        'Content-Type': 'application/octet-stream',
        'Content-Length': total,
        [UPLOAD_ID_HEADER]: upload.uploadId,
        [FILE_NAME_HEADER]: encodeURIComponent(upload.name),
      },
    });
    let done = false;
    const finish = (result: Result<Attachment>) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200 && res.statusCode !== 201) return finish(refusal(res.statusCode ?? 0, body));
        try {
          const parsed = AttachmentSchema.safeParse((JSON.parse(body) as { attachment?: unknown }).attachment);
          finish(parsed.success ? ok(parsed.data) : fail('internal', 'The relay answered the upload with something Baton could not read.'));
        } catch {
          finish(fail('internal', 'The relay answered the upload with something Baton could not read.'));
        }
      });
      res.on('error', () => finish(fail('not-connected', 'The connection to the relay broke during the upload.')));
    });
    req.on('error', () => finish(fail('not-connected', 'The relay could not be reached to upload the file.')));
    let sent = 0;
    const writeMore = () => {
      while (sent < total) {
        const chunk = upload.bytes.subarray(sent, Math.min(total, sent + CHUNK));
        sent += chunk.length;
        const more = req.write(chunk);
        onProgress(sent, total);
        if (!more) {
          req.once('drain', writeMore);
          return;
        }
      }
      req.end();
    };
    writeMore();
  });
}

/** Downloads a file a chat holds, as a party of it. */
export function downloadFile(credentials: Credentials, attachmentId: string): Promise<Result<{ bytes: Buffer; type: string }>> {
  const url = new URL(attachmentPath(attachmentId), httpBase(credentials.relayUrl));
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers: { Authorization: basic(credentials) } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        if (res.statusCode !== 200) return resolve(refusal(res.statusCode ?? 0, bytes.toString('utf8')));
        resolve(ok({ bytes, type: String(res.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim() }));
      });
      res.on('error', () => resolve(fail('not-connected', 'The connection to the relay broke during the download.')));
    });
    req.on('error', () => resolve(fail('not-connected', 'The relay could not be reached to download the file.')));
    req.end();
  });
}
