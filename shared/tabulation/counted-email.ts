// The counted-as-cast answer by e-mail, to the holder's address on file (never to an address given in
// the request). Plain text, and the same lines as escaped HTML; times in the meeting's zone.
import { type RenderedEmail, simpleEmailHtml } from '../domain/confirmation-email.ts';
import { holderDate, holderInstant } from '../domain/holder-time.ts';
import { describeVotes, helpContact } from '../domain/holder-words.ts';
import type { Meeting } from '../domain/meeting.ts';
import { type Lang, type MessageKey, t } from '../domain/messages.ts';
import { headerSafe } from '../domain/text.ts';
import type { CountedAnswer, DescribedInstruction } from './counted.ts';

/** "an internet proxy, received Saturday, June 1, 2002, 10:00 a.m. PDT" in the holder's language. */
export function instructionText(m: Meeting, d: DescribedInstruction, lang: Lang): string {
  const channel = t(lang, `counted.channel.${d.channel}` as MessageKey);
  const what = t(lang, `counted.kind.${d.kind}` as MessageKey, { channel });
  return d.dated
    ? t(lang, 'counted.dated', { what, date: holderDate(d.dated, lang, false) })
    : t(lang, 'counted.receivedAt', {
        what,
        time: holderInstant(Date.parse(d.receivedAt), m.timeZone, lang),
      });
}

export function renderCountedEmail(f: {
  meeting: Meeting;
  holderName: string;
  nominee: boolean;
  receiptCode: string;
  answer: CountedAnswer;
  lang?: Lang | undefined;
}): RenderedEmail {
  const lang = f.lang ?? 'en';
  const a = f.answer;
  const m = f.meeting;
  const company = m.company.name;
  const status = t(lang, `counted.status.${a.status}` as MessageKey);
  const subject = headerSafe(t(lang, 'counted.subject', { company, code: f.receiptCode, status }));
  const lines = [
    t(lang, 'mail.dear', { name: f.holderName }),
    '',
    t(lang, 'counted.asked', { code: f.receiptCode, title: m.title, company }),
    '',
    t(lang, `counted.msg.${a.status}` as MessageKey),
    ...(a.historyUnchanged ? [] : ['', t(lang, 'counted.mismatch')]),
    '',
    t(lang, 'counted.yours', { what: instructionText(m, a.instruction, lang) }),
    ...(a.instruction.votes
      ? [
          t(lang, 'counted.asGiven'),
          ...describeVotes(m, a.instruction.votes, f.nominee, lang).map((l) => `  ${l}`),
        ]
      : []),
    ...(a.countedInstead
      ? ['', t(lang, 'counted.instead', { what: instructionText(m, a.countedInstead, lang) })]
      : []),
    '',
    t(lang, 'counted.final', {
      run: a.finalCount.runId,
      time: holderInstant(Date.parse(a.finalCount.finishedAt), m.timeZone, lang),
    }),
    ...(a.finalCount.historyRoot ? [t(lang, 'counted.digest', { root: a.finalCount.historyRoot })] : []),
    ...(a.evidence ? [t(lang, 'counted.evidence', { count: a.evidence.count, head: a.evidence.head })] : []),
    '',
    t(lang, 'counted.notYou', { help: helpContact(m, lang) }),
  ];
  return { subject, text: `${lines.join('\n')}\n`, html: simpleEmailHtml(lang, subject, lines) };
}
