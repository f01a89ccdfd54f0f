// The certificate of the inspectors of election (DGCL §231): what they swear, what they determined and
// what they counted, from one count (a TabulationResult) and what the operations table knows of the
// meeting (when and by whom the polls were closed, the names of the holders it names). A printable
// HTML page (print and PDF from the browser, page numbers in the margin; on a phone the tables fold
// into one column) and a CSV with the same figures, one per line.
//
// Pure: every instant is shown on the meeting's own clock (its time zone), never the machine's; every
// name from the meeting file, the register or an instruction is escaped (HTML) or neutralised (CSV).
import { csvCell } from './csv.ts';
import { internetCutoffMs, isProxyContest, type Meeting, meetingStartMs } from './meeting.ts';
import type {
  ElectionResult,
  InstrumentBrief,
  MatterResult,
  NomineeResult,
  TabulationResult,
} from './tabulate.ts';
import { escapeHtml } from './text.ts';
import { zonedInstant } from './time.ts';

/** The run a certificate is of (absent: a recount from an export). */
export interface CertificateRun {
  runId: string;
  kind: string;
  requestedBy?: string;
  finishedAt: string;
  historyRoot: string | null;
  /** A final count made with conflicts open, by the inspector's explicit decision. */
  openConflictsAccepted?: boolean;
}

export interface CertificateInput {
  meeting: Meeting;
  result: TabulationResult;
  run?: CertificateRun;
  /** The polls' closing as the operations table records it (who closed them). */
  polls?: { closedAt: string; closedBy: string } | null;
  /** Registered names of the accounts the certificate names (conflicts, rejected instructions). */
  holderNames?: Readonly<Record<string, string>>;
}

/** FINAL only for the final count made once the polls were closed; every other count is PRELIMINARY. */
export function certificateStatus(input: Pick<CertificateInput, 'run' | 'result'>): 'FINAL' | 'PRELIMINARY' {
  return input.run?.kind === 'final' && input.result.pollsClosedAt !== null ? 'FINAL' : 'PRELIMINARY';
}

const n = (x: number): string => x.toLocaleString('en-US');

/** part / whole as a percentage with two decimals, truncated (never rounded up past a threshold). */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '-';
  return `${(Math.floor((part * 10_000) / whole) / 100).toFixed(2)} %`;
}

const at = (iso: string, m: Meeting): string => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : zonedInstant(ms, m.timeZone);
};

const standardWords: Record<string, string> = {
  plurality: 'plurality of the votes cast',
  'majority-of-votes-cast': 'majority of the votes cast',
  'majority-present-and-voting-and-of-quorum':
    'majority of the shares present and voting, which is also a majority of the required quorum',
  'majority-of-shares-present': 'majority of the shares present',
  'majority-of-outstanding': 'majority of the shares outstanding',
};

/** The §231(b) duties, as the inspectors certify having done them. */
const DUTIES = [
  'ascertained the number of shares outstanding and the voting power of each;',
  'determined the shares represented at the meeting, and the validity of the proxies and ballots;',
  'counted all votes and ballots;',
  'determined, and retain, a record of the disposition of any challenge made to a determination of ours (the conflicts and rejected instructions below); and',
  'certify our determination of the shares represented at the meeting and our count of all votes and ballots, as set out below.',
];

interface NomineeLine {
  nominee: NomineeResult;
  against: number;
  cast: number;
  result: string;
}

function nomineeLines(p: ElectionResult): NomineeLine[] {
  const decided = p.outcome.status !== 'no-quorum';
  const elected = new Set(p.outcome.status === 'no-quorum' ? [] : p.outcome.elected);
  const tied = new Set(p.outcome.status === 'no-quorum' ? [] : p.outcome.tied);
  return p.nominees.map((x) => {
    const against = p.standard === 'plurality' ? x.withhold : x.against;
    return {
      nominee: x,
      against,
      cast: x.for + against,
      result: !decided
        ? 'no outcome (no quorum)'
        : elected.has(x.id)
          ? 'ELECTED'
          : tied.has(x.id)
            ? 'TIED (not broken)'
            : 'not elected',
    };
  });
}

/** The votes outstanding in a proposal's unit: shares, or shares x seats in a cumulative election. */
function outstandingIn(p: ElectionResult | MatterResult, r: TabulationResult): number {
  return p.kind === 'election' && p.unit === 'votes' ? r.sharesOutstanding * p.seats : r.sharesOutstanding;
}

