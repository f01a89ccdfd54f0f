// The interim vote report e-mailed during the solicitation (RULES.md section 8): turnout and the tally
// of a count, in totals only. One text for every recipient - the corporate secretary and each
// soliciting party get the same bytes, so that equal treatment can be shown by the text's digest -
// and never a holder's vote, an account or a name from the register.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { RenderedEmail } from './confirmation-email.ts';
import './messages.ts';
import type { Meeting } from './meeting.ts';
import type { TabulationResult } from './tabulate.ts';
import { escapeHtml, headerSafe } from './text.ts';
import { zonedInstant } from './time.ts';

/** The count a report is made from. */
export interface ReportedCount {
  runId: string;
  kind: string;
  /** When the count started reading (the report is "as of" then). */
  startedAt: string;
  result: TabulationResult;
}

/**
 * Who receives the reports, by the party they speak for: absent, the registrant's people (the
 * corporate secretary); in a contest, a party's id in the meeting file. The deploy settings' list
 * (voteReports.recipients) and the functions' VOTE_REPORT_RECIPIENTS are read by this schema.
 */
export const reportRecipientSchema = z.strictObject({
  party: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a party's id in the meeting file")
    .optional(),
  name: z.string().trim().min(1).max(200),
  email: z.email('must be an e-mail address'),
});

export type ReportRecipient = z.infer<typeof reportRecipientSchema>;

const n = (x: number) => x.toLocaleString('en-US');
const pct = (part: number, whole: number) =>
  whole === 0 ? '-' : `${(Math.floor((part / whole) * 1000) / 10).toFixed(1)}%`;

/** The soliciting parties' names, in the meeting file's order (the registrant first). */
export function partyNames(meeting: Meeting): string[] {
  return meeting.parties?.map((p) => p.name) ?? [`${meeting.company.name} (the board of directors)`];
}

/** The lines of the report's body: the same for the text and (escaped) the HTML. */
function lines(meeting: Meeting, count: ReportedCount): string[] {
  const r = count.result;
  const asOf = zonedInstant(Date.parse(count.startedAt), meeting.timeZone);
  const out = [
    `${meeting.company.name}, ${meeting.title}`,
    `Interim vote report as of ${asOf} (count ${count.runId}, ${count.kind}). Preliminary: votes may still be given, changed or revoked until the polls close.`,
    '',
    'Turnout',
    `  Shares present (by proxy or ballot): ${n(r.sharesPresent)} of ${n(r.sharesOutstanding)} outstanding (${pct(r.sharesPresent, r.sharesOutstanding)})`,
    `  Quorum: ${n(r.requiredQuorum)} shares needed, ${r.quorumMet ? 'MET' : 'NOT YET MET'}`,
    `  Accounts with an effective instruction: ${n(r.accounts.present)} of ${n(r.accounts.total)} holders of record (revoked ${n(r.accounts.revoked)}, in conflict awaiting the inspector ${n(r.accounts.conflicted)})`,
    `  Instructions left out under the meeting's timeline: ${n(r.rejected.length)}`,
  ];
  for (const p of r.proposals) {
    out.push('', `Proposal ${p.id}: ${p.title}`);
    if (p.kind === 'matter') {
      const cast = p.for + p.against;
      out.push(
        `  FOR ${n(p.for)} (${pct(p.for, cast)} of FOR and AGAINST)   AGAINST ${n(p.against)}   ABSTAIN ${n(p.abstain)}   broker non-votes ${n(p.brokerNonVotes)}`,
      );
      if (p.disinterested)
        out.push(
          `  Without the ${n(p.disinterested.excludedAccounts.length)} interested account(s): see the count (disinterested tally)`,
        );
    } else {
      out.push(
        `  ${p.seats} seat${p.seats === 1 ? '' : 's'}; ${p.unit === 'votes' ? 'votes (cumulative)' : 'shares'}${p.overVotes ? `; over-voted cards (no director votes): ${n(p.overVotes)}` : ''}`,
      );
      for (const nominee of p.nominees) {
        const parties = nominee.parties?.length
          ? ` [${nominee.parties.map((id) => meeting.parties?.find((x) => x.id === id)?.name ?? id).join(', ')}]`
          : '';
        out.push(
          `  ${nominee.name}${parties}: FOR ${n(nominee.for)}   WITHHOLD ${n(nominee.withhold)}${nominee.against ? `   AGAINST ${n(nominee.against)}` : ''}`,
        );
      }
    }
  }
  out.push(
    '',
    `This report goes, in the same words and at the same time, to every soliciting party: ${partyNames(meeting).join('; ')}.`,
    'It shows totals only: no holder, account or vote of any holder.',
    `Input digest of the count: ${r.inputDigest}`,
  );
  return out;
}

/** The report's e-mail: the same for every recipient. */
export function renderVoteReport(meeting: Meeting, count: ReportedCount): RenderedEmail {
  const body = lines(meeting, count);
  const asOf = zonedInstant(Date.parse(count.startedAt), meeting.timeZone);
  const subject = headerSafe(`${meeting.company.name}: interim vote report as of ${asOf}`);
  const text = `${body.join('\n')}\n`;
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' +
    escapeHtml(subject) +
    '</title></head><body><pre style="font:14px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap">' +
    escapeHtml(text) +
    '</pre></body></html>';
  return { subject, text, html };
}

/** SHA-256 of what the recipient reads (subject and text): equal for all of one count's recipients. */
export function reportDigest(email: RenderedEmail): string {
  return createHash('sha256').update(`${email.subject}\n${email.text}`, 'utf8').digest('hex');
}

/**
 * Problems with a recipient list against the meeting: a party the meeting file does not name, or (in a
 * meeting without parties) any party at all. Each names the recipient's position.
 */
export function recipientProblems(meeting: Meeting, recipients: readonly ReportRecipient[]): string[] {
  const known = new Set(meeting.parties?.map((p) => p.id) ?? []);
  const problems: string[] = [];
  const seen = new Set<string>();
  recipients.forEach((r, i) => {
    if (r.party !== undefined && !known.has(r.party))
      problems.push(
        known.size === 0
          ? `voteReports.recipients.${i}.party: the meeting has no soliciting parties: leave "party" out (the report goes to the registrant's people)`
          : `voteReports.recipients.${i}.party: no party "${r.party}" in the meeting file (${[...known].map((k) => `"${k}"`).join(', ')})`,
      );
    const key = r.email.toLowerCase();
    if (seen.has(key)) problems.push(`voteReports.recipients.${i}.email: ${r.email} is listed twice`);
    seen.add(key);
  });
  return problems;
}
