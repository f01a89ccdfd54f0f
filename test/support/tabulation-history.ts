// A meeting's tables in the test DynamoDB Local filled the way the product fills them: a register
// imported with control numbers, then a realistic history written through the voting and operator use
// cases (internet proxies and changes, on-line and written revocations, paper cards entered late, a
// same-date conflict and a resolved one, nominee splits, cumulative allocations, ballots cast at the
// meeting), on a clock that moves from the notice to the meeting, and the polls closed. Seeded: the
// same seed gives the same history.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Votes } from '../../shared/domain/instruction.ts';
import type { Meeting } from '../../shared/domain/meeting.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS, type TableNames, tableNames } from '../../shared/storage/tables.ts';
import { DynamoVoteStore } from '../../shared/storage/vote-store.ts';
import type { TabulationDeps } from '../../shared/tabulation/run.ts';
import { enterForOperator } from '../../shared/voting/operator.ts';
import { importHolders } from '../../shared/voting/register-import.ts';
import { revokeProxy, submitProxy, type VotingDeps } from '../../shared/voting/submit.ts';
import { hemacare, holder } from './builders.ts';

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NOMINEES = ['darlington', 'johnson', 'steffenhagen', 'wallace', 'belisle'];

export interface Receipt {
  account: string;
  receiptCode: string;
  instructionId: string;
  kind: string;
}

export interface TabulationFixture {
  meeting: Meeting;
  prefix: string;
  names: TableNames;
  doc: DynamoDBDocumentClient;
  holders: Holder[];
  controls: Map<string, string>;
  /** The control-number secret, hex (CONTROL_SECRET for the handlers). */
  secretHex: string;
  /** Every receipt handed out, in the order of the writes. */
  receipts: Receipt[];
  /** The clock the use cases ran on (ends after the polls closed). */
  clock: { now: number };
  voting: VotingDeps;
  tabulation: TabulationDeps;
  stop(): Promise<void>;
}

/** The register: two nominee accounts, `retail` holders of record and one large account for the rest. */
export function fixtureHolders(meeting: Meeting, retail: number, random: () => number): Holder[] {
  const holders: Holder[] = [
    holder('CEDE-1', 2_000_000, { name: 'Cede & Co.', nominee: true }),
    holder('BANK-1', 400_000, { name: 'First Trust Bank, nominee', nominee: true }),
  ];
  for (let i = 1; i <= retail; i++) {
    const account = `R-${String(i).padStart(4, '0')}`;
    holders.push(
      holder(account, 100 + Math.floor(random() * 20_000), {
        name: `Holder ${account}`,
        jointNames: random() < 0.1 ? [`Joint ${account}`] : [],
        email: random() < 0.6 || account === 'R-0008' ? `${account.toLowerCase()}@example.com` : null,
        eDelivery: false,
      }),
    );
  }
  const used = holders.reduce((s, h) => s + h.shares, 0);
  holders.push(holder('FOUNDER-1', meeting.sharesOutstanding - used, { name: 'Founder Holdings' }));
  return holders;
}

function randomVotes(h: Holder, random: () => number): Votes {
  const votes: Votes = {};
  const r = random();
  if (r < 0.15) return votes; // a blank card: as the board recommends
  if (r < 0.3) {
    // A cumulative allocation (counts when cumulation is invoked; else FOR the nominees given votes).
    const total = h.shares * 5;
    const a = Math.floor(total * random());
    votes['1'] = { marks: {}, allocation: { darlington: a, wallace: total - a } };
  } else {
    const marks: Record<string, 'FOR' | 'WITHHOLD'> = {};
    for (const n of NOMINEES) {
      const x = random();
      if (x < 0.2) marks[n] = 'WITHHOLD';
      else if (x < 0.7) marks[n] = 'FOR';
    }
    votes['1'] = { marks };
  }
  const m = random();
  if (m < 0.8) votes['2'] = m < 0.5 ? 'FOR' : m < 0.7 ? 'AGAINST' : 'ABSTAIN';
  return votes;
}

const DAY = 86_400_000;
const NOTICE = Date.parse('2002-05-07T16:00:00.000Z');
const BEFORE_CUTOFF = Date.parse('2002-06-12T20:00:00.000Z');
/** 13 June 2002, 09:45 in Los Angeles: the meeting has started. */
const AT_MEETING = Date.parse('2002-06-13T16:45:00.000Z');

