// Tabulation under faults (issue 9): "while 5 % of DynamoDB calls fail, tabulation retries or fails
// loudly, and never produces a wrong count". The real client and DynamoDB Local, with the two stacked
// injectors of test/support/faults.ts (per-call: the caller sees every fault; each-attempt: inside the
// SDK's retries), on a register of 2,000 holders (STRESS_TAB_ACCOUNTS) whose votes a clean client wrote.
//   1. The reference: `tabulate` over the export, checked against the receipts, and one fault-free run.
//   2. Many runs with the faulty client: each one either completes with exactly the reference (result,
//      input digest, history digest) or throws (TabulationError, or an injected fault); nothing else.
//   3. What they stored, read back cleanly: every complete snapshot has all its chunks and the reference
//      count; every failed one its problems and no count.
//   4. The final count under faults, after the polls close: retried as an operator would until it is
//      made, made once, equal to the reference; no failed attempt leaves the claim 'running'.
//   5. The windows random faults rarely hit: a fault (or two) at chosen writes of a final run (the claim,
//      the chunks, the header, the settling of the claim), on small tables of their own: the count is
//      made once and is the reference, a failed attempt releases its claim, and an immediate retry never
//      has to wait for the 20-minute lease.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HandlerExecutionContext } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Votes } from '../../shared/domain/instruction.ts';
import type { Meeting } from '../../shared/domain/meeting.ts';
import { type TabulationResult, tabulate } from '../../shared/domain/tabulate.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients, type DynamoClients } from '../../shared/storage/dynamo-client.ts';
import { exportHistory, exportRegister } from '../../shared/storage/history-export.ts';
import { TABLE_KINDS, type TableNames } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { leafLine } from '../../shared/tabulation/live.ts';
import {
  type RunOutcome,
  runTabulation,
  type TabulationDeps,
  TabulationError,
} from '../../shared/tabulation/run.ts';
import { FINAL_LEASE_MS, type SnapshotHeader, SnapshotStore } from '../../shared/tabulation/snapshots.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { type Receipt, revokeProxy, submitProxy, type VotingDeps } from '../../shared/voting/submit.ts';
import {
  type FaultKind,
  faultError,
  faultKindOf,
  injectFaults,
  isInjectedFault,
  seededRandom,
} from '../support/faults.ts';
import { uniqueTableNames } from '../support/local-env.ts';
import { perSecond, reportFigures } from './support/figures.ts';
import { mapBounded, shuffled } from './support/pool.ts';
import {
  countOf,
  effectiveFromReceipts,
  expectedCount,
  makeHolders,
  meetingFor,
  randomVotes,
} from './support/workload.ts';

const SEED = Number(process.env.STRESS_SEED ?? 20020613) + 5;
const RATE = Number(process.env.STRESS_FAULT_RATE ?? 0.05);
const ACCOUNTS = Number(process.env.STRESS_TAB_ACCOUNTS ?? 2_000);
const RUNS = Number(process.env.STRESS_TAB_RUNS ?? 60);
const SEGMENTS = 4;
const CONCURRENCY = 32;
const FINAL_ATTEMPTS = 20;

/** The votes are cast on 4 June 2002; the runs before the close count on the 12th, before the cut-off. */
const VOTING = Date.parse('2002-06-04T12:00:00.000Z');
const BEFORE_CUTOFF = Date.parse('2002-06-12T16:00:00.000Z');
/** 13 June 2002: the polls close at the meeting, 11:00 in Los Angeles; the final count comes after. */
const POLLS_CLOSE = Date.parse('2002-06-13T18:00:00.000Z');
const AFTER_CLOSE = Date.parse('2002-06-13T18:30:00.000Z');

const names = uniqueTableNames('stress-tabfaults');
const clean = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const faulty = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const random = seededRandom(SEED);
let holders: Holder[];
let meeting: Meeting;
let receipts: Receipt[];
let submitMs = 0;
const extraTables: TableNames[] = [];

