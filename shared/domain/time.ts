// Calendar arithmetic in a named IANA time zone, with no clock reads: every instant comes in as an
// argument. Built on Intl only, so the domain core needs no date library.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockAt(epochMs: number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The calendar date (YYYY-MM-DD) of an instant as seen in a time zone. */
export function localDate(epochMs: number, timeZone: string): string {
  const w = wallClockAt(epochMs, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/**
 * An instant in a zone's own clock with the zone's abbreviation: "2002-06-13 10:41:07 PDT". The one way
 * the meeting's instants are written in operator, inspector and refusal texts.
 */
export function zonedInstant(epochMs: number, timeZone: string): string {
  const w = wallClockAt(epochMs, timeZone);
  const zone = zoneAbbreviation(epochMs, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} ${zone}`;
}

/** The zone's short name in force at an instant, as US readers know it: "PDT", "EDT" (else "GMT+1"). */
export function zoneAbbreviation(epochMs: number, timeZone: string): string {
  try {
    return (
      new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
        .formatToParts(new Date(epochMs))
        .find((p) => p.type === 'timeZoneName')?.value ?? timeZone
    );
  } catch {
    // An unknown zone is refused by the meeting file's schema; keep the IANA name if it ever gets here.
    return timeZone;
  }
}

/** The wall clock of a zone at an instant (year, month 1-12, day, hour 0-23, minute, second). */
export function wallClock(epochMs: number, timeZone: string): Readonly<WallClock> {
  return wallClockAt(epochMs, timeZone);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
export const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The instant at which the wall clock of a time zone shows the given local time
 * ("2002-06-13T09:30"). In the hour skipped by a spring-forward change the result is the instant one
 * offset-shift later (09:30 becomes 10:30 wall time); in the repeated autumn hour the earlier one.
 */
export function zonedLocalToEpochMs(local: string, timeZone: string): number {
  const m = LOCAL_DATE_TIME.exec(local);
  if (!m) throw new RangeError(`not a local date-time (YYYY-MM-DDTHH:MM[:SS]): ${local}`);
  const asUtc = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  // The instant is within a zone offset (at most 14 hours) of asUtc, so the offsets in force a day
  // before and a day after bracket any change near it; both candidates are tried, the earlier first
  // (in a repeated hour both show the wall time). Refining from the offset at asUtc alone found the
  // later occurrence in zones east of UTC (Europe/London's 01:30 on the autumn change day).
  const before = offsetMs(asUtc - 86_400_000, timeZone);
  const after = offsetMs(asUtc + 86_400_000, timeZone);
  const [first, second] = [asUtc - before, asUtc - after].sort((a, b) => a - b) as [number, number];
  const shows = (c: number) => c + offsetMs(c, timeZone) === asUtc;
  if (shows(first)) return first;
  if (shows(second)) return second;
  // A wall time skipped by a change: read with the offset in force before it, i.e. one shift later.
  return asUtc - before;
}

/** The zone's offset from UTC at an instant, in ms (e.g. -7 h for Los Angeles in June). */
export function offsetMs(epochMs: number, timeZone: string): number {
  const w = wallClockAt(epochMs, timeZone);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Whole days from date a to date b (both YYYY-MM-DD): positive when b is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((dateToUtcMs(b) - dateToUtcMs(a)) / 86_400_000);
}

function dateToUtcMs(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function isRealDate(date: string): boolean {
  const m = ISO_DATE.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

export function isRealLocalDateTime(local: string): boolean {
  const m = LOCAL_DATE_TIME.exec(local);
  if (!m) return false;
  return (
    isRealDate(`${m[1]}-${m[2]}-${m[3]}`) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6] ?? 0) < 60
  );
}
