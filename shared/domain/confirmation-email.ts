// The confirmation e-mail after an accepted proxy or revocation: the same receipt code as the screen,
// the votes as recorded (after the blank-card rule, so the holder sees what will be counted), every
// time in the meeting's zone (holder-time.ts), and the help contact of the meeting file.
import { cutoffText, holderInstant, meetingStartText } from './holder-time.ts';
import { describeVotes, helpContact } from './holder-words.ts';
import type { Votes } from './instruction.ts';
import type { Meeting } from './meeting.ts';
import { formatNumber, type Lang, t } from './messages.ts';
import { escapeHtml, headerSafe } from './text.ts';

export { describeVotes } from './holder-words.ts';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface ConfirmationFacts {
  meeting: Meeting;
  holderName: string;
  shares: number;
  nominee: boolean;
  receiptCode: string;
  executedAt: string;
  kind: 'proxy' | 'revocation';
  votes: Votes | null;
  lang?: Lang | undefined;
}

/** Paragraphs as a small accessible HTML e-mail (a heading, one paragraph per line), in its language. */
export function simpleEmailHtml(lang: Lang, title: string, lines: readonly string[]): string {
  const body = lines
    .map((l) =>
      l === ''
        ? ''
        : `<p style="margin:6px 0${l.startsWith('  ') ? ';padding-left:1.5em' : ''}">${escapeHtml(l.trim())}</p>`,
    )
    .join('');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="margin:0"><main style="font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:1.5;color:#1b1b1b;max-width:40em;padding:16px;overflow-wrap:break-word">${body}</main></body></html>`;
}

export function renderConfirmation(f: ConfirmationFacts): RenderedEmail {
  const lang = f.lang ?? 'en';
  const m = f.meeting;
  const company = m.company.name;
  const subject = headerSafe(
    t(lang, f.kind === 'proxy' ? 'mail.subjectProxy' : 'mail.subjectRevocation', {
      company,
      code: f.receiptCode,
    }),
  );
  const where = { title: m.title, company, start: meetingStartText(m, lang), place: m.place };
  const cutoff = cutoffText(m, lang);
  const body = [
    t(lang, 'mail.dear', { name: f.holderName }),
    '',
    t(lang, f.kind === 'proxy' ? 'mail.introProxy' : 'mail.introRevocation', where),
    '',
    t(lang, 'mail.receipt', { code: f.receiptCode }),
    t(lang, 'mail.received', { time: holderInstant(Date.parse(f.executedAt), m.timeZone, lang) }),
    t(lang, 'mail.shares', { shares: formatNumber(f.shares) }),
    '',
    ...(f.votes ? [t(lang, 'mail.votedAs'), ...describeVotes(m, f.votes, f.nominee, lang), ''] : []),
    f.kind === 'proxy'
      ? t(lang, 'mail.changeProxy', { cutoff })
      : t(lang, 'mail.afterRevocation', { cutoff }),
    '',
    t(lang, 'mail.notYou', { help: helpContact(m, lang) }),
  ];
  return { subject, text: `${body.join('\n')}\n`, html: simpleEmailHtml(lang, subject, body) };
}
