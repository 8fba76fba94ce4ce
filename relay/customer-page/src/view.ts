// The page's DOM: finding its elements, and drawing transcript lines (links and files included), pending and refused
// messages, and sentences in which what people typed is isolated. Times follow the customer's locale.
import { clockHour } from '../../../common/formats';
import { byId, el } from './dom';
import { type FileInfo, filesOf, fileNode, linkNodes } from './files';
import type { ChatEvent, Outgoing } from './state';
import { type Part, strings } from './strings';

export const ui = {
  title: byId('widget-title'),
  status: byId('chat-status'),
  queue: byId('queue'),
  avatar: document.querySelector<HTMLElement>('.avatar'),
  endChat: byId<HTMLButtonElement>('end-chat'),
  endDialog: byId<HTMLDialogElement>('end-dialog'),
  endConfirm: byId<HTMLButtonElement>('end-confirm'),
  endCancel: byId<HTMLButtonElement>('end-cancel'),
  connection: byId('connection'),
  alert: byId('alert'),
  startForm: byId<HTMLFormElement>('start-form'),
  greeting: byId('greeting'),
  startName: byId<HTMLInputElement>('start-name'),
  startEmail: byId<HTMLInputElement>('start-email'),
  startEmailLabel: byId('start-email-label'),
  startTopic: byId<HTMLSelectElement>('start-topic'),
  startTopicLabel: byId('start-topic-label'),
  startMessage: byId<HTMLTextAreaElement>('start-message'),
  offlineForm: byId<HTMLFormElement>('offline-form'),
  offlineIntro: byId('offline-intro'),
  offlineName: byId<HTMLInputElement>('offline-name'),
  offlineEmail: byId<HTMLInputElement>('offline-email'),
  offlineMessage: byId<HTMLTextAreaElement>('offline-message'),
  offlineSent: byId('offline-sent'),
  offlineSentText: byId('offline-sent-text'),
  chat: byId('chat'),
  transcript: byId('transcript'),
  typing: byId('typing'),
  composer: byId<HTMLFormElement>('composer'),
  composerMessage: byId<HTMLTextAreaElement>('composer-message'),
  attach: byId<HTMLButtonElement>('attach'),
  attachFile: byId<HTMLInputElement>('attach-file'),
  ended: byId('ended'),
  ratingForm: byId<HTMLFormElement>('rating-form'),
  ratingStars: byId('rating-stars'),
  ratingComment: byId<HTMLTextAreaElement>('rating-comment'),
  ratingThanks: byId('rating-thanks'),
  download: byId<HTMLButtonElement>('download'),
  newChat: byId<HTMLButtonElement>('new-chat'),
};

// the reader's locale: 9:04 PM where the clock counts to 12, 21:04 (hour padded) where it counts to 24
export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: clockHour, minute: '2-digit' });
export const fullTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function setSentence(node: HTMLElement, parts: Part[] | string): void {
  const list = typeof parts === 'string' ? [parts] : parts;
  node.replaceChildren(...list.map((part) => (typeof part === 'string' ? part : el('bdi', undefined, part.user))));
}

export function showAlert(text: string): void {
  ui.alert.textContent = text;
  ui.alert.hidden = !text;
}

export function setConnection(text: string): void {
  ui.connection.textContent = text;
  ui.connection.hidden = !text;
}

function timeNode(at: number): HTMLTimeElement {
  const node = el('time', 'time', timeFormat.format(at));
  node.dateTime = new Date(at).toISOString();
  node.title = fullTimeFormat.format(at);
  return node;
}

/** Where a file's bytes come from: the chat token, read when the file is fetched (it may arrive after the line). */
export type TokenSource = () => string | null;

function messageNode(mine: boolean, author: string, at: number, text: string, files: FileInfo[], token: TokenSource): HTMLElement {
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
  for (const file of files) bubble.append(fileNode(file, token, showAlert));
  row.append(bubble);
  return row;
}

function systemNode(parts: Part[] | string, at: number): HTMLElement {
  const row = el('p', 'line system');
  const text = el('span', 'system-text');
  setSentence(text, parts);
  row.append(text, ' ', timeNode(at));
  return row;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The words a customer-visible event adds to the transcript (and to its download), or null for none. */
export function eventLine(event: ChatEvent): { author: string | null; parts: Part[] | string; files?: FileInfo[] } | null {
  switch (event.kind) {
    case 'assigned':
      return { author: null, parts: strings.joined(str(event.agentName)) };
    case 'message': {
      const author = event.author as { kind?: string; name?: string } | undefined;
      const mine = author?.kind === 'customer';
      return { author: mine ? strings.you : str(author?.name), parts: str(event.text), files: filesOf(event.attachments) };
    }
    case 'request-solved':
      return { author: null, parts: strings.requestSolved(str(event.title)) };
    case 'transfer-accepted':
      return { author: null, parts: strings.nowChattingWith(str(event.toName)) };
    case 'taken-over':
      return { author: null, parts: strings.nowChattingWith(str(event.byName)) };
    case 'request-created':
      return { author: null, parts: strings.requestCreated(str((event.request as { title?: string } | undefined)?.title)) };
    case 'closed':
      return { author: null, parts: strings.chatEnded };
    default:
      return null;
  }
}

export function nodeForEvent(event: ChatEvent, token: TokenSource): HTMLElement | null {
  const line = eventLine(event);
  if (!line) return null;
  if (line.author === null) return systemNode(line.parts, event.at);
  const mine = (event.author as { kind?: string } | undefined)?.kind === 'customer';
  return messageNode(mine, line.author, event.at, typeof line.parts === 'string' ? line.parts : '', line.files ?? [], token);
}

/** Messages not yet delivered (pending, refused), by id: they always sit at the end of the transcript. */
const outgoingNodes = new Map<string, HTMLElement>();

export function appendLine(node: HTMLElement): void {
  const firstOutgoing = outgoingNodes.values().next().value;
  if (firstOutgoing?.parentNode === ui.transcript) ui.transcript.insertBefore(node, firstOutgoing);
  else ui.transcript.append(node);
}

export function scrollToEnd(): void {
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

/**
 * Draws (or redraws) an undelivered message: "Sending…" (or `note`, "Uploading…"), or "Not sent: why" with a Retry
 * button.
 */
export function drawOutgoing(item: Outgoing, refused: string | null, onRetry: () => void, note: string = strings.sending): void {
  let node = outgoingNodes.get(item.messageId);
  if (!node) {
    node = messageNode(true, strings.you, item.at, item.text, [], () => null);
    node.classList.add('pending');
    if (item.fileName) node.querySelector('.bubble')?.append(el('p', 'file-name', strings.fileLine(item.fileName)));
    node.querySelector('.bubble')?.append(el('p', 'delivery'));
    outgoingNodes.set(item.messageId, node);
    ui.transcript.append(node);
  }
  node.classList.toggle('refused', refused !== null);
  const delivery = node.querySelector<HTMLElement>('.delivery');
  if (!delivery) return;
  if (refused === null) {
    delivery.replaceChildren(note);
    return;
  }
  const retry = el('button', 'retry', strings.retry);
  retry.type = 'button';
  retry.addEventListener('click', onRetry, { once: true });
  delivery.replaceChildren(strings.notSent(refused), ' ', retry);
}

/** The relay has it: the line becomes an ordinary message (its event, when it arrives, replaces it). */
export function removeOutgoing(messageId: string): void {
  outgoingNodes.get(messageId)?.remove();
  outgoingNodes.delete(messageId);
}

export function clearTranscript(): void {
  ui.transcript.replaceChildren();
  outgoingNodes.clear();
}
