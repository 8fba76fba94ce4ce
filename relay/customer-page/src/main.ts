// The customer side of a Baton chat, at /chat and inside the website widget's iframe: the pre-chat or offline form,
// then the customer protocol (common/protocol.ts) over /customer (connection.ts), with the messages on their way in
// the outbox (outbox.ts). The token, last seq and unsent messages live in sessionStorage so a reload resumes the chat.
import '../chat.css';
import { customerErrorSentence } from '../../../common/error-codes';
import { OFFLINE_PATH, RATING_PATH } from '../../../common/wire-constants';
import { readWidgetSettings, type WidgetSettings } from '../../../common/widget-settings';
import { Connection } from './connection';
import { checkForm, drawStars, loadSettings, markField, postJson, presetTopic, showEmailRequired, teamFor } from './forms';
import { Outbox } from './outbox';
import { Pacer } from './pacing';
import { type ChatEvent, type ChatState, emptyState, loadState, randomId, saveState } from './state';
import { strings } from './strings';
import { downloadTranscript } from './transcript';
import { appendLine, clearTranscript, nodeForEvent, scrollToEnd, setSentence, showAlert, ui } from './view';

const TYPING_IDLE_MS = 4_000;
const AGENT_TYPING_TIMEOUT_MS = 8_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

let chat: ChatState = loadState();
let settings: WidgetSettings = readWidgetSettings(null);
let pacer = new Pacer(settings.limits);
const params = new URLSearchParams(location.search);
const token = () => chat.token;

const save = () => saveState(chat);

const connection = new Connection({
  wanted: () => chat.state === 'queued' || chat.state === 'active',
  hello: () => {
    // the hello passes the pacer too: it counts against the relay's limit like any frame
    pacer.take();
    if (chat.token) return { token: chat.token, lastSeq: chat.eventsComplete ? chat.lastSeq : 0 };
    return {
      name: chat.name,
      ...(chat.email ? { email: chat.email } : {}),
      ...(chat.topic ? { topic: chat.topic } : {}),
      ...(chat.team ? { team: chat.team } : {}),
    };
  },
  frame: (frame) => handleFrame(frame),
  lost: () => outbox.lost(),
  ended: () => chatEnded(),
  outdated: () => showAlert(customerErrorSentence('unsupported-protocol')),
});

const outbox = new Outbox({
  chat: () => chat,
  pacer: () => pacer,
  greeted: () => connection.greeted,
  send: (frame) => connection.send(frame),
  save,
  changed: () => showView(),
  ended: () => chatEnded(),
});

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
    const node = nodeForEvent(event, token);
    if (node) ui.transcript.append(node);
  }
  outbox.redraw();
  scrollToEnd();
}

function chatEnded(): void {
  if (chat.state === 'closed') return;
  chat.state = 'closed';
  chat.queue = null;
  outbox.drop();
  save();
  showView();
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
      outbox.drop();
      break;
    case 'message':
      if ((event.author as { kind?: string }).kind === 'customer') outbox.delivered(String(event.messageId));
      else setAgentTyping(null);
      break;
    default:
      break;
  }
  const node = nodeForEvent(event, token);
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
    case 'error':
      onAnswer(typeof frame.id === 'string' ? frame.id : '', frame.type === 'error' ? frame : null);
      break;
    default:
      break;
  }
}

function onWelcome(frame: Record<string, unknown>): void {
  connection.welcomed();
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
  save();
  showView();
  if (chat.state !== 'closed') outbox.pump();
}

function onAnswer(id: string, error: Record<string, unknown> | null): void {
  if (connection.isHello(id)) {
    if (error) helloRefused(String(error.code));
    return;
  }
  if (outbox.answered(id, error) || !error) return;
  if (error.code === 'session-closed') chatEnded();
  else if (id) showAlert(customerErrorSentence(String(error.code)));
}

/**
 * No chat could be started (the queue is full, too many chats from this network, the relay asks for the e-mail) or
 * the token is unknown or expired: back to the form, with what the customer wrote, saying which it was.
 */
