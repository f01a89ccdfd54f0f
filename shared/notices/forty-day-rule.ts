// SEC Rule 14a-16 (notice and access): the notice goes out at least 40 calendar days before the
// meeting (RULES.md section 3). Sending later needs the operator's explicit override and is warned
// about either way; after the internet cut-off nothing is sent at all (a notice must come with a way
// to vote). Pure: the instant comes in as an argument.
import { internetCutoffMs, type Meeting } from '../domain/meeting.ts';
import { daysBetween, localDate } from '../domain/time.ts';

export const NOTICE_DAYS_BEFORE_MEETING = 40;

export interface FortyDayCheck {
  /** Today in the meeting's time zone. */
  today: string;
  meetingDate: string;
  /** Calendar days from today to the meeting date. */
  daysBefore: number;
  late: boolean;
  /** Internet voting has closed: no notice may go. */
  closed: boolean;
  /** The warning to show (late or closed), or null. */
  warning: string | null;
}

export function fortyDayCheck(meeting: Meeting, nowMs: number): FortyDayCheck {
  const today = localDate(nowMs, meeting.timeZone);
  const meetingDate = meeting.start.slice(0, 10);
  const daysBefore = daysBetween(today, meetingDate);
  const late = daysBefore < NOTICE_DAYS_BEFORE_MEETING;
  const closed = nowMs > internetCutoffMs(meeting);
  let warning: string | null = null;
  if (closed) {
    warning = `internet voting closed at ${meeting.internetCutoff.local} (${meeting.internetCutoff.timeZone ?? meeting.timeZone}): a notice sent now would offer no way to vote, so none is sent`;
  } else if (late) {
    warning = `today (${today}, ${meeting.timeZone}) is ${daysBefore} day${daysBefore === 1 ? '' : 's'} before the meeting on ${meetingDate}: SEC Rule 14a-16 wants the notice sent at least ${NOTICE_DAYS_BEFORE_MEETING} calendar days before (by ${lastDay(meetingDate)}). Send late only if the meeting does not rely on notice and access (for example, the full proxy materials were mailed), with the explicit override`;
  }
  return { today, meetingDate, daysBefore, late, closed, warning };
}

function lastDay(meetingDate: string): string {
  const t = Date.parse(`${meetingDate}T00:00:00Z`) - NOTICE_DAYS_BEFORE_MEETING * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
