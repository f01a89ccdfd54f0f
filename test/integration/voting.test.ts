// Voting against DynamoDB Local: submission, revision, revocation, retries, races, guessing, cut-off.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkControlNumber, luhnCheckDigit } from '../../shared/domain/control-number.ts';
import { internetCutoffMs } from '../../shared/domain/meeting.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import {
  fetchBallot,
  revokeProxy,
  submitProxy,
  type VotingDeps,
  VotingError,
} from '../../shared/voting/submit.ts';
import { hemacare, holder } from '../support/builders.ts';
import { uniqueTableNames } from '../support/local-env.ts';

const names = uniqueTableNames('voting');
const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
const meeting = hemacare();
const holders = [
  holder('A-1', 1_000, { name: 'Ann Smith', jointNames: ['Bob Smith'] }),
  holder('B-2', 2_000),
  holder('C-3', 3_000),
  holder('CEDE', meeting.sharesOutstanding - 6_000, { name: 'Cede & Co.', nominee: true }),
];
const SECRET = 'test-secret';
let numbers: Map<string, string>;
let clock = Date.parse('2002-06-01T17:00:00.000Z');
let deps: VotingDeps;
const number = (account: string) => numbers.get(account) as string;
const key = () => randomBytes(8).toString('hex');

beforeAll(async () => {
  await createTables(client, names);
  const store = new DynamoVoteStore(doc, names, () => clock);
  deps = { meeting, store, secret: SECRET, now: () => clock, randomBytes, maxFailures: 5 };
  numbers = (await importHolders(doc, names, holders, SECRET, randomBytes)).issued;
});

afterAll(async () => {
  await Promise.allSettled(
    TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
  );
  client.destroy();
});

async function refusal(p: Promise<unknown>): Promise<VotingError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof VotingError)) throw new Error(`expected a VotingError, got ${String(e)}`);
  return e;
}

describe('register import', () => {
  it('issues one valid control number per account, and none again on re-import', async () => {
    expect(numbers.size).toBe(4);
    for (const n of numbers.values()) expect(checkControlNumber(n).ok).toBe(true);
    const again = await importHolders(doc, names, holders, SECRET, randomBytes);
    expect(again.issued.size).toBe(0);
    expect(again.unchanged).toBe(4);
    // The old numbers still open the ballot.
    expect((await fetchBallot(deps, number('B-2'), '10.0.0.1')).holder.shares).toBe(2_000);
  });
});

