// HTTP helpers for attachment tests: upload into a chat and download from it, as an agent (Basic) or a customer
// (Bearer token), against whichever node the deployment hands out next.
import { basicAuthHeader } from '../../relay/auth';
import { attachmentPath, attachmentUploadPath, FILE_NAME_HEADER, UPLOAD_ID_HEADER } from '../../common/protocol';
import type { RunningRelay } from '../../relay/server';
import { messageId } from './helpers';

export type Credentials = { agent: string; password?: string } | { token: string } | null;

export const authorization = (who: Credentials): Record<string, string> => {
  if (!who) return {};
  if ('token' in who) return { Authorization: `Bearer ${who.token}` };
  return { Authorization: basicAuthHeader(who.agent, who.password ?? 'demo') };
};

/** The HTTP address of a node: in a cluster each call may name another node (wsUrl turns round them). */
export const httpOf = (relay: RunningRelay) => relay.wsUrl.replace(/^ws/, 'http');

export interface Uploaded {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected loosely in tests
  body: any;
}

export async function upload(
  relay: RunningRelay,
  sessionId: string,
  bytes: Uint8Array,
  who: Credentials,
  options: { uploadId?: string; name?: string; contentType?: string } = {},
): Promise<Uploaded> {
  const response = await fetch(`${httpOf(relay)}${attachmentUploadPath(sessionId)}`, {
    method: 'POST',
    headers: {
      ...authorization(who),
      [UPLOAD_ID_HEADER]: options.uploadId ?? messageId(),
      [FILE_NAME_HEADER]: encodeURIComponent(options.name ?? 'file.bin'),
      'Content-Type': options.contentType ?? 'application/octet-stream',
    },
    body: new Uint8Array(bytes),
  });
  return { status: response.status, body: await response.json() };
}

export async function download(relay: RunningRelay, attachmentId: string, who: Credentials) {
  const response = await fetch(`${httpOf(relay)}${attachmentPath(attachmentId)}`, { headers: authorization(who) });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes };
}

/** A valid 1×1 PNG. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360f80f0000010101005a4d6e2d0000000049454e44ae426082',
  'hex',
);
