// The count, rule by rule (RULES.md sections 4 to 6), each with figures computed by hand.
import { describe, expect, it } from 'vitest';
import type { Holder } from '../../shared/domain/holder.ts';
import type { Instruction } from '../../shared/domain/instruction.ts';
import { type Meeting, requiredQuorum } from '../../shared/domain/meeting.ts';
import { type ElectionResult, type MatterResult, tabulate } from '../../shared/domain/tabulate.ts';
import {
  ballot,
  hemacare,
  holder,
  internet,
  meetingWith,
  paper,
  resolution,
  revocation,
} from '../support/builders.ts';

/** The register: the given holders plus one silent holder with the rest of the shares. */
function register(meeting: Meeting, ...given: Holder[]): Holder[] {
  const rest = meeting.sharesOutstanding - given.reduce((s, h) => s + h.shares, 0);
  return rest > 0 ? [...given, holder('REST', rest)] : given;
}

function count(meeting: Meeting, holders: Holder[], history: Instruction[], cumulative = false) {
  return tabulate(meeting, holders, history, { cumulative });
}
const matter = (r: ReturnType<typeof count>, id: string) =>
  r.proposals.find((p) => p.id === id) as MatterResult;
const election = (r: ReturnType<typeof count>, id: string) =>
  r.proposals.find((p) => p.id === id) as ElectionResult;
const forOf = (e: ElectionResult) => Object.fromEntries(e.nominees.map((n) => [n.id, n.for]));

const JUNE1 = '2002-06-01T17:00:00.000Z';

describe('the reference meeting (RULES.md sections 1 and 6)', () => {
  const m = hemacare();
  it('requires a quorum of floor(7,595,175 / 2) + 1 = 3,797,588 shares', () => {
    expect(requiredQuorum(m)).toBe(3_797_588);
    expect(count(m, register(m), []).requiredQuorum).toBe(3_797_588);
  });

  it("applies the seed's majority of the quorum, floor(3,797,588 / 2) + 1 = 1,898,795, to other business", () => {
    const hs = register(m, holder('A', 3_797_588));
    const r = count(m, hs, [internet('A', JUNE1, { '2': 'FOR' })]);
    expect(matter(r, '2').threshold.forAtLeast).toBe(1_898_795);
    expect(matter(r, '2').outcome).toBe('approved');
  });

  it('fails the worked example: FOR 1,800,000 beats AGAINST 100,000 but is below 1,898,795', () => {
    const hs = register(m, holder('F', 1_800_000), holder('G', 100_000), holder('H', 3_100_000));
    const r = count(m, hs, [
      internet('F', JUNE1, { '2': 'FOR' }),
      internet('G', JUNE1, { '2': 'AGAINST' }),
      internet('H', JUNE1, { '2': 'ABSTAIN' }),
    ]);
    expect(r.sharesPresent).toBe(5_000_000);
    expect(r.quorumMet).toBe(true);
    expect(matter(r, '2')).toMatchObject({
      for: 1_800_000,
      against: 100_000,
      abstain: 3_100_000,
      outcome: 'not-approved',
    });
    expect(matter(r, '2').threshold.forAtLeast).toBe(1_898_795);
  });

  it('elects the five nominees FOR on blank cards (the seed: unmarked nominees are voted FOR)', () => {
    const hs = register(m, holder('A', 3_800_000), holder('B', 20_000));
    const r = count(m, hs, [
      internet('A', JUNE1),
      internet('B', JUNE1, { '1': { marks: { johnson: 'WITHHOLD' } } }),
    ]);
    const e = election(r, '1');
    expect(forOf(e)).toEqual({
      darlington: 3_820_000,
      johnson: 3_800_000,
      steffenhagen: 3_820_000,
      wallace: 3_820_000,
      belisle: 3_820_000,
    });
    expect(e.nominees.find((n) => n.id === 'johnson')?.withhold).toBe(20_000);
    // Five seats, five nominees with votes: all elected, the most votes first.
    expect(e.outcome).toEqual({
      status: 'decided',
      elected: ['darlington', 'steffenhagen', 'wallace', 'belisle', 'johnson'],
      tied: [],
      tiedSeats: 0,
    });
    // Unmarked other business follows the board's recommendation (FOR).
    expect(matter(r, '2').for).toBe(3_820_000);
  });
});

