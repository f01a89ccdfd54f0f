// Races (issue 9): many submissions at once against DynamoDB Local, through the product's own use cases
// (submitProxy, revokeProxy) and store. Receipt times are injected per submission (deps.now), so the
// order of arrival and the order of execution differ on purpose.
//   1. 200 submissions for one account, all in flight at once: exactly the latest-executed one is
//      effective, all 200 are in the history with the receipt codes that were returned.
//   2. 10,000 accounts voting at once (32 in flight): the count (tabulate over exportHistory and
//      exportRegister) equals, share for share, what the receipts acknowledged.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Votes } from '../../shared/domain/instruction.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import {
  DEFAULT_JAVA_TOOL_OPTIONS,
  type DynamoLocal,
  startDynamoLocal,
} from '../../shared/local/dynamo-local.ts';
import { findFreePort } from '../../shared/local/ports.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { exportHistory, exportRegister } from '../../shared/storage/history-export.ts';
import { TABLE_KINDS, type TableNames } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { type Receipt, revokeProxy, submitProxy, type VotingDeps } from '../../shared/voting/submit.ts';
import { holder } from '../support/builders.ts';
import { seededRandom } from '../support/faults.ts';
import { uniqueTableNames } from '../support/local-env.ts';
import { readVotes } from './support/consistency.ts';
import { perSecond, reportFigures } from './support/figures.ts';
import { mapBounded, shuffled } from './support/pool.ts';
import {
  countOf,
  effectiveFromReceipts,
  expectedCount,
  latestAcknowledged,
  makeHolders,
  meetingFor,
  randomVotes,
} from './support/workload.ts';

const SEED = Number(process.env.STRESS_SEED ?? 20020613);
const ACCOUNTS = Number(process.env.STRESS_ACCOUNTS ?? 10_000);
const CONCURRENCY = 32;
const SECRET = randomBytes(32);
// Its own DynamoDB Local (in memory), started here and stopped by pid in afterAll: at the end of a whole
// stress run the suite's shared one had slowed about tenfold (some 20 items/s, not 200), and the 10,000
// accounts would not fit in the test's time.
let dynamo: DynamoLocal;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const created: TableNames[] = [];

beforeAll(async () => {
  dynamo = await startDynamoLocal({
    port: await findFreePort(),
    javaToolOptions: DEFAULT_JAVA_TOOL_OPTIONS.replace('-Xmx512m', '-Xmx2g'),
  });
  ({ client, doc } = createDynamoClients({ endpoint: dynamo.endpoint }));
});

async function freshTables(label: string): Promise<TableNames> {
  const names = uniqueTableNames(label);
  created.push(names);
  await createTables(client, names);
  return names;
}

afterAll(async () => {
  await Promise.allSettled(
    created.flatMap((names) =>
      TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
    ),
  );
  client?.destroy();
  await dynamo?.stop();
});

function depsAt(base: Omit<VotingDeps, 'now'>, at: number): VotingDeps {
  return { ...base, now: () => at };
}