function helloRefused(code: string): void {
  if (code === 'unsupported-protocol') {
    connection.stop('outdated page');
    showAlert(customerErrorSentence(code));
    return;
  }
  const refusedNew = !chat.token;
  const unsent = chat.pending.flatMap((p) => (p.text ? [p.text] : [])).join('\n');
  const { name, email, topic } = chat;
  connection.stop('hello refused');
  chat = emptyState(name, email);
  save();
  drawAll();
  showView();
  ui.startName.value = name;
  ui.startEmail.value = email;
  ui.startTopic.value = topic;
  ui.startMessage.value = unsent;
  if (code === 'email-required') {
    // the settings the page loaded were older than the relay's: it asks for the e-mail now
    settings.emailRequired = true;
    showEmailRequired(true);
    markField(ui.startEmail, customerErrorSentence(code));
  } else if (!refusedNew) showAlert(customerErrorSentence(code === 'unauthorized' ? 'unauthorized' : 'not-found'));
  else showAlert(code === 'rate-limited' ? strings.tooManyChats : customerErrorSentence(code));
}

// ---------------------------------------------------------------------------------------------
// What the customer does

let typingSentAt = 0;
let typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
/** Typing hints pass the pacer; one that would have to wait is skipped, so it never takes a message's place. */
function typingHint(active: boolean): boolean {
  return connection.greeted && pacer.take() === 0 && connection.send({ id: `c-${randomId(6)}`, type: 'customer-typing', active });
}
function noteTyping(): void {
  if (chat.state === 'closed' || chat.state === 'new') return;
  const now = Date.now();
  if (now - typingSentAt > TYPING_IDLE_MS / 2 && !outbox.waiting && typingHint(true)) typingSentAt = now;
  clearTimeout(typingIdleTimer);
  typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}
function stopTyping(): void {
  clearTimeout(typingIdleTimer);
  if (typingSentAt !== 0) typingHint(false);
  typingSentAt = 0;
}

function startChat(event: SubmitEvent): void {
  event.preventDefault();
  const name = ui.startName.value.trim();
  const email = ui.startEmail.value.trim();
  const text = ui.startMessage.value.trim();
  const fine = checkForm(ui.startForm, [
    [Boolean(name), strings.enterName, ui.startName],
    [name.length <= 80, strings.nameTooLong, ui.startName],
    [!settings.emailRequired || Boolean(email), customerErrorSentence('email-required'), ui.startEmail],
    [!email || EMAIL.test(email), strings.badEmail, ui.startEmail],
    [Boolean(text), strings.writeMessage, ui.startMessage],
  ]);
  if (!fine) return;
  chat = emptyState(name, email);
  chat.topic = ui.startTopic.hidden ? '' : ui.startTopic.value;
  chat.team = teamFor(settings.topics, chat.topic, params);
  chat.state = 'queued';
  save();
  drawAll();
  showView();
  ui.startMessage.value = '';
  // The first message waits in the outbox until the relay welcomes the new chat.
  outbox.write(text);
  connection.start();
  ui.composerMessage.focus();
}

async function sendOffline(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const name = ui.offlineName.value.trim();
  const email = ui.offlineEmail.value.trim();
  const message = ui.offlineMessage.value.trim();
  const fine = checkForm(ui.offlineForm, [
    [Boolean(name), strings.enterName, ui.offlineName],
    [Boolean(email), customerErrorSentence('email-required'), ui.offlineEmail],
    [EMAIL.test(email), strings.badEmail, ui.offlineEmail],
    [Boolean(message), strings.writeMessage, ui.offlineMessage],
  ]);
  if (!fine) return;
  const topic = presetTopic(settings.topics, params)?.name ?? params.get('topic');
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
  outbox.write(text);
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

ui.attach.addEventListener('click', () => ui.attachFile.click());
ui.attachFile.addEventListener('change', () => {
  const [file] = ui.attachFile.files ?? [];
  ui.attachFile.value = '';
  if (file) void outbox.attach(file, settings.maxAttachmentBytes);
});

// ending is for good: the customer confirms it first
ui.endChat.addEventListener('click', () => {
  if (chat.state !== 'closed') ui.endDialog.showModal();
});
ui.endCancel.addEventListener('click', () => ui.endDialog.close());
ui.endConfirm.addEventListener('click', () => {
  ui.endDialog.close();
  if (chat.state === 'closed') return;
  // not paced: ending must not wait behind a long paste (a refusal for the rate says so, and the customer tries again)
  const sent = connection.greeted && connection.send({ id: `c-${randomId(6)}`, type: 'customer-close' });
  if (!sent) showAlert(strings.notConnected);
});

ui.newChat.addEventListener('click', () => {
  const { name, email } = chat;
  connection.stop('new chat');
  chat = emptyState(name, email);
  save();
  drawAll();
  showAlert('');
  showView();
  ui.startName.value = name;
  ui.startEmail.value = email;
  ui.startMessage.focus();
});

window.addEventListener('online', () => connection.online());

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
// With no token yet (reloaded before the welcome) the chat starts again with the unsent first message.
connection.connect();
