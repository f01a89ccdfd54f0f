// The reminder e-mail (pure rendering): to a holder with no effective proxy, a few days before the
// internet cut-off. It carries no control number: it sends the holder back to the notice e-mail (whose
// link holds the number) or to a paper copy.
import type { RenderedEmail } from '../domain/confirmation-email.ts';
import type { Holder } from '../domain/holder.ts';
import type { Meeting } from '../domain/meeting.ts';
import { escapeHtml, headerSafe } from '../domain/text.ts';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "2002-06-12T23:59" -> "11:59 p.m. on June 12, 2002". */
export function wallClockWords(local: string): string {
  const [y = 0, mo = 1, d = 1] = local.slice(0, 10).split('-').map(Number);
  const [h = 0, mi = 0] = local.slice(11, 16).split(':').map(Number);
  const time = `${((h + 11) % 12) + 1}:${String(mi).padStart(2, '0')} ${h < 12 ? 'a.m.' : 'p.m.'}`;
  return `${time} on ${MONTHS[mo - 1]} ${d}, ${y}`;
}

export interface ReminderFacts {
  meeting: Meeting;
  holder: Pick<Holder, 'name' | 'jointNames' | 'shares'>;
  ballotUrl: string;
  /** When the notice e-mail went (ISO instant), to help the holder find it. */
  noticeSentAt: string | null;
  reminder: number;
}

export function reminderLines(f: ReminderFacts): string[] {
  const m = f.meeting;
  const cutoffZone = m.internetCutoff.timeZone ?? m.timeZone;
  const noticeDay = f.noticeSentAt ? ` on ${f.noticeSentAt.slice(0, 10)}` : '';
  return [
    `REMINDER: ${m.title.toUpperCase()}`,
    `${m.company.name}, ${m.company.address}`,
    '',
    `To: ${[f.holder.name, ...f.holder.jointNames].join(' and ')}`,
    `Shares: ${f.holder.shares.toLocaleString('en-US')}`,
    '',
    `We have no proxy from you for the meeting at ${wallClockWords(m.start)} (${m.timeZone} time), ${m.place}.`,
    `Internet voting closes at ${wallClockWords(m.internetCutoff.local)} (${cutoffZone} time).`,
    '',
    'HOW TO VOTE',
    `  Open the "Vote now" link in the notice of meeting we e-mailed you${noticeDay} (it works once),`,
    `  Or go to ${f.ballotUrl} and type the 16-digit control number printed in that notice.`,
    '  This reminder does not contain your control number. If you cannot find the notice, write to the',
    `  Corporate Secretary, ${m.company.name}, ${m.company.address}, for a paper copy, or vote in person at the meeting.`,
    '',
    `The proxy statement and annual report: ${m.proxyStatementUrl}`,
    '',
    'If you have voted since this reminder was sent, thank you: there is nothing more to do.',
  ];
}

export function renderReminderEmail(f: ReminderFacts): RenderedEmail {
  const lines = reminderLines(f);
  const subject = headerSafe(
    `${f.meeting.company.name}: reminder to vote before ${wallClockWords(f.meeting.internetCutoff.local)}`,
  );
  const html = `<!doctype html><html lang="en"><body style="font-family:sans-serif;line-height:1.5;max-width:40em">${lines
    .map((l) => (l === '' ? '<br>' : `<p style="margin:0;white-space:pre-wrap">${escapeHtml(l)}</p>`))
    .join('')}</body></html>`;
  return { subject, text: `${lines.join('\n')}\n`, html };
}

/**
 * The reminder due at `nowMs`: reminders are numbered from the most days before the cut-off (days
 * [7, 2] make reminder 1 at seven days, reminder 2 at two); the latest one whose time has come, or
 * null before the first and after the cut-off.
 */
export function dueReminder(
  cutoffMs: number,
  nowMs: number,
  daysBeforeCutoff: readonly number[],
): number | null {
  if (nowMs >= cutoffMs) return null;
  const ordered = [...new Set(daysBeforeCutoff)].sort((a, b) => b - a);
  let due: number | null = null;
  ordered.forEach((days, i) => {
    if (nowMs >= cutoffMs - days * 86_400_000) due = i + 1;
  });
  return due;
}
