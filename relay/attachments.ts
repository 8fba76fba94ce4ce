// Attachments over HTTP: POST /sessions/<id>/attachments uploads a file into a chat, GET /attachments/<id> serves one.
// Either needs what a party of the chat holds: an agent's HTTP Basic credentials, or the customer's chat token as
// `Authorization: Bearer <token>`. Types are sniffed from the bytes and checked against an allow-list; files are
// served only to the chat's parties, never sniffable by the browser, inline only when they are images.
import { createHash } from 'node:crypto';
import type http from 'node:http';
import {
  type AgentId,
  type Attachment,
  type AttachmentLimits,
  isImageType,
  MessageIdSchema,
  type SessionId,
  SessionIdSchema,
} from '../common/domain';
import { type ErrorCode, errorSentences, tooLargeSentence } from '../common/errors';
import { FILE_NAME_HEADER, UPLOAD_ID_HEADER } from '../common/protocol';
import { inAudience, seesDashboard } from './core/model';
import type { Account, AttachmentStore, Clock, Ids, Log, RelayStore, StoredAttachment } from './ports';
import { remoteAddress } from './limits';
import { StoreUnavailable } from './ports';
import { cleanFileName, contentDisposition, sniffType } from './sniff';

export interface AttachmentRoutesDeps {
  store: RelayStore;
  attachments: AttachmentStore;
  /** checks `Authorization: Basic …` (the same check as the agent socket's upgrade) */
  authenticate: (header: string | undefined, remote: string) => Promise<AgentId | null>;
  hashToken: (token: string) => string;
  /** whose address a sign-in's throttle counts (as at the upgrade) */
  trustedProxyHeader: string | null;
  ids: Ids;
  clock: Clock;
  log: Log;
  limits: AttachmentLimits;
}

type Party = { kind: 'agent'; account: Account } | { kind: 'customer'; sessionId: SessionId };

const UPLOAD = /^\/sessions\/([^/]+)\/attachments$/;
const DOWNLOAD = /^\/attachments\/([^/]+)$/;

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const refusal = (status: number, code: ErrorCode, message?: string, headers?: Record<string, string>) =>
  new HttpRefusal(status, code, message ?? errorSentences[code], headers);

