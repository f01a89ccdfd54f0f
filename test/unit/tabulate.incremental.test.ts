// The incremental tabulator (the live count's form of the rules) equals tabulate() on generated
// registers and histories, whatever order the accounts come in; and the compact discretionary pools
// allocate exactly as the proxies one by one (RULES.md section 6, cumulative).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCumulative, type DiscretionPolicy } from '../../shared/domain/cumulative.ts';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Instruction, Votes } from '../../shared/domain/instruction.ts';
import { type Meeting, meetingSchema } from '../../shared/domain/meeting.ts';
import {
  checkHistory,
  DiscretionaryPools,
  type TabulationResult,
  Tabulator,
  tabulate,
} from '../../shared/domain/tabulate.ts';
import { hemacare, holder } from '../support/builders.ts';

const base = hemacare();
const nomineeIds = ['a', 'b', 'c', 'd'];

function meetingFor(holders: Holder[], policy: DiscretionPolicy): Meeting {
  return meetingSchema.parse({
    ...base,
    sharesOutstanding: holders.reduce((s, h) => s + h.shares, 0),
    cumulativeDiscretion: policy,
    proposals: [
      {
        kind: 'election',
        id: 'e',
        title: 'Three directors',
        seats: 3,
        standard: 'plurality',
        cumulativeVotingAllowed: true,
        routine: false,
        nominees: nomineeIds.map((id) => ({ id, name: id, boardRecommends: id !== 'd' })),
      },
      {
        kind: 'matter',
        id: 'm',
        title: 'M',
        standard: 'majority-present-and-voting-and-of-quorum',
        routine: false,
        boardRecommendation: 'FOR',
      },
    ],
  });
}

// The arbitraries follow test/unit/tabulate.property.test.ts: valid votes for each holder, and
// internet, paper, revocation and meeting instructions within a month.
const holdersArb = fc
  .array(fc.record({ shares: fc.integer({ min: 1, max: 1_000_000 }), nominee: fc.boolean() }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((xs) => xs.map((x, i) => holder(`H${i}`, x.shares, { nominee: x.nominee })));

function votesArb(h: Holder): fc.Arbitrary<Votes> {
  const matterVote = h.nominee
    ? fc.oneof(
        fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN'),
        fc.nat({ max: h.shares }).map((f) => ({ FOR: f, AGAINST: h.shares - f })),
      )
    : fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN');
  const marks = fc
    .dictionary(fc.constantFrom(...nomineeIds), fc.constantFrom('FOR', 'WITHHOLD'), { maxKeys: 4 })
    .filter((ms) => Object.values(ms).filter((v) => v === 'FOR').length <= 3);
  const allocation = fc
    // On-line, an allocation that gives nothing to anyone is refused (RULES.md section 7): at least 1.
    .tuple(
      fc.integer({ min: 1, max: h.shares * 3 }),
      fc.constantFrom(...nomineeIds),
      fc.constantFrom(...nomineeIds),
    )
    .map(([v, x, y]) => (x === y ? { [x]: v } : { [x]: v, [y]: h.shares * 3 - v }));
  return fc.record(
    { e: fc.oneof(fc.record({ marks }), fc.record({ marks: fc.constant({}), allocation })), m: matterVote },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Votes>;
}

const DAY = 86_400_000;
const START = Date.parse('2002-05-06T00:00:00.000Z');
const MEETING_START = Date.parse('2002-06-13T16:30:00.000Z');

function instructionArb(h: Holder, n: number): fc.Arbitrary<Instruction> {
  const at = fc.integer({ min: 0, max: 20 * DAY }).map((ms) => new Date(START + ms).toISOString());
  const atMeeting = fc
    .integer({ min: 0, max: 3 * 3_600_000 })
    .map((ms) => new Date(MEETING_START + ms).toISOString());
  const common = {
    account: fc.constant(h.account),
    signedBy: fc.constant(h.name),
    receivedAt: at,
    id: fc.constant(`${h.account}-${n}`),
  };
  const dated = (receivedAt: string, back: number) =>
    new Date(Date.parse(receivedAt) - back * DAY - 8 * 3_600_000).toISOString().slice(0, 10);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        ...common,
        kind: fc.constant('proxy' as const),
        channel: fc.constant('internet' as const),
        votes: votesArb(h),
      }),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({
          ...common,
          kind: fc.constant('proxy' as const),
          channel: fc.constant('paper' as const),
          votes: votesArb(h),
          back: fc.integer({ min: 0, max: 2 }),
        })
        .map(({ back, ...p }) => ({ ...p, dated: dated(p.receivedAt, back) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          ...common,
          kind: fc.constant('revocation' as const),
          channel: fc.constant('paper' as const),
          back: fc.integer({ min: 0, max: 2 }),
        })
        .map(({ back, ...p }) => ({ ...p, dated: dated(p.receivedAt, back) })),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        ...common,
        kind: fc.constant('meeting-ballot' as const),
        channel: fc.constant('meeting' as const),
        // Cast at the meeting (13 June 2002, 9:30 a.m. PDT): before it starts a ballot is rejected.
        receivedAt: atMeeting,
        votes: votesArb(h),
      }),
    },
  );
}

