// The customer side of a Baton chat, at /chat and inside the website widget's iframe: the pre-chat or offline form,
// then the customer protocol (common/protocol.ts) over /customer. Sends go one at a time, in order, paced under the
// relay's rate limit; the token, last seq and unsent messages live in sessionStorage so a reload resumes the chat.
import '../chat.css';
import { Backoff } from '../../../common/backoff';
import { customerErrorSentence } from '../../../common/error-codes';
import {
  CloseCodes,
  CUSTOMER_PATH,
  MAX_MESSAGE_CHARS,
  OFFLINE_PATH,
  PROTOCOL_VERSION,
  RATING_PATH,
} from '../../../common/wire-constants';
import {
  readWidgetSettings,
  type WidgetSettings,
} from '../../../common/widget-settings';
import { checkForm, drawStars, loadSettings, postJson } from './forms';
import { Pacer, splitForSending } from './pacing';
import { type ChatEvent, type ChatState, emptyState, loadState, type Outgoing, randomId, saveState } from './state';
import { strings } from './strings';
import { downloadTranscript } from './transcript';
import {
  appendLine,
  clearTranscript,
  drawOutgoing,
  nodeForEvent,
  removeOutgoing,
  scrollToEnd,
  setConnection,
  setSentence,
  showAlert,
  ui,
} from './view';

const TYPING_IDLE_MS = 4_000;
const AGENT_TYPING_TIMEOUT_MS = 8_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

let chat: ChatState = loadState();
let settings: WidgetSettings = readWidgetSettings(null);
let pacer = new Pacer(settings.limits);
const params = new URLSearchParams(location.search);

const save = () => saveState(chat);


// ---------------------------------------------------------------------------------------------
// Views

function updateHeader(): void {
  if (chat.state === 'closed') setSentence(ui.status, strings.ended);
  else if (chat.agentName) setSentence(ui.status, strings.chattingWith(chat.agentName));
  else if (chat.state === 'new') setSentence(ui.status, strings.usuallyAnswer);
  else setSentence(ui.status, strings.waiting);
  const queued = chat.state === 'queued' && chat.queue !== null;
  ui.queue.hidden = !queued;
  if (queued && chat.queue) {
    const { position, estimatedWaitMs } = chat.queue;
    ui.queue.textContent = strings.queuePosition(position, estimatedWaitMs === null ? null : Math.ceil(estimatedWaitMs / 60_000));
  }
  if (ui.avatar) ui.avatar.textContent = chat.agentName ? chat.agentName.slice(0, 1).toUpperCase() : '?';
}

let offlineSent = false;
function showView(): void {
  const started = chat.state !== 'new';
  const offline = !started && !settings.available;
  ui.startForm.hidden = started || offline;
  ui.offlineForm.hidden = started || !offline || offlineSent;
  ui.offlineSent.hidden = !offlineSent || started;
  ui.chat.hidden = !started;
  ui.endChat.hidden = !started || chat.state === 'closed';
  ui.composer.hidden = chat.state === 'closed';
  ui.ended.hidden = chat.state !== 'closed';
  ui.ratingForm.hidden = chat.rated || !chat.token;
  ui.ratingThanks.hidden = !chat.rated;
  updateHeader();
}

function drawAll(): void {
  clearTranscript();
  for (const event of chat.events) {
    const node = nodeForEvent(event);
    if (node) ui.transcript.append(node);
  }
  for (const item of chat.failed) drawOutgoing(item, item.reason, () => retry(item));
  for (const item of chat.pending) drawOutgoing(item, null, () => {});
  scrollToEnd();
}

// ---------------------------------------------------------------------------------------------
// What the relay sends

