// The customer side of a Baton chat: speaks the customer protocol (common/protocol.ts) over /customer,
// keeps the session token, last seq and unacknowledged messages in sessionStorage so a reload or a dropped
// connection resumes the same chat without losing or doubling a message.

import { attachmentNode, linkNodes } from './chat-files.js';

const PROTOCOL_VERSION = 1;
const STORAGE_KEY = 'baton.customer.v1';
// Enough for a long support chat; beyond it the page refetches the transcript from the relay on load.
const MAX_STORED_EVENTS = 400;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15_000;
const TYPING_IDLE_MS = 4_000;
const AGENT_TYPING_TIMEOUT_MS = 8_000;
// Close codes from common/protocol.ts CloseCodes.
const CLOSE_UNSUPPORTED_PROTOCOL = 4002;
const CLOSE_SESSION_ENDED = 4010;
// "reconnect now, without backoff, to any node": the relay is restarting or lost messages
const CLOSE_RECONNECT = 4012;

const sentences = {
  'bad-frame': 'The chat service could not read that. Please try again.',
  'too-large': 'That message is too long to send.',
  'rate-limited': 'You are sending messages very quickly. Wait a moment and try again.',
  'unsupported-protocol': 'This chat page is out of date. Reload the page to continue.',
  'session-closed': 'This chat has ended.',
  'queue-full': 'All our agents are busy and the queue is full. Please try again in a few minutes.',
  'not-found': 'We could not find your earlier chat. Start a new one below.',
  unauthorized: 'We could not find your earlier chat. Start a new one below.',
  forbidden: 'That is not allowed in this chat.',
  'invalid-argument': 'That could not be sent. Check your message and try again.',
  internal: 'Something went wrong on our side. Please try again.',
  timeout: 'The chat service did not answer in time. Please try again.',
};
const sentenceFor = (code) => sentences[code] ?? 'Something went wrong. Please try again.';

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`chat page is missing #${id}`);
  return el;
};
const ui = {
  status: $('chat-status'),
  avatar: document.querySelector('.avatar'),
  endChat: $('end-chat'),
  connection: $('connection'),
  alert: $('alert'),
  startForm: $('start-form'),
  startName: $('start-name'),
  startTopic: $('start-topic'),
  startTopicLabel: $('start-topic-label'),
  startMessage: $('start-message'),
  chat: $('chat'),
  transcript: $('transcript'),
  typing: $('typing'),
  composer: $('composer'),
  composerMessage: $('composer-message'),
  ended: $('ended'),
  newChat: $('new-chat'),
  attach: $('attach'),
  attachFile: $('attach-file'),
  endDialog: $('end-dialog'),
  endConfirm: $('end-confirm'),
  endCancel: $('end-cancel'),
};

// ---------------------------------------------------------------------------------------------
// Persistent state (per browser tab)

/** @returns {{ token: string|null, sessionId: string|null, name: string, lastSeq: number, eventsComplete: boolean,
 *   events: object[], pending: {messageId: string, text: string, at: number}[], agentName: string|null,
 *   state: 'new'|'queued'|'active'|'closed' }} */
function emptyState(name = '') {
  return {
    token: null,
    sessionId: null,
    name,
    lastSeq: 0,
    eventsComplete: true,
    events: [],
    pending: [],
    agentName: null,
    state: 'new',
    team: null,
  };
}

function loadState() {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return emptyState();
    const saved = JSON.parse(raw);
    if (typeof saved !== 'object' || saved === null) return emptyState();
    const state = { ...emptyState(), ...saved };
    if (!Array.isArray(state.events) || !Array.isArray(state.pending)) return emptyState();
    if (!Number.isInteger(state.lastSeq) || state.lastSeq < 0) state.lastSeq = 0;
    return state;
  } catch {
    // Corrupt or unavailable storage: start fresh rather than fail to load the page.
    return emptyState();
  }
}

