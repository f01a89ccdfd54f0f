// Faults (issue 9): the real DynamoDB client, talking to the real DynamoDB Local, fails on a share of
// its calls through the fault-injecting middleware (test/support/faults.ts). Two injectors are stacked:
//   - per-call (outside the SDK's retries): the caller sees every fault, before or after the request
//     was sent; 'after-send' means the write happened and the caller was told it failed;
//   - each-attempt (inside the SDK's retries): the SDK retries what is retryable on its own (with the
//     same ClientRequestToken for TransactWriteItems); the caller sees the rest;
//   plus DynamoDB's TransactionConflict on TransactWriteItems, which DynamoDB Local never gives.
// Then: submissions either land whole or fail cleanly; a holder who retries with the same idempotency key
// ends with exactly one stored instruction and the same receipt every time; the count equals what was
// acknowledged.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Votes } from '../../shared/domain/instruction.ts';
import type { Meeting } from '../../shared/domain/meeting.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../shared/storage/dynamo-client.ts';
import { exportHistory, exportRegister } from '../../shared/storage/history-export.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { enterForOperator, type OperatorEntry } from '../../shared/voting/operator.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import {
  type Receipt,
  revokeProxy,
  submitProxy,
  type VotingDeps,
  VotingError,
} from '../../shared/voting/submit.ts';
import {
  ALL_FAULT_KINDS,
  faultKindOf,
  injectFaults,
  isInjectedFault,
  seededRandom,
} from '../support/faults.ts';
import { uniqueTableNames } from '../support/local-env.ts';
import { readVotes } from './support/consistency.ts';
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

const SEED = Number(process.env.STRESS_SEED ?? 20020613) + 3;
const RATE = Number(process.env.STRESS_FAULT_RATE ?? 0.05);
const ACCOUNTS = Number(process.env.STRESS_FAULT_ACCOUNTS ?? 1_000);
const CONCURRENCY = 32;
const MAX_ATTEMPTS = 25;

const names = uniqueTableNames('stress-faults');
const clean = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const faulty = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const secret = randomBytes(32);
const random = seededRandom(SEED);
let holders: Holder[];
let meeting: Meeting;
let issued: Map<string, string>;

beforeAll(async () => {
  await createTables(clean.client, names);
  holders = makeHolders(ACCOUNTS, random, 'F');
  meeting = meetingFor(holders);
  issued = (await importHolders(clean.doc, names, holders, secret, randomBytes)).issued;
});