function applyEvent(event: ChatEvent | undefined): void {
  if (!event || typeof event.seq !== 'number' || event.seq <= chat.lastSeq) return;
  chat.lastSeq = event.seq;
  chat.events.push(event);
  switch (event.kind) {
    case 'assigned':
      chat.agentName = String(event.agentName);
      chat.queue = null;
      if (chat.state !== 'closed') chat.state = 'active';
      break;
    case 'transfer-accepted':
      chat.agentName = String(event.toName);
      break;
    case 'taken-over':
      chat.agentName = String(event.byName);
      break;
    case 'closed':
      chat.state = 'closed';
      chat.queue = null;
      for (const item of [...chat.pending, ...chat.failed]) removeOutgoing(item.messageId);
      chat.pending = [];
      chat.failed = [];
      break;
    case 'message':
      if ((event.author as { kind?: string }).kind === 'customer') {
        const id = String(event.messageId);
        removeOutgoing(id);
        chat.pending = chat.pending.filter((p) => p.messageId !== id);
      } else {
        setAgentTyping(null);
      }
      break;
    default:
      break;
  }
  const node = nodeForEvent(event);
  if (node) appendLine(node);
  scrollToEnd();
}

let agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
function setAgentTyping(name: string | null): void {
  clearTimeout(agentTypingTimer);
  setSentence(ui.typing, name ? strings.typing(name) : []);
  // A lost "stopped typing" frame must not leave the line up forever.
  if (name) agentTypingTimer = setTimeout(() => setAgentTyping(null), AGENT_TYPING_TIMEOUT_MS);
}

// ---------------------------------------------------------------------------------------------
// Connection

let socket: WebSocket | null = null;
let helloId: string | null = null;
let greeted = false;
let stopped = false;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let countdownTimer: ReturnType<typeof setInterval> | undefined;
const backoff = new Backoff({ baseMs: 500, capMs: 15_000 });
/** the one message on its way to the relay, by command id; the rest wait their turn in chat.pending */
let inFlight: { commandId: string; messageId: string } | null = null;
let pumpTimer: ReturnType<typeof setTimeout> | undefined;