/** The local date (meeting time zone) `back` days before the instant. */
function dateBefore(ms: number, back: number): string {
  return new Date(ms - back * DAY - 8 * 3_600_000).toISOString().slice(0, 10);
}

export async function buildTabulationFixture(
  label: string,
  options: { retail?: number; seed?: number; closePolls?: boolean } = {},
): Promise<TabulationFixture> {
  const meeting = hemacare();
  const random = prng(options.seed ?? 20_020_613);
  const prefix = `proxyvote-${label}${randomBytes(4).toString('hex')}`;
  const names = tableNames(meeting.id, prefix);
  const { client, doc } = createDynamoClients({ endpoint: inject('dynamoEndpoint') });
  await createTables(client, names);
  const holders = fixtureHolders(meeting, options.retail ?? 60, random);
  const secret = randomBytes(32);
  const { issued: controls } = await importHolders(doc, names, holders, secret, randomBytes);
  const clock = { now: NOTICE };
  const now = () => clock.now;
  const voting: VotingDeps = {
    meeting,
    store: new DynamoVoteStore(doc, names, now),
    secret,
    now,
    randomBytes,
    maxFailures: 1_000,
  };
  const receipts: Receipt[] = [];
  const control = (account: string) => controls.get(account) as string;
  let key = 0;
  const nextKey = () => `k-${String(++key).padStart(8, '0')}`;
  const internet = async (account: string, votes: Votes) => {
    const r = await submitProxy(
      voting,
      { controlNumber: control(account), votes, idempotencyKey: nextKey() },
      '10.0.0.1',
    );
    receipts.push({ account, receiptCode: r.receiptCode, instructionId: r.instructionId, kind: 'proxy' });
  };
  const revokeOnline = async (account: string) => {
    const r = await revokeProxy(
      voting,
      { controlNumber: control(account), idempotencyKey: nextKey() },
      '10.0.0.1',
    );
    receipts.push({
      account,
      receiptCode: r.receiptCode,
      instructionId: r.instructionId,
      kind: 'revocation',
    });
  };
  const operator = async (entry: Parameters<typeof enterForOperator>[1]) => {
    const r = await enterForOperator(voting, entry);
    receipts.push({
      account: entry.account,
      receiptCode: r.receiptCode,
      instructionId: r.instructionId,
      kind: entry.kind,
    });
    return r;
  };
  const paper = (account: string, dated: string, votes: Votes) =>
    operator({
      kind: 'paper-proxy',
      account,
      operator: 'clerk.lee',
      entryKey: nextKey(),
      dated,
      signedBy: `Holder ${account}`,
      votes,
    });
  const writtenRevocation = (account: string, dated: string) =>
    operator({
      kind: 'revocation',
      account,
      operator: 'clerk.lee',
      entryKey: nextKey(),
      dated,
      signedBy: `Holder ${account}`,
    });

  // Phase 1, from the notice to the internet cut-off: each retail account does 0 to 3 things.
  type Step = { at: number; run: () => Promise<unknown> };
  const steps: Step[] = [];
  const retail = holders.filter((h) => h.account.startsWith('R-'));
  for (const h of retail) {
    const actions = Math.floor(random() * 4);
    for (let k = 0; k < actions; k++) {
      const at = NOTICE + Math.floor(random() * (BEFORE_CUTOFF - NOTICE));
      const what = random();
      if (what < 0.55) steps.push({ at, run: () => internet(h.account, randomVotes(h, random)) });
      else if (what < 0.65) steps.push({ at, run: () => revokeOnline(h.account) });
      else if (what < 0.92) {
        const back = Math.floor(random() * 6);
        steps.push({ at, run: () => paper(h.account, dateBefore(at, back), randomVotes(h, random)) });
      } else
        steps.push({ at, run: () => writtenRevocation(h.account, dateBefore(at, Math.floor(random() * 3))) });
    }
  }
  // Nominee accounts: exact, split proxies.
  steps.push({
    at: Date.parse('2002-06-03T17:00:00.000Z'),
    run: () =>
      internet('CEDE-1', {
        '1': {
          marks: Object.fromEntries(
            NOMINEES.map((n, i) => [n, { FOR: 1_500_000 - i * 10_000, WITHHOLD: 300_000 + i * 10_000 }]),
          ),
        },
        '2': { FOR: 1_200_000, AGAINST: 500_000, ABSTAIN: 100_000 },
      }),
  });
  steps.push({
    at: Date.parse('2002-06-05T17:00:00.000Z'),
    run: () => paper('BANK-1', '2002-06-04', { '2': { FOR: 250_000, AGAINST: 150_000 } }),
  });
  steps.push({ at: Date.parse('2002-05-20T17:00:00.000Z'), run: () => paper('FOUNDER-1', '2002-05-18', {}) });
  // A same-date conflict left open (two cards of 2002-06-03 that differ on proposal 2) ...
  steps.push({
    at: Date.parse('2002-06-04T17:00:00.000Z'),
    run: () => paper('R-0005', '2002-06-03', { '2': 'FOR' }),
  });
  steps.push({
    at: Date.parse('2002-06-04T18:00:00.000Z'),
    run: () => paper('R-0005', '2002-06-03', { '2': 'AGAINST' }),
  });
  // ... a card and a written revocation of one date (every proposal unvoted) ...
  steps.push({
    at: Date.parse('2002-06-05T17:00:00.000Z'),
    run: () => paper('R-0006', '2002-06-04', { '2': 'FOR' }),
  });
  steps.push({
    at: Date.parse('2002-06-05T18:00:00.000Z'),
    run: () => writtenRevocation('R-0006', '2002-06-04'),
  });
  // ... and one the inspector resolves.
  let firstOfSeven = '';
  steps.push({
    at: Date.parse('2002-06-06T17:00:00.000Z'),
    run: async () => {
      firstOfSeven = (await paper('R-0007', '2002-06-05', { '2': 'ABSTAIN' })).instructionId;
    },
  });
  steps.push({
    at: Date.parse('2002-06-06T18:00:00.000Z'),
    run: () => paper('R-0007', '2002-06-05', { '2': 'AGAINST' }),
  });
  steps.push({
    at: Date.parse('2002-06-07T17:00:00.000Z'),
    run: () =>
      operator({
        kind: 'resolution',
        account: 'R-0007',
        operator: 'inspector.ng',
        entryKey: nextKey(),
        chooses: firstOfSeven,
      }),
  });
  // An internet proxy changed twice (the receipts of all three are kept).
  for (const [day, choice] of [
    [8, 'FOR'],
    [9, 'AGAINST'],
    [10, 'ABSTAIN'],
  ] as const)
    steps.push({
      at: Date.parse(`2002-06-${String(day).padStart(2, '0')}T17:00:00.000Z`),
      run: () => internet('R-0008', { '2': choice }),
    });

  steps.sort((a, b) => a.at - b.at);
  for (const s of steps) {
    clock.now = s.at;
    await s.run();
  }
  // Phase 2, at the meeting: ballots cast in person (one over an earlier proxy, one with none).
  clock.now = AT_MEETING;
  for (const account of ['R-0008', 'R-0010', 'R-0011']) {
    clock.now += 60_000;
    await operator({
      kind: 'meeting-ballot',
      account,
      operator: 'clerk.lee',
      entryKey: nextKey(),
      signedBy: `Holder ${account}`,
      votes: { '2': 'AGAINST', '1': { marks: { belisle: 'WITHHOLD' } } },
    });
  }
  clock.now += 3_600_000;
  if (options.closePolls ?? true)
    await voting.store.closePolls({
      closedBy: 'local:inspector.ng',
      closedAt: new Date(clock.now).toISOString(),
    });

  const tabulation: TabulationDeps = {
    meeting,
    doc,
    tables: names,
    now: () => clock.now,
    randomHex: () => randomBytes(4).toString('hex'),
    segments: 4,
    cumulative: false,
  };
  return {
    meeting,
    prefix,
    names,
    doc,
    holders,
    controls,
    secretHex: secret.toString('hex'),
    receipts,
    clock,
    voting,
    tabulation,
    async stop() {
      await Promise.allSettled(
        TABLE_KINDS.map((k) => client.send(new DeleteTableCommand({ TableName: names[k] }))),
      );
      client.destroy();
    },
  };
}