afterAll(async () => {
  await Promise.allSettled(
    TABLE_KINDS.map((k) => clean.client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  clean.client.destroy();
  faulty.client.destroy();
});

describe('the fault injector itself', () => {
  it('fails the configured share of calls, each one exactly once, and only those', async () => {
    const { client } = createDynamoClients({ endpoint: inject('dynamoEndpoint'), maxAttempts: 1 });
    const faults = injectFaults(client, { rate: RATE, seed: SEED, scope: 'per-call' });
    const calls = 1_000;
    const outcomes = await mapBounded(Array.from({ length: calls }), 16, async (_, i) =>
      client
        .send(
          new GetItemCommand({
            TableName: names.operations,
            Key: { pk: { S: `NONE#${i}` }, sk: { S: 'x' } },
          }),
        )
        .then(
          () => 'ok',
          (e: unknown) => (isInjectedFault(e) ? (faultKindOf(e) as string) : `real: ${String(e)}`),
        ),
    );
    client.destroy();
    const failedCalls = outcomes.filter((o) => o !== 'ok');
    expect(failedCalls.filter((o) => o.startsWith('real'))).toEqual([]);
    expect(failedCalls).toHaveLength(faults.stats.injected);
    expect(faults.stats.calls).toBe(calls);
    // Seeded, so this share is always the same; it must be near the rate asked for.
    expect(faults.stats.injected / calls).toBeGreaterThan(RATE * 0.6);
    expect(faults.stats.injected / calls).toBeLessThan(RATE * 1.4);
    expect(Object.keys(faults.stats.byKind).sort()).toEqual(
      ALL_FAULT_KINDS.map((k) => `${k.when}/${k.error}`).sort(),
    );
  });

  it('works on any SDK client: an SES send that is delivered while the caller is told it failed', async () => {
    // The hook for the notice tests: this is how a notice gets e-mailed twice when a sender retries.
    const ses = new SESClient({
      endpoint: inject('sesEndpoint'),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const faults = injectFaults(ses, {
      rate: 1,
      kinds: [{ when: 'after-send', error: 'server' }],
      commands: ['SendEmailCommand'],
      scope: 'per-call',
    });
    const to = `fault-${randomBytes(4).toString('hex')}@example.com`;
    const sent = ses.send(
      new SendEmailCommand({
        Source: 'proxy@example.com',
        Destination: { ToAddresses: [to] },
        Message: { Subject: { Data: 'fault test' }, Body: { Text: { Data: 'x' } } },
      }),
    );
    await expect(sent).rejects.toSatisfy(isInjectedFault);
    faults.remove();
    const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as {
      emails: Array<{ destination: { to: string[] } }>;
    };
    expect(store.emails.filter((m) => m.destination.to.includes(to))).toHaveLength(1);
    expect(faults.stats).toMatchObject({ calls: 1, injected: 1, byCommand: { SendEmailCommand: 1 } });
    ses.destroy();
  });
});

describe(`submissions while ${Math.round(RATE * 100)} % of DynamoDB calls fail`, () => {
  it('land whole or fail cleanly; retries with the same key end with one instruction and one receipt', async () => {
    const perCall = injectFaults(faulty.client, { rate: RATE, seed: SEED + 10, scope: 'per-call' });
    const perAttempt = injectFaults(faulty.client, { rate: RATE, seed: SEED + 20, scope: 'each-attempt' });
    const conflicts = injectFaults(faulty.client, {
      rate: RATE / 2,
      seed: SEED + 30,
      kinds: [{ when: 'before-send', error: 'conflict' }],
      commands: ['TransactWriteItemsCommand'],
      scope: 'per-call',
      name: 'fault-injection-conflict',
    });
    const store = new DynamoVoteStore(faulty.doc, names, Date.now);
    const common: Omit<VotingDeps, 'now'> = { meeting, store, secret, randomBytes, maxFailures: 1_000_000 };

    type Task = { h: Holder; at: number; kind: 'proxy' | 'revocation'; votes: Votes; key: string };
    const base = Date.parse('2002-06-04T12:00:00.000Z');
    const tasks: Task[] = [];
    holders.forEach((h, i) => {
      const t = base + i * 10;
      tasks.push({ h, at: t + 2, kind: 'proxy', votes: randomVotes(h, random), key: `f-first-${i}` });
      const roll = random();
      if (roll < 0.3)
        tasks.push({ h, at: t + 6, kind: 'proxy', votes: randomVotes(h, random), key: `f-change-${i}` });
      else if (roll < 0.35) tasks.push({ h, at: t + 7, kind: 'revocation', votes: {}, key: `f-revoke-${i}` });
    });
    // A retry comes later than the first attempt: its clock reads later (the stored time is the first's).
    const attempt = (t: Task, n: number): Promise<Receipt> => {
      const deps = { ...common, now: () => t.at + n * 1_000 };
      const controlNumber = issued.get(t.h.account) as string;
      return t.kind === 'proxy'
        ? submitProxy(deps, { controlNumber, votes: t.votes, idempotencyKey: t.key }, '10.3.0.1')
        : revokeProxy(deps, { controlNumber, idempotencyKey: t.key }, '10.3.0.1');
    };

    // Phase 1: one attempt each.
    const first = new Map<string, Receipt>();
    const firstFailures = new Map<string, string>();
    const realErrors: string[] = [];
    let t0 = Date.now();
    await mapBounded(shuffled(tasks, random), CONCURRENCY, async (t) => {
      try {
        first.set(t.key, await attempt(t, 0));
      } catch (e) {
        firstFailures.set(t.key, faultKindOf(e) ?? 'real');
        if (!isInjectedFault(e)) realErrors.push(`${t.key}: ${String(e)}`);
      }
    });
    const phase1Ms = Date.now() - t0;
    // Every failure is one of ours: the product added no error of its own.
    expect(realErrors).toEqual([]);
    expect(firstFailures.size).toBeGreaterThan(0);

    const state = await readVotes(clean.doc, names, meeting);
    expect(state.problems).toEqual([]);
    const storedAt = new Map(
      [...state.history.values()]
        .flat()
        .map((r) => [`${r.instruction.account}@${r.instruction.receivedAt}`, r]),
    );
    for (const r of first.values())
      expect(storedAt.get(`${r.account}@${r.executedAt}`)?.receiptCode).toBe(r.receiptCode);
    const landed = tasks.filter(
      (t) => firstFailures.has(t.key) && storedAt.has(`${t.h.account}@${new Date(t.at).toISOString()}`),
    );
    expect(state.instructions).toBe(first.size + landed.length);
    // Only a fault after a transaction was sent can hide a write from its caller.
    const afterSendTransactions = [perCall, perAttempt]
      .flatMap((f) => Object.entries(f.stats.byKind).filter(([k]) => k.startsWith('after-send/')))
      .reduce((s, [, n]) => s + n, 0);
    expect(landed.length).toBeLessThanOrEqual(afterSendTransactions);

    // Phase 2: every holder whose attempt failed retries with the same key until a receipt comes.
    const receipts = new Map(first);
    const attemptsNeeded: number[] = [];
    t0 = Date.now();
    const untilReceipt = async (t: Task, from: number): Promise<Receipt> => {
      for (let n = from; n < from + MAX_ATTEMPTS; n++) {
        try {
          const r = await attempt(t, n);
          attemptsNeeded.push(n - from + 1);
          return r;
        } catch (e) {
          if (!isInjectedFault(e)) throw e;
        }
      }
      throw new Error(`${t.key}: no receipt after ${MAX_ATTEMPTS} attempts`);
    };
    const retried = tasks.filter((t) => firstFailures.has(t.key));
    await mapBounded(retried, CONCURRENCY, async (t) => {
      receipts.set(t.key, await untilReceipt(t, 1));
    });
    const landedKeys = new Set(landed.map((t) => t.key));
    let retryLanded = 0;
    for (const t of retried) {
      const r = receipts.get(t.key) as Receipt;
      if (landedKeys.has(t.key)) {
        // A retry of a write that had landed is answered with the stored instruction, as a replay.
        const row = storedAt.get(`${t.h.account}@${new Date(t.at).toISOString()}`);
        expect([r.replayed, r.receiptCode, r.executedAt]).toEqual([
          true,
          row?.receiptCode,
          row?.instruction.receivedAt,
        ]);
      } else {
        // Stored by one of the retries, executed when that retry came (a replay when an earlier retry
        // landed but was told it failed).
        expect(Date.parse(r.executedAt)).toBeGreaterThanOrEqual(t.at + 1_000);
        if (r.replayed) retryLanded += 1;
      }
    }
    // Phase 3: every holder asks again with the same key: the very same receipt, nothing new stored.
    const again = await mapBounded(tasks, CONCURRENCY, (t) => untilReceipt(t, 50));
    const phase23Ms = Date.now() - t0;
    const differing = tasks.filter((t, i) => {
      const a = receipts.get(t.key) as Receipt;
      const b = again[i] as Receipt;
      return (
        a.receiptCode !== b.receiptCode ||
        a.executedAt !== b.executedAt ||
        a.instructionId !== b.instructionId ||
        !b.replayed
      );
    });
    expect(differing.map((t) => t.key)).toEqual([]);

    const final = await readVotes(clean.doc, names, meeting);
    expect(final.problems).toEqual([]);
    expect(final.instructions).toBe(tasks.length);
    const byId = new Map([...final.history.values()].flat().map((r) => [r.instruction.id, r.receiptCode]));
    expect([...receipts.values()].filter((r) => byId.get(r.instructionId) !== r.receiptCode)).toEqual([]);

    // The count over the export equals what the receipts acknowledged.
    const result = tabulate(
      meeting,
      await exportRegister(clean.doc, names),
      await exportHistory(clean.doc, names),
      {
        cumulative: false,
      },
    );
    const expected = expectedCount(holders, effectiveFromReceipts(receipts.values()));
    expect(countOf(result)).toEqual(expected);

    const firstFailureKinds: Record<string, number> = {};
    for (const k of firstFailures.values()) firstFailureKinds[k] = (firstFailureKinds[k] ?? 0) + 1;
    reportFigures(`faults: ${Math.round(RATE * 100)} % of DynamoDB calls fail`, {
      accounts: ACCOUNTS,
      submissions: tasks.length,
      concurrency: CONCURRENCY,
      perCallFaults: perCall.stats,
      perAttemptFaults: perAttempt.stats,
      transactionConflicts: conflicts.stats,
      firstAttempt: {
        landed: first.size,
        failed: firstFailures.size,
        failedButWritten: landed.length,
        failedAndNotWritten: firstFailures.size - landed.length,
        failuresByKind: firstFailureKinds,
      },
      retried: retried.length,
      retriesAnsweredByAnEarlierRetryThatLanded: retryLanded,
      maxAttemptsForAReceipt: Math.max(...attemptsNeeded),
      repeatedWithSameKey: tasks.length,
      storedAtEnd: final.instructions,
      phase1Ms,
      phase1PerSecond: perSecond(tasks.length, phase1Ms),
      retriesAndRepeatsMs: phase23Ms,
      sharesPresent: expected.sharesPresent,
    });
    perCall.remove();
    perAttempt.remove();
    conflicts.remove();
  }, 900_000);
});

describe('operator entries while DynamoDB calls fail', () => {
  it('a retried entry ends stored once with one receipt; its key reused for another entry is refused', async () => {
    const faults = injectFaults(faulty.client, { rate: RATE * 2, seed: SEED + 40, scope: 'per-call' });
    const store = new DynamoVoteStore(faulty.doc, names, Date.now);
    // 10 June 2002, 10:00 in Los Angeles: paper entries are open.
    const deps: VotingDeps = {
      meeting,
      store,
      secret,
      randomBytes,
      now: () => Date.parse('2002-06-10T17:00:00.000Z'),
    };
    const entries: OperatorEntry[] = holders.slice(0, 200).map((h, i) => ({
      kind: 'paper-proxy',
      account: h.account,
      operator: 'clerk',
      entryKey: `paper-entry-${i}`,
      dated: '2002-06-0' + (1 + (i % 9)),
      signedBy: h.name,
      votes: h.nominee ? { '2': { FOR: 1 } } : { '2': i % 2 ? 'FOR' : 'AGAINST' },
    }));
    let failures = 0;
    const enter = async (e: OperatorEntry) => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try {
          return await enterForOperator(deps, e);
        } catch (err) {
          if (!isInjectedFault(err)) throw err;
          failures += 1;
        }
      }
      throw new Error(`${e.entryKey}: no receipt after ${MAX_ATTEMPTS} attempts`);
    };
    const first = await mapBounded(entries, CONCURRENCY, enter);
    const again = await mapBounded(entries, CONCURRENCY, enter);
    expect(again.map((r) => [r.instructionId, r.receiptCode, r.replayed])).toEqual(
      first.map((r) => [r.instructionId, r.receiptCode, true]),
    );
    const state = await readVotes(clean.doc, names, meeting);
    expect(state.problems).toEqual([]);
    const ids = new Set(first.map((r) => r.instructionId));
    const stored = [...state.history.values()].flat().filter((r) => ids.has(r.instruction.id));
    expect(stored.map((r) => r.receiptCode).sort()).toEqual(first.map((r) => r.receiptCode).sort());

    // The same key for a different card (another date, other votes): refused like a reused
    // idempotency key on-line, not answered with the first card as if it were a retry of it.
    faults.setRate(0);
    const reused = await enterForOperator(deps, {
      ...(entries[1] as OperatorEntry & { kind: 'paper-proxy' }),
      dated: '2002-06-09',
      votes: { '2': 'ABSTAIN' },
    }).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(VotingError);
    expect((reused as VotingError).code).toBe('idempotency-conflict');
    faults.remove();
    reportFigures('faults: operator entries', {
      entries: entries.length,
      faultShare: RATE * 2,
      faults: faults.stats,
      failedAttemptsRetried: failures,
      storedOnce: stored.length,
    });
  }, 600_000);
});
