// How times and sizes read, shared by the agents' renderer and the customer chat page (no imports: the page bundles
// it).

// 12-hour readers write 9:04 PM, 24-hour readers 09:04: the hour is padded only where the locale counts to 24
const twelveHour = /^h1[12]$/.test(new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle ?? '');
/** the `hour` option of a clock in the reader's locale */
export const clockHour: 'numeric' | '2-digit' = twelveHour ? 'numeric' : '2-digit';

/** Bytes as a person reads them: 812 B, 14 KB, 3.2 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}