function send(frame: object): boolean {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

/** Every frame but the hello passes the pacer; a frame that must wait is dropped only if it is a typing hint. */
function command(type: string, fields: object = {}): string | null {
  if (pacer.take() > 0) return null;
  const id = `c-${randomId(6)}`;
  return send({ id, type, ...fields }) ? id : null;
}

function connect(): void {
  clearTimeout(retryTimer);
  clearInterval(countdownTimer);
  if (stopped || chat.state === 'new') return;
  setConnection(backoff.attempt === 0 ? '' : strings.connecting);
  let ws: WebSocket;
  try {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(`${scheme}//${location.host}${CUSTOMER_PATH}`);
  } catch {
    scheduleReconnect();
    return;
  }
  socket = ws;
  ws.addEventListener('open', () => {
    if (socket !== ws) return;
    helloId = `h-${randomId(6)}`;
    const hello: Record<string, unknown> = { id: helloId, type: 'customer-hello', protocol: PROTOCOL_VERSION };
    if (chat.token) {
      hello.token = chat.token;
      hello.lastSeq = chat.eventsComplete ? chat.lastSeq : 0;
    } else {
      hello.name = chat.name;
      if (chat.email) hello.email = chat.email;
      if (chat.topic) hello.topic = chat.topic;
    }
    pacer.take();
    send(hello);
  });
  ws.addEventListener('message', (msg) => {
    if (socket !== ws) return;
    let frame: unknown;
    try {
      frame = JSON.parse(typeof msg.data === 'string' ? msg.data : '');
    } catch {
      return;
    }
    if (frame && typeof frame === 'object') handleFrame(frame as Record<string, unknown>);
  });
  ws.addEventListener('close', (closeEvent) => {
    if (socket !== ws) return;
    socket = null;
    greeted = false;
    inFlight = null;
    backoff.disconnected();
    if (closeEvent.code === CloseCodes.unsupportedProtocol) {
      stopped = true;
      setConnection('');
      showAlert(customerErrorSentence('unsupported-protocol'));
      return;
    }
    if (closeEvent.code === CloseCodes.sessionEnded || chat.state === 'closed') {
      if (chat.state !== 'closed') {
        chat.state = 'closed';
        save();
        showView();
      }
      setConnection('');
      return;
    }
    if (closeEvent.code === CloseCodes.reconnect && backoff.attempt === 0) {
      connect();
      return;
    }
    scheduleReconnect();
  });
}

/** Exponential backoff with full jitter (common/backoff.ts), so many customers do not all return at the same instant. */
function scheduleReconnect(): void {
  if (stopped) return;
  const delay = Math.max(250, backoff.next());
  const at = Date.now() + delay;
  const tick = () => setConnection(strings.reconnectingIn(Math.max(1, Math.ceil((at - Date.now()) / 1000))));
  tick();
  countdownTimer = setInterval(tick, 1000);
  retryTimer = setTimeout(connect, delay);
}

function handleFrame(frame: Record<string, unknown>): void {
  switch (frame.type) {
    case 'customer-welcome':
      onWelcome(frame);
      break;
    case 'event':
      applyEvent(frame.event as ChatEvent);
      save();
      showView();
      break;
    case 'replay':
      if (Array.isArray(frame.events)) for (const event of frame.events) applyEvent(event as ChatEvent);
      save();
      showView();
      break;
    case 'queue':
      if (typeof frame.position === 'number' && chat.state === 'queued') {
        chat.queue = {
          position: frame.position,
          estimatedWaitMs: typeof frame.estimatedWaitMs === 'number' ? frame.estimatedWaitMs : null,
        };
        save();
        updateHeader();
      }
      break;
    case 'typing':
      setAgentTyping(frame.active ? String(frame.name) : null);
      break;
    case 'ok':
      onAnswer(String(frame.id), null);
      break;
    case 'error':
      onAnswer(typeof frame.id === 'string' ? frame.id : '', frame);
      break;
    default:
      break;
  }
}

function onWelcome(frame: Record<string, unknown>): void {
  backoff.connected();
  setConnection('');
  const resumed = chat.token === frame.token;
  if (!resumed || !chat.eventsComplete) {
    // A fresh chat, or a resume from seq 0: the relay sends the whole transcript again.
    chat.events = [];
    chat.lastSeq = 0;
    chat.eventsComplete = true;
    drawAll();
  }
  chat.token = String(frame.token);
  chat.sessionId = String(frame.sessionId);
  chat.name = String(frame.customerName);
  if (typeof frame.agentName === 'string') chat.agentName = frame.agentName;
  chat.state = frame.state === 'closed' ? 'closed' : chat.agentName ? 'active' : 'queued';
  greeted = true;
  save();
  showView();
  if (chat.state !== 'closed') pump();
}

function onAnswer(id: string, error: Record<string, unknown> | null): void {
  if (id && id === helloId) {
    if (error) helloRefused(String(error.code));
    return;
  }
  if (!inFlight || inFlight.commandId !== id) {
    if (error && error.code === 'session-closed') {
      chat.state = 'closed';
      save();
      showView();
    } else if (error && id) showAlert(customerErrorSentence(String(error.code)));
    return;
  }
  const { messageId } = inFlight;
  inFlight = null;
  const item = chat.pending.find((p) => p.messageId === messageId);
  if (!error) {
    chat.pending = chat.pending.filter((p) => p.messageId !== messageId);
    removeOutgoing(messageId);
  } else if (error.code === 'rate-limited' && item) {
    // nothing after it was sent: waiting and sending it again keeps the order
    const after = typeof error.retryAfterMs === 'number' ? error.retryAfterMs : 1000;
    save();
    clearTimeout(pumpTimer);
    pumpTimer = setTimeout(pump, after);
    return;
  } else if (error.code === 'session-closed') {
    chat.state = 'closed';
  } else if (item) {
    chat.pending = chat.pending.filter((p) => p.messageId !== messageId);
    const reason = customerErrorSentence(String(error.code));
    chat.failed.push({ ...item, reason });
    drawOutgoing(item, reason, () => retry(item));
  }
  save();
  showView();
  pump();
}

function helloRefused(code: string): void {
  if (code === 'unsupported-protocol') {
    stopped = true;
    showAlert(customerErrorSentence(code));
    return;
  }
  // The token is unknown or expired: start over, keeping the name and any unsent words.
  const unsent = chat.pending.map((p) => p.text).join('\n');
  stopped = true;
  socket?.close(1000, 'token refused');
  chat = emptyState(chat.name, chat.email);
  save();
  drawAll();
  showView();
  ui.startName.value = chat.name;
  ui.startMessage.value = unsent;
  showAlert(customerErrorSentence(code === 'unauthorized' ? 'unauthorized' : 'not-found'));
}

/** Sends the oldest unsent message when nothing is on its way and the pacer allows; the answer sends the next. */
function pump(): void {
  clearTimeout(pumpTimer);
  if (inFlight || !greeted || chat.state === 'closed') return;
  const next = chat.pending[0];
  if (!next) return;
  const wait = pacer.take();
  if (wait > 0) {
    pumpTimer = setTimeout(pump, wait);
    return;
  }
  const id = `c-${randomId(6)}`;
  if (send({ id, type: 'customer-send', messageId: next.messageId, text: next.text })) {
    inFlight = { commandId: id, messageId: next.messageId };
  }
}

function queueMessages(text: string): void {
  for (const piece of splitForSending(text, MAX_MESSAGE_CHARS)) {
    const item: Outgoing = { messageId: `m-${randomId(12)}`, text: piece, at: Date.now() };
    chat.pending.push(item);
    drawOutgoing(item, null, () => {});
  }
  save();
  scrollToEnd();
  pump();
}

function retry(item: Outgoing): void {
  chat.failed = chat.failed.filter((f) => f.messageId !== item.messageId);
  removeOutgoing(item.messageId);
  // sent again as a new message at the end, so it cannot land before what was written after it was refused
  queueMessages(item.text);
}

// ---------------------------------------------------------------------------------------------
// What the customer does

let typingSentAt = 0;
let typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
function noteTyping(): void {
  if (chat.state === 'closed' || chat.state === 'new' || !greeted) return;
  const now = Date.now();
  // a hint: skipped when messages are waiting, so it never takes a message's place under the rate limit
  if (now - typingSentAt > TYPING_IDLE_MS / 2 && !chat.pending.length && command('customer-typing', { active: true })) {
    typingSentAt = now;
  }
  clearTimeout(typingIdleTimer);
  typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}
function stopTyping(): void {
  clearTimeout(typingIdleTimer);
  if (typingSentAt !== 0) command('customer-typing', { active: false });
  typingSentAt = 0;
}

function startChat(event: SubmitEvent): void {
  event.preventDefault();
  const name = ui.startName.value.trim();
  const email = ui.startEmail.value.trim();
  const text = ui.startMessage.value.trim();
  const fine = checkForm([
    [Boolean(name), strings.enterName, ui.startName],
    [name.length <= 80, strings.nameTooLong, ui.startName],
    [!settings.emailRequired || Boolean(email), strings.enterEmail, ui.startEmail],
    [!email || EMAIL.test(email), strings.badEmail, ui.startEmail],
    [Boolean(text), strings.writeMessage, ui.startMessage],
  ]);
  if (!fine) return;
  chat = emptyState(name, email);
  chat.topic = ui.startTopic.hidden ? '' : ui.startTopic.value;
  chat.state = 'queued';
  save();
  drawAll();
  showView();
  stopped = false;
  backoff.reset();
  ui.startMessage.value = '';
  // The first message waits in the outbox until the relay welcomes the new chat.
  queueMessages(text);
  connect();
  ui.composerMessage.focus();
}

async function sendOffline(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const name = ui.offlineName.value.trim();
  const email = ui.offlineEmail.value.trim();
  const message = ui.offlineMessage.value.trim();
  const fine = checkForm([
    [Boolean(name), strings.enterName, ui.offlineName],
    [Boolean(email), strings.enterEmail, ui.offlineEmail],
    [EMAIL.test(email), strings.badEmail, ui.offlineEmail],
    [Boolean(message), strings.writeMessage, ui.offlineMessage],
  ]);
  if (!fine) return;
  const topic = params.get('team') ?? params.get('topic');
  if (!(await postJson(OFFLINE_PATH, { name, email, message, ...(topic ? { topic } : {}) }))) {
    showAlert(strings.offlineFailed);
    return;
  }
  offlineSent = true;
  ui.offlineSentText.textContent = strings.offlineSent(settings.offlineReply);
  showView();
}


async function sendRating(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const chosen = ui.ratingForm.querySelector<HTMLInputElement>('input[name="score"]:checked');
  if (!chosen) {
    showAlert(strings.chooseRating);
    ui.ratingStars.querySelector('input')?.focus();
    return;
  }
  const comment = ui.ratingComment.value.trim();
  // 409: rated already (in another tab): as good as done
  const body = { token: chat.token, score: Number(chosen.value), ...(comment ? { comment } : {}) };
  if (!(await postJson(RATING_PATH, body, [409]))) {
    showAlert(strings.ratingFailed);
    return;
  }
  showAlert('');
  chat.rated = true;
  save();
  showView();
  ui.ratingThanks.focus();
}

ui.startForm.addEventListener('submit', startChat);
ui.offlineForm.addEventListener('submit', (e) => void sendOffline(e));
ui.ratingForm.addEventListener('submit', (e) => void sendRating(e));
ui.download.addEventListener('click', () => downloadTranscript(settings.title, chat.events));

ui.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ui.composerMessage.value.trim();
  if (!text) return;
  showAlert('');
  ui.composerMessage.value = '';
  stopTyping();
  queueMessages(text);
});