describe('quorum (RULES.md section 6)', () => {
  const m = hemacare();
  it.each([
    [3_797_588, true],
    [3_797_587, false],
  ])('with %i shares present the quorum is met: %s', (present, met) => {
    const r = count(m, register(m, holder('A', present)), [internet('A', JUNE1, { '2': 'FOR' })]);
    expect(r.sharesPresent).toBe(present);
    expect(r.quorumMet).toBe(met);
    // Without a quorum nothing has an outcome, and the counts are still reported.
    expect(matter(r, '2').outcome).toBe(met ? 'approved' : 'no-quorum');
    expect(matter(r, '2').for).toBe(present);
    expect(election(r, '1').outcome.status).toBe(met ? 'decided' : 'no-quorum');
  });

  it('counts withheld, abstaining and broker non-voted shares as present', () => {
    const nonRoutine = meetingWith({
      proposals: [
        {
          kind: 'matter',
          id: 'x',
          title: 'X',
          standard: 'majority-of-votes-cast',
          routine: false,
          boardRecommendation: 'FOR',
        },
      ],
    });
    const hs = register(nonRoutine, holder('CEDE', 4_000_000, { nominee: true }), holder('B', 1_000));
    const r = count(nonRoutine, hs, [
      internet('CEDE', JUNE1, { x: { FOR: 100_000, AGAINST: 50_000 } }),
      internet('B', JUNE1, { x: 'ABSTAIN' }),
    ]);
    expect(r.sharesPresent).toBe(4_001_000);
    // 4,000,000 - 100,000 - 50,000 = 3,850,000 broker non-votes.
    expect(matter(r, 'x')).toMatchObject({
      for: 100_000,
      against: 50_000,
      abstain: 1_000,
      brokerNonVotes: 3_850_000,
      outcome: 'approved',
    });
  });

  it('a quorum fraction of one third: Q = floor(9 / 3) + 1 = 4', () => {
    const m3 = meetingWith({ sharesOutstanding: 9, quorum: { numerator: 1, denominator: 3 } });
    expect(requiredQuorum(m3)).toBe(4);
  });
});

describe('broker non-votes and the nominee account (RULES.md section 4)', () => {
  const base = hemacare();
  const m = meetingWith({
    proposals: [
      base.proposals[0] as Meeting['proposals'][number],
      {
        kind: 'matter',
        id: 'r',
        title: 'Routine',
        standard: 'majority-of-votes-cast',
        routine: true,
        boardRecommendation: 'FOR',
      },
      {
        kind: 'matter',
        id: 'n',
        title: 'Non-routine',
        standard: 'majority-of-votes-cast',
        routine: false,
        boardRecommendation: 'FOR',
      },
    ],
  });
  it('a nominee proxy is exact: unvoted shares are broker non-votes on non-routine proposals only', () => {
    const hs = register(m, holder('CEDE', 5_000_000, { nominee: true }));
    const r = count(m, hs, [internet('CEDE', JUNE1, { r: { FOR: 1_000_000 }, n: { AGAINST: 2_000_000 } })]);
    expect(matter(r, 'r')).toMatchObject({ for: 1_000_000, brokerNonVotes: 0 });
    expect(matter(r, 'n')).toMatchObject({ against: 2_000_000, brokerNonVotes: 3_000_000 });
    // The (routine) election left blank: not filled in, not a broker non-vote.
    expect(forOf(election(r, '1'))).toEqual({
      darlington: 0,
      johnson: 0,
      steffenhagen: 0,
      wallace: 0,
      belisle: 0,
    });
    expect(r.sharesPresent).toBe(5_000_000);
  });

  it('splits a nominee account across nominees, with the rest a broker non-vote when non-routine', () => {
    const first = base.proposals[0] as Extract<Meeting['proposals'][number], { kind: 'election' }>;
    const nr = meetingWith({ proposals: [{ ...first, routine: false, cumulativeVotingAllowed: false }] });
    const hs = register(nr, holder('CEDE', 1_000, { nominee: true }));
    const r = count(nr, hs, [
      internet('CEDE', JUNE1, { '1': { marks: { darlington: { FOR: 600, WITHHOLD: 300 } } } }),
    ]);
    const d = election(r, '1').nominees.find((n) => n.id === 'darlington');
    expect(d).toMatchObject({ for: 600, withhold: 300, brokerNonVotes: 100 });
    expect(election(r, '1').nominees.find((n) => n.id === 'johnson')?.brokerNonVotes).toBe(1_000);
  });
});

