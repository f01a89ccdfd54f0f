// The interim vote report end to end, locally: the contested example meeting, votes on both parties'
// cards, the nightly count, then the report mailed through the SES endpoint (aws-ses-v2-local) to the
// corporate secretary and each soliciting party in one operation - the same text for all, totals only -
// each delivery recorded in DynamoDB and listed by `proxyvote reports list`; the hourly schedule sends
// the next night's report; a failed delivery is retried alone.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/proxyvote.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import type { ReportRecipient } from '../../shared/domain/vote-report.ts';
import type { OperatorRole } from '../../shared/http/operators.ts';
import { ReportDeliveryStore } from '../../shared/reports/deliveries.ts';
import { loadVoteReportRuntime } from '../../shared/reports/runtime.ts';
import { mailVoteReport } from '../../shared/reports/vote-reports.ts';
import { runScheduledReport } from '../../shared/reports/worker.ts';
import { loadTabulationRuntime } from '../../shared/tabulation/runtime.ts';
import { handleWorkerEvent } from '../../shared/tabulation/worker.ts';
import { holder } from '../support/builders.ts';
import { uniqueTableNames } from '../support/local-env.ts';
import { mailTo } from '../support/notices.ts';
import { startVotingStack, type VotingStack } from '../support/voting-stack.ts';

const MEETING_JSON = readFileSync(
  new URL('../../meetings/hemacare-2002-contested.json', import.meta.url),
  'utf8',
);
const meeting = parseMeeting(MEETING_JSON);
const tag = randomBytes(4).toString('hex');
// Addresses no other test file mails (the SES endpoint's store is shared by the whole run).
const recipients: ReportRecipient[] = [
  { name: 'Corporate Secretary, HemaCare Corporation', email: `secretary-${tag}@example.com` },
  { party: 'board', name: "The board's proxy solicitor", email: `board-${tag}@example.com` },
  {
    party: 'committee',
    name: "The Shareholders' Committee for Value",
    email: `committee-${tag}@example.org`,
  },
];
const addresses = recipients.map((r) => r.email);
let stack: VotingStack;

beforeAll(async () => {
  stack = await startVotingStack({
    label: 'reports',
    names: uniqueTableNames('reports', meeting.id),
    holders: [
      holder('V-1', 300_000, { name: 'Vera Quill' }),
      holder('V-2', 200_000, { name: 'Walter Brine' }),
      holder('V-3', 100_000, { name: 'Xena Marsh' }),
      holder('REST', meeting.sharesOutstanding - 600_000, { name: 'Cede & Co.', nominee: true }),
    ],
    asOf: '2002-05-20T17:00:00.000Z',
    env: { MEETING_JSON, VOTE_REPORT_RECIPIENTS: JSON.stringify(recipients) },
  });
  // Vera Quill on the board's card, Walter Brine on the committee's (blank: its recommendations).
  for (const [account, party, votes] of [
    ['V-1', 'board', { '2': 'FOR' }],
    ['V-2', 'committee', {}],
  ] as const) {
    const res = await stack.operators.client(stack.api.url, 'clerk').request('POST', '/admin/entries', {
      body: {
        kind: 'paper-proxy',
        account,
        entryKey: `reports-${account}-0001`,
        dated: '2002-05-15',
        signedBy: account,
        votes,
        party,
      },
    });
    expect(res.status, res.text).toBe(201);
  }
});

afterAll(() => stack?.stop());

async function cli(role: OperatorRole, args: string[]) {
  let out = '';
  let err = '';
  const code = await stack.operators.asProfile(role, stack.api.url, () =>
    main(args, { out: (s) => (out += s), err: (s) => (err += s) }),
  );
  return { code, out, err };
}

/** The nightly count, as the schedule runs it (the tabulate worker's own code). */
async function nightlyCount(): Promise<string> {
  const report = await handleWorkerEvent(loadTabulationRuntime(), { action: 'nightly' }, () => undefined);
  const runId = report.runs[0]?.runId;
  expect(report.runs[0]?.outcome).toBe('complete');
  return runId as string;
}

