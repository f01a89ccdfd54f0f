// The notice of meeting (RULES.md section 3), rendered from the meeting file and one holder: the same
// facts by e-mail and on paper. No URL ever carries the control number: the e-mail's link carries a
// link token that works once (shared/domain/link-token.ts), in the URL fragment, which browsers never
// send to a server; the paper notice gives the bare ballot page's address. Either way the control
// number is printed in the notice for the holder to type.

import type { RenderedEmail } from './confirmation-email.ts';
import { formatControlNumber } from './control-number.ts';
import type { Holder } from './holder.ts';
import type { Meeting } from './meeting.ts';
import { escapeHtml, headerSafe } from './text.ts';

export interface NoticeFacts {
  meeting: Meeting;
  holder: Pick<Holder, 'name' | 'jointNames' | 'shares'>;
  controlNumber: string;
  /** The ballot page, e.g. https://vote.example.com/vote */
  ballotUrl: string;
  /** The e-mail's single-use link token; absent on paper, which gives the bare address. */
  linkToken?: string | undefined;
}

/** The link in the notice: the link token after '#' (never the control number), or the bare page. */
export function votingLink(ballotUrl: string, linkToken?: string): string {
  const page = ballotUrl.replace(/#.*$/, '');
  return linkToken ? `${page}#t=${linkToken}` : page;
}

const longDate = (isoDate: string): string =>
  new Date(`${isoDate}T12:00:00Z`).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });

const clock = (local: string): string => {
  const [h = 0, m = 0] = local.slice(11, 16).split(':').map(Number);
  const suffix = h < 12 ? 'a.m.' : 'p.m.';
  return `${((h + 11) % 12) + 1}:${String(m).padStart(2, '0')} ${suffix}`;
};

/** The notice's lines, shared by the e-mail (text and HTML) and the paper print file. */
export function noticeLines(f: NoticeFacts): string[] {
  const m = f.meeting;
  const cutoffZone = m.internetCutoff.timeZone ?? m.timeZone;
  const lines = [
    `NOTICE OF ${m.title.toUpperCase()}`,
    `${m.company.name}, ${m.company.address}`,
    '',
    `To: ${[f.holder.name, ...f.holder.jointNames].join(' and ')}`,
    `Shares held of record on ${longDate(m.recordDate)} (the record date): ${f.holder.shares.toLocaleString('en-US')}`,
    '',
    `The meeting will be held on ${longDate(m.start.slice(0, 10))} at ${clock(m.start)} (${m.timeZone} time) at ${m.place}.`,
    `Only holders of record at the close of business on ${longDate(m.recordDate)} may vote.`,
    '',
    'Proposals, and how the Board of Directors recommends you vote:',
  ];
  for (const p of m.proposals) {
    if (p.kind === 'election') {
      const board = p.nominees.filter((n) => n.boardRecommends).map((n) => n.name);
      lines.push(`  ${p.id}. ${p.title}. Nominees: ${p.nominees.map((n) => n.name).join(', ')}.`);
      lines.push(`     The Board recommends a vote FOR ${board.length ? board.join(', ') : 'none of them'}.`);
    } else {
      lines.push(`  ${p.id}. ${p.title}. The Board recommends a vote ${p.boardRecommendation}.`);
    }
  }
  lines.push(
    '',
    'HOW TO VOTE',
    ...(f.linkToken
      ? [
          `  On the internet: open ${votingLink(f.ballotUrl, f.linkToken)} (this link works once),`,
          `  or go to ${f.ballotUrl} and type your control number: ${formatControlNumber(f.controlNumber)}`,
        ]
      : [
          `  On the internet: go to ${f.ballotUrl} and type your control number: ${formatControlNumber(f.controlNumber)}`,
        ]),
    `  Internet voting closes at ${clock(m.internetCutoff.local)} on ${longDate(m.internetCutoff.local.slice(0, 10))} (${cutoffZone} time).`,
    '  By mail: sign, date and return a proxy card; or vote in person at the meeting.',
    `  A proxy left blank is voted as the Board recommends, by ${m.proxyholders.join(' or ')} as proxyholder.`,
    '',
    'HOW TO CHANGE OR REVOKE YOUR VOTE',
    '  The latest-dated proxy is the one that counts: vote again with the same control number before the cut-off,',
    '  return a later-dated proxy card, file a written revocation with the Secretary, or vote in person at the meeting.',
    '',
    `The proxy statement and annual report: ${m.proxyStatementUrl}`,
    '',
    'Keep your control number private: anyone who has it can vote your shares. It is never part of a web address.',
  );
  return lines;
}

export function renderNoticeEmail(f: NoticeFacts): RenderedEmail {
  const lines = noticeLines(f);
  const link = votingLink(f.ballotUrl, f.linkToken);
  const subject = headerSafe(`${f.meeting.company.name}: notice of ${f.meeting.title} and your voting link`);
  const html = `<!doctype html><html lang="en"><body style="font-family:sans-serif;line-height:1.5;max-width:40em">${lines
    .map((l) => {
      if (l === '') return '<br>';
      if (f.linkToken && l.includes(link))
        return `<p style="margin:0">  <a href="${escapeHtml(link)}">Vote now</a> (this link works once)</p>`;
      return `<p style="margin:0;white-space:pre-wrap">${escapeHtml(l)}</p>`;
    })
    .join('')}</body></html>`;
  return { subject, text: `${lines.join('\n')}\n`, html };
}