function saveState() {
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

let chat = loadState();

// ---------------------------------------------------------------------------------------------
// Small helpers

function randomId(bytes = 12) {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

// the reader's locale: 9:04 PM where the clock counts to 12, 21:04 (hour padded) where it counts to 24
const twelveHour = /^h1[12]$/.test(new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle ?? '');
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: twelveHour ? 'numeric' : '2-digit', minute: '2-digit' });
const fullTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function showAlert(text) {
  ui.alert.textContent = text;
  ui.alert.hidden = !text;
}

/**
 * Replaces a node's content with a sentence in which every string someone typed (agent names, request titles)
 * is its own <bdi>: a right-to-left override inside a name then ends with the name instead of reversing the rest.
 * `parts` are our own words (strings) and `{ user: text }` for what people typed.
 */
function setSentence(node, parts) {
  node.replaceChildren(...parts.map((part) => (typeof part === 'string' ? part : el('bdi', undefined, part.user))));
}

function setStatus(parts) {
  setSentence(ui.status, typeof parts === 'string' ? [parts] : parts);
}

function setConnection(text) {
  ui.connection.textContent = text;
  ui.connection.hidden = !text;
}

// ---------------------------------------------------------------------------------------------
// Transcript rendering

const pendingNodes = new Map();

function timeNode(at) {
  const node = el('time', 'time', timeFormat.format(at));
  node.dateTime = new Date(at).toISOString();
  node.title = fullTimeFormat.format(at);
  return node;
}

function messageNode({ mine, author, at, text, attachments = [], fileName = null }) {
  const row = el('div', `line message ${mine ? 'mine' : 'theirs'}`);
  const bubble = el('div', 'bubble');
  const meta = el('div', 'meta');
  meta.append(el('bdi', 'author', author), ' ', timeNode(at));
  bubble.append(meta);
  if (text) {
    const body = el('p', 'text');
    body.append(...linkNodes(text));
    body.dir = 'auto';
    bubble.append(body);
  }
  for (const attachment of attachments) bubble.append(attachmentNode(attachment, { token: () => chat.token, alert: showAlert }));
  if (fileName) bubble.append(el('p', 'file-name', `File: ${fileName}`));
  row.append(bubble);
  return row;
}


function systemNode(parts, at) {
  const row = el('p', 'line system');
  const text = el('span', 'system-text');
  setSentence(text, typeof parts === 'string' ? [parts] : parts);
  row.append(text, ' ', timeNode(at));
  return row;
}

/** The line a customer-visible event adds to the transcript, or null for events that add none. */
function nodeForEvent(event) {
  switch (event.kind) {
    case 'assigned':
      return systemNode([{ user: event.agentName }, ' joined the chat'], event.at);
    case 'message': {
      const mine = event.author.kind === 'customer';
      return messageNode({ mine, author: mine ? 'You' : event.author.name, at: event.at, text: event.text, attachments: event.attachments });
    }
    case 'request-solved':
      return systemNode(['Your request ', { user: event.title }, ' has been solved.'], event.at);
    case 'transfer-accepted':
      return systemNode(['You are now chatting with ', { user: event.toName }], event.at);
    case 'taken-over':
      return systemNode(['You are now chatting with ', { user: event.byName }], event.at);
    case 'request-created':
      return systemNode(['A request was created: ', { user: event.request.title }, '. We will get back to you.'], event.at);
    case 'closed':
      return systemNode('The chat has ended.', event.at);
    default:
      return null;
  }
}

/** Event lines go above any message still being sent, which always sit at the end. */
function appendLine(node) {
  const firstPending = pendingNodes.values().next().value;
  if (firstPending?.parentNode === ui.transcript) ui.transcript.insertBefore(node, firstPending);
  else ui.transcript.append(node);
}

