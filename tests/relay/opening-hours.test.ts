// Opening hours: read from the operator's words, judged on the clock of their time zone, and told to the page.
import { afterEach, expect, it } from 'vitest';
import { isOpen, parseOpeningHours, type OpeningHours } from '../../relay/opening-hours';
import { removeDir, startTestRelay, type TestRelay } from './helpers';

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) {
    await relay.close();
    removeDir(relay.dataDir);
  }
});

const hours = (text: string) => parseOpeningHours(text) as OpeningHours;
// Wednesday 2026-12-02 at 08:30 UTC = 09:30 in Vienna
const wednesday0830Utc = Date.UTC(2026, 11, 2, 8, 30);

it('weekday hours are open inside them, closed outside, on the clock of the time zone', () => {
  const office = hours('mon-fri 09:00-17:00, sat 10:00-14:00');
  expect(isOpen(office, 'UTC', wednesday0830Utc)).toBe(false);
  expect(isOpen(office, 'Europe/Vienna', wednesday0830Utc)).toBe(true);
  expect(isOpen(office, 'UTC', Date.UTC(2026, 11, 5, 13, 59))).toBe(true); // Saturday
  expect(isOpen(office, 'UTC', Date.UTC(2026, 11, 5, 14, 0))).toBe(false);
  expect(isOpen(office, 'UTC', Date.UTC(2026, 11, 6, 12, 0))).toBe(false); // Sunday
  expect(isOpen(hours('fri-mon 00:00-24:00'), 'UTC', Date.UTC(2026, 11, 6, 12, 0))).toBe(true);
});

it('hours that are not hours are refused with what is wrong', () => {
  expect(parseOpeningHours('weekdays 9-5')).toBe('"weekdays 9-5" is not like "mon-fri 09:00-17:00"');
  expect(parseOpeningHours('mon 17:00-09:00')).toBe('"mon 17:00-09:00": the hours must be times of day, the first before the second');
  expect(parseOpeningHours('xyz 09:00-10:00')).toBe('"xyz 09:00-10:00": days are mon, tue, wed, thu, fri, sat, sun');
});

it('outside the opening hours the page is told nobody can chat, with the hours to show', async () => {
  const today = new Date().getUTCDay();
  const other = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(today + 3) % 7];
  const relay = await startTestRelay({ widget: { origins: [], openingHours: `${other} 09:00-17:00`, timeZone: 'UTC' } });
  relays.push(relay);
  const settings = await (await fetch(`${relay.httpUrl}/chat/settings.json`)).json();
  expect(settings).toMatchObject({ available: false, openingHours: `${other} 09:00-17:00` });
  expect(settings).not.toHaveProperty('timeZone');
});
