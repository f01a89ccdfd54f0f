// The one clock a holder reads: every date and time shown to a holder (the ballot page, the notice on
// paper and by e-mail, the confirmation, revocation, reminder and counted-as-cast e-mails, /counted) is
// written here, in the meeting's own time zone with its abbreviation, in one format per language:
// "Thursday, June 13, 2002, 9:30 a.m. PDT" / "jueves, 13 de junio de 2002, 9:30 a. m. PDT". A time
// set in another zone (an internet cut-off fixed in New York time) is shown in the meeting's zone too.
import type { Lang } from './messages.ts';
import { wallClock, zoneAbbreviation, zonedLocalToEpochMs } from './time.ts';

const LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-US' };
const DAY_PERIOD: Record<Lang, [string, string]> = { en: ['a.m.', 'p.m.'], es: ['a. m.', 'p. m.'] };

/** "Thursday, June 13, 2002" / "jueves, 13 de junio de 2002" for a calendar date (YYYY-MM-DD). */
export function holderDate(isoDate: string, lang: Lang, weekday = true): string {
  return new Date(`${isoDate.slice(0, 10)}T12:00:00Z`).toLocaleDateString(LOCALE[lang], {
    timeZone: 'UTC',
    ...(weekday ? { weekday: 'long' } : {}),
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}

/** "9:30 a.m. PDT": the time of day of an instant in a zone, with the zone's abbreviation then. */
export function holderClock(epochMs: number, timeZone: string, lang: Lang): string {
  const w = wallClock(epochMs, timeZone);
  const [am, pm] = DAY_PERIOD[lang];
  const time = `${((w.hour + 11) % 12) + 1}:${String(w.minute).padStart(2, '0')} ${w.hour < 12 ? am : pm}`;
  return `${time} ${zoneAbbreviation(epochMs, timeZone)}`;
}

/** An instant as a holder reads it: "Thursday, June 13, 2002, 9:30 a.m. PDT" in the meeting's zone. */
export function holderInstant(epochMs: number, timeZone: string, lang: Lang): string {
  const w = wallClock(epochMs, timeZone);
  const date = `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
  return `${holderDate(date, lang)}, ${holderClock(epochMs, timeZone, lang)}`;
}

/** A wall-clock time of the meeting file (in `zoneOfLocal`) as the holder reads it, in the meeting's zone. */
export function holderLocal(local: string, zoneOfLocal: string, meetingZone: string, lang: Lang): string {
  return holderInstant(zonedLocalToEpochMs(local, zoneOfLocal), meetingZone, lang);
}

interface MeetingClock {
  timeZone: string;
  start: string;
  internetCutoff: { local: string; timeZone?: string | undefined };
}

/** When the meeting starts, as the holder reads it. */
export function meetingStartText(m: MeetingClock, lang: Lang): string {
  return holderLocal(m.start, m.timeZone, m.timeZone, lang);
}

/** When internet voting closes, in the meeting's zone (even when the cut-off is set in another). */
export function cutoffText(m: MeetingClock, lang: Lang): string {
  return holderLocal(m.internetCutoff.local, m.internetCutoff.timeZone ?? m.timeZone, m.timeZone, lang);
}

/** An ISO instant in every language, for an API answer the page shows in the holder's language. */
export function holderInstantAll(iso: string, timeZone: string): Record<Lang, string> {
  const ms = Date.parse(iso);
  return { en: holderInstant(ms, timeZone, 'en'), es: holderInstant(ms, timeZone, 'es') };
}

/** A calendar date (a paper card's date) in every language, without the weekday: "May 19, 2002". */
export function holderDateAll(isoDate: string): Record<Lang, string> {
  return { en: holderDate(isoDate, 'en', false), es: holderDate(isoDate, 'es', false) };
}
