// The page's settings and forms: the relay's looks and words (which an embedding website may override for its
// widget), the check every form makes before it acts, the JSON posts, and the rating's stars.
import { COLOUR, readWidgetSettings, WIDGET_SETTINGS_PATH, type WidgetSettings } from '../../../common/widget-settings';
import { strings } from './strings';
import { el, showAlert, ui } from './view';

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
  ui.startEmailLabel.textContent = settings.emailRequired ? strings.emailRequired : strings.emailOptional;
  ui.startEmail.required = settings.emailRequired;
  ui.startTopic.replaceChildren(
    el('option', undefined, strings.chooseTopic),
    ...settings.topics.map((topic) => {
      const option = el('option', undefined, topic);
      option.value = topic;
      return option;
    }),
  );
  (ui.startTopic.firstElementChild as HTMLOptionElement).value = '';
  const topicAsked = settings.topics.length > 0;
  ui.startTopic.hidden = !topicAsked;
  ui.startTopicLabel.hidden = !topicAsked;
  const wanted = params.get('team') ?? params.get('topic');
  const preset = settings.topics.find((t) => t.toLowerCase() === wanted?.toLowerCase());
  if (preset) ui.startTopic.value = preset;
  ui.offlineIntro.textContent = settings.openingHours ? strings.closedIntro(settings.openingHours) : strings.offlineIntro;
  document.body.classList.toggle('embedded', params.has('embed'));
  return settings;
}

/** The first rule that does not hold is said in the alert and its field focused; true when all hold. */
export function checkForm(rules: [holds: boolean, sentence: string, field: HTMLElement][]): boolean {
  const broken = rules.find(([holds]) => !holds);
  if (broken) {
    showAlert(broken[1]);
    broken[2].focus();
    return false;
  }
  showAlert('');
  return true;
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