function electionOutcome(p: ElectionResult): string {
  if (p.outcome.status === 'no-quorum') return 'No outcome: there is no quorum.';
  const names = (ids: readonly string[]) =>
    ids.map((id) => p.nominees.find((x) => x.id === id)?.name ?? id).join(', ') || 'nobody';
  if (p.outcome.status === 'tie')
    return `Elected: ${names(p.outcome.elected)}. Tie for the last ${p.outcome.tiedSeats} seat(s) among ${names(p.outcome.tied)}: not broken.`;
  return `Elected: ${names(p.outcome.elected)}.`;
}

const matterOutcome = (o: MatterResult['outcome']): string =>
  o === 'no-quorum' ? 'no outcome (no quorum)' : o === 'approved' ? 'APPROVED' : 'NOT APPROVED';

const instrumentWords = (i: InstrumentBrief, m: Meeting): string =>
  `${i.channel} ${i.kind} ${i.id}, signed by ${i.signedBy}${i.dated ? `, dated ${i.dated}` : ''}, received ${at(i.receivedAt, m)}`;

const CHANNELS = ['internet', 'phone', 'paper', 'meeting'] as const;

/** The certificate's whole style sheet (inline; the admin API allows it by its hash). */
export const CERTIFICATE_CSS = `html{-webkit-text-size-adjust:100%}
body{font-family:Georgia,'Times New Roman',serif;color:#000;background:#fff;margin:1.5rem auto;max-width:60rem;padding:0 1rem;line-height:1.45;overflow-wrap:anywhere}
h1{font-size:1.45rem;margin:.5rem 0}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #000}h3{font-size:1.05rem}
.status{display:inline-block;border:3px solid #000;padding:.1rem .6rem;font-weight:bold;letter-spacing:.1em}
.status.prelim{border-style:dashed}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #555;padding:.25rem .45rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
dl{display:grid;grid-template-columns:minmax(8rem,16rem) 1fr;gap:.2rem .8rem}dt{font-weight:bold}dd{margin:0}
.digest{font-family:monospace;word-break:break-all}
.sign{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:2rem;margin-top:2rem;break-inside:avoid}
.line{border-bottom:1px solid #000;height:2.5rem}
@page{size:letter;margin:18mm 16mm 20mm;@bottom-center{content:"Page " counter(page) " of " counter(pages);font-family:Georgia,serif;font-size:9pt}}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-after:avoid}tr{break-inside:avoid}}
@media (max-width:40rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}
table.fold,table.fold tbody,table.fold tr,table.fold th,table.fold td{display:block;width:auto}
table.fold thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.fold tr{border:1px solid #555;margin:.5rem 0}table.fold th,table.fold td{border:0;text-align:left;white-space:normal}
table.fold td[data-label]::before{content:attr(data-label) ": ";font-weight:bold}}`;