describe('contested elections and over-votes (RULES.md section 4, CDI 139.07 to 139.09)', () => {
  const m = meetingWith({
    sharesOutstanding: 1_000,
    proposals: [
      {
        kind: 'election',
        id: 'e',
        title: 'Three directors',
        seats: 3,
        standard: 'plurality',
        cumulativeVotingAllowed: true,
        routine: false,
        nominees: [
          { id: 'a', name: 'A', boardRecommends: true },
          { id: 'b', name: 'B', boardRecommends: true },
          { id: 'c', name: 'C', boardRecommends: true },
          { id: 'd', name: 'D', boardRecommends: false },
        ],
      },
      {
        kind: 'matter',
        id: 'm',
        title: 'M',
        standard: 'majority-of-votes-cast',
        routine: false,
        boardRecommendation: 'AGAINST',
      },
    ],
  });
  it('a card marking only the dissident counts only that mark; a blank card votes the board nominees', () => {
    const hs = register(m, holder('X', 400), holder('Y', 300));
    const r = count(m, hs, [internet('X', JUNE1, { e: { marks: { d: 'FOR' } } }), internet('Y', JUNE1)]);
    expect(forOf(election(r, 'e'))).toEqual({ a: 300, b: 300, c: 300, d: 400 });
    // Unmarked matter: the board recommends AGAINST.
    expect(matter(r, 'm')).toMatchObject({ for: 0, against: 700 });
  });

  it('a paper card over-voting the election records no director votes, but its matter counts', () => {
    const hs = register(m, holder('X', 400));
    const card = paper('X', '2002-06-01', JUNE1, {
      e: { marks: { a: 'FOR', b: 'FOR', c: 'FOR', d: 'FOR' } },
      m: 'FOR',
    });
    const r = count(m, hs, [card]);
    expect(forOf(election(r, 'e'))).toEqual({ a: 0, b: 0, c: 0, d: 0 });
    expect(election(r, 'e').overVotes).toBe(1);
    expect(matter(r, 'm').for).toBe(400);
    expect(r.sharesPresent).toBe(400);
  });

  it('refuses the same over-vote on-line, naming the field', () => {
    const hs = register(m, holder('X', 400));
    expect(() =>
      count(m, hs, [internet('X', JUNE1, { e: { marks: { a: 'FOR', b: 'FOR', c: 'FOR', d: 'FOR' } } })]),
    ).toThrow(/votes\.e\.marks: marks FOR 4 nominees but only 3 seats/);
  });

  it('cumulative, the worked example: maximize elects A, B and D; even leaves A, B, C tied', () => {
    const hs = [holder('X', 400), holder('Y', 600)];
    const history = [
      internet('X', JUNE1, { e: { marks: {}, allocation: { d: 1_200 } } }),
      internet('Y', JUNE1),
    ];
    const max = election(count(m, hs, history, true), 'e');
    expect(max.unit).toBe('votes');
    expect(forOf(max)).toEqual({ a: 900, b: 900, c: 0, d: 1_200 });
    expect(max.outcome).toMatchObject({ status: 'decided', tied: [] });
    expect(new Set(max.outcome.status === 'decided' ? max.outcome.elected : [])).toEqual(
      new Set(['a', 'b', 'd']),
    );

    const even = election(count(meetingWith({ ...m, cumulativeDiscretion: 'even' }), hs, history, true), 'e');
    expect(forOf(even)).toEqual({ a: 600, b: 600, c: 600, d: 1_200 });
    expect(even.outcome).toEqual({ status: 'tie', elected: ['d'], tied: ['a', 'b', 'c'], tiedSeats: 2 });
  });

  it('refuses an allocation above shares x seats (400 x 3 = 1,200)', () => {
    expect(() =>
      count(
        m,
        [holder('X', 400), holder('Y', 600)],
        [internet('X', JUNE1, { e: { marks: {}, allocation: { d: 1_201 } } })],
        true,
      ),
    ).toThrow(/votes\.e\.allocation: allocates 1201 votes, more than shares x seats \(400 x 3 = 1200\)/);
  });

  it('without cumulation invoked, an allocation votes FOR the nominees it gives votes to', () => {
    const hs = [holder('X', 400), holder('Y', 600)];
    const r = count(m, hs, [internet('X', JUNE1, { e: { marks: {}, allocation: { d: 1_200 } } })]);
    expect(forOf(election(r, 'e'))).toEqual({ a: 0, b: 0, c: 0, d: 400 });
  });
});

