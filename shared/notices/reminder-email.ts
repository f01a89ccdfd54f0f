// The reminder e-mail (pure rendering): to a holder with no effective proxy, a few days before the
// internet cut-off. It carries no control number: it sends the holder back to the notice e-mail (whose
// link holds the number) or to a paper copy.
import { type RenderedEmail, simpleEmailHtml } from '../domain/confirmation-email.ts';
import type { Holder } from '../domain/holder.ts';
import { cutoffText, holderDate, meetingStartText } from '../domain/holder-time.ts';
import { helpContact, joinNames } from '../domain/holder-words.ts';
import type { Meeting } from '../domain/meeting.ts';
import { formatNumber, type Lang, langOf, t } from '../domain/messages.ts';
import { ballotPageUrl } from '../domain/notice.ts';
import { headerSafe } from '../domain/text.ts';

export interface ReminderFacts {
  meeting: Meeting;
  holder: Pick<Holder, 'name' | 'jointNames' | 'shares'> & { language?: string | null | undefined };
  ballotUrl: string;
  /** When the notice e-mail went (ISO instant), to help the holder find it. */
  noticeSentAt: string | null;
  reminder: number;
  lang?: Lang | undefined;
}

export function reminderLines(f: ReminderFacts): string[] {
  const m = f.meeting;
  const lang = f.lang ?? langOf(f.holder.language);
  const cutoff = cutoffText(m, lang);
  const sent = f.noticeSentAt
    ? t(lang, 'reminder.sentOn', { date: holderDate(f.noticeSentAt.slice(0, 10), lang) })
    : '';
  return [
    t(lang, 'reminder.title', { title: m.title }).toUpperCase(),
    `${m.company.name}, ${m.company.address}`,
    '',
    `${t(lang, 'notice.to')}: ${joinNames([f.holder.name, ...f.holder.jointNames], lang)}`,
    `${t(lang, 'notice.shares')}: ${formatNumber(f.holder.shares)}`,
    '',
    t(lang, 'reminder.noProxy', { start: meetingStartText(m, lang), place: m.place }),
    t(lang, 'reminder.closes', { cutoff }),
    '',
    t(lang, 'notice.howH').toUpperCase(),
    `  ${t(lang, 'reminder.howLink', { sent })}`,
    `  ${t(lang, 'reminder.howNumber', { url: ballotPageUrl(f.ballotUrl, lang) })}`,
    `  ${t(lang, 'reminder.noNumber', { help: helpContact(m, lang) })}`,
    '',
    t(lang, 'reminder.materials', { url: m.materials?.website ?? m.proxyStatementUrl }),
    '',
    t(lang, 'reminder.thanks'),
  ];
}

export function renderReminderEmail(f: ReminderFacts): RenderedEmail {
  const lang = f.lang ?? langOf(f.holder.language);
  const lines = reminderLines(f);
  const subject = headerSafe(
    t(lang, 'reminder.subject', { company: f.meeting.company.name, cutoff: cutoffText(f.meeting, lang) }),
  );
  return { subject, text: `${lines.join('\n')}\n`, html: simpleEmailHtml(lang, subject, lines) };
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