for (const field of [ui.composerMessage, ui.startMessage]) {
  field.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      field.form?.requestSubmit();
    }
  });
}
ui.composerMessage.addEventListener('input', () => {
  if (ui.composerMessage.value.trim()) noteTyping();
  else stopTyping();
});

// ending is for good: the customer confirms it first
ui.endChat.addEventListener('click', () => {
  if (chat.state !== 'closed') ui.endDialog.showModal();
});
ui.endCancel.addEventListener('click', () => ui.endDialog.close());
ui.endConfirm.addEventListener('click', () => {
  ui.endDialog.close();
  if (chat.state === 'closed') return;
  if (!command('customer-close')) showAlert(strings.notConnected);
});

ui.newChat.addEventListener('click', () => {
  const { name, email } = chat;
  stopped = true;
  socket?.close(1000, 'new chat');
  socket = null;
  chat = emptyState(name, email);
  save();
  drawAll();
  showAlert('');
  showView();
  ui.startName.value = name;
  ui.startEmail.value = email;
  ui.startMessage.focus();
});

// Coming back online is a better moment to retry than whatever the backoff had picked.
window.addEventListener('online', () => {
  if (!socket && !stopped && chat.state !== 'new' && chat.state !== 'closed') {
    backoff.reset();
    connect();
  }
});

// ---------------------------------------------------------------------------------------------
// Start: resume the chat this tab already had, if any.

drawStars();
drawAll();
void loadSettings(params).then((loaded) => {
  settings = loaded;
  pacer = new Pacer(settings.limits);
  showView();
  if (chat.state === 'new') (settings.available ? ui.startName : ui.offlineName).focus();
  else if (chat.state !== 'closed') ui.composerMessage.focus();
});
// With no token yet (reloaded before the welcome) connect() starts the chat again with the unsent first message.
if (chat.state === 'queued' || chat.state === 'active') connect();