describe('plurality and majority elections (RULES.md section 6)', () => {
  const m = meetingWith({
    sharesOutstanding: 1_000,
    proposals: [
      {
        kind: 'election',
        id: 'e',
        title: 'Two directors',
        seats: 2,
        standard: 'plurality',
        cumulativeVotingAllowed: false,
        routine: true,
        nominees: ['a', 'b', 'c', 'z'].map((id) => ({ id, name: id.toUpperCase(), boardRecommends: false })),
      },
    ],
  });
  it('reports a tie for the last seat and never breaks it: A 600, B 200, C 200', () => {
    const hs = [holder('X', 400), holder('Y', 200), holder('W', 200), holder('V', 200)];
    const r = count(m, hs, [
      internet('X', JUNE1, { e: { marks: { a: 'FOR' } } }),
      internet('Y', JUNE1, { e: { marks: { a: 'FOR', b: 'FOR' } } }),
      internet('W', JUNE1, { e: { marks: { c: 'FOR' } } }),
    ]);
    expect(forOf(election(r, 'e'))).toEqual({ a: 600, b: 200, c: 200, z: 0 });
    expect(election(r, 'e').outcome).toEqual({
      status: 'tie',
      elected: ['a'],
      tied: ['b', 'c'],
      tiedSeats: 1,
    });
  });

  it('elects nobody with no votes: A 600 alone fills one of two seats', () => {
    const hs = [holder('X', 600), holder('Y', 400)];
    const r = count(m, hs, [internet('X', JUNE1, { e: { marks: { a: 'FOR', b: 'WITHHOLD' } } })]);
    expect(election(r, 'e').outcome).toEqual({ status: 'decided', elected: ['a'], tied: [], tiedSeats: 0 });
    expect(election(r, 'e').nominees.find((n) => n.id === 'b')?.withhold).toBe(600);
  });

  it('majority of votes cast: FOR must beat AGAINST (B 300 to 300 fails, A 600 to 0 wins)', () => {
    const mm = meetingWith({
      ...m,
      proposals: [{ ...(m.proposals[0] as ElectionLike), standard: 'majority-of-votes-cast' }],
    });
    const hs = [holder('X', 300), holder('Y', 300), holder('W', 400)];
    const r = count(mm, hs, [
      internet('X', JUNE1, { e: { marks: { a: 'FOR', b: 'FOR' } } }),
      internet('Y', JUNE1, { e: { marks: { a: 'FOR', b: 'AGAINST' } } }),
    ]);
    expect(election(r, 'e').outcome).toEqual({ status: 'decided', elected: ['a'], tied: [], tiedSeats: 0 });
    expect(() => count(mm, hs, [internet('X', JUNE1, { e: { marks: { a: 'WITHHOLD' } } })])).toThrow(
      /votes\.e\.marks\.a: a majority election takes FOR or AGAINST/,
    );
  });
});
type ElectionLike = Extract<Meeting['proposals'][number], { kind: 'election' }>;

describe('matter standards (RULES.md section 6)', () => {
  const make = (standard: MatterResult['standard']) =>
    meetingWith({
      sharesOutstanding: 1_000,
      proposals: [
        { kind: 'matter', id: 'm', title: 'M', standard, routine: true, boardRecommendation: 'FOR' },
      ],
    });
  // 700 present: FOR 400, AGAINST 100, ABSTAIN 200; 300 absent.
  const hs = [holder('F', 400), holder('G', 100), holder('H', 200), holder('I', 300)];
  const history = [
    internet('F', JUNE1, { m: 'FOR' }),
    internet('G', JUNE1, { m: 'AGAINST' }),
    internet('H', JUNE1, { m: 'ABSTAIN' }),
  ];
  it.each([
    // Q = 501; FOR > AGAINST (101) and FOR >= floor(501 / 2) + 1 = 251.
    ['majority-present-and-voting-and-of-quorum', 251, 'approved'],
    ['majority-of-votes-cast', 101, 'approved'],
    // FOR > 700 / 2: 351.
    ['majority-of-shares-present', 351, 'approved'],
    // FOR > 1,000 / 2: 501.
    ['majority-of-outstanding', 501, 'not-approved'],
  ] as const)('%s needs FOR >= %i: %s', (standard, forAtLeast, outcome) => {
    const r = count(make(standard), hs, history);
    expect(r.sharesPresent).toBe(700);
    expect(matter(r, 'm')).toMatchObject({ for: 400, threshold: { forAtLeast }, outcome });
  });
});

