// Crashes (issue 9): DynamoDB Local, keeping its data in a directory, is killed with SIGKILL in the
// middle of a run of submissions and restarted on the same port and directory. Then:
//   - every submission that got a receipt is in the history, under that receipt code, and in the count;
//   - none that failed is half-written: the storage invariants hold (test/stress/support/consistency.ts)
//     and a failed submission is either wholly stored or absent;
//   - the holders' retries (same idempotency key) end with exactly one stored instruction each.
// This test starts its own DynamoDB Local on a free port (not the suite's in-memory one) and stops it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Votes } from '../../shared/domain/instruction.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { type DynamoLocal, startDynamoLocal } from '../../shared/local/dynamo-local.ts';
import { findFreePort, isPortFree } from '../../shared/local/ports.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { exportHistory, exportRegister } from '../../shared/storage/history-export.ts';
import { tableNames } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { type Receipt, submitProxy } from '../../shared/voting/submit.ts';
import { seededRandom } from '../support/faults.ts';
import { readVotes } from './support/consistency.ts';
import { durableAcknowledgements } from './support/durable-ack.ts';
import { perSecond, reportFigures } from './support/figures.ts';
import { mapBounded } from './support/pool.ts';
import {
  countOf,
  effectiveFromReceipts,
  expectedCount,
  makeHolders,
  meetingFor,
  randomVotes,
} from './support/workload.ts';

const SEED = Number(process.env.STRESS_SEED ?? 20020613) + 2;
const ACCOUNTS = 300;
const BEFORE_KILL = 450;
const KILL_AFTER_RECEIPTS = 200;
const AFTER_RESTART = 150;
const WORKERS = 8;

const dataDir = mkdtempSync(join(tmpdir(), 'proxyvote-crash-'));
let dynamo: DynamoLocal | undefined;