describe('races', () => {
  it('200 concurrent submissions for one account: the latest effective, all 200 in the history', async () => {
    const names = await freshTables('stress-race1');
    const race = holder('RACE-1', 1_000, { nominee: true, name: 'Race & Co.' });
    const others = holder('REST', 5_000_000);
    const meeting = meetingFor([race, others]);
    const { issued } = await importHolders(doc, names, [race, others], SECRET, randomBytes);
    const control = issued.get(race.account) as string;
    const store = new DynamoVoteStore(doc, names, Date.now);
    const base = { meeting, store, secret: SECRET, randomBytes, maxFailures: 1_000 };
    // Execution times 37 minutes apart: five days, so both the date and the time decide the order.
    const start = Date.parse('2002-06-05T10:00:00.000Z');
    const count = 200;
    const at = (k: number) => start + k * 37 * 60_000;
    const votesOf = (k: number): Votes => ({ '2': { FOR: k, AGAINST: 200 - k, ABSTAIN: 3 } });
    const arrival = shuffled(
      Array.from({ length: count }, (_, k) => k),
      seededRandom(SEED),
    );

    const t0 = Date.now();
    const settled = await Promise.allSettled(
      arrival.map((k) =>
        submitProxy(
          depsAt(base, at(k)),
          { controlNumber: control, votes: votesOf(k), idempotencyKey: `race-one-${k}` },
          '10.1.0.1',
        ),
      ),
    );
    const ms = Date.now() - t0;
    const failed = settled.filter((s) => s.status === 'rejected');
    expect(failed.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
    const receipts = settled.map((s) => (s as PromiseFulfilledResult<Receipt>).value);

    const state = await readVotes(doc, names, meeting);
    expect(state.problems).toEqual([]);
    const history = state.history.get(race.account) ?? [];
    expect(history).toHaveLength(count);
    // Every receipt names a stored instruction with that very receipt code.
    const byId = new Map(history.map((r) => [r.instruction.id, r]));
    for (const r of receipts) expect(byId.get(r.instructionId)?.receiptCode).toBe(r.receiptCode);
    // The history is in execution order, and the pointer is the last one executed.
    expect(history.map((r) => r.instruction.receivedAt)).toEqual(
      Array.from({ length: count }, (_, k) => new Date(at(k)).toISOString()),
    );
    const last = receipts.find((r) => r.executedAt === new Date(at(count - 1)).toISOString());
    expect(last?.effective).toBe(true);
    expect(state.pointers.get(race.account)?.instruction.id).toBe(last?.instructionId);
    expect((await store.effective(race.account))?.receiptCode).toBe(last?.receiptCode);

    // The count reads the last one: FOR 199, AGAINST 1, ABSTAIN 3.
    const r = tabulate(meeting, await exportRegister(doc, names), await exportHistory(doc, names), {
      cumulative: false,
    });
    expect(countOf(r).matter).toEqual({ for: count - 1, against: 1, abstain: 3 });
    expect(countOf(r)).toEqual(expectedCount([race, others], effectiveFromReceipts(receipts)));

    reportFigures('races: 200 submissions for one account', {
      submissions: count,
      inFlightAtOnce: count,
      receipts: receipts.length,
      failed: failed.length,
      appendedNotEffective: receipts.filter((x) => !x.effective).length,
      stored: history.length,
      ms,
      perSecond: perSecond(count, ms),
    });
  }, 300_000);

  it(`${ACCOUNTS} accounts voting at once: the count equals what was acknowledged, share for share`, async () => {
    const names = await freshTables('stress-race10k');
    const random = seededRandom(SEED + 1);
    const holders: Holder[] = makeHolders(ACCOUNTS, random);
    const meeting = meetingFor(holders);

    let t0 = Date.now();
    const { issued } = await importHolders(doc, names, holders, SECRET, randomBytes);
    const importMs = Date.now() - t0;
    expect(issued.size).toBe(ACCOUNTS);

    // Every account votes; some change their vote, some revoke, some send a vote executed earlier than
    // their first (a slower request): all shuffled together, so arrival order says nothing.
    type Task = { h: Holder; at: number; kind: 'proxy' | 'revocation'; votes: Votes; key: string };
    const base = Date.parse('2002-06-01T16:00:00.000Z');
    const tasks: Task[] = [];
    holders.forEach((h, i) => {
      const t = base + i * 10;
      tasks.push({ h, at: t + 5, kind: 'proxy', votes: randomVotes(h, random), key: `first-${i}` });
      const roll = random();
      if (roll < 0.15)
        tasks.push({ h, at: t + 8, kind: 'proxy', votes: randomVotes(h, random), key: `change-${i}` });
      else if (roll < 0.2) tasks.push({ h, at: t + 9, kind: 'revocation', votes: {}, key: `revoke-${i}` });
      else if (roll < 0.25)
        tasks.push({ h, at: t + 1, kind: 'proxy', votes: randomVotes(h, random), key: `earlier-${i}` });
    });
    const order = shuffled(tasks, random);
    const store = new DynamoVoteStore(doc, names, Date.now);
    const common = { meeting, store, secret: SECRET, randomBytes, maxFailures: 1_000 };
    const failures: string[] = [];

    t0 = Date.now();
    const receipts = await mapBounded(order, CONCURRENCY, async (task) => {
      const controlNumber = issued.get(task.h.account) as string;
      const deps = depsAt(common, task.at);
      try {
        return task.kind === 'proxy'
          ? await submitProxy(
              deps,
              { controlNumber, votes: task.votes, idempotencyKey: task.key },
              '10.1.0.2',
            )
          : await revokeProxy(deps, { controlNumber, idempotencyKey: task.key }, '10.1.0.2');
      } catch (e) {
        failures.push(`${task.h.account} ${task.key}: ${String(e)}`);
        return null;
      }
    });
    const submitMs = Date.now() - t0;
    expect(failures).toEqual([]);
    const acknowledged = receipts.filter((r): r is Receipt => r !== null);
    expect(acknowledged).toHaveLength(tasks.length);

    // The storage invariants, and every receipt in the history under its own code.
    t0 = Date.now();
    const state = await readVotes(doc, names, meeting);
    const scanMs = Date.now() - t0;
    expect(state.problems).toEqual([]);
    expect(state.instructions).toBe(tasks.length);
    const stored = new Map([...state.history.values()].flat().map((r) => [r.instruction.id, r.receiptCode]));
    const missing = acknowledged.filter((r) => stored.get(r.instructionId) !== r.receiptCode);
    expect(missing.map((r) => r.instructionId)).toEqual([]);
    // The pointer of every account is its latest acknowledged instruction, which was told it is effective.
    const latest = latestAcknowledged(acknowledged);
    const wrongPointer = [...latest].filter(
      ([a, r]) => state.pointers.get(a)?.instruction.id !== r.instructionId,
    );
    expect(wrongPointer.map(([a]) => a)).toEqual([]);
    expect([...latest.values()].filter((r) => !r.effective).map((r) => r.instructionId)).toEqual([]);

    // The count over the export equals the count of the receipts.
    t0 = Date.now();
    const [register, history] = await Promise.all([exportRegister(doc, names), exportHistory(doc, names)]);
    expect(register).toHaveLength(ACCOUNTS);
    const result = tabulate(meeting, register, history, { cumulative: false });
    const tabulateMs = Date.now() - t0;
    const expected = expectedCount(holders, effectiveFromReceipts(acknowledged));
    expect(countOf(result)).toEqual(expected);
    expect(result.accounts.revoked).toBe([...latest.values()].filter((r) => r.kind === 'revocation').length);

    reportFigures(`races: ${ACCOUNTS} accounts at once`, {
      accounts: ACCOUNTS,
      submissions: tasks.length,
      changes: tasks.filter((t) => t.key.startsWith('change-')).length,
      earlierExecuted: tasks.filter((t) => t.key.startsWith('earlier-')).length,
      revocations: tasks.filter((t) => t.kind === 'revocation').length,
      concurrency: CONCURRENCY,
      receipts: acknowledged.length,
      appendedNotEffective: acknowledged.filter((r) => !r.effective).length,
      importMs,
      importHoldersPerSecond: perSecond(ACCOUNTS, importMs),
      submitMs,
      submissionsPerSecond: perSecond(tasks.length, submitMs),
      scanMs,
      exportAndTabulateMs: tabulateMs,
      sharesPresent: expected.sharesPresent,
      sharesOutstanding: meeting.sharesOutstanding,
      proposal2: expected.matter,
    });
  }, 900_000);
});
