// One tabulation run, whoever starts it (the nightly schedule, `proxyvote tabulate run`, the admin API,
// the polls' closing): count live, store the snapshot, publish the metrics.
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError, internetCutoffMs, type Meeting } from '../domain/meeting.ts';
import type { TabulationResult } from '../domain/tabulate.ts';
import { HISTORY_DIGEST_SCHEME } from '../domain/tamper.ts';
import { withRetries } from '../storage/retry.ts';
import type { TableNames } from '../storage/tables.ts';
import { readPolls } from '../storage/vote-store.ts';
import { type LiveOptions, liveTabulate } from './live.ts';
import { publishFailureMetric, publishRunMetrics, publishSkippedRunMetric } from './metrics.ts';
import { newRunId, type RunKind, type SnapshotHeader, SnapshotStore } from './snapshots.ts';

export interface TabulationDeps {
  meeting: Meeting;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  now: () => number;
  /** 8 or more random hex digits for run ids. */
  randomHex: () => string;
  /** Parallel Scan segments. */
  segments: number;
  /** Worker threads for the Scans and what their DynamoDB clients need (live.ts); absent: one thread. */
  threads?: LiveOptions['threads'];
  /** Whether cumulative voting was invoked, for runs that do not say (the schedule, the polls' close). */
  cumulative: boolean;
  metrics?: Metrics;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface RunRequest {
  kind: RunKind;
  requestedBy: string;
  cumulative?: boolean | undefined;
  /**
   * The final count only: the inspector's explicit decision to make it while conflicts are open
   * (RULES.md section 7). Recorded in the snapshot; the certificate lists the conflicts.
   */
  acceptOpenConflicts?: boolean | undefined;
}

export type RunOutcome =
  | { outcome: 'complete'; snapshot: SnapshotHeader; result: TabulationResult }
  /** The final count was already made: the one final snapshot. */
  | { outcome: 'already-final'; snapshot: SnapshotHeader }
  /** Another run is making the final count right now. */
  | { outcome: 'final-in-progress'; runId: string }
  /** A nightly run after the final count: nothing to do. */
  | { outcome: 'skipped'; reason: string };

export class TabulationError extends Error {
  constructor(
    readonly code: 'polls-open' | 'open-conflicts' | 'failed',
    message: string,
    readonly problems: string[] = [],
    readonly runId?: string,
  ) {
    super(message);
    this.name = 'TabulationError';
  }
}

/** Writes that commit later than this after their receipt time cannot exist (API timeout 29 s). */
export const WRITE_SETTLE_MS = 60_000;

export async function pollsClosedAt(doc: DynamoDBDocumentClient, tables: TableNames): Promise<string | null> {
  return (await readPolls(doc, tables))?.closedAt ?? null;
}

/** What a snapshot header says of its run before the run has an outcome. */
type RunBase = Pick<
  SnapshotHeader,
  'runId' | 'kind' | 'meeting' | 'requestedBy' | 'startedAt' | 'cumulative' | 'segments'
>;

export async function runTabulation(deps: TabulationDeps, request: RunRequest): Promise<RunOutcome> {
  const store = new SnapshotStore(deps.doc, deps.tables);
  const startedMs = deps.now();
  const runId = newRunId(startedMs, deps.randomHex());
  const closedAt = await pollsClosedAt(deps.doc, deps.tables);
  const cumulative = request.cumulative ?? deps.cumulative;

  if (request.kind === 'nightly' && (await store.final())) {
    if (deps.metrics) publishSkippedRunMetric(deps.metrics, request.kind);
    return { outcome: 'skipped', reason: 'the final count has been made' };
  }
  if (request.kind === 'final') {
    if (!closedAt)
      throw new TabulationError(
        'polls-open',
        'The final count is made once the polls are declared closed; they are still open.',
      );
    const claim = await store.finalClaim();
    const prior = claim ? await store.header(claim.runId) : null;
    if (claim && prior?.status === 'complete') {
      // The claimed run stored its whole snapshot: that is the final count, even if the claim could
      // not be marked so (its answer lost). Mark it now rather than count a second time.
      if (claim.status !== 'complete') await persist(() => store.settleFinal(claim.runId, 'complete'));
      return { outcome: 'already-final', snapshot: prior };
    }
    // A run that failed, recorded it, and could not release the claim: released here, not after the lease.
    if (claim?.status === 'running' && prior?.status === 'failed')
      await persist(() => store.settleFinal(claim.runId, 'failed'));
    if (!(await store.claimFinal(runId, startedMs))) {
      return { outcome: 'final-in-progress', runId: (await store.finalClaim())?.runId ?? 'unknown' };
    }
  }

  // Once the polls are closed nothing but the inspector's resolutions can be appended, and those end
  // when the final count is claimed: the final count's digest covers everything. Before that a digest
  // covers what was received a minute before the run started, which every write has committed by
  // then, so a later verification of the snapshot is exact.
  const settled =
    closedAt !== null && (request.kind === 'final' || startedMs > internetCutoffMs(deps.meeting));
  const asOf = settled ? null : new Date(startedMs - WRITE_SETTLE_MS).toISOString();
  const base: RunBase = {
    runId,
    kind: request.kind,
    meeting: deps.meeting.id,
    requestedBy: request.requestedBy,
    startedAt: new Date(startedMs).toISOString(),
    cumulative,
    segments: deps.segments,
  };
  deps.log?.('tabulation started', {
    runId,
    kind: request.kind,
    segments: deps.segments,
    threads: deps.threads?.count ?? 1,
    asOf,
  });

  let live: Awaited<ReturnType<typeof liveTabulate>>;
  try {
    live = await liveTabulate(deps.doc, deps.tables, deps.meeting, {
      cumulative,
      segments: deps.segments,
      asOf,
      pollsClosedAt: closedAt,
      ...(deps.threads ? { threads: deps.threads } : {}),
    });
  } catch (e) {
    throw await failRun(deps, store, base, startedMs, e);
  }
  const open = live.result.conflicts;
  if (request.kind === 'final' && open.length > 0 && !request.acceptOpenConflicts) {
    // Not made while a conflict is open, unless the inspector says so (RULES.md section 7): the
    // attempt is recorded as failed, the claim released, and the conflicts named.
    throw await failRun(
      deps,
      store,
      base,
      startedMs,
      new TabulationError(
        'open-conflicts',
        `The final count was not made: ${open.length} conflict(s) are open (${open.reduce((s, c) => s + c.shares, 0)} shares). Resolve them (proxyvote conflicts lists them), or make the final count with them open explicitly (--accept-open-conflicts): the certificate then lists them and the shares they leave unvoted.`,
        open.map(
          (c) =>
            `account ${c.account}: ${c.shares} shares, instruments ${c.instruments.join(', ')}, unvoted on ${c.proposals.join(', ') || 'no proposal'}`,
        ),
      ),
    );
  }

  const finishedMs = deps.now();
  const { result } = live;
  const header: Omit<SnapshotHeader, 'resultChunks' | 'leafChunks' | 'leafIndex'> = {
    ...base,
    status: 'complete',
    finishedAt: new Date(finishedMs).toISOString(),
    durationMs: finishedMs - startedMs,
    inputDigest: result.inputDigest,
    pollsClosedAt: closedAt,
    ...(request.kind === 'final' && open.length > 0 ? { openConflictsAccepted: true } : {}),
    digest: { ...live.digest, scheme: HISTORY_DIGEST_SCHEME },
    summary: {
      sharesPresent: result.sharesPresent,
      requiredQuorum: result.requiredQuorum,
      quorumMet: result.quorumMet,
      openConflicts: result.conflicts.length,
      accounts: result.accounts,
    },
    stats: { ...live.stats },
  };
  let snapshot: SnapshotHeader;
  try {
    snapshot = await store.save(header, result, live.leaves);
  } catch (e) {
    // The header is written last, under a condition: if it is there, the snapshot is whole and only
    // the answer was lost. If it is certainly not there, the run failed like a count that could not be
    // made. If that cannot be known, the claim on the final count is kept: the next attempt reads the
    // header and takes the run as final if it was stored.
    const stored = await persist(() => store.header(runId)).catch(() => undefined);
    if (stored === undefined) {
      if (deps.metrics) publishFailureMetric(deps.metrics, request.kind);
      throw new TabulationError(
        'failed',
        `Run ${runId} counted, but whether its snapshot was stored is not known; run it again.`,
        [errorText(e)],
        runId,
      );
    }
    if (stored?.status !== 'complete') throw await failRun(deps, store, base, startedMs, e);
    snapshot = stored;
  }
  if (request.kind === 'final') {
    try {
      await persist(() => store.settleFinal(runId, 'complete'));
    } catch (e) {
      if (deps.metrics) publishFailureMetric(deps.metrics, request.kind);
      throw new TabulationError(
        'failed',
        `The final count is stored as run ${runId} but could not be marked final; run the final count ` +
          'again: it takes that run as the final count.',
        [errorText(e)],
        runId,
      );
    }
  }
  if (deps.metrics) publishRunMetrics(deps.metrics, snapshot, result);
  deps.log?.('tabulation stored', {
    runId,
    kind: request.kind,
    durationMs: snapshot.durationMs,
    sharesPresent: result.sharesPresent,
    quorumMet: result.quorumMet,
  });
  return { outcome: 'complete', snapshot, result };
}

/** Three attempts with a short backoff, for the idempotent reads and conditional writes of a run. */
const persist = <T>(op: () => Promise<T>): Promise<T> => withRetries(op, 3, 50);

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A run that could not count or could not store its snapshot: recorded as failed in the history of
 * runs (when the table answers), the final count's claim released for a new attempt, the failure
 * metric published; the error returned names the run. Chunks it wrote before failing stay under its
 * run id, unread: a failed header says it has none.
 */
async function failRun(
  deps: TabulationDeps,
  store: SnapshotStore,
  base: RunBase,
  startedMs: number,
  e: unknown,
): Promise<TabulationError> {
  const { runId, kind } = base;
  const finishedMs = deps.now();
  const problems =
    e instanceof InvalidInputError || e instanceof TabulationError ? [...e.problems] : [errorText(e)];
  if (e instanceof TabulationError) problems.unshift(e.message);
  const recorded = await store
    .saveFailed({
      ...base,
      status: 'failed',
      finishedAt: new Date(finishedMs).toISOString(),
      durationMs: finishedMs - startedMs,
      inputDigest: null,
      digest: null,
      summary: null,
      resultChunks: 0,
      leafChunks: 0,
      leafIndex: [],
      stats: {},
      problems,
    })
    .then(
      () => true,
      () => false,
    );
  // Released even when the failure could not be recorded: a claim left 'running' would hold the final
  // count back until its lease ran out.
  const released =
    kind === 'final'
      ? await persist(() => store.settleFinal(runId, 'failed')).then(
          () => true,
          () => false,
        )
      : true;
  if (deps.metrics) publishFailureMetric(deps.metrics, kind);
  deps.log?.('tabulation failed', { runId, problems: problems.length, recorded, released });
  if (e instanceof TabulationError) return new TabulationError(e.code, e.message, e.problems, runId);
  return new TabulationError('failed', `The count could not be made (run ${runId}).`, problems, runId);
}
