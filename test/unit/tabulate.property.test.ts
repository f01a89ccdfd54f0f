// Properties of the count that must hold for any history (RULES.md sections 5 and 6), checked with
// fast-check over generated registers and histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Instruction, Votes } from '../../shared/domain/instruction.ts';
import { type Meeting, meetingSchema } from '../../shared/domain/meeting.ts';
import { tabulate } from '../../shared/domain/tabulate.ts';
import { hemacare, holder } from '../support/builders.ts';

const base = hemacare();
const nomineeIds = ['a', 'b', 'c', 'd'];

function meetingFor(holders: Holder[]): Meeting {
  return meetingSchema.parse({
    ...base,
    sharesOutstanding: holders.reduce((s, h) => s + h.shares, 0),
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
      {
        kind: 'matter',
        id: 'r',
        title: 'R',
        standard: 'majority-of-votes-cast',
        routine: true,
        boardRecommendation: 'AGAINST',
      },
    ],
  });
}

const holdersArb = fc
  .array(fc.record({ shares: fc.integer({ min: 1, max: 1_000_000 }), nominee: fc.boolean() }), {
    minLength: 1,
    maxLength: 6,
  })
  .map((xs) => xs.map((x, i) => holder(`H${i}`, x.shares, { nominee: x.nominee })));

/** Valid votes for a holder: single choices, or (nominee accounts) splits within its shares. */
function votesArb(h: Holder): fc.Arbitrary<Votes> {
  const split = <K extends string>(keys: readonly K[]) =>
    fc.array(fc.nat({ max: h.shares }), { minLength: keys.length, maxLength: keys.length }).map((parts) => {
      let left = h.shares;
      const out: Partial<Record<K, number>> = {};
      keys.forEach((k, i) => {
        const take = Math.min(left, parts[i] ?? 0);
        out[k] = take;
        left -= take;
      });
      return out;
    });
  const matterVote = h.nominee
    ? fc.oneof(fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN'), split(['FOR', 'AGAINST', 'ABSTAIN'] as const))
    : fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN');
  const mark = h.nominee
    ? fc.oneof(fc.constantFrom('FOR', 'WITHHOLD'), split(['FOR', 'WITHHOLD'] as const))
    : fc.constantFrom('FOR', 'WITHHOLD');
  const marks = fc.dictionary(fc.constantFrom(...nomineeIds), mark, { maxKeys: 4 }).filter((ms) => {
    const fors = Object.values(ms).filter((v) => v === 'FOR').length;
    const forShares = Object.values(ms).reduce<number>(
      (s, v) => s + (v === 'FOR' ? h.shares : typeof v === 'object' ? (v.FOR ?? 0) : 0),
      0,
    );
    return fors <= 3 && forShares <= h.shares * 3;
  });
  const allocation = fc
    .array(fc.nat({ max: h.shares * 3 }), { minLength: 4, maxLength: 4 })
    .map((parts) => {
      let left = h.shares * 3;
      const out: Record<string, number> = {};
      nomineeIds.forEach((id, i) => {
        const take = Math.min(left, parts[i] ?? 0);
        out[id] = take;
        left -= take;
      });
      return out;
    })
    // On-line, an allocation that gives nothing to anyone is refused (RULES.md section 7).
    .filter((out) => Object.values(out).some((v) => v > 0));
  return fc.record(
    {
      e: fc.oneof(fc.record({ marks }), fc.record({ marks, allocation })),
      m: matterVote,
      r: matterVote,
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Votes>;
}

const DAY = 86_400_000;
const START = Date.parse('2002-05-06T00:00:00.000Z');
const MEETING_START = Date.parse('2002-06-13T16:30:00.000Z');

function instructionArb(h: Holder, n: number): fc.Arbitrary<Instruction> {
  const at = fc.integer({ min: 0, max: 30 * DAY }).map((ms) => new Date(START + ms).toISOString());
  const id = fc.constant(`${h.account}-${n}`);
  const atMeeting = fc
    .integer({ min: 0, max: 3 * 3_600_000 })
    .map((ms) => new Date(MEETING_START + ms).toISOString());
  const common = { account: fc.constant(h.account), signedBy: fc.constant(h.name), receivedAt: at, id };
  const paperDate = (receivedAt: string, back: number) =>
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
          back: fc.integer({ min: 0, max: 3 }),
        })
        .map(({ back, ...p }) => ({ ...p, dated: paperDate(p.receivedAt, back) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          ...common,
          kind: fc.constant('revocation' as const),
          channel: fc.constant('paper' as const),
          back: fc.integer({ min: 0, max: 3 }),
        })
        .map(({ back, ...p }) => ({ ...p, dated: paperDate(p.receivedAt, back) })),
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

describe('properties of the count', () => {
  for (const cumulative of [false, true]) {
    it(`never counts an account beyond its entitlement, never more present than N (cumulative: ${cumulative})`, () => {
      fc.assert(
        fc.property(caseArb, ({ holders, history }) => {
          const meeting = meetingFor(holders);
          const r = tabulate(meeting, holders, history, { cumulative });
          expect(r.sharesPresent).toBeLessThanOrEqual(meeting.sharesOutstanding);
          for (const p of r.proposals) {
            if (p.kind === 'matter') {
              expect(p.for + p.against + p.abstain + p.brokerNonVotes).toBeLessThanOrEqual(r.sharesPresent);
            } else if (!p.cumulative) {
              for (const n of p.nominees)
                expect(n.for + n.withhold + n.against + n.brokerNonVotes).toBeLessThanOrEqual(
                  r.sharesPresent,
                );
              const forTotal = p.nominees.reduce((s, n) => s + n.for, 0);
              expect(forTotal).toBeLessThanOrEqual(r.sharesPresent * p.seats);
            } else {
              const votes = p.nominees.reduce((s, n) => s + n.for, 0);
              expect(votes).toBeLessThanOrEqual(r.sharesPresent * p.seats);
            }
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('gives the same result for the same history in any order', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) =>
          fc
            .shuffledSubarray(c.history, { minLength: c.history.length })
            .map((shuffled) => ({ ...c, shuffled })),
        ),
        ({ holders, history, shuffled }) => {
          const meeting = meetingFor(holders);
          expect(tabulate(meeting, holders, shuffled, { cumulative: true })).toEqual(
            tabulate(meeting, holders, history, { cumulative: true }),
          );
          expect(tabulate(meeting, holders, shuffled, { cumulative: false })).toEqual(
            tabulate(meeting, holders, history, { cumulative: false }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('does not change when an instruction is delivered twice', () => {
    fc.assert(
      fc.property(
        caseArb
          .filter((c) => c.history.length > 0)
          .chain((c) => fc.nat({ max: c.history.length - 1 }).map((k) => ({ ...c, k }))),
        ({ holders, history, k }) => {
          const meeting = meetingFor(holders);
          const again = [...history, structuredClone(history[k] as Instruction)];
          expect(tabulate(meeting, holders, again, { cumulative: false })).toEqual(
            tabulate(meeting, holders, history, { cumulative: false }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