describe('submitting and changing a proxy', () => {
  it('records a proxy with a receipt, shows it as current, and a later one replaces it', async () => {
    const first = await submitProxy(
      deps,
      { controlNumber: number('A-1'), votes: { '2': 'AGAINST' }, idempotencyKey: key() },
      '10.0.0.1',
    );
    expect(first).toMatchObject({
      effective: true,
      replayed: false,
      kind: 'proxy',
      executedAt: '2002-06-01T17:00:00.000Z',
    });
    expect(first.receiptCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    clock += 1;
    const second = await submitProxy(
      deps,
      { controlNumber: number('A-1'), votes: { '2': 'FOR' }, idempotencyKey: key(), signedBy: 'Bob Smith' },
      '10.0.0.1',
    );
    expect(second.effective).toBe(true);
    const ballot = await fetchBallot(deps, number('A-1'), '10.0.0.1');
    expect(ballot.current).toMatchObject({ receiptCode: second.receiptCode, votes: { '2': 'FOR' } });
    const history = await deps.store.history('A-1');
    expect(history.map((h) => h.receiptCode)).toEqual([first.receiptCode, second.receiptCode]);
    expect(history[1]?.instruction.signedBy).toBe('Bob Smith');
  });

  it('stores a retried submission once and answers with the same receipt', async () => {
    const idem = key();
    const input = { controlNumber: number('B-2'), votes: { '2': 'FOR' as const }, idempotencyKey: idem };
    const a = await submitProxy(deps, input, '10.0.0.1');
    clock += 5;
    const b = await submitProxy(deps, input, '10.0.0.1');
    expect(b).toMatchObject({
      receiptCode: a.receiptCode,
      replayed: true,
      effective: true,
      executedAt: a.executedAt,
    });
    expect(await deps.store.history('B-2')).toHaveLength(1);
    const e = await refusal(submitProxy(deps, { ...input, votes: { '2': 'AGAINST' } }, '10.0.0.1'));
    expect(e.code).toBe('idempotency-conflict');
    expect(await deps.store.history('B-2')).toHaveLength(1);
  });

  it('refuses an invalid vote naming the field, writing nothing', async () => {
    const e = await refusal(
      submitProxy(
        deps,
        { controlNumber: number('C-3'), votes: { '1': { marks: { nobody: 'FOR' } } }, idempotencyKey: key() },
        '10.0.0.1',
      ),
    );
    expect(e.code).toBe('invalid');
    expect(e.problems).toEqual([
      { path: 'votes.1.marks.nobody', message: 'no nominee "nobody" in proposal 1' },
    ]);
    expect(await deps.store.history('C-3')).toEqual([]);
  });

  it('revokes: the account then has no proxy', async () => {
    clock += 10;
    await submitProxy(deps, { controlNumber: number('C-3'), votes: {}, idempotencyKey: key() }, '10.0.0.1');
    clock += 10;
    const r = await revokeProxy(deps, { controlNumber: number('C-3'), idempotencyKey: key() }, '10.0.0.1');
    expect(r).toMatchObject({ kind: 'revocation', effective: true });
    expect((await fetchBallot(deps, number('C-3'), '10.0.0.1')).current?.kind).toBe('revocation');
  });
});

describe('concurrent submissions for one account', () => {
  it('leave exactly the latest-dated one effective and all of them in the history', async () => {
    const base = Date.parse('2002-06-05T17:00:00.000Z');
    const count = 40;
    // Each submission gets its own receipt time; they race in a shuffled order.
    const order = Array.from({ length: count }, (_, i) => i).sort(() => Math.random() - 0.5);
    const results = await Promise.all(
      order.map((i) =>
        submitProxy(
          { ...deps, now: () => base + i },
          { controlNumber: number('CEDE'), votes: { '2': { FOR: i } }, idempotencyKey: `race-${i}` },
          // From several devices: look-ups in flight at once from one viewer hold guesses of its limit.
          `10.0.2.${i}`,
        ),
      ),
    );
    const history = await deps.store.history('CEDE');
    expect(history).toHaveLength(count);
    const effective = await deps.store.effective('CEDE');
    expect(effective?.instruction.receivedAt).toBe(new Date(base + count - 1).toISOString());
    const latest = results.find((r) => r.executedAt === new Date(base + count - 1).toISOString());
    expect(latest?.effective).toBe(true);
    // The recount of the stored history agrees with the pointer.
    const all = (await Promise.all(holders.map((h) => deps.store.history(h.account))))
      .flat()
      .map((s) => s.instruction);
    const r = tabulate(meeting, holders, all, { cumulative: false });
    const other = r.proposals.find((p) => p.id === '2');
    expect(other?.kind === 'matter' && other.for).toBe(count - 1 + 2_000 + 1_000);
  });
});

describe('control numbers that do not open a ballot', () => {
  it('a typo fails the check digit; an unknown number and a wrong one get the same answer', async () => {
    const good = number('B-2');
    const typo = `${good.slice(0, 3)}${(Number(good[3]) + 1) % 10}${good.slice(4)}`;
    expect((await refusal(fetchBallot(deps, typo, '10.0.0.3'))).code).toBe('invalid');
    const payload = '999999999999999';
    const unknown = `${payload}${luhnCheckDigit(payload)}`;
    const a = await refusal(fetchBallot(deps, unknown, '10.0.0.3'));
    const otherPayload = '123456789012345';
    const b = await refusal(fetchBallot(deps, `${otherPayload}${luhnCheckDigit(otherPayload)}`, '10.0.0.3'));
    expect([a.code, a.message, a.problems]).toEqual([b.code, b.message, b.problems]);
    expect(a.code).toBe('not-recognised');
  });

  it('refuses a source address after 5 failures in the hour, even with a good number', async () => {
    const source = '10.9.9.9';
    for (let i = 0; i < 5; i++) {
      const p = String(100000000000000 + i);
      expect((await refusal(fetchBallot(deps, `${p}${luhnCheckDigit(p)}`, source))).code).toBe(
        'not-recognised',
      );
    }
    expect((await refusal(fetchBallot(deps, number('B-2'), source))).code).toBe('too-many-attempts');
    // Another address is not affected.
    expect((await fetchBallot(deps, number('B-2'), '10.9.9.10')).holder.shares).toBe(2_000);
  });
});

describe('the internet cut-off', () => {
  it('accepts at the cut-off minute and refuses a millisecond after', async () => {
    const cutoff = internetCutoffMs(meeting);
    const at = await submitProxy(
      { ...deps, now: () => cutoff },
      { controlNumber: number('B-2'), votes: {}, idempotencyKey: key() },
      '10.0.0.4',
    );
    expect(at.executedAt).toBe('2002-06-13T03:59:00.000Z');
    const e = await refusal(
      submitProxy(
        { ...deps, now: () => cutoff + 1 },
        { controlNumber: number('B-2'), votes: {}, idempotencyKey: key() },
        '10.0.0.4',
      ),
    );
    expect(e.code).toBe('closed');
    expect(e.message).toContain('2002-06-12T23:59 (America/New_York)');
  });

  it('judges the cut-off when the request reached the API, not on the handler clock (a cold start)', async () => {
    const cutoff = internetCutoffMs(meeting);
    // Reached the API 2 s before the cut-off, handled 3 s after it.
    const late = { ...deps, now: () => cutoff + 3_000 };
    const r = await submitProxy(
      late,
      { controlNumber: number('B-2'), votes: { '2': 'ABSTAIN' }, idempotencyKey: key() },
      '10.0.0.4',
      cutoff - 2_000,
    );
    expect(r.executedAt).toBe('2002-06-13T03:58:58.000Z');
    const rev = await revokeProxy(
      late,
      { controlNumber: number('B-2'), idempotencyKey: key() },
      '10.0.0.4',
      cutoff,
    );
    expect(rev.executedAt).toBe('2002-06-13T03:59:00.000Z');
    // Reached it 1 ms after the cut-off: refused, whatever the handler's clock says.
    const e = await refusal(
      submitProxy(
        { ...deps, now: () => cutoff - 60_000 },
        { controlNumber: number('B-2'), votes: {}, idempotencyKey: key() },
        '10.0.0.4',
        cutoff + 1,
      ),
    );
    expect(e.code).toBe('closed');
  });
});