/** One table that folds into one column on a phone: each cell says which column it is. */
function foldTable(
  head: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  numeric: ReadonlySet<number> = new Set(),
): string {
  const e = escapeHtml;
  const th = head
    .map((h, i) => `<th scope="col"${numeric.has(i) ? ' class="num"' : ''}>${e(h)}</th>`)
    .join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map((c, i) =>
            i === 0
              ? `<th scope="row">${e(String(c))}</th>`
              : `<td data-label="${e(head[i] ?? '')}"${numeric.has(i) ? ' class="num"' : ''}>${e(typeof c === 'number' ? n(c) : c)}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table class="fold"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The certificate as one self-contained, printable HTML page. */
export function renderCertificateHtml(input: CertificateInput): string {
  const { meeting: m, result: r, run } = input;
  const e = escapeHtml;
  const status = certificateStatus(input);
  const name = (account: string) => input.holderNames?.[account] ?? '';
  const out: string[] = [];
  const title = `${m.company.name}: certificate of the inspectors of election`;
  out.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${e(`${title} (${status})`)}</title><style>${CERTIFICATE_CSS}</style></head><body><main>`,
    `<p class="status${status === 'FINAL' ? '' : ' prelim'}">${status}</p>`,
    `<h1>${e(m.company.name)}<br>Certificate of the inspectors of election</h1>`,
    `<p>${e(m.title)}, held ${e(zonedInstant(meetingStartMs(m), m.timeZone))} at ${e(m.place)}.</p>`,
  );
  if (status === 'PRELIMINARY')
    out.push(
      `<p><strong>PRELIMINARY: this is ${run ? `a ${e(run.kind)} count` : 'a recount from an export'}${r.pollsClosedAt ? '' : ' made while the polls were open'}, not the final count. It is not a certification; the figures may change until the final count.</strong></p>`,
    );

  // The oath and the certificate (DGCL §231(b) and (c)).
  const inspectors = m.inspectors ?? [];
  const who =
    inspectors.length > 0
      ? inspectors.map((i) => `${i.name}${i.affiliation ? ` (${i.affiliation})` : ''}`).join(', ')
      : 'the undersigned';
  out.push(
    '<h2>Oath of the inspectors of election</h2>',
    `<p>We, ${e(who)}, appointed inspector${inspectors.length === 1 ? '' : 's'} of election for this meeting, each swear before entering upon the duties of inspector to execute them faithfully, with strict impartiality and according to the best of our ability.</p>`,
    '<h2>Certificate</h2>',
    `<p>We, the inspectors of election, ${status === 'FINAL' ? 'certify that we have' : 'report that, for this preliminary count, we have'}:</p>`,
    `<ol>${DUTIES.map((d) => `<li>${e(d)}</li>`).join('')}</ol>`,
  );

  // The record: shares, voting power, holders.
  out.push(
    '<h2>Shares outstanding and voting power</h2><dl>',
    `<dt>Record date</dt><dd>${e(m.recordDate)} (close of business)</dd>`,
    `<dt>Holders of record</dt><dd>${n(r.accounts.total)} accounts</dd>`,
    `<dt>Shares outstanding and entitled to vote (N)</dt><dd>${n(r.sharesOutstanding)}, one vote per share${r.cumulative ? '; cumulative voting was invoked: each share has as many votes as there are seats in an election that allows it' : ''}</dd>`,
    `<dt>Required quorum (Q)</dt><dd>${n(r.requiredQuorum)} shares (more than ${m.quorum.numerator}/${m.quorum.denominator} of N)</dd>`,
    '</dl>',
  );

  // The timeline.
  const closedBy = input.polls?.closedBy;
  out.push(
    '<h2>The polls</h2><dl>',
    `<dt>Notice of meeting</dt><dd>${e(m.noticeDate)}</dd>`,
    `<dt>Internet and phone voting closed</dt><dd>${e(zonedInstant(internetCutoffMs(m), m.timeZone))}</dd>`,
    `<dt>Polls opened</dt><dd>${e(zonedInstant(meetingStartMs(m), m.timeZone))}, when the meeting was convened (ballots at the meeting count from then)</dd>`,
    `<dt>Polls closed</dt><dd>${r.pollsClosedAt ? `${e(at(r.pollsClosedAt, m))}${closedBy ? `, declared by ${e(closedBy)}` : ''}` : 'not yet: the polls were open when this count was made'}</dd>`,
    ...(run
      ? [
          `<dt>This count</dt><dd>${e(run.kind)} count, run ${e(run.runId)}${run.requestedBy ? `, made for ${e(run.requestedBy)}` : ''}, finished ${e(at(run.finishedAt, m))}</dd>`,
        ]
      : ['<dt>This count</dt><dd>a recount from an export of the register and the instruction history</dd>']),
    '</dl>',
  );

  // Shares represented.
  const pr = r.presence;
  out.push(
    '<h2>Shares represented at the meeting</h2>',
    foldTable(
      ['Present', 'Accounts', 'Shares', 'Of N'],
      [
        ...(pr
          ? [
              [
                'Present in person (ballot cast at the meeting)',
                pr.inPerson.accounts,
                pr.inPerson.shares,
                percent(pr.inPerson.shares, r.sharesOutstanding),
              ],
              [
                'Present by proxy',
                pr.byProxy.accounts,
                pr.byProxy.shares,
                percent(pr.byProxy.shares, r.sharesOutstanding),
              ],
            ]
          : []),
        [
          'Total present in person or by proxy',
          r.accounts.present,
          r.sharesPresent,
          percent(r.sharesPresent, r.sharesOutstanding),
        ],
      ],
      new Set([1, 2, 3]),
    ),
    `<p>Quorum: <strong>${r.quorumMet ? 'PRESENT' : 'NOT PRESENT'}</strong> (${n(r.sharesPresent)} shares present; ${n(r.requiredQuorum)} required). Of the ${n(r.accounts.total)} accounts, ${n(r.accounts.revoked)} revoked their proxy and ${n(r.accounts.withoutInstruction)} gave no instruction.</p>`,
  );
  if (pr) {
    out.push(
      '<h3>By channel</h3>',
      foldTable(
        ['Channel', 'Proxies received', 'Revocations', 'Ballots', 'Accounts decided', 'Shares present'],
        CHANNELS.map((c) => [
          c === 'meeting' ? 'at the meeting' : c,
          pr.received[c].proxies,
          pr.received[c].revocations,
          pr.received[c].ballots,
          pr.byChannel[c].accounts,
          pr.byChannel[c].shares,
        ]),
        new Set([1, 2, 3, 4, 5]),
      ),
      `<p>Counted instructions only (rejected ones are listed below). Resolutions by the inspectors: ${n(pr.received.inspector.resolutions)}. A paper conflict counts as present by proxy, on paper.</p>`,
    );
  } else
    out.push(
      '<p>The split by channel is not recorded in this count (a count stored by an earlier version).</p>',
    );

  // The proposals.
  const contest = isProxyContest(m);
  const partyName = (id: string) => m.parties?.find((p) => p.id === id)?.name ?? id;
  for (const p of r.proposals) {
    out.push(`<h2>Proposal ${e(p.id)}: ${e(p.title)}</h2>`);
    const N = outstandingIn(p, r);
    if (p.kind === 'election') {
      const against = p.standard === 'plurality' ? 'Withhold' : 'Against';
      out.push(
        `<p>Standard: ${e(standardWords[p.standard] ?? p.standard)}; ${p.seats} seat(s); counts in ${p.unit}${p.cumulative ? ` (cumulative: N x ${p.seats} = ${n(N)} votes)` : ''}.</p>`,
      );
      const lines = nomineeLines(p);
      const row = (l: NomineeLine) => [
        l.nominee.name,
        ...(contest ? [(l.nominee.parties ?? []).map(partyName).join(', ')] : []),
        l.nominee.for,
        percent(l.nominee.for, l.cast),
        percent(l.nominee.for, N),
        l.against,
        percent(l.against, l.cast),
        l.nominee.brokerNonVotes,
        ...(p.cumulative ? [l.nominee.discretionary ?? 0] : []),
        l.result,
      ];
      const head = [
        'Nominee',
        ...(contest ? ['Nominated by'] : []),
        'For',
        'For, of votes cast',
        'For, of outstanding',
        against,
        `${against}, of votes cast`,
        'Broker non-votes',
        ...(p.cumulative ? ['Of For: discretionary'] : []),
        'Result',
      ];
      const numeric = new Set(
        head.map((_, i) => i).filter((i) => i > (contest ? 1 : 0) && i < head.length - 1),
      );
      if (contest && m.parties) {
        // Each party's nominees together, the registrant's first (a common nominee under each party).
        for (const party of m.parties) {
          const mine = lines.filter((l) => l.nominee.parties?.includes(party.id));
          if (mine.length === 0) continue;
          out.push(`<h3>Nominees of ${e(party.name)}</h3>`, foldTable(head, mine.map(row), numeric));
        }
      } else out.push(foldTable(head, lines.map(row), numeric));
      if (p.overVotes > 0)
        out.push(
          `<p>Over-voted cards and ballots (no director votes counted from them): ${n(p.overVotes)}.</p>`,
        );
      out.push(
        `<p>Threshold applied: ${e(p.threshold)}. Votes cast for a nominee are For plus ${against}.</p>`,
        `<p><strong>${e(electionOutcome(p))}</strong></p>`,
      );
    } else {
      const cast = p.for + p.against;
      const matterRows = (
        x: Pick<MatterResult, 'for' | 'against' | 'abstain' | 'brokerNonVotes'>,
        outstanding: number,
      ) => {
        const c = x.for + x.against;
        return [
          ['For', x.for, percent(x.for, c), percent(x.for, outstanding)],
          ['Against', x.against, percent(x.against, c), percent(x.against, outstanding)],
          ['Abstain', x.abstain, 'not a vote cast', percent(x.abstain, outstanding)],
          ['Broker non-votes', x.brokerNonVotes, 'not a vote cast', percent(x.brokerNonVotes, outstanding)],
        ];
      };
      const MATTER_HEAD = ['Vote', 'Shares', 'Of votes cast', 'Of outstanding'];
      out.push(
        `<p>Standard: ${e(standardWords[p.standard] ?? p.standard)}. Votes cast: ${n(cast)} (For plus Against).</p>`,
        foldTable(MATTER_HEAD, matterRows(p, N), new Set([1, 2, 3])),
        `<p>Threshold applied: ${e(p.threshold.rule)}; For needed: ${n(p.threshold.forAtLeast)}.</p>`,
        `<p><strong>Outcome: ${e(matterOutcome(p.outcome))}</strong></p>`,
      );
      const d = p.disinterested;
      if (d) {
        out.push(
          '<h3>Disinterested holders</h3>',
          `<p>Without the shares of the interested accounts ${e(d.excludedAccounts.join(', '))} (${n(d.excludedShares)} shares of record, ${n(d.excludedPresent)} present): ${n(d.sharesOutstanding)} outstanding, ${n(d.sharesPresent)} present.</p>`,
          foldTable(MATTER_HEAD, matterRows(d, d.sharesOutstanding), new Set([1, 2, 3])),
          `<p>Threshold applied: ${e(d.threshold.rule)}; For needed: ${n(d.threshold.forAtLeast)}.</p>`,
          `<p><strong>Outcome of the disinterested tally: ${e(matterOutcome(d.outcome))}</strong></p>`,
        );
      }
    }
  }

  // Challenges: conflicts (open and resolved) and rejected instructions.
  out.push('<h2>Open conflicts</h2>');
  if (r.conflicts.length === 0) out.push('<p>None.</p>');
  else {
    const unvoted = r.conflicts.reduce((s, c) => s + c.shares, 0);
    if (run?.openConflictsAccepted)
      out.push(
        `<p><strong>The final count was made with ${n(r.conflicts.length)} conflict(s) open, by the inspectors' explicit decision: ${n(unvoted)} shares are present and left unvoted on the proposals listed.</strong></p>`,
      );
    out.push(
      `<p>Same-date paper instruments that differ, not resolved: the shares are present; the proposals listed are left unvoted (${n(unvoted)} shares).</p>`,
      foldTable(
        ['Account', 'Holder', 'Shares', 'Instruments (signer, dates)', 'Unvoted proposals'],
        r.conflicts.map((c) => [
          c.account,
          name(c.account),
          c.shares,
          c.instruments
            .map((id) => {
              const i = r.conflictInstruments?.[id];
              return i ? instrumentWords(i, m) : id;
            })
            .join('; '),
          c.proposals.join(', ') || 'none',
        ]),
        new Set([2]),
      ),
    );
  }
  out.push('<h2>Resolved conflicts</h2>');
  const resolved = r.resolved ?? [];
  if (resolved.length === 0) out.push(r.resolved ? '<p>None.</p>' : '<p>Not recorded in this count.</p>');
  else
    out.push(
      foldTable(
        ['Account', 'Holder', 'Shares', 'Instruments in conflict', 'Chosen', 'Resolved by, at'],
        resolved.map((x) => [
          x.account,
          name(x.account),
          x.shares,
          x.instruments.map((i) => instrumentWords(i, m)).join('; '),
          x.chosen.id,
          `${x.resolution.signedBy}, ${at(x.resolution.receivedAt, m)}`,
        ]),
        new Set([2]),
      ),
    );
  out.push('<h2>Rejected instructions</h2>');
  if (r.rejected.length === 0) out.push('<p>None.</p>');
  else
    out.push(
      `<p>${n(r.rejected.length)} instruction(s) left out of the count: they break the meeting's timeline.</p>`,
      foldTable(
        ['Account', 'Holder', 'Instruction', 'Received', 'Reason'],
        r.rejected.map((x) => [
          x.account,
          name(x.account),
          `${x.channel} ${x.kind} ${x.id}${x.dated ? `, dated ${x.dated}` : ''}`,
          at(x.receivedAt, m),
          x.reason,
        ]),
      ),
    );

  // What was read, and the signatures.
  out.push(
    '<h2>What this count read</h2><dl>',
    `<dt>Input digest (SHA-256)</dt><dd class="digest">${e(r.inputDigest)}</dd>`,
    ...(run?.historyRoot
      ? [`<dt>History digest (Merkle root)</dt><dd class="digest">${e(run.historyRoot)}</dd>`]
      : []),
    '</dl>',
    `<h2>Signatures</h2><p>${status === 'FINAL' ? 'In witness whereof we have signed this certificate.' : 'Preliminary count: not for signature.'}</p><div class="sign">`,
    ...(inspectors.length > 0 ? inspectors.map((i) => i.name) : ['', '']).map(
      (who) =>
        `<div><div class="line"></div><p>${who ? e(who) : 'Name:'}<br>Inspector of election<br>Date:</p></div>`,
    ),
    '</div></main></body></html>',
  );
  return out.join('\n');
}

