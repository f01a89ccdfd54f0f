// Dates and times of the meeting file in plain words, for the ballot page ("Thursday, June 13, 2002",
// "9:30 a.m. Pacific Daylight Time"). Computed on the server from the meeting's own time zone.
import { zonedLocalToEpochMs } from '../domain/time.ts';

/** "Friday, April 19, 2002" for a calendar date (YYYY-MM-DD). */
export function longDate(isoDate: string): string {
  return new Date(`${isoDate}T12:00:00Z`).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}

/** "9:30 a.m." for the time of a local date-time (YYYY-MM-DDTHH:MM). */
export function clockTime(local: string): string {
  const [h = 0, m = 0] = local.slice(11, 16).split(':').map(Number);
  return `${((h + 11) % 12) + 1}:${String(m).padStart(2, '0')} ${h < 12 ? 'a.m.' : 'p.m.'}`;
}

/** "Pacific Daylight Time": the zone's name at that local time (falls back to the IANA name). */
export function zoneName(local: string, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'long' }).formatToParts(
      zonedLocalToEpochMs(local, timeZone),
    );
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** "Thursday, June 13, 2002, at 9:30 a.m. Pacific Daylight Time". */
export function localDateTime(local: string, timeZone: string): string {
  return `${longDate(local.slice(0, 10))}, at ${clockTime(local)} ${zoneName(local, timeZone)}`;
}
