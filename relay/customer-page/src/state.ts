// What the page keeps for its tab in sessionStorage, so a reload, another page of the same site (the widget) or a
// dropped connection resumes the same chat with its unsent messages still in order.

/** A customer-visible event as the relay sends it (common/domain.ts SessionEvent, read loosely: the page has no zod). */
export interface ChatEvent {
  seq: number;
  at: number;
  kind: string;
  [field: string]: unknown;
}

export interface Outgoing {
  messageId: string;
  text: string;
  at: number;
  /** a message that carries a file: uploaded already, sent with the message */
  attachmentId?: string;
  fileName?: string;
}

export interface ChatState {
  token: string | null;
  sessionId: string | null;
  name: string;
  email: string;
  topic: string;
  /** the team the chosen topic (or the widget) routes the chat to; null: any agent */
  team: string | null;
  lastSeq: number;
  /** false when the stored events were dropped for space: the page asks the relay for all of them again */
  eventsComplete: boolean;
  events: ChatEvent[];
  /** not yet acknowledged by the relay, in the order they were written; sent one at a time in this order */
  pending: Outgoing[];
  /** refused by the relay: shown with Retry */
  failed: (Outgoing & { reason: string })[];
  agentName: string | null;
  state: 'new' | 'queued' | 'active' | 'closed';
  queue: { position: number; estimatedWaitMs: number | null } | null;
  rated: boolean;
}

const STORAGE_KEY = 'baton.customer.v2';
// Enough for a long support chat; beyond it the page refetches the transcript from the relay on load.
const MAX_STORED_EVENTS = 400;

export function emptyState(name = '', email = ''): ChatState {
  return {
    token: null,
    sessionId: null,
    name,
    email,
    topic: '',
    team: null,
    lastSeq: 0,
    eventsComplete: true,
    events: [],
    pending: [],
    failed: [],
    agentName: null,
    state: 'new',
    queue: null,
    rated: false,
  };
}

export function loadState(): ChatState {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return emptyState();
    const saved = JSON.parse(raw) as Partial<ChatState> | null;
    if (typeof saved !== 'object' || saved === null) return emptyState();
    const state = { ...emptyState(), ...saved };
    if (!Array.isArray(state.events) || !Array.isArray(state.pending) || !Array.isArray(state.failed)) return emptyState();
    if (!['new', 'queued', 'active', 'closed'].includes(state.state)) return emptyState();
    if (!Number.isInteger(state.lastSeq) || state.lastSeq < 0) state.lastSeq = 0;
    return state;
  } catch {
    // Corrupt or unavailable storage: start fresh rather than fail to load the page.
    return emptyState();
  }
}

export function saveState(chat: ChatState): void {
  const stored = { ...chat };
  if (stored.events.length > MAX_STORED_EVENTS) {
    stored.events = [];
    stored.eventsComplete = false;
  }
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    // Storage full or disabled: the chat still works, it just will not survive a reload.
  }
}

export function randomId(bytes = 12): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}