function scrollToEnd() {
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

function renderPending(item, note = 'Sending…') {
  let node = pendingNodes.get(item.messageId);
  if (!node) {
    node = messageNode({ mine: true, author: 'You', at: item.at, text: item.text, fileName: item.fileName ?? null });
    node.classList.add('pending');
    node.querySelector('.bubble')?.append(el('p', 'delivery'));
    pendingNodes.set(item.messageId, node);
    ui.transcript.append(node);
  }
  const delivery = node.querySelector('.delivery');
  if (delivery) {
    delivery.replaceChildren(note);
    if (note.startsWith('Not sent')) {
      const retry = el('button', 'retry', 'Retry');
      retry.type = 'button';
      retry.addEventListener('click', () => {
        renderPending(item);
        if (!chat.pending.some((p) => p.messageId === item.messageId)) {
          chat.pending.push(item);
          saveState();
        }
        sendMessage(item);
      });
      delivery.append(' ', retry);
    }
  }
  scrollToEnd();
}

function renderAllFromState() {
  ui.transcript.replaceChildren();
  pendingNodes.clear();
  for (const event of chat.events) {
    const node = nodeForEvent(event);
    if (node) ui.transcript.append(node);
  }
  for (const item of chat.pending) renderPending(item);
  scrollToEnd();
}

// ---------------------------------------------------------------------------------------------
// Views

function updateHeader() {
  if (chat.state === 'closed') setStatus('This chat has ended.');
  else if (chat.agentName) setStatus(['Chatting with ', { user: chat.agentName }]);
  else if (chat.state === 'new') setStatus('We usually answer within a few minutes.');
  else setStatus('Waiting for an agent…');
  if (ui.avatar) ui.avatar.textContent = chat.agentName ? chat.agentName.slice(0, 1).toUpperCase() : '?';
}

function showView() {
  const started = chat.state !== 'new';
  ui.startForm.hidden = started;
  ui.chat.hidden = !started;
  ui.endChat.hidden = !started || chat.state === 'closed';
  ui.composer.hidden = chat.state === 'closed';
  ui.ended.hidden = chat.state !== 'closed';
  updateHeader();
}

// ---------------------------------------------------------------------------------------------
// Applying what the relay sends

function applyEvent(event) {
  if (!event || typeof event.seq !== 'number' || event.seq <= chat.lastSeq) return;
  chat.lastSeq = event.seq;
  chat.events.push(event);
  switch (event.kind) {
    case 'assigned':
      chat.agentName = event.agentName;
      if (chat.state !== 'closed') chat.state = 'active';
      break;
    case 'transfer-accepted':
      chat.agentName = event.toName;
      break;
    case 'taken-over':
      chat.agentName = event.byName;
      break;
    case 'closed':
      chat.state = 'closed';
      chat.pending = [];
      for (const node of pendingNodes.values()) node.remove();
      pendingNodes.clear();
      break;
    case 'message':
      if (event.author.kind === 'customer') {
        chat.pending = chat.pending.filter((p) => p.messageId !== event.messageId);
        const node = pendingNodes.get(event.messageId);
        node?.remove();
        pendingNodes.delete(event.messageId);
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

let agentTypingTimer = null;
function setAgentTyping(name) {
  clearTimeout(agentTypingTimer);
  setSentence(ui.typing, name ? [{ user: name }, ' is typing…'] : []);
  // A lost "stopped typing" frame must not leave the line up forever.
  if (name) agentTypingTimer = setTimeout(() => setAgentTyping(null), AGENT_TYPING_TIMEOUT_MS);
}

// ---------------------------------------------------------------------------------------------
// Connection

let socket = null;
let helloId = null;
let attempt = 0;
let retryTimer = null;
let countdownTimer = null;
let stopped = false;
const inflight = new Map();

function relayUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/customer`;
}

function send(frame) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

function command(type, fields, purpose) {
  const id = `c-${randomId(6)}`;
  if (purpose) inflight.set(id, purpose);
  const sent = send({ id, type, ...fields });
  if (!sent) inflight.delete(id);
  return sent;
}

function connect() {
  clearTimeout(retryTimer);
  clearInterval(countdownTimer);
  if (stopped || chat.state === 'new') return;
  setConnection(attempt === 0 ? '' : 'Connecting…');
  let ws;
  try {
    ws = new WebSocket(relayUrl());
  } catch {
    scheduleReconnect();
    return;
  }
  socket = ws;
  ws.addEventListener('open', () => {
    if (socket !== ws) return;
    helloId = `h-${randomId(6)}`;
    const hello = { id: helloId, type: 'customer-hello', protocol: PROTOCOL_VERSION };
    if (chat.token) {
      hello.token = chat.token;
      hello.lastSeq = chat.eventsComplete ? chat.lastSeq : 0;
    } else {
      hello.name = chat.name;
      if (chat.team) hello.team = chat.team;
    }
    send(hello);
  });
  ws.addEventListener('message', (msg) => {
    if (socket !== ws) return;
    let frame;
    try {
      frame = JSON.parse(typeof msg.data === 'string' ? msg.data : '');
    } catch {
      return;
    }
    if (frame && typeof frame === 'object') handleFrame(frame);
  });
  ws.addEventListener('close', (closeEvent) => {
    if (socket !== ws) return;
    socket = null;
    inflight.clear();
    if (closeEvent.code === CLOSE_UNSUPPORTED_PROTOCOL) {
      stopped = true;
      setConnection('');
      showAlert(sentenceFor('unsupported-protocol'));
      return;
    }
    if (closeEvent.code === CLOSE_SESSION_ENDED || chat.state === 'closed') {
      if (chat.state !== 'closed') {
        chat.state = 'closed';
        saveState();
        showView();
      }
      setConnection('');
      return;
    }
    if (closeEvent.code === CLOSE_RECONNECT && attempt === 0) {
      connect();
      return;
    }
    scheduleReconnect();
  });
}

/** Exponential backoff with full jitter, so many customers do not all return at the same instant. */
function scheduleReconnect() {
  if (stopped) return;
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  const delay = Math.max(250, Math.round(Math.random() * ceiling));
  attempt += 1;
  const at = Date.now() + delay;
  const tick = () => {
    const seconds = Math.max(1, Math.ceil((at - Date.now()) / 1000));
    setConnection(`Connection lost. Reconnecting in ${seconds} s…`);
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
  retryTimer = setTimeout(connect, delay);
}

function handleFrame(frame) {
  switch (frame.type) {
    case 'customer-welcome':
      onWelcome(frame);
      break;
    case 'event':
      applyEvent(frame.event);
      saveState();
      showView();
      break;
    case 'replay':
      if (Array.isArray(frame.events)) for (const event of frame.events) applyEvent(event);
      saveState();
      showView();
      break;
    case 'typing':
      setAgentTyping(frame.active ? frame.name : null);
      break;
    case 'ok':
      onOk(frame);
      break;
    case 'error':
      onError(frame);
      break;
    default:
      break;
  }
}

function onWelcome(frame) {
  attempt = 0;
  setConnection('');
  const resumed = chat.token === frame.token;
  if (!resumed || !chat.eventsComplete) {
    // A fresh chat, or a resume from seq 0: the relay sends the whole transcript again.
    chat.events = [];
    chat.lastSeq = 0;
    chat.eventsComplete = true;
    renderAllFromState();
  }
  chat.token = frame.token;
  chat.sessionId = frame.sessionId;
  chat.name = frame.customerName;
  if (frame.agentName) chat.agentName = frame.agentName;
  chat.state = frame.state === 'closed' ? 'closed' : chat.agentName ? 'active' : frame.state;
  saveState();
  showView();
  if (chat.state === 'closed') return;
  for (const item of chat.pending) sendMessage(item);
}

function onOk(frame) {
  if (frame.id === helloId) return;
  const purpose = inflight.get(frame.id);
  inflight.delete(frame.id);
  if (purpose?.kind === 'send') {
    chat.pending = chat.pending.filter((p) => p.messageId !== purpose.messageId);
    saveState();
    const node = pendingNodes.get(purpose.messageId);
    node?.classList.remove('pending');
    const delivery = node?.querySelector('.delivery');
    if (delivery) delivery.textContent = '';
  } else if (purpose?.kind === 'close') {
    chat.state = 'closed';
    saveState();
    showView();
  }
}

function onError(frame) {
  const purpose = frame.id ? inflight.get(frame.id) : undefined;
  if (frame.id) inflight.delete(frame.id);
  if (frame.id && frame.id === helloId) {
    if (frame.code === 'unsupported-protocol') {
      stopped = true;
      showAlert(sentenceFor(frame.code));
      return;
    }
    // No chat could be started (the queue is full, too many chats from this network) or the token is unknown or
    // expired: start over, keeping the name and any unsent words, and say which it was.
    const refusedNew = !chat.token && (frame.code === 'queue-full' || frame.code === 'rate-limited');
    const unsent = chat.pending.map((p) => p.text).join('\n');
    stopped = true;
    socket?.close(1000, 'token refused');
    chat = emptyState(chat.name);
    saveState();
    renderAllFromState();
    showView();
    ui.startName.value = chat.name;
    ui.startMessage.value = unsent;
    if (refusedNew && frame.code === 'rate-limited') showAlert('Too many chats were started from your network just now. Wait a minute and try again.');
    else showAlert(sentenceFor(refusedNew ? frame.code : frame.code === 'unauthorized' ? 'unauthorized' : 'not-found'));
    return;
  }
  if (purpose?.kind === 'send') {
    const item = chat.pending.find((p) => p.messageId === purpose.messageId);
    chat.pending = chat.pending.filter((p) => p.messageId !== purpose.messageId);
    saveState();
    if (item) renderPending(item, `Not sent: ${sentenceFor(frame.code)}`);
    return;
  }
  if (frame.code === 'session-closed') {
    chat.state = 'closed';
    saveState();
    showView();
    return;
  }
  showAlert(sentenceFor(frame.code));
}

function sendMessage(item) {
  const fields = { messageId: item.messageId, text: item.text };
  if (item.attachmentId) fields.attachments = [item.attachmentId];
  command('customer-send', fields, { kind: 'send', messageId: item.messageId });
}

/**
 * Uploads a file into the chat, then sends the message that carries it. The upload id is the message's id, so a
 * second try after a lost answer stores the file once.
 */
async function sendFile(file) {
  if (!chat.token || !chat.sessionId || chat.state === 'closed') {
    showAlert('Wait until the chat has started to send a file.');
    return;
  }
  const item = { messageId: `m-${randomId(12)}`, text: '', at: Date.now(), fileName: file.name };
  renderPending(item, 'Uploading…');
  let answer;
  try {
    const res = await fetch(`/sessions/${encodeURIComponent(chat.sessionId)}/attachments`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${chat.token}`,
        'X-Upload-Id': item.messageId,
        'X-File-Name': encodeURIComponent(file.name),
      },
      body: file,
    });
    answer = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(answer?.error?.message ?? 'The file could not be sent.');
  } catch (error) {
    pendingNodes.get(item.messageId)?.remove();
    pendingNodes.delete(item.messageId);
    showAlert(error instanceof TypeError ? 'You are not connected right now. Try again in a moment.' : String(error.message));
    return;
  }
  showAlert('');
  item.attachmentId = answer.attachment.id;
  chat.pending.push(item);
  saveState();
  renderPending(item);
  sendMessage(item);
}