describe('revocation: the latest-dated instruction wins (RULES.md section 5)', () => {
  const m = hemacare();
  const hs = register(m, holder('A', 4_000_000));
  const votesFor = (x: 'FOR' | 'AGAINST') => ({ '2': x });

  it('a later internet proxy replaces an earlier one', () => {
    const r = count(m, hs, [
      internet('A', '2002-06-01T16:00:00.000Z', votesFor('AGAINST')),
      internet('A', '2002-06-01T16:00:00.001Z', votesFor('FOR')),
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 4_000_000, against: 0 });
  });

  it('a paper card dated earlier loses to an internet proxy even if entered later (the date decides, §705)', () => {
    const r = count(m, hs, [
      internet('A', '2002-06-03T16:00:00.000Z', votesFor('FOR')),
      paper('A', '2002-06-02', '2002-06-05T16:00:00.000Z', votesFor('AGAINST')),
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 4_000_000, against: 0 });
  });

  it('on the same date (meeting time zone) the one received later wins: a card dated 3 June entered on 4 June', () => {
    const r = count(m, hs, [
      // 3 June 2002 at 23:30 in Los Angeles is 4 June 06:30 UTC: still 3 June in the meeting's zone.
      internet('A', '2002-06-04T06:30:00.000Z', votesFor('FOR')),
      paper('A', '2002-06-03', '2002-06-04T17:00:00.000Z', votesFor('AGAINST')),
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 0, against: 4_000_000 });
  });

  it('a written revocation as the latest instruction leaves the shares absent', () => {
    const r = count(m, hs, [
      internet('A', JUNE1, votesFor('FOR')),
      revocation('A', '2002-06-02', '2002-06-03T17:00:00.000Z'),
    ]);
    expect(r.sharesPresent).toBe(0);
    expect(r.accounts.revoked).toBe(1);
    expect(matter(r, '2').for).toBe(0);
  });

  it('a ballot cast at the meeting beats every proxy, even a card dated that day and entered later', () => {
    const r = count(m, hs, [
      ballot('A', '2002-06-13T17:00:00.000Z', votesFor('AGAINST')),
      paper('A', '2002-06-13', '2002-06-13T18:00:00.000Z', votesFor('FOR')),
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 0, against: 4_000_000 });
    // A ballot is counted as marked: its blank election is not filled in.
    expect(election(r, '1').nominees.every((n) => n.for === 0)).toBe(true);
  });

  it('the same instruction delivered twice counts once; one id with two contents is refused', () => {
    const once = internet('A', JUNE1, votesFor('FOR'), 'dup-1');
    const r = count(m, hs, [once, { ...once }]);
    expect(matter(r, '2').for).toBe(4_000_000);
    expect(() => count(m, hs, [once, { ...once, votes: votesFor('AGAINST') } as Instruction])).toThrow(
      /dup-1: the same id is used by two different/,
    );
  });
});

