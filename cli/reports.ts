// proxyvote reports: the interim vote report of a count mailed now to every recipient of the deploy
// settings (the corporate secretary, each soliciting party), and the record of every delivery.
import { parseArgs } from 'node:util';
import { AdminRefused, adminClient } from './admin-client.ts';
import type { Command } from './command.ts';
import { type Out, printJson } from './io.ts';

interface Delivery {
  runId: string;
  countKind: string;
  countStartedAt: string;
  party: string | null;
  name: string;
  email: string;
  reportDigest: string;
  preparedAt: string;
  status: string;
  sentAt: string | null;
  messageId: string | null;
  error: string | null;
  requestedBy: string;
}

interface Outcome {
  runId: string;
  reportDigest: string;
  preparedAt: string;
  sent: Delivery[];
  failed: Delivery[];
  already: string[];
}

const who = (d: Delivery) => `${d.name} <${d.email}>${d.party ? ` (${d.party})` : ''}`;

export const reportsCommands: Command[] = [
  {
    name: 'reports send',
    summary: "Mail a count's interim vote report to every recipient now, at once.",
    synopsis: '[--run nightly|latest|RUN_ID] [--api URL] [--json]',
    role: 'inspector',
    details:
      "The report is the count's tally and turnout in totals (no holder's vote), the same text for the\n" +
      'corporate secretary and every soliciting party (voteReports.recipients in the deploy settings),\n' +
      'sent to all of them together; each delivery is recorded with its time and message id. Default\n' +
      '--run nightly: the newest nightly count (what the hourly schedule mails by itself). A recipient\n' +
      "who already has that count's report is not mailed again.",
    run: (args, io) => send(args, io),
  },
  {
    name: 'reports list',
    summary: 'Every vote report delivery: who, when, which count, message id, the text digest.',
    synopsis: '[--run RUN_ID] [--api URL] [--json]',
    role: 'inspector',
    details:
      'Equal treatment at a glance: for each count, every recipient with the same digest and the\n' +
      'times the reports went out.',
    run: (args, io) => list(args, io),
  },
];

async function send(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      api: { type: 'string' },
      run: { type: 'string', default: 'nightly' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const res = await adminClient(values).request('POST', '/admin/reports', { body: { run: values.run } });
  if (!res.ok && res.status !== 502) throw new AdminRefused(res.status, res.text, 'nothing was mailed');
  const outcome = JSON.parse(res.text) as Outcome;
  if (values.json) printJson(io, outcome);
  else {
    io.out(
      `vote report of count ${outcome.runId} (digest ${outcome.reportDigest.slice(0, 16)}...), prepared ${outcome.preparedAt}\n`,
    );
    for (const d of outcome.sent) io.out(`  sent     ${who(d)} at ${d.sentAt}, message ${d.messageId}\n`);
    for (const d of outcome.failed) io.out(`  FAILED   ${who(d)}: ${d.error}\n`);
    for (const e of outcome.already) io.out(`  already  ${e} (had this count's report; not mailed again)\n`);
  }
  if (outcome.failed.length > 0)
    io.err('some deliveries failed: they are recorded; `proxyvote reports send` again mails only those\n');
  return outcome.failed.length > 0 ? 1 : 0;
}

async function list(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { api: { type: 'string' }, run: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const { deliveries } = await adminClient(values).getJson<{ deliveries: Delivery[] }>(
    '/admin/reports',
    values.run ? { run: values.run } : undefined,
  );
  if (values.json) {
    printJson(io, { deliveries });
    return 0;
  }
  if (deliveries.length === 0) {
    io.out('no vote report delivered yet\n');
    return 0;
  }
  let run = '';
  for (const d of deliveries) {
    if (d.runId !== run) {
      run = d.runId;
      io.out(
        `count ${d.runId} (${d.countKind}, as of ${d.countStartedAt}), prepared ${d.preparedAt} by ${d.requestedBy}, digest ${d.reportDigest.slice(0, 16)}...\n`,
      );
    }
    io.out(
      `  ${d.status.padEnd(8)} ${who(d)}${d.sentAt ? ` at ${d.sentAt}` : ''}${d.messageId ? `, message ${d.messageId}` : ''}${d.error ? `: ${d.error}` : ''}${d.reportDigest.slice(0, 16) === deliveries.find((x) => x.runId === d.runId)?.reportDigest.slice(0, 16) ? '' : ' (A DIFFERENT TEXT)'}\n`,
    );
  }
  return 0;
}
