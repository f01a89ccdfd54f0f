// The confirmation e-mail after an accepted proxy: the same receipt code as the screen, and the votes
// as recorded (after the blank-card rule, so the holder sees what will be counted).
import { cardRecommendations, effectiveMarks } from './ballot.ts';
import type { Votes } from './instruction.ts';
import type { Meeting } from './meeting.ts';
import { escapeHtml, headerSafe } from './text.ts';

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
}

/** Lines describing how each proposal will be voted, in plain words. */
export function describeVotes(meeting: Meeting, votes: Votes, nominee: boolean): string[] {
  const lines: string[] = [];
  for (const p of meeting.proposals) {
    const v = votes[p.id];
    if (p.kind === 'matter') {
      const given = v === undefined ? (nominee ? undefined : p.boardRecommendation) : v;
      const words =
        given === undefined
          ? 'not voted'
          : typeof given === 'string'
            ? `${given}${v === undefined ? ' (as the board recommends)' : ''}`
            : Object.entries(given)
                .map(([k, n]) => `${k} ${Number(n).toLocaleString('en-US')} shares`)
                .join(', ');
      lines.push(`Proposal ${p.id}, ${p.title}: ${words}`);
      continue;
    }
    const ev = v !== undefined && typeof v === 'object' && 'marks' in v ? v : undefined;
    if (ev?.allocation) {
      const parts = p.nominees.map(
        (n) => `${n.name} ${(ev.allocation?.[n.id] ?? 0).toLocaleString('en-US')} votes`,
      );
      lines.push(`Proposal ${p.id}, ${p.title} (cumulative allocation): ${parts.join('; ')}`);
      continue;
    }
    // The internet ballot is the registrant's card (RULES.md section 8): blank lines follow the board.
    const marks = effectiveMarks(p, ev, !nominee, cardRecommendations(meeting, p, undefined));
    lines.push(`Proposal ${p.id}, ${p.title}:`);
    for (const n of p.nominees) {
      const m = marks.get(n.id);
      const words =
        m === undefined
          ? 'not voted'
          : typeof m === 'string'
            ? m
            : Object.entries(m)
                .map(([k, x]) => `${k} ${Number(x).toLocaleString('en-US')} shares`)
                .join(', ');
      lines.push(`  ${n.name}: ${words}`);
    }
  }
  return lines;
}

export function renderConfirmation(f: ConfirmationFacts): RenderedEmail {
  const company = f.meeting.company.name;
  const subject = headerSafe(
    `${company}: your ${f.kind === 'proxy' ? 'proxy' : 'revocation'} was received, receipt ${f.receiptCode}`,
  );
  const intro =
    f.kind === 'proxy'
      ? `We received your proxy for the ${f.meeting.title} of ${company}, held ${f.meeting.start.replace('T', ' at ')} (${f.meeting.timeZone}) at ${f.meeting.place}.`
      : `We received your revocation: you have no proxy for the ${f.meeting.title} of ${company}. Your shares are not represented unless you vote again or attend.`;
  const body = [
    `Dear ${f.holderName},`,
    '',
    intro,
    '',
    `Receipt code: ${f.receiptCode}`,
    `Received: ${f.executedAt} (UTC)`,
    `Shares: ${f.shares.toLocaleString('en-US')}`,
    '',
    ...(f.votes
      ? ['Your shares will be voted as follows:', ...describeVotes(f.meeting, f.votes, f.nominee), '']
      : []),
    `You can change your vote until ${f.meeting.internetCutoff.local.replace('T', ' at ')} (${f.meeting.internetCutoff.timeZone ?? f.meeting.timeZone}) with the voting link in your notice: the latest-dated proxy is the one that counts. You can also revoke it in writing to the Secretary, or vote in person at the meeting.`,
    '',
    'If you did not do this, contact the company at once.',
  ];
  const text = `${body.join('\n')}\n`;
  const html = `<!doctype html><html lang="en"><body style="font-family:sans-serif;line-height:1.5">${body
    .map((l) => (l === '' ? '<br>' : `<p style="margin:0">${escapeHtml(l)}</p>`))
    .join('')}</body></html>`;
  return { subject, text, html };
}
