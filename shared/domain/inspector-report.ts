// The inspector of elections' report of a count: a printable HTML page and a CSV, both from the
// TabulationResult. Pure: every name from the meeting file or the register is escaped (HTML) or
// neutralised (CSV: shared/domain/csv.ts, the one guard against cells a spreadsheet would run).
import { csvCell } from './csv.ts';
import type { ElectionResult, MatterResult, TabulationResult } from './tabulate.ts';
import { escapeHtml } from './text.ts';

export interface ReportMeeting {
  company: { name: string };
  title: string;
  /** Wall-clock start, YYYY-MM-DDTHH:MM. */
  start: string;
  timeZone: string;
  place: string;
}

/** Which run the report is of (absent for a recount from an export). */
export interface ReportRun {
  runId: string;
  kind: string;
  finishedAt: string;
  historyRoot: string | null;
  /** A final count made with conflicts open, by the inspector's explicit decision. */
  openConflictsAccepted?: boolean;
}

const n = (x: number): string => x.toLocaleString('en-US');
const pct = (part: number, whole: number): string =>
  whole === 0 ? '0 %' : `${(Math.floor((part / whole) * 10_000) / 100).toFixed(2)} %`;

function electionRows(p: ElectionResult) {
  const elected = new Set(p.outcome.status === 'no-quorum' ? [] : p.outcome.elected);
  const tied = new Set(p.outcome.status === 'no-quorum' ? [] : p.outcome.tied);
  return p.nominees.map((x) => ({
    nominee: x,
    against: p.standard === 'plurality' ? x.withhold : x.against,
    result: elected.has(x.id)
      ? 'ELECTED'
      : tied.has(x.id)
        ? 'TIED'
        : p.outcome.status === 'no-quorum'
          ? 'no outcome (no quorum)'
          : 'not elected',
  }));
}

function electionOutcome(p: ElectionResult): string {
  if (p.outcome.status === 'no-quorum') return 'No outcome: there is no quorum.';
  const names = (ids: readonly string[]) =>
    ids.map((id) => p.nominees.find((x) => x.id === id)?.name ?? id).join(', ') || 'nobody';
  if (p.outcome.status === 'tie')
    return `Elected: ${names(p.outcome.elected)}. Tie for the last ${p.outcome.tiedSeats} seat(s) among ${names(p.outcome.tied)}: not broken.`;
  return `Elected: ${names(p.outcome.elected)}.`;
}

function matterOutcome(p: MatterResult): string {
  return p.outcome === 'no-quorum'
    ? 'no outcome (no quorum)'
    : p.outcome === 'approved'
      ? 'APPROVED'
      : 'NOT APPROVED';
}

/** The report's whole style sheet (inline; the admin API allows it by its hash). */
export const INSPECTOR_CSS = `body{font-family:Georgia,'Times New Roman',serif;color:#000;background:#fff;margin:2rem auto;max-width:60rem;padding:0 1rem;line-height:1.4}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #000}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #555;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}dt{font-weight:bold}dd{margin:0 0 .4rem 0}
.digest{font-family:monospace;word-break:break-all}.sign{margin-top:3rem}.sign p{margin:2rem 0 0 0}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}}`;

