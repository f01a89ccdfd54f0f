// The interim vote report's text (totals only, the same for every recipient) and its recipients in the
// deploy settings, checked against the meeting file's parties.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDeploySettings } from '../../infra/deploy-settings.ts';
import { parseInstructionsJsonl } from '../../shared/domain/history.ts';
import { type InvalidInputError, parseMeeting } from '../../shared/domain/meeting.ts';
import { parseRegister } from '../../shared/domain/register.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { recipientProblems, renderVoteReport, reportDigest } from '../../shared/domain/vote-report.ts';

const root = new URL('../../', import.meta.url).pathname;
const meeting = parseMeeting(readFileSync(`${root}meetings/hemacare-2002.json`, 'utf8'));
const contested = parseMeeting(readFileSync(`${root}meetings/hemacare-2002-contested.json`, 'utf8'));
const { holders } = parseRegister(
  readFileSync(`${root}examples/hemacare-2002/register.csv`, 'utf8'),
  meeting.sharesOutstanding,
);
const history = parseInstructionsJsonl(
  readFileSync(`${root}examples/hemacare-2002/instructions.jsonl`, 'utf8'),
);
const result = tabulate(meeting, holders, history, { cumulative: false, pollsClosedAt: null });
const count = {
  runId: '20020520T090000000Z-0a1b2c3d',
  kind: 'nightly',
  startedAt: '2002-05-20T09:00:00.000Z',
  result,
};

describe('the interim vote report', () => {
  const email = renderVoteReport(meeting, count);

  it("states the example's turnout and tally (the README's hand count)", () => {
    expect(email.subject).toBe('HemaCare Corporation: interim vote report as of 2002-05-20 02:00:00 PDT');
    // Present 6,985,000 of 7,595,175 = 91.96...% -> 91.9% (rounded down: never overstated).
    expect(email.text).toContain(
      'Shares present (by proxy or ballot): 6,985,000 of 7,595,175 outstanding (91.9%)',
    );
    expect(email.text).toContain('Quorum: 3,797,588 shares needed, MET');
    expect(email.text).toContain(
      'Accounts with an effective instruction: 6 of 8 holders of record (revoked 1, in conflict awaiting the inspector 1)',
    );
    expect(email.text).toMatch(/Stephen P\. Wallace: FOR 4,185,000 {3}WITHHOLD 600,000/);
    // Other business: FOR 4,185,000, AGAINST 300,000: 93.3% of FOR and AGAINST.
    expect(email.text).toContain(
      'FOR 4,185,000 (93.3% of FOR and AGAINST)   AGAINST 300,000   ABSTAIN 200,000',
    );
    expect(email.text).toContain('Preliminary');
  });

  it('names no holder and no account, though the count has a conflict naming one', () => {
    expect(result.conflicts[0]?.account).toBe('R-1003');
    // A nominee who also holds shares is named as a nominee, never as a holder.
    const nominees = new Set(
      meeting.proposals.flatMap((p) => (p.kind === 'election' ? p.nominees.map((n) => n.name) : [])),
    );
    const named = holders.filter((h) => !nominees.has(h.name));
    expect(named.length).toBeGreaterThanOrEqual(6);
    for (const h of named) {
      expect(email.text).not.toContain(h.account);
      expect(email.text).not.toContain(h.name);
      expect(email.html).not.toContain(h.name);
    }
  });

  it('is one text: its digest depends only on the count', () => {
    expect(reportDigest(renderVoteReport(meeting, count))).toBe(reportDigest(email));
    expect(
      reportDigest(renderVoteReport(meeting, { ...count, runId: '20020521T090000000Z-0a1b2c3d' })),
    ).not.toBe(reportDigest(email));
  });
});

describe('the recipients', () => {
  const settings = (recipients: unknown) =>
    JSON.stringify({
      ...JSON.parse(readFileSync(`${root}meetings/hemacare-2002.deploy.json`, 'utf8')),
      voteReports: { recipients },
    });

  it("the shipped deploy settings' recipients fit their meetings", () => {
    for (const [file, m] of [
      ['hemacare-2002', meeting],
      ['hemacare-2002-contested', contested],
    ] as const) {
      const s = parseDeploySettings(readFileSync(`${root}meetings/${file}.deploy.json`, 'utf8'));
      expect(s.voteReports?.recipients.length).toBeGreaterThan(0);
      expect(recipientProblems(m, s.voteReports?.recipients ?? [])).toEqual([]);
    }
  });

  it('a party the meeting does not name, or a party in a meeting without parties, is refused', () => {
    const r = [
      { party: 'raiders', name: 'R', email: 'r@example.com' },
      { name: 'Secretary', email: 'R@example.com' },
    ];
    expect(recipientProblems(contested, r)).toEqual([
      'voteReports.recipients.0.party: no party "raiders" in the meeting file ("board", "committee")',
      'voteReports.recipients.1.email: R@example.com is listed twice',
    ]);
    expect(recipientProblems(meeting, [{ party: 'board', name: 'B', email: 'b@example.com' }])[0]).toContain(
      'the meeting has no soliciting parties',
    );
  });

  it('a bad address or an empty list is named in the settings', () => {
    const problems = (recipients: unknown) => {
      try {
        parseDeploySettings(settings(recipients));
        return [];
      } catch (e) {
        return (e as InvalidInputError).problems;
      }
    };
    expect(problems([{ name: 'S', email: 'not-an-address' }])).toEqual([
      'voteReports.recipients.0.email: must be an e-mail address',
    ]);
    expect(problems([])).toEqual([
      'voteReports.recipients: must name at least one recipient (or leave voteReports out)',
    ]);
    expect(problems([{ email: 's@example.com' }])).toEqual(['voteReports.recipients.0.name: is required']);
  });
});
