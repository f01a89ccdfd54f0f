// The tabulation worker's events (functions/tabulate/handler.ts, functions/workers.ts):
//   { "action": "nightly" }   EventBridge Scheduler, at the set hour in the meeting's time zone
//   { "action": "watch" }     EventBridge Scheduler, every minute: runs the counts asked for through the
//                             admin API, and the final count once the polls are declared closed
//   { "kind": "on-demand" | "final", "cumulative"?: boolean, "requestedBy"?: string }
//                             a direct invocation (lambda invoke)
// The watch needs no hook in the polls' closing: it reads the POLLS item and the FINAL claim, so a
// final count starts within a minute of the close, once (the claim is conditional).
import * as z from 'zod';
import { runAsFunction } from '../aws/call-recorder.ts';
import { pollsClosedAt, type RunOutcome, runTabulation, TabulationError } from './run.ts';
import type { TabulationRuntime } from './runtime.ts';
import { FINAL_LEASE_MS, RUN_KINDS, type RunKind } from './snapshots.ts';

export const workerEventSchema = z.union([
  z.object({ action: z.enum(['nightly', 'watch']) }),
  z.object({
    kind: z.enum(RUN_KINDS as [RunKind, ...RunKind[]]),
    cumulative: z.boolean().optional(),
    acceptOpenConflicts: z.boolean().optional(),
    requestedBy: z.string().min(1).max(200).optional(),
  }),
]);

export type WorkerEvent = z.infer<typeof workerEventSchema>;

export interface WorkerReport {
  runs: Array<{ trigger: string; outcome: RunOutcome['outcome'] | 'failed'; runId?: string }>;
}

type Log = (message: string, fields: Record<string, unknown>) => void;

/** Run one count; a count that fails on the data is recorded (snapshot, metric) and reported, not thrown. */
async function attempt(
  runtime: TabulationRuntime,
  trigger: string,
  request: Parameters<typeof runTabulation>[1],
  report: WorkerReport,
): Promise<{ outcome: string; runId?: string; detail?: string }> {
  try {
    const out = await runTabulation(runtime.deps, request);
    const runId =
      out.outcome === 'complete' || out.outcome === 'already-final' ? out.snapshot.runId : undefined;
    report.runs.push({ trigger, outcome: out.outcome, ...(runId ? { runId } : {}) });
    return { outcome: out.outcome, ...(runId ? { runId } : {}) };
  } catch (e) {
    if (!(e instanceof TabulationError)) throw e;
    report.runs.push({ trigger, outcome: 'failed', ...(e.runId ? { runId: e.runId } : {}) });
    return {
      outcome: e.code === 'polls-open' ? 'refused' : 'failed',
      ...(e.runId ? { runId: e.runId } : {}),
      detail: e.message,
    };
  }
}

/** The tabulate function's work on one event (its AWS calls are the tabulate function's). */
export function handleWorkerEvent(
  runtime: TabulationRuntime,
  event: unknown,
  log: Log,
): Promise<WorkerReport> {
  return runAsFunction('tabulate', () => workerEvent(runtime, event, log));
}

async function workerEvent(runtime: TabulationRuntime, event: unknown, log: Log): Promise<WorkerReport> {
  const parsed = workerEventSchema.safeParse(event);
  if (!parsed.success) throw new Error(`not a tabulation event: ${JSON.stringify(event).slice(0, 200)}`);
  const e = parsed.data;
  const report: WorkerReport = { runs: [] };
  if ('kind' in e) {
    await attempt(
      runtime,
      'invoke',
      {
        kind: e.kind,
        requestedBy: e.requestedBy ?? 'invoke',
        cumulative: e.cumulative,
        acceptOpenConflicts: e.acceptOpenConflicts,
      },
      report,
    );
    return report;
  }
  if (e.action === 'nightly') {
    await attempt(runtime, 'schedule', { kind: 'nightly', requestedBy: 'schedule' }, report);
    return report;
  }
  // The watch: requests first, oldest first, each taken once.
  const store = runtime.snapshots;
  for (const r of await store.pendingRequests()) {
    if (!(await store.takeRequest(r.requestId, new Date(runtime.deps.now()).toISOString()))) continue;
    log('tabulation request taken', { requestId: r.requestId, kind: r.kind });
    const done = await attempt(
      runtime,
      `request ${r.requestId}`,
      {
        kind: r.kind,
        requestedBy: r.requestedBy,
        cumulative: r.cumulative,
        acceptOpenConflicts: r.acceptOpenConflicts,
      },
      report,
    );
    await store.settleRequest(r.requestId, { status: done.outcome, runId: done.runId, detail: done.detail });
  }
  // Then the final count, once the polls are closed: not when it is made, being made, or failed (a
  // failed final count waits for the inspector, who asks again once the problem is fixed).
  if (await pollsClosedAt(runtime.deps.doc, runtime.deps.tables)) {
    const claim = await store.finalClaim();
    const stale =
      claim?.status === 'running' && Date.parse(claim.claimedAt) + FINAL_LEASE_MS < runtime.deps.now();
    if (!claim || stale)
      await attempt(runtime, 'polls closed', { kind: 'final', requestedBy: 'polls-closed' }, report);
  }
  return report;
}