// ---------------------------------------------------------------------------------------------
// What the customer does

let typingSentAt = 0;
let typingIdleTimer = null;
function noteTyping() {
  if (chat.state === 'closed' || chat.state === 'new') return;
  const now = Date.now();
  if (now - typingSentAt > TYPING_IDLE_MS / 2) {
    typingSentAt = now;
    command('customer-typing', { active: true });
  }
  clearTimeout(typingIdleTimer);
  typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}
function stopTyping() {
  clearTimeout(typingIdleTimer);
  if (typingSentAt !== 0) command('customer-typing', { active: false });
  typingSentAt = 0;
}

function queueMessage(text) {
  const item = { messageId: `m-${randomId(12)}`, text, at: Date.now() };
  chat.pending.push(item);
  saveState();
  renderPending(item);
  sendMessage(item);
}

ui.startForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const name = ui.startName.value.trim();
  const text = ui.startMessage.value.trim();
  if (!name) {
    showAlert('Enter your name to start the chat.');
    ui.startName.focus();
    return;
  }
  if (!text) {
    showAlert('Write a message to start the chat.');
    ui.startMessage.focus();
    return;
  }
  if (name.length > 80) {
    showAlert('Your name can be at most 80 characters.');
    ui.startName.focus();
    return;
  }
  showAlert('');
  chat = emptyState(name);
  chat.team = presetTeam ?? (ui.startTopic.value || null);
  chat.state = 'queued';
  saveState();
  renderAllFromState();
  showView();
  stopped = false;
  attempt = 0;
  ui.startMessage.value = '';
  // The first message waits in the outbox until the relay welcomes the new chat.
  queueMessage(text);
  connect();
  ui.composerMessage.focus();
});