/** The report as one self-contained, printable HTML page. */
export function renderInspectorHtml(r: TabulationResult, meeting: ReportMeeting, run?: ReportRun): string {
  const e = escapeHtml;
  const parts: string[] = [];
  parts.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${e(`${meeting.company.name}: report of the inspector of elections`)}</title><style>${INSPECTOR_CSS}</style></head><body>`,
    `<h1>${e(meeting.company.name)}: report of the inspector of elections</h1>`,
    `<p>${e(meeting.title)}, ${e(meeting.start.replace('T', ' at '))} (${e(meeting.timeZone)}), ${e(meeting.place)}.</p>`,
  );
  if (run) {
    parts.push(
      '<dl>',
      `<dt>Count</dt><dd>${e(run.kind)} count, run ${e(run.runId)}, finished ${e(run.finishedAt)} (UTC)</dd>`,
      `<dt>Input digest (SHA-256)</dt><dd class="digest">${e(r.inputDigest)}</dd>`,
      ...(run.historyRoot
        ? [`<dt>History digest (Merkle root)</dt><dd class="digest">${e(run.historyRoot)}</dd>`]
        : []),
      '</dl>',
    );
  } else {
    parts.push(`<p>Input digest (SHA-256): <span class="digest">${e(r.inputDigest)}</span></p>`);
  }
  parts.push(
    '<h2>Quorum</h2><table><tbody>',
    `<tr><th scope="row">Shares outstanding and entitled to vote (N)</th><td class="num">${n(r.sharesOutstanding)}</td></tr>`,
    `<tr><th scope="row">Required quorum (Q)</th><td class="num">${n(r.requiredQuorum)}</td></tr>`,
    `<tr><th scope="row">Shares present in person or by proxy</th><td class="num">${n(r.sharesPresent)} (${pct(r.sharesPresent, r.sharesOutstanding)} of N, ${pct(r.sharesPresent, r.requiredQuorum)} of Q)</td></tr>`,
    `<tr><th scope="row">Quorum</th><td>${r.quorumMet ? 'MET' : 'NOT MET'}</td></tr>`,
    `<tr><th scope="row">Accounts</th><td>${n(r.accounts.total)} on the register: ${n(r.accounts.present)} present, ${n(r.accounts.revoked)} revoked, ${n(r.accounts.withoutInstruction)} without instruction, ${n(r.accounts.conflicted)} in conflict</td></tr>`,
    '</tbody></table>',
  );
  if (r.cumulative)
    parts.push('<p>Cumulative voting was invoked: election counts are in votes (shares x seats).</p>');

  for (const p of r.proposals) {
    parts.push(`<h2>Proposal ${e(p.id)}: ${e(p.title)}</h2>`);
    if (p.kind === 'election') {
      const against = p.standard === 'plurality' ? 'Withhold' : 'Against';
      parts.push(
        `<p>${p.seats} seat(s), ${e(p.standard)}${p.cumulative ? ', cumulative' : ''}; counts in ${p.unit}.</p>`,
        `<table><thead><tr><th scope="col">Nominee</th><th scope="col">Board recommends</th><th scope="col" class="num">For</th>`,
        `<th scope="col" class="num">${against}</th><th scope="col" class="num">Broker non-votes</th>`,
        ...(p.cumulative ? ['<th scope="col" class="num">Of which discretionary</th>'] : []),
        '<th scope="col">Result</th></tr></thead><tbody>',
      );
      for (const row of electionRows(p)) {
        parts.push(
          `<tr><th scope="row">${e(row.nominee.name)}</th><td>${row.nominee.boardRecommends ? 'yes' : 'no'}</td>`,
          `<td class="num">${n(row.nominee.for)}</td><td class="num">${n(row.against)}</td><td class="num">${n(row.nominee.brokerNonVotes)}</td>`,
          ...(p.cumulative ? [`<td class="num">${n(row.nominee.discretionary ?? 0)}</td>`] : []),
          `<td>${e(row.result)}</td></tr>`,
        );
      }
      parts.push('</tbody></table>');
      if (p.overVotes > 0)
        parts.push(`<p>Over-voted paper cards (no director votes counted): ${n(p.overVotes)}</p>`);
      parts.push(`<p>Threshold: ${e(p.threshold)}</p>`, `<p><strong>${e(electionOutcome(p))}</strong></p>`);
    } else {
      parts.push(
        '<table><thead><tr><th scope="col" class="num">For</th><th scope="col" class="num">Against</th><th scope="col" class="num">Abstain</th><th scope="col" class="num">Broker non-votes</th></tr></thead>',
        `<tbody><tr><td class="num">${n(p.for)}</td><td class="num">${n(p.against)}</td><td class="num">${n(p.abstain)}</td><td class="num">${n(p.brokerNonVotes)}</td></tr></tbody></table>`,
        `<p>Threshold: ${e(p.threshold.rule)}; FOR needed: ${n(p.threshold.forAtLeast)}.</p>`,
        `<p><strong>Outcome: ${e(matterOutcome(p))}</strong></p>`,
      );
    }
  }

  parts.push('<h2>Open conflicts</h2>');
  if (r.conflicts.length === 0) parts.push('<p>None.</p>');
  else {
    const unvoted = r.conflicts.reduce((s, c) => s + c.shares, 0);
    parts.push(
      ...(run?.openConflictsAccepted
        ? [
            `<p><strong>The final count was made with ${n(r.conflicts.length)} conflict(s) open, by the inspector's explicit decision: ${n(unvoted)} shares are present and left unvoted on the proposals listed.</strong></p>`,
          ]
        : []),
      `<p>${n(r.conflicts.length)} account(s): same-date paper instruments that differ, not resolved. The shares are present; the proposals listed are left unvoted.</p>`,
      '<table><thead><tr><th scope="col">Account</th><th scope="col" class="num">Shares</th><th scope="col">Instruments</th><th scope="col">Unvoted proposals</th></tr></thead><tbody>',
      ...r.conflicts.map(
        (c) =>
          `<tr><th scope="row">${e(c.account)}</th><td class="num">${n(c.shares)}</td><td>${e(c.instruments.join(', '))}</td><td>${e(c.proposals.join(', ') || 'none')}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  parts.push('<h2>Rejected instructions</h2>');
  parts.push(
    `<p>Polls closed: ${r.pollsClosedAt ? e(r.pollsClosedAt) : 'not known to this count (instructions after the close could not be checked)'}.</p>`,
  );
  if (r.rejected.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push(
      `<p>${n(r.rejected.length)} instruction(s) left out of the count: they break the meeting's timeline.</p>`,
      '<table><thead><tr><th scope="col">Account</th><th scope="col">Instruction</th><th scope="col">Kind</th><th scope="col">Received</th><th scope="col">Rule broken</th></tr></thead><tbody>',
      ...r.rejected.map(
        (x) =>
          `<tr><th scope="row">${e(x.account)}</th><td>${e(x.id)}</td><td>${e(`${x.channel} ${x.kind}${x.dated ? `, dated ${x.dated}` : ''}`)}</td><td>${e(x.receivedAt)}</td><td>${e(x.reason)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  parts.push(
    '<div class="sign"><p>Inspector of elections: ______________________________</p><p>Date: ________________</p></div>',
    '</body></html>',
  );
  return parts.join('\n');
}

/** The report as CSV, one measure per line: section, proposal, line, measure, value. */
export function renderInspectorCsv(r: TabulationResult, run?: ReportRun): string {
  const rows: Array<Array<string | number | boolean>> = [['section', 'proposal', 'line', 'measure', 'value']];
  const meeting = (measure: string, value: string | number | boolean) =>
    rows.push(['meeting', '', '', measure, value]);
  meeting('meeting', r.meeting);
  if (run) {
    meeting('run', run.runId);
    meeting('kind', run.kind);
    meeting('finished_at', run.finishedAt);
    if (run.historyRoot) meeting('history_digest', run.historyRoot);
  }
  meeting('input_digest', r.inputDigest);
  meeting('shares_outstanding', r.sharesOutstanding);
  meeting('required_quorum', r.requiredQuorum);
  meeting('shares_present', r.sharesPresent);
  meeting('quorum_met', r.quorumMet);
  meeting('cumulative', r.cumulative);
  for (const [k, v] of Object.entries(r.accounts))
    meeting(`accounts_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, v);
  for (const p of r.proposals) {
    if (p.kind === 'election') {
      const line = (name: string, measure: string, value: string | number | boolean) =>
        rows.push(['election', p.id, name, measure, value]);
      line('', 'title', p.title);
      line('', 'seats', p.seats);
      line('', 'standard', p.standard);
      line('', 'unit', p.unit);
      for (const row of electionRows(p)) {
        line(row.nominee.name, 'for', row.nominee.for);
        line(row.nominee.name, p.standard === 'plurality' ? 'withhold' : 'against', row.against);
        line(row.nominee.name, 'broker_non_votes', row.nominee.brokerNonVotes);
        if (p.cumulative) line(row.nominee.name, 'discretionary', row.nominee.discretionary ?? 0);
        line(row.nominee.name, 'result', row.result);
      }
      line('', 'over_votes', p.overVotes);
      line('', 'threshold', p.threshold);
      line('', 'outcome', electionOutcome(p));
    } else {
      const line = (measure: string, value: string | number | boolean) =>
        rows.push(['matter', p.id, '', measure, value]);
      line('title', p.title);
      line('standard', p.standard);
      line('for', p.for);
      line('against', p.against);
      line('abstain', p.abstain);
      line('broker_non_votes', p.brokerNonVotes);
      line('threshold', p.threshold.rule);
      line('for_needed', p.threshold.forAtLeast);
      line('outcome', matterOutcome(p));
    }
  }
  for (const c of r.conflicts) {
    rows.push(['conflict', '', c.account, 'shares', c.shares]);
    rows.push(['conflict', '', c.account, 'instruments', c.instruments.join(' ')]);
    rows.push(['conflict', '', c.account, 'unvoted_proposals', c.proposals.join(' ')]);
  }
  if (run?.openConflictsAccepted) rows.push(['meeting', '', '', 'open_conflicts_accepted', 'yes']);
  rows.push(['meeting', '', '', 'polls_closed_at', r.pollsClosedAt ?? '']);
  for (const x of r.rejected) {
    rows.push(['rejected', '', x.account, 'instruction', x.id]);
    rows.push(['rejected', '', x.account, 'kind', `${x.channel} ${x.kind}`]);
    rows.push(['rejected', '', x.account, 'received_at', x.receivedAt]);
    rows.push(['rejected', '', x.account, 'rule', x.rule]);
  }
  return `${rows.map((row) => row.map((c) => csvCell(c)).join(',')).join('\r\n')}\r\n`;
}
