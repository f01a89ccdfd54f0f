// The scheduled vote report (functions/workers.ts): hourly, it mails the newest nightly count's
// interim report to every recipient who has not had it, while the solicitation is on. The first run
// after the nightly count sends it to all at once; a later run reaches only a recipient whose delivery
// failed.
import { runAsFunction } from '../aws/call-recorder.ts';
import type { VoteReportRuntime } from './runtime.ts';
import { countToReport, mailVoteReport, type VoteReportOutcome } from './vote-reports.ts';

export type ScheduledReport =
  | { outcome: 'no-recipients' }
  | { outcome: 'no-count' }
  | { outcome: 'mailed'; report: VoteReportOutcome };

export function runScheduledReport(runtime: VoteReportRuntime): Promise<ScheduledReport> {
  return runAsFunction('vote-report-mailer', async (): Promise<ScheduledReport> => {
    if (runtime.deps.recipients.length === 0) return { outcome: 'no-recipients' };
    const header = await countToReport(runtime.snapshots);
    const result = header ? await runtime.snapshots.result(header) : null;
    if (!header || !result) return { outcome: 'no-count' };
    return { outcome: 'mailed', report: await mailVoteReport(runtime.deps, { header, result }, 'schedule') };
  });
}