/** The certificate as CSV, one figure per line: section, proposal, line, measure, value. */
export function renderCertificateCsv(input: CertificateInput): string {
  const { meeting: m, result: r, run } = input;
  const rows: Array<Array<string | number | boolean>> = [['section', 'proposal', 'line', 'measure', 'value']];
  const meeting = (measure: string, value: string | number | boolean) =>
    rows.push(['meeting', '', '', measure, value]);
  const name = (account: string) => input.holderNames?.[account] ?? '';
  meeting('status', certificateStatus(input));
  meeting('meeting', r.meeting);
  meeting('company', m.company.name);
  meeting('time_zone', m.timeZone);
  meeting('meeting_start', zonedInstant(meetingStartMs(m), m.timeZone));
  meeting('record_date', m.recordDate);
  meeting('holders_of_record', r.accounts.total);
  for (const [i, x] of (m.inspectors ?? []).entries()) meeting(`inspector_${i + 1}`, x.name);
  if (run) {
    meeting('run', run.runId);
    meeting('kind', run.kind);
    if (run.requestedBy) meeting('requested_by', run.requestedBy);
    meeting('finished_at', at(run.finishedAt, m));
    if (run.historyRoot) meeting('history_digest', run.historyRoot);
    if (run.openConflictsAccepted) meeting('open_conflicts_accepted', 'yes');
  }
  meeting('input_digest', r.inputDigest);
  meeting('internet_cutoff', zonedInstant(internetCutoffMs(m), m.timeZone));
  meeting('polls_opened_at', zonedInstant(meetingStartMs(m), m.timeZone));
  meeting('polls_closed_at', r.pollsClosedAt ? at(r.pollsClosedAt, m) : '');
  if (input.polls?.closedBy) meeting('polls_closed_by', input.polls.closedBy);
  meeting('shares_outstanding', r.sharesOutstanding);
  meeting('required_quorum', r.requiredQuorum);
  meeting('shares_present', r.sharesPresent);
  meeting('shares_present_pct_outstanding', percent(r.sharesPresent, r.sharesOutstanding));
  meeting('quorum_met', r.quorumMet);
  meeting('cumulative', r.cumulative);
  for (const [k, v] of Object.entries(r.accounts))
    meeting(`accounts_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, v);
  const pr = r.presence;
  if (pr) {
    meeting('shares_present_in_person', pr.inPerson.shares);
    meeting('accounts_present_in_person', pr.inPerson.accounts);
    meeting('shares_present_by_proxy', pr.byProxy.shares);
    meeting('accounts_present_by_proxy', pr.byProxy.accounts);
    for (const c of CHANNELS) {
      const line = (measure: string, value: number) => rows.push(['channel', '', c, measure, value]);
      line('proxies_received', pr.received[c].proxies);
      line('revocations_received', pr.received[c].revocations);
      line('ballots_received', pr.received[c].ballots);
      line('accounts_decided', pr.byChannel[c].accounts);
      line('shares_present', pr.byChannel[c].shares);
    }
    rows.push(['channel', '', 'inspector', 'resolutions', pr.received.inspector.resolutions]);
  }
  for (const p of r.proposals) {
    const N = outstandingIn(p, r);
    if (p.kind === 'election') {
      const line = (who: string, measure: string, value: string | number | boolean) =>
        rows.push(['election', p.id, who, measure, value]);
      line('', 'title', p.title);
      line('', 'seats', p.seats);
      line('', 'standard', p.standard);
      line('', 'unit', p.unit);
      line('', 'outstanding', N);
      for (const l of nomineeLines(p)) {
        const who = l.nominee.name;
        const against = p.standard === 'plurality' ? 'withhold' : 'against';
        if (l.nominee.parties) line(who, 'parties', l.nominee.parties.join(' '));
        line(who, 'for', l.nominee.for);
        line(who, 'for_pct_cast', percent(l.nominee.for, l.cast));
        line(who, 'for_pct_outstanding', percent(l.nominee.for, N));
        line(who, against, l.against);
        line(who, `${against}_pct_cast`, percent(l.against, l.cast));
        line(who, 'broker_non_votes', l.nominee.brokerNonVotes);
        if (p.cumulative) line(who, 'discretionary', l.nominee.discretionary ?? 0);
        line(who, 'result', l.result);
      }
      line('', 'over_votes', p.overVotes);
      line('', 'threshold', p.threshold);
      line('', 'outcome', electionOutcome(p));
    } else {
      const tally = (
        who: string,
        x: Pick<MatterResult, 'for' | 'against' | 'abstain' | 'brokerNonVotes'>,
        outstanding: number,
      ) => {
        const line = (measure: string, value: string | number | boolean) =>
          rows.push(['matter', p.id, who, measure, value]);
        const cast = x.for + x.against;
        line('for', x.for);
        line('for_pct_cast', percent(x.for, cast));
        line('for_pct_outstanding', percent(x.for, outstanding));
        line('against', x.against);
        line('against_pct_cast', percent(x.against, cast));
        line('against_pct_outstanding', percent(x.against, outstanding));
        line('abstain', x.abstain);
        line('broker_non_votes', x.brokerNonVotes);
      };
      const line = (measure: string, value: string | number | boolean) =>
        rows.push(['matter', p.id, '', measure, value]);
      line('title', p.title);
      line('standard', p.standard);
      tally('', p, N);
      line('threshold', p.threshold.rule);
      line('for_needed', p.threshold.forAtLeast);
      line('outcome', matterOutcome(p.outcome));
      const d = p.disinterested;
      if (d) {
        const dl = (measure: string, value: string | number | boolean) =>
          rows.push(['matter', p.id, 'disinterested', measure, value]);
        dl('excluded_accounts', d.excludedAccounts.join(' '));
        dl('excluded_shares', d.excludedShares);
        dl('shares_outstanding', d.sharesOutstanding);
        dl('shares_present', d.sharesPresent);
        tally('disinterested', d, d.sharesOutstanding);
        dl('threshold', d.threshold.rule);
        dl('for_needed', d.threshold.forAtLeast);
        dl('outcome', matterOutcome(d.outcome));
      }
    }
  }
  for (const c of r.conflicts) {
    const line = (measure: string, value: string | number) =>
      rows.push(['conflict', '', c.account, measure, value]);
    line('holder', name(c.account));
    line('shares', c.shares);
    for (const id of c.instruments) {
      const i = r.conflictInstruments?.[id];
      line('instrument', i ? instrumentWords(i, m) : id);
    }
    line('unvoted_proposals', c.proposals.join(' '));
  }
  for (const x of r.resolved ?? []) {
    const line = (measure: string, value: string | number) =>
      rows.push(['resolved', '', x.account, measure, value]);
    line('holder', name(x.account));
    line('shares', x.shares);
    for (const i of x.instruments) line('instrument', instrumentWords(i, m));
    line('chosen', x.chosen.id);
    line('resolved_by', x.resolution.signedBy);
    line('resolved_at', at(x.resolution.receivedAt, m));
  }
  for (const x of r.rejected) {
    const line = (measure: string, value: string) => rows.push(['rejected', '', x.account, measure, value]);
    line('holder', name(x.account));
    line('instruction', x.id);
    line('kind', `${x.channel} ${x.kind}`);
    if (x.dated) line('dated', x.dated);
    line('received_at', at(x.receivedAt, m));
    line('rule', x.rule);
    line('reason', x.reason);
  }
  return `${rows.map((row) => row.map((c) => csvCell(c)).join(',')).join('\r\n')}\r\n`;
}