describe('same-date paper conflicts (RULES.md section 5, Williams v. Sterling Oil)', () => {
  const m = hemacare();
  const hs = register(m, holder('A', 4_000_000));
  const d = '2002-06-05';
  const first = paper('A', d, '2002-06-06T16:00:00.000Z', { '2': 'FOR' }, 'card-1');
  const second = paper('A', d, '2002-06-07T16:00:00.000Z', { '2': 'AGAINST' }, 'card-2');

  it('two cards of one date that differ: present, flagged, unvoted only where they differ', () => {
    const r = count(m, hs, [first, second]);
    expect(r.sharesPresent).toBe(4_000_000);
    expect(r.conflicts).toEqual([
      { account: 'A', shares: 4_000_000, instruments: ['card-1', 'card-2'], proposals: ['2'] },
    ]);
    expect(matter(r, '2')).toMatchObject({ for: 0, against: 0 });
    // Both cards leave the election blank: they agree on it, so it counts.
    expect(election(r, '1').nominees.every((n) => n.for === 4_000_000)).toBe(true);
  });

  it('a card and a revocation of one date: every proposal is left unvoted', () => {
    const r = count(m, hs, [first, revocation('A', d, '2002-06-07T16:00:00.000Z', 'rev-1')]);
    expect(r.sharesPresent).toBe(4_000_000);
    expect(r.conflicts[0]?.proposals).toEqual(['1', '2']);
    expect(election(r, '1').nominees.every((n) => n.for === 0)).toBe(true);
  });

  it('two identical cards of one date are no conflict', () => {
    const r = count(m, hs, [first, paper('A', d, '2002-06-07T16:00:00.000Z', { '2': 'FOR' })]);
    expect(r.conflicts).toEqual([]);
    expect(matter(r, '2').for).toBe(4_000_000);
  });

  it('an internet proxy received later that day supersedes both; one received before the second card does not', () => {
    const between = internet('A', '2002-06-06T20:00:00.000Z', { '2': 'ABSTAIN' });
    // Dated 6 June (Los Angeles): a later date than the cards, so it supersedes both.
    expect(count(m, hs, [first, second, between]).conflicts).toEqual([]);
    const earlyOnTheDay = internet('A', '2002-06-05T15:00:00.000Z', { '2': 'ABSTAIN' });
    expect(count(m, hs, [first, second, earlyOnTheDay]).conflicts).toHaveLength(1);
    // 6 June 06:00 UTC is 5 June 23:00 in Los Angeles: the cards' date, received after both were entered.
    const sameDay = internet('A', '2002-06-06T06:00:00.000Z', { '2': 'ABSTAIN' });
    const r = count(m, hs, [
      paper('A', d, '2002-06-05T16:00:00.000Z', { '2': 'FOR' }, 'c1'),
      paper('A', d, '2002-06-05T17:00:00.000Z', { '2': 'AGAINST' }, 'c2'),
      sameDay,
    ]);
    expect(r.conflicts).toEqual([]);
    expect(matter(r, '2').abstain).toBe(4_000_000);
  });

  it("the inspector's resolution decides which card counts", () => {
    const r = count(m, hs, [first, second, resolution('A', 'card-1', '2002-06-13T17:00:00.000Z')]);
    expect(r.conflicts).toEqual([]);
    expect(matter(r, '2').for).toBe(4_000_000);
    expect(() => count(m, hs, [first, resolution('A', 'nope', '2002-06-13T17:00:00.000Z')])).toThrow(
      /chooses: no instruction "nope"/,
    );
  });
});

describe('input errors name the field and count nothing', () => {
  const m = hemacare();
  const hs = register(m, holder('A', 1_000), holder('CEDE', 5_000, { nominee: true }));
  it.each([
    [{ '9': 'FOR' }, /votes\.9: no proposal "9"/],
    [{ '1': { marks: { smith: 'FOR' } } }, /votes\.1\.marks\.smith: no nominee "smith"/],
    [{ '2': { FOR: 10 } }, /votes\.2: only a nominee account may split/],
    [{ '1': 'FOR' }, /votes\.1: is an election/],
    [{ '2': { marks: {} } }, /votes\.2: is a matter/],
  ] as const)('%j', (votes, message) => {
    expect(() => count(m, hs, [internet('A', JUNE1, votes as never)])).toThrow(message);
  });
  it('a nominee split above its shares', () => {
    expect(() => count(m, hs, [internet('CEDE', JUNE1, { '2': { FOR: 4_000, AGAINST: 1_001 } })])).toThrow(
      /votes\.2: splits 5001 shares, more than the account's 5000/,
    );
  });
  it('an unknown account, a paper card without its date, a register that does not add up', () => {
    expect(() => count(m, hs, [internet('NOBODY', JUNE1)])).toThrow(
      /account: "NOBODY" is not on the register/,
    );
    const undated = { ...paper('A', '2002-06-01', JUNE1), dated: undefined } as Instruction;
    expect(() => count(m, hs, [undated])).toThrow(/dated: a paper proxy needs the date/);
    expect(() => count(m, [holder('A', 1)], [])).toThrow(/shares add up to 1, not the 7595175 outstanding/);
  });
  it('a card dated after it was received is not an input error: it is rejected (test/unit/timeline.test.ts)', () => {
    const r = count(m, hs, [paper('A', '2002-06-09', '2002-06-08T17:00:00.000Z', {}, 'late-date')]);
    expect(r.rejected.map((x) => [x.id, x.rule])).toEqual([['late-date', 'dated-after-receipt']]);
    expect(r.sharesPresent).toBe(0);
  });
});