afterAll(async () => {
  await dynamo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** SIGKILL the JVM by its pid and wait until the operating system says it is gone. */
async function killHard(d: DynamoLocal): Promise<void> {
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
    if (d.process.exitCode !== null || d.process.signalCode !== null) resolve(d.process.signalCode);
    else d.process.once('exit', (code, signal) => resolve(signal ?? code));
  });
  process.kill(d.pid, 'SIGKILL');
  expect(await exited).toBe('SIGKILL');
  // The pid no longer names a process (ESRCH), so no JVM lingers to hold the port or the files.
  expect(() => process.kill(d.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
}

describe('crash of DynamoDB Local in the middle of a run', () => {
  it('loses no acknowledged submission and half-writes none', async () => {
    const port = await findFreePort();
    dynamo = await startDynamoLocal({ port, dataDir });
    const { client, doc } = createDynamoClients({ endpoint: dynamo.endpoint });
    const random = seededRandom(SEED);
    const holders = makeHolders(ACCOUNTS, random, 'K');
    const meeting = meetingFor(holders);
    const names = tableNames(meeting.id, 'proxyvote-crash');
    await createTables(client, names);
    const secret = randomBytes(32);
    const { issued } = await importHolders(doc, names, holders, secret, randomBytes);
    // The product's writes are acknowledged only once durable, as on DynamoDB (see durable-ack.ts).
    const barrier = createDynamoClients({ endpoint: dynamo.endpoint, maxAttempts: 1 });
    const durable = durableAcknowledgements(client, barrier.client, names.operations);
    const store = new DynamoVoteStore(doc, names, Date.now);
    const common = { meeting, store, secret, randomBytes, maxFailures: 1_000_000 };

    type Task = { account: string; at: number; votes: Votes; key: string };
    const base = Date.parse('2002-06-03T15:00:00.000Z');
    let seq = 0;
    const makeTasks = (n: number, label: string): Task[] =>
      Array.from({ length: n }, () => {
        const h = holders[Math.floor(random() * holders.length)] as (typeof holders)[number];
        seq += 1;
        return {
          account: h.account,
          at: base + seq * 7,
          votes: randomVotes(h, random),
          key: `${label}-${seq}`,
        };
      });
    const submit = (t: Task) =>
      submitProxy(
        { ...common, now: () => t.at },
        { controlNumber: issued.get(t.account) as string, votes: t.votes, idempotencyKey: t.key },
        '10.2.0.1',
      );

    // Phase 1: the run, with the kill triggered by the receipt count (not by a timer).
    const receipts = new Map<string, Receipt>();
    const failed = new Map<string, { task: Task; error: string }>();
    let crash: Promise<{ downMs: number; startMs: number }> | null = null;
    let receiptsAtKill = 0;
    const beforeKill = new Set<string>();
    let inFlightAtKill = 0;
    let inFlight = 0;
    const runTask = async (t: Task) => {
      inFlight += 1;
      try {
        receipts.set(t.key, await submit(t));
        failed.delete(t.key);
      } catch (e) {
        failed.set(t.key, { task: t, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      } finally {
        inFlight -= 1;
      }
      if (!crash && receipts.size >= KILL_AFTER_RECEIPTS) {
        receiptsAtKill = receipts.size;
        for (const k of receipts.keys()) beforeKill.add(k);
        inFlightAtKill = inFlight;
        const victim = dynamo as DynamoLocal;
        crash = (async () => {
          const t0 = Date.now();
          await killHard(victim);
          expect(await isPortFree(port)).toBe(true);
          const t1 = Date.now();
          dynamo = await startDynamoLocal({ port, dataDir });
          return { downMs: Date.now() - t0, startMs: Date.now() - t1 };
        })();
      }
    };
    const phase1 = makeTasks(BEFORE_KILL, 'run');
    const t0 = Date.now();
    await mapBounded(phase1, WORKERS, runTask);
    expect(crash).not.toBeNull();
    const { downMs, startMs } = await (crash as unknown as Promise<{ downMs: number; startMs: number }>);
    // Phase 2: more submissions on the restarted instance.
    const phase2 = makeTasks(AFTER_RESTART, 'after');
    await mapBounded(phase2, WORKERS, runTask);
    const runMs = Date.now() - t0;
    const failedInRun = failed.size;

    // Right after the restart: the invariants hold, and every receipt is stored under its code.
    const state = await readVotes(doc, names, meeting);
    expect(state.problems).toEqual([]);
    const stored = new Map([...state.history.values()].flat().map((r) => [r.instruction.id, r]));
    const lost = [...receipts.entries()].filter(
      ([, r]) => stored.get(r.instructionId)?.receiptCode !== r.receiptCode,
    );
    expect(
      lost.map(([key, r]) => ({
        key,
        instructionId: r.instructionId,
        receiptCode: r.receiptCode,
        storedCode: stored.get(r.instructionId)?.receiptCode ?? 'missing',
        replayed: r.replayed,
        acknowledgedBeforeTheKill: beforeKill.has(key),
      })),
    ).toEqual([]);
    // A failed submission is wholly stored (instruction and pointer, checked above) or absent: find it
    // by its unique execution time.
    const storedAt = new Map(
      [...stored.values()].map((r) => [`${r.instruction.account}@${r.instruction.receivedAt}`, r]),
    );
    const landed = [...failed.values()].filter((f) =>
      storedAt.has(`${f.task.account}@${new Date(f.task.at).toISOString()}`),
    );
    expect(state.instructions).toBe(receipts.size + landed.length);
    // The count now: every receipt, and the failed ones that landed, in their execution order.
    const counted = tabulate(meeting, await exportRegister(doc, names), await exportHistory(doc, names), {
      cumulative: false,
    });
    const landedAsReceipts: Receipt[] = landed.map((f) => {
      const row = storedAt.get(`${f.task.account}@${new Date(f.task.at).toISOString()}`);
      return {
        account: f.task.account,
        executedAt: row?.instruction.receivedAt ?? '',
        instructionId: row?.instruction.id ?? '',
        kind: 'proxy',
        votes: f.task.votes,
      } as Receipt;
    });
    expect(countOf(counted)).toEqual(
      expectedCount(holders, effectiveFromReceipts([...receipts.values(), ...landedAsReceipts])),
    );

    // Phase 3: each holder whose submission failed retries it with the same key, until it has a receipt.
    const retried = [...failed.values()].map((f) => f.task);
    const retryReceipts = await mapBounded(retried, WORKERS, async (t) => {
      const r = await submit(t);
      receipts.set(t.key, r);
      return r;
    });
    // A retry of a submission that had landed answers with the stored one (same execution time).
    const landedKeys = new Set(landed.map((f) => f.task.key));
    retryReceipts.forEach((r, i) => {
      const task = retried[i] as Task;
      expect(r.replayed).toBe(landedKeys.has(task.key));
      if (r.replayed) expect(r.executedAt).toBe(new Date(task.at).toISOString());
    });
    const final = await readVotes(doc, names, meeting);
    expect(final.problems).toEqual([]);
    expect(final.instructions).toBe(phase1.length + phase2.length);
    const finalStored = new Map(
      [...final.history.values()].flat().map((r) => [r.instruction.id, r.receiptCode]),
    );
    expect([...receipts.values()].filter((r) => finalStored.get(r.instructionId) !== r.receiptCode)).toEqual(
      [],
    );
    const recount = tabulate(meeting, await exportRegister(doc, names), await exportHistory(doc, names), {
      cumulative: false,
    });
    expect(countOf(recount)).toEqual(expectedCount(holders, effectiveFromReceipts(receipts.values())));

    // The first JVM is gone for good; the second one answers on the same port.
    expect(dynamo?.pid).not.toBe(undefined);
    client.destroy();
    barrier.client.destroy();
    reportFigures('crash: SIGKILL of DynamoDB Local mid-run', {
      accounts: ACCOUNTS,
      submissions: phase1.length + phase2.length,
      workers: WORKERS,
      killedAfterReceipts: receiptsAtKill,
      inFlightAtKill,
      failedDuringRun: failedInRun,
      failedButLanded: landed.length,
      failedAndAbsent: failedInRun - landed.length,
      retriedWithSameKey: retried.length,
      storedAtEnd: final.instructions,
      downMs,
      restartMs: startMs,
      durabilityBarriers: durable.barriers(),
      runMs,
      submissionsPerSecond: perSecond(phase1.length + phase2.length, runMs),
    });
  }, 600_000);
});