/**
 * The product's clock as the runs see it: meeting time that moves with the wall clock from `at`
 * (so durations are real), plus what the operator waited (`waited`).
 */
function meetingClock(at: number): { waited: number; now: () => number } {
  const wall = Date.now();
  const clock = { waited: 0, now: () => at + (Date.now() - wall) + clock.waited };
  return clock;
}

/** The run ids' random part, remembered: a run that answers about itself can be told apart. */
function hexSource(): { last: string; next: () => string } {
  const source = {
    last: '',
    next: () => {
      source.last = randomBytes(4).toString('hex');
      return source.last;
    },
  };
  return source;
}

function depsOf(doc: DynamoDBDocumentClient, tables: TableNames, m: Meeting, now: () => number) {
  return {
    meeting: m,
    doc,
    tables,
    now,
    randomHex: () => randomBytes(4).toString('hex'),
    segments: SEGMENTS,
    cumulative: false,
  } satisfies TabulationDeps;
}

/** Every header, newest first, through every page of the list. */
async function allHeaders(store: SnapshotStore): Promise<SnapshotHeader[]> {
  const out: SnapshotHeader[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(20, cursor);
    out.push(...page.runs);
    cursor = page.next ?? undefined;
  } while (cursor);
  return out;
}

/** Items stored under a run's chunk partition (a failed run may leave the chunks it wrote). */
async function chunkItems(doc: DynamoDBDocumentClient, tables: TableNames, runId: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: tables.operations,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `TALLY#${runId}` },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

/** The reference a stored or returned count is held to. */
interface Reference {
  result: TabulationResult;
  /** The history digest's root, accounts and instructions (its `asOf` depends on when a run started). */
  digest: { root: string; accounts: number; instructions: number; scheme: string };
  leaves: string;
}

const digestOf = (h: SnapshotHeader) =>
  h.digest && {
    root: h.digest.root,
    accounts: h.digest.accounts,
    instructions: h.digest.instructions,
    scheme: h.digest.scheme,
  };

/** What is wrong with a complete run's answer, in words (empty: it is the reference exactly). */
function differences(ref: Reference, header: SnapshotHeader, result: TabulationResult | null): string[] {
  const out: string[] = [];
  if (header.status !== 'complete') out.push(`status ${header.status}`);
  if (!result) return [...out, 'no result'];
  if (JSON.stringify(countOf(result)) !== JSON.stringify(countOf(ref.result)))
    out.push(`count ${JSON.stringify(countOf(result))}`);
  if (result.sharesPresent !== ref.result.sharesPresent) out.push(`sharesPresent ${result.sharesPresent}`);
  if (result.quorumMet !== ref.result.quorumMet) out.push(`quorumMet ${result.quorumMet}`);
  if (result.inputDigest !== ref.result.inputDigest) out.push(`result inputDigest ${result.inputDigest}`);
  if (header.inputDigest !== ref.result.inputDigest) out.push(`header inputDigest ${header.inputDigest}`);
  if (JSON.stringify(digestOf(header)) !== JSON.stringify(ref.digest))
    out.push(`digest ${JSON.stringify(digestOf(header))}`);
  if (header.summary?.sharesPresent !== ref.result.sharesPresent)
    out.push(`summary sharesPresent ${header.summary?.sharesPresent}`);
  if (JSON.stringify(result) !== JSON.stringify(ref.result)) out.push('result differs from the reference');
  return out;
}

/**
 * Every stored run, read back with the clean client: a complete header has all its chunks (reading a
 * missing one throws) and the reference's count and leaves; a failed one its problems and no count.
 */
