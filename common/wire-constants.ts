// The protocol's constants without its schemas (no zod), so the customer chat page bundles them at no cost;
// common/protocol.ts re-exports them beside the frame schemas.

export const PROTOCOL_VERSION = 1;

/** WebSocket paths on the relay. Agents authenticate at the upgrade with HTTP Basic credentials. */
export const AGENT_PATH = '/agent';
export const CUSTOMER_PATH = '/customer';

/** Close codes the relay uses, with a human reason string beside each close. */
export const CloseCodes = {
  normal: 1000,
  goingAway: 1001,
  /** no hello (or customer-hello) within the relay's hello timeout */
  helloTimeout: 4001,
  policy: 1008,
  tooLarge: 1009,
  unsupportedProtocol: 4002,
  rateLimited: 4008,
  sessionEnded: 4010,
  /** reconnect now, without backoff, to any node, and resume by seq (a drain, or a node that lost its bus) */
  reconnect: 4012,
  /** a manager disabled or removed the account: the client signs out and shows the reason, it does not retry */
  accountClosed: 4003,
} as const;

/** The longest message text the relay takes (MessageTextSchema); the customer page splits longer pastes. */
export const MAX_MESSAGE_CHARS = 8000;

/** The customer page's HTTP posts (their bodies: RatingSubmissionSchema, OfflineMessageSchema in protocol.ts). */
export const RATING_PATH = '/chat/rating';
export const OFFLINE_PATH = '/chat/offline';

/** HTTP paths beside the sockets: uploads into a chat, and downloads of what a chat holds. */
export const attachmentUploadPath = (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}/attachments`;
export const attachmentPath = (attachmentId: string) => `/attachments/${encodeURIComponent(attachmentId)}`;
/** upload headers: the client's id of this upload (a resend with it stores nothing new) and the file's name */
export const UPLOAD_ID_HEADER = 'x-upload-id';
export const FILE_NAME_HEADER = 'x-file-name';