/** Answers the attachment routes; resolves false when the request is for something else. */
export function createAttachmentRoutes(deps: AttachmentRoutesDeps) {
  const { store, attachments, log, limits } = deps;

  async function party(req: http.IncomingMessage): Promise<Party> {
    const header = req.headers.authorization;
    const bearer = header ? /^Bearer\s+([A-Za-z0-9_-]{16,128})\s*$/i.exec(header) : null;
    if (bearer) {
      const sessionId = await store.sessionForToken(deps.hashToken(bearer[1]!));
      if (!sessionId) throw refusal(401, 'unauthorized', 'That chat token is not known here. Start a new chat.');
      return { kind: 'customer', sessionId };
    }
    const agentId = await deps.authenticate(header, remoteAddress(req, deps.trustedProxyHeader));
    const account = agentId ? await store.getAccount(agentId) : null;
    if (!account) {
      throw refusal(401, 'unauthorized', 'Sign in: agents use their user name and password, customers their chat token.', {
        'WWW-Authenticate': 'Basic realm="baton", charset="UTF-8"',
      });
    }
    return { kind: 'agent', account };
  }

  async function upload(req: http.IncomingMessage, res: http.ServerResponse, rawSessionId: string): Promise<void> {
    const sessionId = SessionIdSchema.safeParse(decode(rawSessionId));
    if (!sessionId.success) throw refusal(404, 'not-found');
    const who = await party(req);
    const session = await store.getSession(sessionId.data);
    if (!session) throw refusal(404, 'not-found');
    if (who.kind === 'customer' && who.sessionId !== session.id) {
      throw refusal(403, 'forbidden', 'Your chat token is for another chat.');
    }
    if (who.kind === 'agent' && !(inAudience(session, who.account.id) || who.account.role === 'manager')) {
      throw refusal(403, 'forbidden', 'Only the agents in this chat, and managers, can send files to it.');
    }
    if (session.state === 'closed') throw refusal(409, 'session-closed');
    const uploadId = MessageIdSchema.safeParse(req.headers[UPLOAD_ID_HEADER]);
    if (!uploadId.success) {
      throw refusal(400, 'bad-frame', `Give the upload an id in ${UPLOAD_ID_HEADER} (8-64 letters, digits, "_" or "-").`);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(declared);
    const bytes = await readBody(req, limits.maxBytes);
    if (bytes.length === 0) throw refusal(400, 'bad-frame', 'The file is empty.');
    const type = sniffType(bytes);
    if (!limits.types.includes(type)) {
      log({ event: 'attachment-refused', sessionId: session.id, reason: 'type', type });
      throw refusal(415, 'unsupported-type', `That kind of file cannot be sent here. Send ${describeTypes(limits.types)}.`);
    }
    const claimedName = decode(String(req.headers[FILE_NAME_HEADER] ?? ''));
    const candidate: StoredAttachment = {
      id: deps.ids.id('att'),
      sessionId: session.id,
      uploadId: uploadId.data,
      uploader: who.kind === 'agent' ? { kind: 'agent', id: who.account.id } : { kind: 'customer', id: null },
      name: cleanFileName(claimedName, type),
      type,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      createdAt: deps.clock.now(),
      messageSeq: null,
    };
    const stored = await attachments.put(candidate, bytes);
    if ('conflict' in stored) throw refusal(409, 'conflict', 'That upload id was already used for another file.');
    if (stored.created) {
      log({ event: 'attachment-stored', sessionId: session.id, attachmentId: stored.attachment.id, type, size: bytes.length, by: who.kind });
    }
    json(res, stored.created ? 201 : 200, { attachment: publicAttachment(stored.attachment) });
  }

  async function download(req: http.IncomingMessage, res: http.ServerResponse, rawId: string): Promise<void> {
    const who = await party(req);
    const attachment = await attachments.get(decode(rawId));
    if (!attachment) throw refusal(404, 'not-found', 'There is no such file.');
    if (!(await maySee(who, attachment))) {
      log({ event: 'attachment-refused', attachmentId: attachment.id, reason: 'not a party', who: who.kind });
      throw refusal(403, 'forbidden', 'That file belongs to a chat you are not part of.');
    }
    const bytes = await attachments.read(attachment);
    if (!bytes) throw refusal(410, 'not-found', 'That file is no longer kept.');
    res.writeHead(200, {
      'Content-Type': attachment.type === 'text/plain' ? 'text/plain; charset=utf-8' : attachment.type,
      'Content-Length': bytes.length,
      'Content-Disposition': contentDisposition(isImageType(attachment.type) ? 'inline' : 'attachment', attachment.name),
      'X-Content-Type-Options': 'nosniff',
      // opened on its own, it can run nothing and load nothing
      'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'private, max-age=31536000, immutable',
      ETag: `"${attachment.sha256}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  /** A chat's parties: its agents (as for its events) and its customer (what they sent, and what messages carry). */
  async function maySee(who: Party, attachment: StoredAttachment): Promise<boolean> {
    if (who.kind === 'customer') {
      return who.sessionId === attachment.sessionId && (attachment.uploader.kind === 'customer' || attachment.messageSeq !== null);
    }
    if (seesDashboard(who.account)) return true;
    const session = await store.getSession(attachment.sessionId);
    return !!session && (inAudience(session, who.account.id) || (await store.isParticipant(session.id, who.account.id)));
  }

  function tooLarge(size: number): HttpRefusal {
    return refusal(413, 'too-large', tooLargeSentence(size, limits.maxBytes), {
      Connection: 'close',
    });
  }

  function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          req.removeAllListeners('data');
          req.resume();
          reject(tooLarge(size));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
      req.on('aborted', () => reject(refusal(400, 'bad-frame', 'The upload was cut off.')));
    });
  }

  return async function serveAttachments(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<boolean> {
    const up = UPLOAD.exec(pathname);
    const down = up ? null : DOWNLOAD.exec(pathname);
    if (!up && !down) return false;
    try {
      if (up && req.method === 'POST') await upload(req, res, up[1]!);
      else if (down && (req.method === 'GET' || req.method === 'HEAD')) await download(req, res, down[1]!);
      else throw refusal(405, 'bad-frame', up ? 'Upload files with POST.' : 'Download files with GET.', { Allow: up ? 'POST' : 'GET, HEAD' });
    } catch (error) {
      if (error instanceof HttpRefusal) {
        json(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
        if (error.headers.Connection === 'close') req.resume();
        return true;
      }
      if (error instanceof StoreUnavailable) {
        log({ event: 'store-unavailable', where: 'attachments', error: String((error as Error)?.message ?? error) });
        json(res, 503, { error: { code: 'unavailable', message: errorSentences.unavailable } });
        return true;
      }
      throw error;
    }
    return true;
  };
}

export function publicAttachment(a: StoredAttachment): Attachment {
  return { id: a.id, name: a.name, type: a.type, size: a.size, sha256: a.sha256 };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

const typeWords: Record<string, string> = {
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'application/pdf': 'PDF',
  'text/plain': 'plain text',
};

function describeTypes(types: readonly string[]): string {
  const words = types.map((t) => typeWords[t] ?? t);
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)} files` : `${words[0] ?? 'no'} files`;
}
