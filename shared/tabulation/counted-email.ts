// The counted-as-cast answer by e-mail, to the holder's address on file (never to an address given in
// the request). Plain text, and the same lines as escaped HTML.
import { describeVotes, type RenderedEmail } from '../domain/confirmation-email.ts';
import type { Meeting } from '../domain/meeting.ts';
import { escapeHtml, headerSafe } from '../domain/text.ts';
import { type CountedAnswer, instructionWords } from './counted.ts';

const STATUS_WORDS: Record<CountedAnswer['status'], string> = {
  counted: 'counted',
  superseded: 'replaced by a later instruction',
  revoked: 'revoked',
  'revocation-in-effect': 'your revocation was in effect',
  'in-conflict': 'in an open conflict',
  rejected: 'not counted: received outside the times the meeting allows',
  'not-in-final-count': 'not part of the final count',
};

export function renderCountedEmail(f: {
  meeting: Meeting;
  holderName: string;
  nominee: boolean;
  receiptCode: string;
  answer: CountedAnswer;
}): RenderedEmail {
  const a = f.answer;
  const company = f.meeting.company.name;
  const subject = headerSafe(`${company}: receipt ${f.receiptCode}, ${STATUS_WORDS[a.status]}`);
  const lines = [
    `Dear ${f.holderName},`,
    '',
    `You asked whether your instruction with receipt code ${f.receiptCode} was counted at the ${f.meeting.title} of ${company}.`,
    '',
    a.message,
    '',
    `Your instruction: ${instructionWords(a.instruction)}.`,
    ...(a.instruction.votes
      ? ['As given:', ...describeVotes(f.meeting, a.instruction.votes, f.nominee).map((l) => `  ${l}`)]
      : []),
    ...(a.countedInstead ? ['', `Counted instead: ${instructionWords(a.countedInstead)}.`] : []),
    '',
    `Final count: run ${a.finalCount.runId}, finished ${a.finalCount.finishedAt} (UTC).`,
    ...(a.finalCount.historyRoot ? [`History digest of the final count: ${a.finalCount.historyRoot}`] : []),
    ...(a.evidence
      ? [`Your account in that digest: ${a.evidence.count} instruction(s), chain ${a.evidence.head}`]
      : []),
    '',
    'If this is not what you did, contact the company at once.',
  ];
  const text = `${lines.join('\n')}\n`;
  const html = `<!doctype html><html lang="en"><body style="font-family:sans-serif;line-height:1.5">${lines
    .map((l) => (l === '' ? '<br>' : `<p style="margin:0">${escapeHtml(l)}</p>`))
    .join('')}</body></html>`;
  return { subject, text, html };
}
