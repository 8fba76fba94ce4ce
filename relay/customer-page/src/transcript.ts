// The transcript the customer can download at the end: plain text, one line per message or event, times in the
// customer's locale.
import type { ChatEvent } from './state';
import { strings } from './strings';
import { eventLine, fullTimeFormat, timeFormat } from './view';

export function transcriptText(title: string, events: ChatEvent[]): string {
  const lines = [strings.transcriptHeading(title, fullTimeFormat.format(events[0]?.at ?? Date.now())), ''];
  for (const event of events) {
    const line = eventLine(event);
    if (!line) continue;
    const said = (typeof line.parts === 'string' ? [line.parts] : line.parts).map((p) => (typeof p === 'string' ? p : p.user)).join('');
    // a file is named in the text: the download carries words, not files
    const files = (line.files ?? []).map((file) => `(${strings.fileLine(file.name)})`);
    const words = [said, ...files].filter(Boolean).join(' ');
    lines.push(`[${timeFormat.format(event.at)}] ${line.author === null ? words : `${line.author}: ${words}`}`);
  }
  return `${lines.join('\n')}\n`;
}

export function downloadTranscript(title: string, events: ChatEvent[]): void {
  const url = URL.createObjectURL(new Blob([transcriptText(title, events)], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = strings.transcriptFile;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