describe('the interim vote report', () => {
  let firstRun: string;

  it('goes to every recipient at once, the same text, totals only, each delivery recorded', async () => {
    firstRun = await nightlyCount();
    const res = await cli('inspector', ['reports', 'send', '--json']);
    expect(res.code, res.err).toBe(0);
    const outcome = JSON.parse(res.out) as {
      runId: string;
      reportDigest: string;
      sent: Array<{ email: string; messageId: string; party: string | null; reportDigest: string }>;
      already: string[];
    };
    expect(outcome.runId).toBe(firstRun);
    expect(outcome.sent.map((d) => d.email).sort()).toEqual([...addresses].sort());
    expect(outcome.sent.every((d) => d.messageId !== '' && d.reportDigest === outcome.reportDigest)).toBe(
      true,
    );

    const mails = await mailTo(addresses);
    expect(mails).toHaveLength(3);
    const [first] = mails;
    for (const m of mails) {
      expect(m.to).toHaveLength(1);
      expect(m.subject).toBe(first?.subject);
      expect(m.text).toBe(first?.text);
    }
    const text = first?.text ?? '';
    // The stack's clock starts at 10:00 PDT and runs: the count is seconds later.
    expect(first?.subject).toMatch(
      /^HemaCare Corporation: interim vote report as of 2002-05-20 10:0\d:\d\d PDT$/,
    );
    // Present: Vera Quill 300,000 + Walter Brine 200,000 = 500,000 of 7,595,175 (6.5%).
    expect(text).toContain('Shares present (by proxy or ballot): 500,000 of 7,595,175 outstanding (6.5%)');
    // Proposal 2: the board's card votes FOR 300,000; the committee's card gives no recommendation on it.
    expect(text).toMatch(
      /Proposal 2: .*\n {2}FOR 300,000 \(100\.0% of FOR and AGAINST\) {3}AGAINST 0 {3}ABSTAIN 0/,
    );
    expect(text).toContain(`count ${firstRun}, nightly`);
    // Totals only: no holder, no account.
    for (const secret of ['Vera Quill', 'Walter Brine', 'V-1', 'V-2', 'Cede'])
      expect(text).not.toContain(secret);
    // Each party is named as a recipient of the same report.
    expect(text).toContain("The HemaCare Shareholders' Committee for Value");
  });

  it('is not mailed twice for one count; the deliveries are listed with who, when and which count', async () => {
    const again = await cli('inspector', ['reports', 'send']);
    expect(again.code, again.err).toBe(0);
    for (const a of addresses) expect(again.out).toContain(`already  ${a}`);
    expect(await mailTo(addresses)).toHaveLength(3);

    const listed = await cli('inspector', ['reports', 'list', '--json']);
    const { deliveries } = JSON.parse(listed.out) as {
      deliveries: Array<{
        runId: string;
        email: string;
        status: string;
        sentAt: string;
        messageId: string;
        requestedBy: string;
        party: string | null;
      }>;
    };
    expect(deliveries).toHaveLength(3);
    for (const d of deliveries) {
      expect(d).toMatchObject({
        runId: firstRun,
        status: 'sent',
        requestedBy: stack.operators.keys.inspector.userArn,
      });
      expect(Date.parse(d.sentAt)).not.toBeNaN();
      expect(d.messageId).not.toBe('');
    }
    expect(deliveries.find((d) => d.email === addresses[2])?.party).toBe('committee');
    const words = await cli('inspector', ['reports', 'list']);
    expect(words.out).toContain(`count ${firstRun} (nightly`);
    expect(words.out).not.toContain('A DIFFERENT TEXT');
  });

  it("the hourly schedule mails the next night's count to all, and nothing more after", async () => {
    const secondRun = await nightlyCount();
    const runtime = loadVoteReportRuntime();
    const done = await runScheduledReport(runtime);
    expect(done.outcome).toBe('mailed');
    if (done.outcome !== 'mailed') return;
    expect(done.report.runId).toBe(secondRun);
    expect(done.report.sent).toHaveLength(3);
    expect(await mailTo(addresses)).toHaveLength(6);
    const quiet = await runScheduledReport(runtime);
    expect(quiet.outcome === 'mailed' && quiet.report.sent.length).toBe(0);
    expect(await mailTo(addresses)).toHaveLength(6);
    const { deliveries } = JSON.parse(
      (await cli('inspector', ['reports', 'list', '--run', secondRun, '--json'])).out,
    );
    expect(deliveries).toHaveLength(3);
  });

  it('a failed delivery is recorded, and a retry mails only that recipient', async () => {
    const runtime = loadVoteReportRuntime();
    const header = await runtime.snapshots.latest();
    const result = header ? await runtime.snapshots.result(header) : null;
    if (!header || !result) throw new Error('no count');
    const own = recipients.map((r) => ({ ...r, email: r.email.replace('@', '+retry@') }));
    const refused = own[2]?.email as string;
    // The project's mailer port, refusing one address (as SES would a suppressed one).
    const flaky = {
      send: (
        to: string,
        email: Parameters<typeof runtime.deps.mailer.send>[1],
        tags?: Record<string, string>,
      ) =>
        to === refused
          ? Promise.reject(new Error('MessageRejected'))
          : runtime.deps.mailer.send(to, email, tags),
    };
    const deliveries = new ReportDeliveryStore(stack.doc, stack.names);
    const first = await mailVoteReport(
      { ...runtime.deps, recipients: own, mailer: flaky, deliveries },
      { header, result },
      'test',
    );
    expect(first.sent).toHaveLength(2);
    expect(first.failed.map((d) => [d.email, d.status, d.error])).toEqual([
      [refused, 'failed', 'Error: MessageRejected'],
    ]);
    const retry = await mailVoteReport(
      { ...runtime.deps, recipients: own, deliveries },
      { header, result },
      'test',
    );
    expect(retry.sent.map((d) => d.email)).toEqual([refused]);
    expect(retry.already.sort()).toEqual(
      own
        .slice(0, 2)
        .map((r) => r.email)
        .sort(),
    );
    expect(retry.reportDigest).toBe(first.reportDigest);
  });

  it("is the inspector's: the clerk is refused, and nothing is mailed", async () => {
    const res = await cli('clerk', ['reports', 'send']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('refused (403)');
    expect(res.err).toContain('nothing was mailed');
    expect(await mailTo(addresses)).toHaveLength(6);
  });
});
