// The recount's readable report: what the inspector of elections reads and signs.
import type { ElectionResult, MatterResult, TabulationResult } from './tabulate.ts';

const n = (x: number): string => x.toLocaleString('en-US');

// biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
const UNSAFE_IN_REPORT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the meeting file (company, proposal titles, nominee names) on one line of the report: line
 * breaks, other control characters and bidirectional overrides are shown as \uXXXX, so a name cannot
 * add a line to the count the inspector signs ("Outcome: APPROVED") nor drive the terminal it is read on.
 */
export function reportText(s: string): string {
  return s.replace(
    UNSAFE_IN_REPORT,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

export function formatReport(r: TabulationResult, companyName: string): string {
  const lines: string[] = [];
  lines.push(`${reportText(companyName)}: count of meeting ${r.meeting}`);
  lines.push('');
  lines.push(`Shares outstanding and entitled to vote (N): ${n(r.sharesOutstanding)}`);
  lines.push(`Required quorum (Q):                         ${n(r.requiredQuorum)}`);
  lines.push(
    `Shares present in person or by proxy:        ${n(r.sharesPresent)} (${pct(r.sharesPresent, r.sharesOutstanding)} of N)`,
  );
  lines.push(`Quorum:                                      ${r.quorumMet ? 'MET' : 'NOT MET'}`);
  lines.push(
    `Accounts: ${n(r.accounts.total)} on the register, ${n(r.accounts.present)} present, ${n(r.accounts.revoked)} revoked, ` +
      `${n(r.accounts.withoutInstruction)} without instruction, ${n(r.accounts.conflicted)} in conflict`,
  );
  if (r.cumulative)
    lines.push('Cumulative voting was invoked: election counts are in votes (shares x seats).');
  for (const p of r.proposals) {
    lines.push('');
    if (p.kind === 'election') lines.push(...electionLines(p));
    else lines.push(...matterLines(p));
  }
  lines.push('');
  if (r.conflicts.length === 0) {
    lines.push('Open conflicts: none');
  } else {
    lines.push(`Open conflicts for the inspector of elections: ${r.conflicts.length}`);
    for (const c of r.conflicts) {
      lines.push(
        `  account ${c.account} (${n(c.shares)} shares): instruments ${c.instruments.join(', ')}; unvoted on ${c.proposals.length ? c.proposals.join(', ') : 'none'}`,
      );
    }
  }
  lines.push('');
  if (r.rejected.length === 0) {
    lines.push('Rejected instructions (left out of the count): none');
  } else {
    lines.push(`Rejected instructions (left out of the count): ${r.rejected.length}`);
    for (const x of r.rejected) {
      lines.push(
        `  account ${x.account}: ${x.channel} ${x.kind} ${x.id}${x.dated ? ` dated ${x.dated}` : ''}, received ${x.receivedAt}: ${reportText(x.reason)}`,
      );
    }
  }
  lines.push(
    r.pollsClosedAt
      ? `Polls closed at: ${r.pollsClosedAt}`
      : 'Polls closed at: not known to this count (instructions after the close could not be checked)',
  );
  lines.push('');
  lines.push(`Input digest (SHA-256): ${r.inputDigest}`);
  return `${lines.join('\n')}\n`;
}

function electionLines(p: ElectionResult): string[] {
  const lines = [
    `Proposal ${p.id}: ${reportText(p.title)}`,
    `  ${p.seats} seats, ${p.standard}${p.cumulative ? ', cumulative' : ''}`,
  ];
  const withheld = p.standard === 'plurality' ? 'WITHHOLD' : 'AGAINST';
  lines.push(
    `  ${'nominee'.padEnd(28)}${'FOR'.padStart(14)}${withheld.padStart(14)}${'broker n-v'.padStart(14)}  result`,
  );
  const elected = new Set(p.outcome.status === 'no-quorum' ? [] : p.outcome.elected);
  const tied = new Set(p.outcome.status === 'no-quorum' ? [] : p.outcome.tied);
  for (const x of p.nominees) {
    const against = p.standard === 'plurality' ? x.withhold : x.against;
    const result = elected.has(x.id)
      ? 'ELECTED'
      : tied.has(x.id)
        ? 'TIED'
        : p.outcome.status === 'no-quorum'
          ? '-'
          : 'not elected';
    lines.push(
      `  ${reportText(x.name).padEnd(28)}${n(x.for).padStart(14)}${n(against).padStart(14)}${n(x.brokerNonVotes).padStart(14)}  ${result}`,
    );
  }
  if (p.overVotes > 0) lines.push(`  Over-voted paper cards (no director votes counted): ${n(p.overVotes)}`);
  lines.push(`  Rule: ${p.threshold}`);
  if (p.outcome.status === 'no-quorum') lines.push('  Outcome: none, there is no quorum');
  else if (p.outcome.status === 'tie')
    lines.push(
      `  Outcome: TIE for the last ${p.outcome.tiedSeats} seat(s) among ${p.outcome.tied.join(', ')}; not broken`,
    );
  return lines;
}

function matterLines(p: MatterResult): string[] {
  return [
    `Proposal ${p.id}: ${reportText(p.title)}`,
    `  FOR ${n(p.for)}   AGAINST ${n(p.against)}   ABSTAIN ${n(p.abstain)}   broker non-votes ${n(p.brokerNonVotes)}`,
    `  Rule: ${p.threshold.rule}; FOR needed: ${n(p.threshold.forAtLeast)}`,
    `  Outcome: ${p.outcome === 'approved' ? 'APPROVED' : p.outcome === 'no-quorum' ? 'none, there is no quorum' : 'NOT APPROVED'}`,
  ];
}

function pct(part: number, whole: number): string {
  return `${((part * 100) / whole).toFixed(2)} %`;
}
