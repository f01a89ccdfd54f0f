// The meeting's status in words: the text `proxyvote status` prints and the operator's status page
// (one self-contained HTML page; the admin API allows its style by hash). It does not refresh itself
// (a timed refresh fails WCAG 2.2.1): the operator reloads it.
import { escapeHtml } from '../domain/text.ts';
import type { MeetingStatus } from './status.ts';

const n = (x: number): string => x.toLocaleString('en-US');

/** A duration in days, hours and minutes: "2 d 3 h 14 min", "0 min". */
export function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d} d` : '', d || h ? `${h} h` : '', `${m} min`].filter(Boolean).join(' ');
}

interface Line {
  label: string;
  value: string;
  /** Something an operator should look at. */
  attention?: boolean;
}

interface Section {
  title: string;
  lines: Line[];
}

function sections(s: MeetingStatus): Section[] {
  const p = s.polls;
  const polls: Line[] = [
    {
      label: 'Polls',
      value:
        p.state === 'closed'
          ? `CLOSED at ${p.closedAt} by ${p.closedBy}`
          : p.state === 'paper-only'
            ? 'internet voting CLOSED (cut-off passed); paper and meeting ballots until the polls close'
            : 'OPEN: internet, paper and meeting',
    },
    {
      label: 'Internet cut-off',
      value:
        p.msToCutoff > 0
          ? `${p.internetCutoff} (in ${duration(p.msToCutoff)})`
          : `${p.internetCutoff} (passed)`,
    },
    { label: 'Meeting', value: p.meetingStart },
  ];
  const x = s.notices;
  const notices: Line[] = [
    {
      label: 'Holders of record',
      value: `${n(x.holders)} (${n(x.byEmail)} by e-mail, ${n(x.byPaper)} on paper)`,
    },
    {
      label: 'Notices sent',
      value: `${n(x.sent)} of ${n(x.byEmail)} by e-mail; ${n(x.inFlight)} sending, ${n(x.notYet)} not yet`,
    },
    {
      label: 'Unknown or stuck',
      value: `${n(x.unknown)} unknown, ${n(x.stuck)} stuck`,
      attention: x.unknown + x.stuck > 0,
    },
    {
      label: 'Bounced or complained',
      value: `${n(x.bounced)} bounced, ${n(x.complained)} complained; ${n(x.paperPending)} await a paper notice`,
      attention: x.paperPending > 0,
    },
  ];
  const c = s.count;
  const count: Line[] = c
    ? [
        { label: 'Last count', value: `${c.kind}, finished ${c.finishedAt} (run ${c.runId})` },
        {
          label: 'Shares present',
          value: `${n(c.sharesPresent)} of ${n(c.sharesOutstanding)}; quorum ${n(c.requiredQuorum)}: ${c.quorumMet ? 'REACHED' : `NOT REACHED (${n(c.sharesToQuorum)} more needed)`}`,
          attention: !c.quorumMet,
        },
        {
          label: 'Votes in',
          value: c.votesIn
            ? `${n(c.votesIn.internet)} internet, ${n(c.votesIn.phone)} phone, ${n(c.votesIn.paper)} paper, ${n(c.votesIn.meeting)} at the meeting`
            : 'not recorded by this count',
        },
        {
          label: 'Revocations in',
          value: c.revocationsIn === null ? 'not recorded by this count' : n(c.revocationsIn),
        },
        { label: 'Open conflicts', value: n(c.openConflicts), attention: c.openConflicts > 0 },
        { label: 'Rejected instructions', value: n(c.rejected) },
      ]
    : [
        {
          label: 'Last count',
          value: 'none yet (the nightly count runs after midnight; `proxyvote tabulate run` counts now)',
        },
      ];
  return [
    { title: 'Polls', lines: polls },
    { title: 'Notices', lines: notices },
    { title: 'Votes (as of the last count)', lines: count },
  ];
}

/** The status as the CLI prints it: one line per figure, "!" before what needs attention. */
export function formatStatusText(s: MeetingStatus): string {
  const out = [`${s.meeting.company}: ${s.meeting.title}`, `Status at ${s.at}`];
  for (const section of sections(s)) {
    out.push('', section.title);
    for (const l of section.lines)
      out.push(`${l.attention ? '! ' : '  '}${`${l.label}:`.padEnd(24)}${l.value}`);
  }
  return `${out.join('\n')}\n`;
}

export const STATUS_CSS = `html{-webkit-text-size-adjust:100%}
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#111;background:#fff;margin:1rem auto;max-width:48rem;padding:0 1rem;line-height:1.45;overflow-wrap:anywhere}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.5rem;border-bottom:1px solid #444}
dl{display:grid;grid-template-columns:minmax(9rem,14rem) 1fr;gap:.3rem .8rem;margin:.5rem 0}dt{font-weight:600}dd{margin:0}
.attention{color:#8a1c00;font-weight:700}
@media (max-width:34rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}`;

/** The operator's status page. */
export function renderStatusHtml(s: MeetingStatus): string {
  const e = escapeHtml;
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(`${s.meeting.company}: meeting status`)}</title><style>${STATUS_CSS}</style></head><body><main>`,
    `<h1>${e(s.meeting.company)}: ${e(s.meeting.title)}</h1>`,
    `<p>Status at ${e(s.at)}. Reload the page for the latest figures.</p>`,
  ];
  for (const section of sections(s)) {
    parts.push(`<h2>${e(section.title)}</h2><dl>`);
    for (const l of section.lines)
      parts.push(
        `<dt>${e(l.label)}</dt><dd${l.attention ? ' class="attention"' : ''}>${l.attention ? 'Attention: ' : ''}${e(l.value)}</dd>`,
      );
    parts.push('</dl>');
  }
  parts.push('</main></body></html>');
  return parts.join('\n');
}