ui.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ui.composerMessage.value.trim();
  if (!text) return;
  showAlert('');
  ui.composerMessage.value = '';
  stopTyping();
  queueMessage(text);
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
  if (file) void sendFile(file);
});

// Ending a chat cannot be undone: the customer is asked first.
ui.endChat.addEventListener('click', () => {
  if (chat.state === 'closed') return;
  ui.endDialog.showModal();
});
ui.endCancel.addEventListener('click', () => ui.endDialog.close());
ui.endConfirm.addEventListener('click', () => {
  ui.endDialog.close();
  if (chat.state === 'closed') return;
  if (!command('customer-close', {}, { kind: 'close' })) {
    showAlert('You are not connected right now. Try again in a moment.');
  }
});

ui.newChat.addEventListener('click', () => {
  const name = chat.name;
  socket?.close(1000, 'new chat');
  socket = null;
  chat = emptyState(name);
  saveState();
  renderAllFromState();
  showAlert('');
  showView();
  ui.startName.value = name;
  ui.startMessage.focus();
});

// Coming back online is a better moment to retry than whatever the backoff had picked.
window.addEventListener('online', () => {
  if (!socket && !stopped && chat.state !== 'new' && chat.state !== 'closed') {
    attempt = 0;
    connect();
  }
});

// ---------------------------------------------------------------------------------------------
// Start: resume the chat this tab already had, if any.