async function storedRunProblems(
  store: SnapshotStore,
  refFor: Reference | ((h: SnapshotHeader) => Reference),
  headers: readonly SnapshotHeader[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const h of headers) {
    const ref = typeof refFor === 'function' ? refFor(h) : refFor;
    if (h.status === 'complete') {
      try {
        const result = await store.result(h);
        for (const d of differences(ref, h, result)) problems.push(`${h.runId} (complete): ${d}`);
        const leaves: string[] = [];
        for await (const leaf of store.leaves(h)) leaves.push(leafLine(leaf));
        if (leaves.join('\n') !== ref.leaves) problems.push(`${h.runId} (complete): leaves differ`);
      } catch (e) {
        problems.push(`${h.runId} (complete): ${String(e)}`);
      }
    } else if (h.status === 'failed') {
      if (!Array.isArray(h.problems) || h.problems.length === 0)
        problems.push(`${h.runId}: failed, no problems`);
      if (h.summary !== null || h.inputDigest !== null || h.resultChunks !== 0)
        problems.push(`${h.runId}: failed with a count`);
    } else problems.push(`${h.runId}: status ${String(h.status)}`);
  }
  return problems;
}

/** A thrown run, by what was thrown: TabulationError, an injected fault by kind, or anything else. */
function thrownKind(e: unknown): string {
  if (e instanceof TabulationError) return `TabulationError/${e.code}`;
  if (isInjectedFault(e)) return `injected ${faultKindOf(e)}`;
  return `other: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

const tally = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

beforeAll(async () => {
  await createTables(clean.client, names);
  holders = makeHolders(ACCOUNTS, random, 'T');
  meeting = meetingFor(holders);
  const secret = randomBytes(32);
  const issued = (await importHolders(clean.doc, names, holders, secret, randomBytes)).issued;
  // Most accounts vote; some change their vote, a few revoke. All through a clean client: the faults
  // are for the count here (the submissions under faults are faults.stress.ts).
  type Task = { h: Holder; at: number; kind: 'proxy' | 'revocation'; votes: Votes; key: string };
  const tasks: Task[] = [];
  holders.forEach((h, i) => {
    if (random() < 0.1) return;
    const t = VOTING + i * 10;
    tasks.push({ h, at: t + 2, kind: 'proxy', votes: randomVotes(h, random), key: `tf-first-${i}` });
    const roll = random();
    if (roll < 0.3)
      tasks.push({ h, at: t + 6, kind: 'proxy', votes: randomVotes(h, random), key: `tf-change-${i}` });
    else if (roll < 0.36) tasks.push({ h, at: t + 7, kind: 'revocation', votes: {}, key: `tf-revoke-${i}` });
  });
  const store = new DynamoVoteStore(clean.doc, names, Date.now);
  const common: Omit<VotingDeps, 'now'> = { meeting, store, secret, randomBytes, maxFailures: 1_000_000 };
  // One viewer address per account: the holders vote from their own devices, so the seeding does not
  // queue every look-up behind one viewer's guess reservation (that contention is guess-limit's test).
  const viewerOf = new Map(holders.map((h, i) => [h.account, `10.9.${(i >> 8) & 255}.${i & 255}`]));
  const t0 = Date.now();
  receipts = await mapBounded(shuffled(tasks, random), CONCURRENCY, (t) => {
    const deps = { ...common, now: () => t.at };
    const controlNumber = issued.get(t.h.account) as string;
    const viewer = viewerOf.get(t.h.account) as string;
    return t.kind === 'proxy'
      ? submitProxy(deps, { controlNumber, votes: t.votes, idempotencyKey: t.key }, viewer)
      : revokeProxy(deps, { controlNumber, idempotencyKey: t.key }, viewer);
  });
  submitMs = Date.now() - t0;
}, 600_000);

afterAll(async () => {
  await Promise.allSettled(
    [names, ...extraTables].flatMap((n) =>
      TABLE_KINDS.map((k) => clean.client.send(new DeleteTableCommand({ TableName: n[k] }))),
    ),
  );
  clean.client.destroy();
  faulty.client.destroy();
});

describe(`tabulation while ${Math.round(RATE * 100)} % of DynamoDB calls fail`, () => {
  let ref: Reference;

  it('the reference: the count of the export is what the receipts acknowledged, and a clean run gives it', async () => {
    const result = tabulate(
      meeting,
      await exportRegister(clean.doc, names),
      await exportHistory(clean.doc, names),
      { cumulative: false },
    );
    expect(countOf(result)).toEqual(expectedCount(holders, effectiveFromReceipts(receipts)));
    const run = await runTabulation(depsOf(clean.doc, names, meeting, meetingClock(BEFORE_CUTOFF).now), {
      kind: 'on-demand',
      requestedBy: 'reference',
    });
    if (run.outcome !== 'complete') throw new Error(`reference run: ${run.outcome}`);
    expect(run.result).toEqual(result);
    expect(run.snapshot.inputDigest).toBe(result.inputDigest);
    const digest = digestOf(run.snapshot);
    if (!digest) throw new Error('the reference run has no digest');
    // The history read is the whole one: every instruction is older than the digest's asOf.
    expect(digest.instructions).toBe(receipts.length);
    const store = new SnapshotStore(clean.doc, names);
    const leaves: string[] = [];
    for await (const leaf of store.leaves(run.snapshot)) leaves.push(leafLine(leaf));
    ref = { result, digest, leaves: leaves.join('\n') };
  });

  it('each run completes with exactly the reference or throws; what they stored reads back whole', async () => {
    const perCall = injectFaults(faulty.client, { rate: RATE, seed: SEED + 10, scope: 'per-call' });
    const perAttempt = injectFaults(faulty.client, { rate: RATE, seed: SEED + 20, scope: 'each-attempt' });
    const clock = meetingClock(BEFORE_CUTOFF);
    const deps = depsOf(faulty.doc, names, meeting, clock.now);

    const completed = new Map<number, string>();
    const thrown = new Map<number, { kind: string; runId: string | undefined; problems: string[] }>();
    const wrong: string[] = [];
    const runMs: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < RUNS; i++) {
      const started = Date.now();
      try {
        const out = await runTabulation(deps, { kind: 'on-demand', requestedBy: `fault-run-${i}` });
        if (out.outcome !== 'complete') wrong.push(`run ${i}: outcome ${out.outcome}`);
        else {
          completed.set(i, out.snapshot.runId);
          for (const d of differences(ref, out.snapshot, out.result)) wrong.push(`run ${i}: ${d}`);
        }
      } catch (e) {
        thrown.set(i, {
          kind: thrownKind(e),
          runId: e instanceof TabulationError ? e.runId : undefined,
          problems: e instanceof TabulationError ? e.problems : [],
        });
      }
      runMs.push(Date.now() - started);
    }
    const faultRunsMs = Date.now() - t0;
    perCall.remove();
    perAttempt.remove();

    // What the runs stored, and what each attempt left (found by its requestedBy).
    const store = new SnapshotStore(clean.doc, names);
    const headers = await allHeaders(store);
    const storedProblems = await storedRunProblems(store, ref, headers);
    const byAttempt = new Map<number, SnapshotHeader[]>();
    for (const h of headers) {
      const m = /^fault-run-(\d+)$/.exec(h.requestedBy);
      if (m) byAttempt.set(Number(m[1]), [...(byAttempt.get(Number(m[1])) ?? []), h]);
    }
    const left: Record<string, number> = {};
    let orphanChunkRuns = 0;
    for (let i = 0; i < RUNS; i++) {
      const stored = byAttempt.get(i) ?? [];
      if (stored.length > 1) wrong.push(`run ${i}: ${stored.length} headers`);
      const h = stored[0];
      const runId = completed.get(i);
      if (runId !== undefined) {
        if (h?.runId !== runId || h.status !== 'complete')
          wrong.push(`run ${i}: complete, stored ${h?.status}`);
        continue;
      }
      const t = thrown.get(i);
      if (!t) continue;
      // A thrown run: no header (its record could not be written either), a failed one, or a complete
      // one whose answer was lost (checked above against the reference like every complete header).
      tally(left, `${t.kind.startsWith('other') ? 'other' : t.kind} -> ${h?.status ?? 'no header'}`);
      if (t.runId !== undefined && h && h.runId !== t.runId) wrong.push(`run ${i}: error names ${t.runId}`);
      if (t.kind.startsWith('other')) wrong.push(`run ${i}: threw ${t.kind}`);
      if (h?.status === 'failed' && (await chunkItems(clean.doc, names, h.runId)) > 0) orphanChunkRuns += 1;
    }
    // Why the runs that said so failed: the faults, never a problem "found" in the (clean) tables.
    const problemsByKind: Record<string, number> = {};
    const notFaults: string[] = [];
    for (const t of thrown.values())
      for (const p of t.problems) {
        const kind = /injected fault \(([^)]+)\)/.exec(p)?.[1];
        tally(problemsByKind, kind ?? p);
        if (!kind && !/conditional request failed/i.test(p)) notFaults.push(p);
      }

    reportFigures(`tabulation faults: ${Math.round(RATE * 100)} % of DynamoDB calls fail`, {
      accounts: ACCOUNTS,
      instructions: receipts.length,
      submitMs,
      submitPerSecond: perSecond(receipts.length, submitMs),
      segments: SEGMENTS,
      runs: RUNS,
      completed: completed.size,
      thrown: thrown.size,
      thrownAndLeft: left,
      failureProblems: problemsByKind,
      failedRunsWithChunksLeft: orphanChunkRuns,
      perCallFaults: perCall.stats,
      perAttemptFaults: perAttempt.stats,
      faultRunsMs,
      runMsMedian: [...runMs].sort((a, b) => a - b)[Math.floor(runMs.length / 2)],
      runMsMax: Math.max(...runMs),
      headersStored: headers.length,
    });
    // The one thing that must never happen: an answer other than the reference (returned or stored).
    expect(wrong).toEqual([]);
    expect(storedProblems).toEqual([]);
    expect(notFaults).toEqual([]);
    expect(completed.size + thrown.size).toBe(RUNS);
    expect(completed.size).toBeGreaterThan(0);
    // Faults of every kind were met, and some runs failed: the runs above were tried, not lucky.
    expect(thrown.size).toBeGreaterThan(0);
    expect(perCall.stats.injected + perAttempt.stats.injected).toBeGreaterThan(RUNS / 2);
  });

  it('the final count, retried as an operator would, is made once and is the reference', async () => {
    const closed = await new DynamoVoteStore(clean.doc, names, Date.now).closePolls({
      closedBy: 'inspector',
      closedAt: new Date(POLLS_CLOSE).toISOString(),
    });
    expect(closed.alreadyClosed).toBe(false);
    // The final count knows when the polls closed, and that enters its input digest (RULES.md section
    // 7): its reference is the recount of the same export with that closing. Nothing came after it.
    const finalRef: Reference = {
      ...ref,
      result: tabulate(
        meeting,
        await exportRegister(clean.doc, names),
        await exportHistory(clean.doc, names),
        {
          cumulative: false,
          pollsClosedAt: closed.closedAt,
        },
      ),
    };
    expect(countOf(finalRef.result)).toEqual(countOf(ref.result));
    expect(finalRef.result.rejected).toEqual([]);
    const refFor = (h: SnapshotHeader) => (h.pollsClosedAt ? finalRef : ref);
    const perCall = injectFaults(faulty.client, { rate: RATE, seed: SEED + 30, scope: 'per-call' });
    const perAttempt = injectFaults(faulty.client, { rate: RATE, seed: SEED + 40, scope: 'each-attempt' });
    const clock = meetingClock(AFTER_CLOSE);
    const hex = hexSource();
    const deps = { ...depsOf(faulty.doc, names, meeting, clock.now), randomHex: hex.next };
    const store = new SnapshotStore(clean.doc, names);

    const attempts: string[] = [];
    // A claim left 'running' by an attempt that threw: the next attempts are told the count is in progress.
    const leftRunning: string[] = [];
    // Attempts told 'final-in-progress' while nothing else runs: the operator waits for the lease.
    const blocked: string[] = [];
    let done: Extract<RunOutcome, { snapshot: SnapshotHeader }> | undefined;
    const t0 = Date.now();
    for (let n = 0; n < FINAL_ATTEMPTS && !done; n++) {
      try {
        const out = await runTabulation(deps, {
          kind: 'final',
          requestedBy: `final-${n}`,
          acceptOpenConflicts: true,
        });
        attempts.push(out.outcome);
        if (out.outcome === 'final-in-progress') {
          const self = out.runId.endsWith(`-${hex.last}`);
          blocked.push(
            `attempt ${n}: in progress by ${self ? 'itself' : 'an earlier attempt'} (${out.runId})`,
          );
          // Nobody else is counting: an operator who retries is refused until the claim's lease runs
          // out, 20 minutes; they wait for it (the clock jumps), and retry.
          clock.waited += FINAL_LEASE_MS + 60_000;
        } else if (out.outcome === 'complete' || out.outcome === 'already-final') done = out;
        else throw new Error(`final: ${out.outcome}`);
      } catch (e) {
        const kind = thrownKind(e);
        attempts.push(kind);
        if (kind.startsWith('other')) throw e;
        const claim = await store.finalClaim();
        if (claim?.status === 'running')
          leftRunning.push(`attempt ${n} threw ${kind}, claim of ${claim.runId} left running`);
      }
    }
    const finalMs = Date.now() - t0;
    perCall.remove();
    perAttempt.remove();

    const headers = await allHeaders(store);
    const finals = headers.filter((h) => h.kind === 'final' && h.status === 'complete').map((h) => h.runId);
    const final = await store.final();
    const storedProblems = await storedRunProblems(store, refFor, headers);
    reportFigures('tabulation faults: the final count', {
      attempts: attempts.length,
      outcomes: attempts,
      claimsLeftRunning: leftRunning,
      blockedByTheLease: blocked,
      operatorWaitedMs: clock.waited,
      completeFinalSnapshots: finals.length,
      perCallFaults: perCall.stats,
      perAttemptFaults: perAttempt.stats,
      finalMs,
    });

    expect(done, `no final count after ${FINAL_ATTEMPTS} attempts: ${attempts.join(', ')}`).toBeDefined();
    if (!final) throw new Error('no final snapshot');
    expect(storedProblems).toEqual([]);
    expect(finals).toEqual([final.runId]);
    expect(done?.snapshot.runId).toBe(final.runId);
    expect(final.digest?.asOf).toBeNull();
    expect(differences(finalRef, final, await store.result(final))).toEqual([]);
    const again = await runTabulation(depsOf(clean.doc, names, meeting, clock.now), {
      kind: 'final',
      requestedBy: 'again',
      acceptOpenConflicts: true,
    });
    expect(again).toMatchObject({ outcome: 'already-final', snapshot: { runId: final.runId } });
    // A failed attempt releases the claim: the next one may count at once, without waiting 20 minutes.
    expect(leftRunning).toEqual([]);
    expect(blocked).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// A fault at a chosen write of a final run. The random faults above reach these windows only now and then
// (a few per cent of the attempts); here each is hit every time.

interface Target {
  command: string;
  /** A piece of the serialized request that singles out the write. */
  marker: string;
  kind: FaultKind;
  scope: 'per-call' | 'each-attempt';
}

/** Fails the first request that matches `target`, before it is sent or after its answer came back. */
function failOnce(client: DynamoClients['client'], target: Target, name: string): { fired: number } {
  const state = { fired: 0 };
  const middleware =
    <A, R>(next: (args: A) => Promise<R>, context: HandlerExecutionContext) =>
    async (args: A): Promise<R> => {
      const raw = (args as { request?: { body?: unknown } }).request?.body;
      // The serialized JSON request (bytes in this SDK version).
      const body =
        raw instanceof Uint8Array ? new TextDecoder().decode(raw) : typeof raw === 'string' ? raw : '';
      if (state.fired > 0 || context.commandName !== target.command || !body.includes(target.marker))
        return next(args);
      state.fired += 1;
      if (target.kind.when === 'before-send') throw faultError(target.kind, target.command);
      await next(args);
      throw faultError(target.kind, target.command);
    };
  // 'build' comes after serialization and outside the SDK's retries; finalizeRequest/low is inside them.
  if (target.scope === 'per-call')
    client.middlewareStack.add(middleware, { step: 'build', priority: 'low', name });
  else client.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name });
  return state;
}

const CLAIM = '"sk":{"S":"FINAL"}';
const CHUNK = '"type":{"S":"tally-chunk"}';
const COMPLETE_HEADER = '"status":{"S":"complete"}';
const LOST: FaultKind = { when: 'after-send', error: 'server' };
const REFUSED: FaultKind = { when: 'before-send', error: 'fatal' };

const WINDOWS: Array<{ title: string; faults: Target[] }> = [
  {
    title: 'the claim is written, its answer lost',
    faults: [{ command: 'PutItemCommand', marker: CLAIM, kind: LOST, scope: 'per-call' }],
  },
  {
    title: 'the claim is written, its answer lost, and the SDK retries the put',
    faults: [{ command: 'PutItemCommand', marker: CLAIM, kind: LOST, scope: 'each-attempt' }],
  },
  {
    title: 'the chunks cannot be written',
    faults: [{ command: 'BatchWriteItemCommand', marker: CHUNK, kind: REFUSED, scope: 'per-call' }],
  },
  {
    title: 'the complete header is written, its answer lost',
    faults: [{ command: 'PutItemCommand', marker: COMPLETE_HEADER, kind: LOST, scope: 'per-call' }],
  },
  {
    title: 'the complete header is written, its answer lost, and the SDK retries the put',
    faults: [{ command: 'PutItemCommand', marker: COMPLETE_HEADER, kind: LOST, scope: 'each-attempt' }],
  },
  {
    title:
      'the complete header is written, its answer lost, the SDK retries the put, and it cannot be read back',
    faults: [
      { command: 'PutItemCommand', marker: COMPLETE_HEADER, kind: LOST, scope: 'each-attempt' },
      { command: 'GetItemCommand', marker: '"sk":{"S":"RUN#', kind: REFUSED, scope: 'per-call' },
    ],
  },
  {
    title: 'the claim cannot be settled complete',
    faults: [{ command: 'UpdateItemCommand', marker: CLAIM, kind: REFUSED, scope: 'per-call' }],
  },
  {
    title: 'the claim is settled complete, its answer lost, and the SDK retries the update',
    faults: [{ command: 'UpdateItemCommand', marker: CLAIM, kind: LOST, scope: 'each-attempt' }],
  },
  {
    title: 'the count fails, and the claim cannot be released',
    faults: [
      { command: 'ScanCommand', marker: '', kind: REFUSED, scope: 'per-call' },
      { command: 'UpdateItemCommand', marker: CLAIM, kind: REFUSED, scope: 'per-call' },
    ],
  },
];

describe('the final count when one of its own writes fails', () => {
  const windowHolders = makeHolders(60, seededRandom(SEED + 50), 'W');
  const windowMeeting = meetingFor(windowHolders);

  for (const w of WINDOWS)
    it(w.title, async () => {
      const tables = uniqueTableNames('stress-tabwin');
      extraTables.push(tables);
      await createTables(clean.client, tables);
      const secret = randomBytes(32);
      const { issued } = await importHolders(clean.doc, tables, windowHolders, secret, randomBytes);
      const voteStore = new DynamoVoteStore(clean.doc, tables, Date.now);
      const wr = seededRandom(SEED + 60);
      for (const [i, h] of windowHolders.entries())
        await submitProxy(
          { meeting: windowMeeting, store: voteStore, secret, randomBytes, now: () => VOTING + i * 1_000 },
          {
            controlNumber: issued.get(h.account) as string,
            votes: randomVotes(h, wr),
            idempotencyKey: `w-${i}`,
          },
          '10.9.0.2',
        );
      await voteStore.closePolls({ closedBy: 'inspector', closedAt: new Date(POLLS_CLOSE).toISOString() });
      const clock = meetingClock(AFTER_CLOSE);
      const reference = await runTabulation(depsOf(clean.doc, tables, windowMeeting, clock.now), {
        kind: 'on-demand',
        requestedBy: 'reference',
      });
      if (reference.outcome !== 'complete') throw new Error(`reference: ${reference.outcome}`);

      const one = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
      const fired = w.faults.map((f, i) => failOnce(one.client, f, `fail-once-${i}`));
      const store = new SnapshotStore(clean.doc, tables);
      let first: string;
      try {
        const out = await runTabulation(depsOf(one.doc, tables, windowMeeting, clock.now), {
          kind: 'final',
          requestedBy: 'faulty',
          acceptOpenConflicts: true,
        });
        first = out.outcome === 'final-in-progress' ? `final-in-progress (${out.runId})` : out.outcome;
      } catch (e) {
        first = thrownKind(e);
      } finally {
        one.client.destroy();
      }
      expect(fired.map((f) => f.fired)).toEqual(w.faults.map(() => 1));
      const claimAfter = await store.finalClaim();
      // At once (the same minute), fault-free: the count is made, or was made by the faulty attempt.
      const retry = await runTabulation(depsOf(clean.doc, tables, windowMeeting, clock.now), {
        kind: 'final',
        requestedBy: 'retry',
        acceptOpenConflicts: true,
      });
      // After the lease too: still the same one final count.
      clock.waited += FINAL_LEASE_MS + 60_000;
      const late = await runTabulation(depsOf(clean.doc, tables, windowMeeting, clock.now), {
        kind: 'final',
        requestedBy: 'late',
        acceptOpenConflicts: true,
      });
      const headers = await allHeaders(store);
      const finals = headers.filter((h) => h.kind === 'final' && h.status === 'complete').map((h) => h.runId);
      const final = await store.final();
      reportFigures(`tabulation faults: final count, ${w.title}`, {
        faults: w.faults.map((f) => `${f.command} ${f.scope} ${f.kind.when}/${f.kind.error}`),
        faultyAttempt: first,
        claimAfterIt: claimAfter ? `${claimAfter.status} (${claimAfter.runId})` : null,
        retryAtOnce: retry.outcome,
        afterTheLease: late.outcome,
        completeFinalSnapshots: finals.length,
      });

      expect(first.startsWith('other'), first).toBe(false);
      // An attempt that did not make the count releases its claim, whatever it answered.
      if (first !== 'complete')
        expect(claimAfter?.status, `the claim after an attempt that answered ${first}`).not.toBe('running');
      expect(['complete', 'already-final'], 'a retry at once').toContain(retry.outcome);
      expect(finals).toHaveLength(1);
      expect(final?.runId).toBe(finals[0]);
      expect(late).toMatchObject({ outcome: 'already-final', snapshot: { runId: final?.runId } });
      if (!final) throw new Error('no final snapshot');
      expect(await store.result(final)).toEqual(reference.result);
      expect(final.inputDigest).toBe(reference.snapshot.inputDigest);
      expect(digestOf(final)).toEqual(digestOf(reference.snapshot));
    });
});