const caseArb = holdersArb.chain((holders) =>
  fc
    .tuple(
      ...holders.map((h) =>
        fc
          .array(fc.nat(), { maxLength: 4 })
          .chain((xs) => fc.tuple(...xs.map((_, i) => instructionArb(h, i)))),
      ),
    )
    .map((perHolder) => ({ holders, history: perHolder.flat() as Instruction[] })),
);

const withOrder = caseArb.chain((c) =>
  fc.record({
    holders: fc.constant(c.holders),
    history: fc.constant(c.history),
    order: fc.shuffledSubarray(c.holders, { minLength: c.holders.length }),
    policy: fc.constantFrom<DiscretionPolicy>('maximize', 'even'),
    cumulative: fc.boolean(),
  }),
);

const sortedConflicts = (r: TabulationResult) => ({
  ...r,
  conflicts: [...r.conflicts].sort((a, b) => (a.account < b.account ? -1 : 1)),
});

describe('Tabulator', () => {
  it('equals tabulate() with the accounts added in any order, one at a time', () => {
    fc.assert(
      fc.property(withOrder, ({ holders, history, order, policy, cumulative }) => {
        const meeting = meetingFor(holders, policy);
        const expected = tabulate(meeting, holders, history, { cumulative });
        const checked = checkHistory(meeting, holders, history);
        const tabulator = new Tabulator(meeting, { cumulative });
        for (const h of order)
          tabulator.addAccount(
            h,
            checked.filter((i) => i.account === h.account),
          );
        const actual = tabulator.result(expected.inputDigest);
        expect(sortedConflicts(actual)).toEqual(sortedConflicts(expected));
        // Added in register order, even the order of the conflicts is the same.
        const inOrder = new Tabulator(meeting, { cumulative });
        for (const h of holders)
          inOrder.addAccount(
            h,
            checked.filter((i) => i.account === h.account),
          );
        expect(inOrder.result(expected.inputDigest)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reports what decided each account (the same as the domain effective instruction)', () => {
    const meeting = meetingFor([holder('A', 10)], 'maximize');
    const t = new Tabulator(meeting, { cumulative: false });
    expect(t.addAccount(holder('A', 10), [])).toEqual({ effective: { status: 'none' }, rejected: [] });
    const p: Instruction = {
      id: 'x',
      account: 'A',
      kind: 'proxy',
      channel: 'internet',
      receivedAt: '2002-05-10T10:00:00.000Z',
      signedBy: 'A',
      votes: { m: 'AGAINST' },
    };
    expect(t.addAccount(holder('A', 10), [p])).toEqual({
      effective: { status: 'voting', instruction: p },
      rejected: [],
    });
    expect(t.result('d').proposals.find((x) => x.id === 'm')).toMatchObject({ against: 10 });
  });
});

describe('DiscretionaryPools: few pools, the same allocation as the proxies one by one', () => {
  const poolArb = fc.record({
    votes: fc.nat({ max: 3_000 }),
    allowed: fc
      .subarray(nomineeIds, { minLength: 1 })
      .chain((xs) => fc.shuffledSubarray(xs, { minLength: xs.length })),
  });
  const candidatesArb = fc.tuple(...nomineeIds.map(() => fc.nat({ max: 5_000 })));

  for (const policy of ['maximize', 'even'] as const) {
    it(`${policy}: the totals and the discretionary votes per nominee are unchanged`, () => {
      fc.assert(
        fc.property(
          fc.array(poolArb, { maxLength: 40 }),
          candidatesArb,
          fc.integer({ min: 1, max: 3 }),
          (pools, fixed, seats) => {
            const candidates = nomineeIds.map((id, i) => ({
              id,
              boardNominee: id !== 'd',
              fixedVotes: fixed[i] ?? 0,
            }));
            const compact = new DiscretionaryPools(nomineeIds, policy);
            for (const p of pools) compact.add(p);
            const few = compact.pools();
            const one = allocateCumulative(seats, candidates, pools, policy);
            const merged = allocateCumulative(seats, candidates, few, policy);
            expect(merged.totals).toEqual(one.totals);
            expect(merged.discretionary).toEqual(one.discretionary);
            expect(merged.unallocated).toBe(one.unallocated);
            // At most one pool per set of nominees, and per set one more per nominee (the remainders).
            expect(few.length).toBeLessThanOrEqual(
              new Set(pools.map((p) => [...p.allowed].sort().join())).size * 5,
            );
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('a million blank cards are a handful of pools', () => {
    const compact = new DiscretionaryPools(nomineeIds, 'even');
    for (let i = 0; i < 1_000_000; i++) compact.add({ votes: 3 * (1 + (i % 7)), allowed: ['a', 'b', 'c'] });
    expect(compact.pools().length).toBeLessThanOrEqual(3);
  });
});
