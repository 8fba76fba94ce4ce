// The page's settings and forms: the relay's looks and words (which an embedding website may override for its
// widget), the check every form makes before it acts, the JSON posts, and the rating's stars.
import {
  COLOUR,
  readWidgetSettings,
  TEAM_ID,
  type Topic,
  WIDGET_SETTINGS_PATH,
  type WidgetSettings,
} from '../../../common/widget-settings';
import { el } from './dom';
import { strings } from './strings';
import { showAlert, ui } from './view';

export async function loadSettings(params: URLSearchParams): Promise<WidgetSettings> {
  let settings = readWidgetSettings(null);
  try {
    const response = await fetch(WIDGET_SETTINGS_PATH, { cache: 'no-store' });
    if (response.ok) settings = readWidgetSettings(await response.json());
  } catch {
    // the defaults serve: a chat can still start
  }
  const title = params.get('title')?.trim().slice(0, 80);
  const greeting = params.get('greeting')?.trim().slice(0, 500);
  const colour = params.get('colour') ?? params.get('color');
  if (title) settings.title = title;
  if (greeting) settings.greeting = greeting;
  if (colour && COLOUR.test(colour)) settings.colour = colour;
  document.documentElement.style.setProperty('--brand', settings.colour);
  document.title = settings.title;
  ui.title.textContent = settings.title;
  ui.greeting.textContent = settings.greeting;
  showEmailRequired(settings.emailRequired);
  ui.startTopic.replaceChildren(
    el('option', undefined, strings.chooseTopic),
    ...settings.topics.map((topic) => {
      const option = el('option', undefined, topic.name);
      option.value = topic.name;
      return option;
    }),
  );
  (ui.startTopic.firstElementChild as HTMLOptionElement).value = '';
  const topicAsked = settings.topics.length > 0;
  ui.startTopic.hidden = !topicAsked;
  ui.startTopicLabel.hidden = !topicAsked;
  const preset = presetTopic(settings.topics, params);
  if (preset) ui.startTopic.value = preset.name;
  ui.offlineIntro.textContent = settings.openingHours ? strings.closedIntro(settings.openingHours) : strings.offlineIntro;
  document.body.classList.toggle('embedded', params.has('embed'));
  return settings;
}

export function showEmailRequired(required: boolean): void {
  ui.startEmailLabel.textContent = required ? strings.emailRequired : strings.emailOptional;
  ui.startEmail.required = required;
}

/** The topic the embedding website named (data-team: a topic's name or its team's id, in any case), if any. */
export function presetTopic(topics: readonly Topic[], params: URLSearchParams): Topic | null {
  const wanted = (params.get('team') ?? params.get('topic'))?.trim().toLowerCase();
  if (!wanted) return null;
  return topics.find((t) => t.name.toLowerCase() === wanted) ?? topics.find((t) => t.team === wanted) ?? null;
}

/**
 * The team a new chat goes to: the chosen topic's, else the one the website named (a widget for a team that is no
 * topic of the form still routes its chats there); null: any agent.
 */
export function teamFor(topics: readonly Topic[], chosen: string, params: URLSearchParams): string | null {
  const named = (params.get('team') ?? '').trim().toLowerCase();
  return topics.find((t) => t.name === chosen)?.team ?? (TEAM_ID.test(named) ? named : null);
}

/**
 * Says what is wrong with a field next to it (as the field's description, so a screen reader reads it with the
 * field) and focuses it.
 */
export function markField(field: HTMLElement, sentence: string): void {
  const id = `${field.id}-error`;
  let note = document.getElementById(id);
  if (!note) {
    note = el('p', 'field-error');
    note.id = id;
    note.setAttribute('role', 'alert');
    field.after(note);
  }
  note.textContent = sentence;
  note.hidden = false;
  field.setAttribute('aria-invalid', 'true');
  field.setAttribute('aria-describedby', id);
  field.focus();
}

export function clearMarks(form: HTMLElement): void {
  for (const note of form.querySelectorAll<HTMLElement>('.field-error')) note.hidden = true;
  for (const field of form.querySelectorAll('[aria-invalid]')) {
    field.removeAttribute('aria-invalid');
    field.removeAttribute('aria-describedby');
  }
}

/** The first rule that does not hold is said next to its field, which gets the focus; true when all hold. */
export function checkForm(form: HTMLElement, rules: [holds: boolean, sentence: string, field: HTMLElement][]): boolean {
  clearMarks(form);
  showAlert('');
  const broken = rules.find(([holds]) => !holds);
  if (broken) markField(broken[2], broken[1]);
  return !broken;
}

/** Posts JSON to the relay; true when it answered 2xx (or one of `alsoFine`). */
export async function postJson(path: string, body: object, alsoFine: number[] = []): Promise<boolean> {
  try {
    const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return response.ok || alsoFine.includes(response.status);
  } catch {
    return false;
  }
}

export function drawStars(): void {
  ui.ratingStars.replaceChildren(
    ...[1, 2, 3, 4, 5].map((score) => {
      const label = el('label', 'star');
      const input = el('input');
      input.type = 'radio';
      input.name = 'score';
      input.value = String(score);
      label.append(input, el('span', undefined, strings.ratingStar(score)));
      return label;
    }),
  );
}