renderAllFromState();
showView();
// With no token yet (reloaded before the welcome) connect() starts the chat again with the unsent first message.
if (chat.state === 'queued' || chat.state === 'active') connect();
if (chat.state === 'new') ui.startName.focus();
else if (chat.state !== 'closed') ui.composerMessage.focus();

// ---------------------------------------------------------------------------------------------
// Topic: the team a new chat is for. A page embedded with ?team=<id> names it (the widget's configuration); otherwise
// the customer may pick one of the relay's teams, or none (any agent).

const TEAM_ID = /^[a-z][a-z0-9-]{0,31}$/;
const presetTeam = (() => {
  const team = new URLSearchParams(location.search).get('team');
  return team && TEAM_ID.test(team) ? team : null;
})();

async function loadTopics() {
  if (presetTeam) return;
  try {
    const response = await fetch('/chat/teams', { headers: { Accept: 'application/json' } });
    if (!response.ok) return;
    const teams = await response.json();
    if (!Array.isArray(teams)) return;
    for (const team of teams) {
      if (typeof team?.id !== 'string' || !TEAM_ID.test(team.id) || typeof team.name !== 'string') continue;
      const option = document.createElement('option');
      option.value = team.id;
      option.textContent = team.name;
      ui.startTopic.insertBefore(option, ui.startTopic.lastElementChild);
    }
    ui.startTopic.value = '';
    const shown = ui.startTopic.options.length > 1;
    ui.startTopic.hidden = !shown;
    ui.startTopicLabel.hidden = !shown;
  } catch {
    // no topics: the chat goes to any agent
  }
}
void loadTopics();
