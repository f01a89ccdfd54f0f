// Mailing the interim vote report of one count to every recipient in one operation: the report is
// rendered once (the same text for the corporate secretary and every soliciting party), each delivery
// claimed in the operations table, all sent together, each recorded with its message id. A retry
// mails only those not yet reached; a delivery interrupted between SES and its record stays "sending"
// and is never re-sent blind (like a notice).
import type { Meeting } from '../domain/meeting.ts';
import type { TabulationResult } from '../domain/tabulate.ts';
import { type ReportRecipient, renderVoteReport, reportDigest } from '../domain/vote-report.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SnapshotHeader } from '../tabulation/snapshots.ts';
import type { ReportDelivery, ReportDeliveryStore } from './deliveries.ts';

export interface VoteReportDeps {
  meeting: Meeting;
  recipients: readonly ReportRecipient[];
  mailer: Mailer;
  deliveries: ReportDeliveryStore;
  now: () => number;
}

export interface VoteReportOutcome {
  runId: string;
  reportDigest: string;
  preparedAt: string;
  sent: ReportDelivery[];
  failed: ReportDelivery[];
  /** Recipients already sent this count's report (or being sent it): not mailed again. */
  already: string[];
}

export class NoRecipients extends Error {
  constructor() {
    super('No vote report recipients are configured (voteReports.recipients in the deploy settings).');
    this.name = 'NoRecipients';
  }
}

export async function mailVoteReport(
  deps: VoteReportDeps,
  count: { header: SnapshotHeader; result: TabulationResult },
  requestedBy: string,
): Promise<VoteReportOutcome> {
  if (deps.recipients.length === 0) throw new NoRecipients();
  const email = renderVoteReport(deps.meeting, {
    runId: count.header.runId,
    kind: count.header.kind,
    startedAt: count.header.startedAt,
    result: count.result,
  });
  const digest = reportDigest(email);
  const preparedAt = new Date(deps.now()).toISOString();
  const base = (r: ReportRecipient) => ({
    runId: count.header.runId,
    countKind: count.header.kind,
    countStartedAt: count.header.startedAt,
    party: r.party ?? null,
    name: r.name,
    email: r.email,
    reportDigest: digest,
    preparedAt,
    requestedBy,
  });
  // Every claim first, then every send at once: the recipients get the report together.
  const claimed = await Promise.all(
    deps.recipients.map(async (r) => ({ r, ok: await deps.deliveries.claim(base(r)) })),
  );
  const sending = claimed.filter((c) => c.ok).map((c) => c.r);
  const results = await Promise.allSettled(
    sending.map((r) =>
      deps.mailer.send(r.email, email, {
        kind: 'vote-report',
        run: count.header.runId,
        ...(r.party ? { party: r.party } : {}),
      }),
    ),
  );
  const sent: ReportDelivery[] = [];
  const failed: ReportDelivery[] = [];
  await Promise.all(
    results.map(async (res, i) => {
      const r = sending[i] as ReportRecipient;
      if (res.status === 'fulfilled') {
        const sentAt = new Date(deps.now()).toISOString();
        await deps.deliveries.settle(count.header.runId, r.email, {
          status: 'sent',
          sentAt,
          messageId: res.value,
        });
        sent.push({ ...base(r), status: 'sent', sentAt, messageId: res.value, error: null });
      } else {
        const error =
          `${(res.reason as Error)?.name ?? 'Error'}: ${(res.reason as Error)?.message ?? res.reason}`.slice(
            0,
            500,
          );
        await deps.deliveries.settle(count.header.runId, r.email, { status: 'failed', error });
        failed.push({ ...base(r), status: 'failed', sentAt: null, messageId: null, error });
      }
    }),
  );
  return {
    runId: count.header.runId,
    reportDigest: digest,
    preparedAt,
    sent,
    failed,
    already: claimed.filter((c) => !c.ok).map((c) => c.r.email),
  };
}

/**
 * The count the scheduled report goes out from: the newest complete nightly count, while the
 * solicitation is on (no final count yet). Null when there is none or the polls' final count is made.
 */
export async function countToReport(snapshots: {
  list(limit: number, cursor?: string): Promise<{ runs: SnapshotHeader[]; next: string | null }>;
  final(): Promise<SnapshotHeader | null>;
}): Promise<SnapshotHeader | null> {
  if (await snapshots.final()) return null;
  let cursor: string | undefined;
  do {
    const page = await snapshots.list(20, cursor);
    const found = page.runs.find((r) => r.kind === 'nightly' && r.status === 'complete');
    if (found) return found;
    cursor = page.next ?? undefined;
  } while (cursor);
  return null;
}
