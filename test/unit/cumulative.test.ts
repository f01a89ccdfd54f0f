// Allocation of the proxyholder's discretionary votes in a cumulative election (RULES.md sections 4
// and 6): hand-computed cases first, then properties checked against brute force and simple references.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateCumulative,
  type CumulativeAllocation,
  type CumulativeCandidate,
  type DiscretionaryPool,
  type DiscretionPolicy,
} from '../../shared/domain/cumulative.ts';

/** Board nominee / other party's nominee, with the votes explicit allocations gave it. */
const board = (id: string, fixedVotes = 0): CumulativeCandidate => ({ id, boardNominee: true, fixedVotes });
const other = (id: string, fixedVotes = 0): CumulativeCandidate => ({ id, boardNominee: false, fixedVotes });
const pool = (votes: number, ...allowed: string[]): DiscretionaryPool => ({ votes, allowed });

/**
 * Board nominees elected without a tie: more than zero votes, and no more than `seats` candidates
 * (itself included) with at least as many votes (the tabulation's top-`seats` rule).
 */
function cleanlyElected(totals: Record<string, number>, seats: number): Set<string> {
  const values = Object.values(totals);
  return new Set(
    Object.entries(totals)
      .filter(([, v]) => v > 0 && values.filter((w) => w >= v).length <= seats)
      .map(([id]) => id),
  );
}
const boardElected = (a: CumulativeAllocation, seats: number, candidates: readonly CumulativeCandidate[]) => {
  const elected = cleanlyElected(a.totals, seats);
  return candidates.filter((c) => c.boardNominee && elected.has(c.id)).length;
};

describe('the example of RULES.md section 6', () => {
  // 3 seats; board nominees A, B, C; dissident D. Holder X (400 shares) allocates all 400 x 3 = 1,200
  // votes to D; holder Y (600 shares) returns a blank card: 600 x 3 = 1,800 votes for A, B and C.
  const candidates = [board('A'), board('B'), board('C'), other('D', 1200)];
  const pools = [pool(1800, 'A', 'B', 'C')];

  it('even: 1,800 / 3 = 600 each; D (1,200) is elected and A, B, C tie at 600', () => {
    const a = allocateCumulative(3, candidates, pools, 'even');
    expect(a.discretionary).toEqual({ A: 600, B: 600, C: 600, D: 0 });
    expect(a.totals).toEqual({ A: 600, B: 600, C: 600, D: 1200 });
    expect(a.perPool).toEqual([{ A: 600, B: 600, C: 600 }]);
    expect(a.targets).toBeUndefined();
  });

  it('maximize: k = 3 needs 3 x 1,201 = 3,603 > 1,800; k = 2 needs A, B above C (0): 1 + 1, the other 1,798 split: 900 each', () => {
    const a = allocateCumulative(3, candidates, pools, 'maximize');
    expect(a.targets).toEqual(['A', 'B']);
    expect(a.discretionary).toEqual({ A: 900, B: 900, C: 0, D: 0 });
    expect(a.totals).toEqual({ A: 900, B: 900, C: 0, D: 1200 });
    expect(a.perPool).toEqual([{ A: 900, B: 900, C: 0 }]);
    expect(a.unallocated).toBe(0);
    expect(cleanlyElected(a.totals, 3)).toEqual(new Set(['A', 'B', 'D']));
  });

  it('maximize is the default policy', () => {
    expect(allocateCumulative(3, candidates, pools)).toEqual(
      allocateCumulative(3, candidates, pools, 'maximize'),
    );
  });

  it('maximize: Y split into two proxies of 1,000 and 800 gives the same totals; each proxy is filled in ballot order', () => {
    // The merged 1,800 go A 900, B 900; the first proxy (1,000) takes A 900 then B 100, the second B 800.
    const a = allocateCumulative(
      3,
      candidates,
      [pool(1000, 'A', 'B', 'C'), pool(800, 'C', 'B', 'A')],
      'maximize',
    );
    expect(a.totals).toEqual({ A: 900, B: 900, C: 0, D: 1200 });
    expect(a.perPool).toEqual([
      { A: 900, B: 100, C: 0 },
      { A: 0, B: 800, C: 0 },
    ]);
  });
});

describe('even', () => {
  it.each<{
    name: string;
    candidates: CumulativeCandidate[];
    pools: DiscretionaryPool[];
    discretionary: object;
  }>([
    {
      // 1,000 / 3 = 333 remainder 1: the first on the ballot (A) gets 334.
      name: 'remainder in ballot order: 1,000 over A, B, C -> 334, 333, 333',
      candidates: [board('A'), board('B'), board('C')],
      pools: [pool(1000, 'C', 'B', 'A')],
      discretionary: { A: 334, B: 333, C: 333 },
    },
    {
      // Ballot order is the order of the candidates, not of the ids: C is first, so C gets the 334th vote.
      name: 'ballot order is the candidates’ order: C, A, B -> C 334',
      candidates: [board('C'), board('A'), board('B')],
      pools: [pool(1000, 'A', 'B', 'C')],
      discretionary: { C: 334, A: 333, B: 333 },
    },
    {
      // Per proxy: each 1,000 gives A 334, B 333, C 333, so A 668, B 666, C 666 (not 667 each).
      name: 'per proxy: two proxies of 1,000 -> A 668, B 666, C 666',
      candidates: [board('A'), board('B'), board('C')],
      pools: [pool(1000, 'A', 'B', 'C'), pool(1000, 'A', 'B', 'C')],
      discretionary: { A: 668, B: 666, C: 666 },
    },
    {
      // 900 / 2 = 450 to A and D; 301 / 2 = 150 r 1 to B and C: B 151, C 150.
      name: 'each proxy only over the nominees it marked, a dissident included',
      candidates: [board('A'), board('B'), board('C'), other('D', 50)],
      pools: [pool(900, 'A', 'D'), pool(301, 'B', 'C')],
      discretionary: { A: 450, B: 151, C: 150, D: 450 },
    },
  ])('$name', ({ candidates, pools, discretionary }) => {
    const a = allocateCumulative(3, candidates, pools, 'even');
    expect(a.discretionary).toEqual(discretionary);
  });
});

describe('maximize, by hand', () => {
  interface Case {
    name: string;
    seats: number;
    candidates: CumulativeCandidate[];
    pools: DiscretionaryPool[];
    targets: string[];
    discretionary: Record<string, number>;
    perPool?: Record<string, number>[];
  }
  it.each<Case>([
    {
      // k = 2 (A, B above C's 0); 1,801 = 900 + 900 + 1: the odd vote to A, first on the ballot.
      name: 'remainder one vote at a time in ballot order: 1,801 -> A 901, B 900',
      seats: 3,
      candidates: [board('A'), board('B'), board('C'), other('D', 1200)],
      pools: [pool(1801, 'A', 'B', 'C')],
      targets: ['A', 'B'],
      discretionary: { A: 901, B: 900, C: 0, D: 0 },
    },
    {
      // k = 2: line = D's 50, each needs 51: A (100) needs 0, B 51. Weakest first: B 0 -> 100 (100
      // votes), then 151 left: 75 each (150) and 1 over, to A first on the ballot: totals A 176, B 175.
      name: 'fill the weakest first: A 100 + 76 = 176, B 0 + 175 = 175',
      seats: 2,
      candidates: [board('A', 100), board('B'), other('D', 50)],
      pools: [pool(251, 'A', 'B')],
      targets: ['A', 'B'],
      discretionary: { A: 76, B: 175, D: 0 },
    },
    {
      // k = 3 needs 3 x 1,001 = 3,003 > 1,600. k = 2: the line is the 2nd highest of C 0, D 1,000,
      // E 500 = 500: A and B need 501 each = 1,002 <= 1,600. 1,600 / 2 = 800 each.
      name: 'k limited by the votes: k = 2 of 3 (1,002 needed, 1,600 there)',
      seats: 3,
      candidates: [board('A'), board('B'), board('C'), other('D', 1000), other('E', 500)],
      pools: [pool(1600, 'A', 'B', 'C')],
      targets: ['A', 'B'],
      discretionary: { A: 800, B: 800, C: 0, D: 0, E: 0 },
    },
    {
      // k = 3: 3 x 1,001 = 3,003 > 1,000; k = 2: line = 2nd of C 0, D 1,000, E 900 = 900, 2 x 901 =
      // 1,802 > 1,000; k = 1: line = 3rd of B 0, C 0, D 1,000, E 900 = 0, A needs 1: all 1,000 to A,
      // the first board nominee on the ballot (all have 0 fixed votes). A 1,000 ties D for first place.
      name: 'k = 1: all the votes to one nominee',
      seats: 3,
      candidates: [board('A'), board('B'), board('C'), other('D', 1000), other('E', 900)],
      pools: [pool(1000, 'A', 'B', 'C')],
      targets: ['A'],
      discretionary: { A: 1000, B: 0, C: 0, D: 0, E: 0 },
    },
    {
      // k = 1 when the board nominees start unequal: B (200 fixed) is the cheapest, it gets all 700.
      // k = 2 would need both above D's 1,000: 1,001 + 801 = 1,802 > 700.
      name: 'k = 1 goes to the board nominee with the most fixed votes',
      seats: 2,
      candidates: [board('A'), board('B', 200), other('D', 1000), other('E', 100)],
      pools: [pool(700, 'A', 'B')],
      targets: ['B'],
      discretionary: { A: 0, B: 700, D: 0, E: 0 },
    },
    {
      // k = 2 = seats: line = D's 500; A (300) needs 201, B (100) needs 401: 602 <= 1,000. Weakest
      // first: B to 300 (200 votes), then 800 / 2 = 400 each: A 700, B 700.
      name: 'k = seats achievable: A 300 + 400, B 100 + 600',
      seats: 2,
      candidates: [board('A', 300), board('B', 100), other('D', 500)],
      pools: [pool(1000, 'A', 'B')],
      targets: ['A', 'B'],
      discretionary: { A: 400, B: 600, D: 0 },
    },
    {
      // k = 2 needs A and B above D's 600: 601 each, 1,202 <= 1,400 votes in all, but B can only get
      // votes from the second proxy (400 < 601): infeasible. k = 1: A (first on the ballot) needs 1
      // (line: 2nd of B 0, D 600 = 0); both proxies allow A, so all 1,400 go to A.
      name: 'flow: one proxy allows only A, the other A and B; 1,400 votes, yet B cannot be elected',
      seats: 2,
      candidates: [board('A'), board('B'), other('D', 600)],
      pools: [pool(1000, 'A'), pool(400, 'A', 'B')],
      targets: ['A'],
      discretionary: { A: 1400, B: 0, D: 0 },
      perPool: [{ A: 1000 }, { A: 400, B: 0 }],
    },
    {
      // k = 2: line D 100, each needs 101; B only from the second proxy (600): feasible. As equal as
      // the restrictions allow: A and B rise together to 600, then B has no votes left (the 600 of the
      // second proxy), A takes the rest of the first: A 1,000, B 600.
      name: 'flow: equalising within the restrictions: A 1,000 (only proxy 1), B 600 (all of proxy 2)',
      seats: 2,
      candidates: [board('A'), board('B'), other('D', 100)],
      pools: [pool(1000, 'A'), pool(600, 'A', 'B')],
      targets: ['A', 'B'],
      discretionary: { A: 1000, B: 600, D: 0 },
      perPool: [{ A: 1000 }, { A: 0, B: 600 }],
    },
    {
      // k = 2: line D 200; A needs 201 from proxy 1 (300), B 201 from proxy 2 (300) or 3 (100, A or
      // B). Level: A and B rise together to 350 (A 300 + 50, B 300 + 50): 700 = 300 + 300 + 100.
      name: 'flow: three proxies, a shared one balancing: A 350, B 350',
      seats: 2,
      candidates: [board('A'), board('B'), other('D', 200)],
      pools: [pool(300, 'A'), pool(300, 'B'), pool(100, 'A', 'B')],
      targets: ['A', 'B'],
      discretionary: { A: 350, B: 350, D: 0 },
      perPool: [{ A: 300 }, { B: 300 }, { A: 50, B: 50 }],
    },
    {
      // The proxy marked B and C only. k = 2 (no seat left for others): with the two strongest, {A, B},
      // the line is the highest of C 0, D 100 = 100, and A (50) needs 51 votes no proxy may give; the
      // same for {A, C}. {B, C}: line = highest of A 50, D 100 = 100, 101 each = 202 <= 1,000: 500 each.
      name: 'the strongest board nominees are not always the set aimed at: A cannot get votes',
      seats: 2,
      candidates: [board('A', 50), board('B'), board('C'), other('D', 100)],
      pools: [pool(1000, 'B', 'C')],
      targets: ['B', 'C'],
      discretionary: { A: 0, B: 500, C: 500, D: 0 },
    },
    {
      // k = 1: each needs 5,001 to pass D: 4,801 for B, 5,001 for A, > 1,000. Nobody electable: spread
      // over A and B, weakest first: A 0 -> 200 (200 votes), then 800 / 2 = 400 each: A 600, B 600.
      name: 'no board nominee electable: spread over the nominees marked FOR, weakest first',
      seats: 1,
      candidates: [board('A'), board('B', 200), other('D', 5000)],
      pools: [pool(1000, 'A', 'B')],
      targets: [],
      discretionary: { A: 600, B: 400, D: 0 },
    },
    {
      // As above with a proxy that marked A and D: nobody electable, water-filling from A 0, D 5,000:
      // all 1,000 to A (it never reaches 5,000).
      name: 'no board nominee electable, the proxy marked a dissident too: the weakest (A) gets it all',
      seats: 1,
      candidates: [board('A'), other('D', 5000)],
      pools: [pool(1000, 'A', 'D')],
      targets: [],
      discretionary: { A: 1000, D: 0 },
    },
    {
      // No discretionary votes: nothing moves. k = 2 would need B above D's 300 (201 votes): no; k = 1:
      // A (500) is above the 2nd of B 100, D 300 = 100 already.
      name: 'zero discretionary votes',
      seats: 2,
      candidates: [board('A', 500), board('B', 100), other('D', 300)],
      pools: [],
      targets: ['A'],
      discretionary: { A: 0, B: 0, D: 0 },
    },
    {
      name: 'a proxy of 0 shares: zero votes',
      seats: 2,
      candidates: [board('A', 500), board('B', 100), other('D', 300)],
      pools: [pool(0, 'A', 'B')],
      targets: ['A'],
      discretionary: { A: 0, B: 0, D: 0 },
      perPool: [{ A: 0, B: 0 }],
    },
    {
      // The section 6 example plus holder Z (100 shares, 300 votes) who marked only D, without an
      // allocation: those votes can only go to D (1,500). k = 2: line = 2nd of C 0, D 1,500 = 0; A and
      // B get Y's 1,800 as before.
      name: 'a proxy allowing only a dissident: its votes go to the dissident',
      seats: 3,
      candidates: [board('A'), board('B'), board('C'), other('D', 1200)],
      pools: [pool(1800, 'A', 'B', 'C'), pool(300, 'D')],
      targets: ['A', 'B'],
      discretionary: { A: 900, B: 900, C: 0, D: 300 },
      perPool: [{ A: 900, B: 900, C: 0 }, { D: 300 }],
    },
    {
      // Proxy 2 marked only E (500 votes). k = 2: the line is the highest of D 400 and E 0 + 500 = 500,
      // A and B need 501 each = 1,002 > 1,000 (without counting E's votes it would look feasible:
      // 2 x 401 = 802, and end in a three-way tie at 500). k = 1: two of B 0, D 400, E 500 may pass
      // the line, so it is D's 400 with E above it: A needs 401 and gets all 1,000.
      name: 'forced votes raise the line: a proxy that marked only dissident E',
      seats: 2,
      candidates: [board('A'), board('B'), other('D', 400), other('E')],
      pools: [pool(1000, 'A', 'B'), pool(500, 'E')],
      targets: ['A'],
      discretionary: { A: 1000, B: 0, D: 0, E: 500 },
    },
    {
      // Y 1,800 for A, B, C; Z 300 for D or E. k = 2: line = 2nd of C 0, D 1,200, E 0, F 100 = 100
      // (D is above it), A and B need 101 each. Z's 300 go weakest first: E up to the line (100, where
      // it stops), the other 200 to D, already above the line. A and B 900 each.
      name: 'forced votes, two dissidents: the weak one filled up to the line, never past it',
      seats: 3,
      candidates: [board('A'), board('B'), board('C'), other('D', 1200), other('E'), other('F', 100)],
      pools: [pool(1800, 'A', 'B', 'C'), pool(300, 'D', 'E')],
      targets: ['A', 'B'],
      discretionary: { A: 900, B: 900, C: 0, D: 200, E: 100, F: 0 },
    },
    {
      // k = 2 (= seats) with A, B: line = D's 100, each needs 101. The proxy that marked A and D gives
      // only to A (votes to D would raise the line): A and B rise together; B has 300 from proxy 2 at
      // most, A takes the rest: A 1,200, B 300.
      name: 'a proxy marking a board nominee and a dissident gives to the board nominee',
      seats: 2,
      candidates: [board('A'), board('B'), other('D', 100)],
      pools: [pool(1200, 'A', 'D'), pool(300, 'B')],
      targets: ['A', 'B'],
      discretionary: { A: 1200, B: 300, D: 0 },
      perPool: [{ A: 1200, D: 0 }, { B: 300 }],
    },
  ])('$name', ({ seats, candidates, pools, targets, discretionary, perPool }) => {
    const a = allocateCumulative(seats, candidates, pools, 'maximize');
    expect(a.targets).toEqual(targets);
    expect(a.discretionary).toEqual(discretionary);
    if (perPool) expect(a.perPool).toEqual(perPool);
    const fixed = Object.fromEntries(candidates.map((c) => [c.id, c.fixedVotes]));
    expect(a.totals).toEqual(
      Object.fromEntries(candidates.map((c) => [c.id, (fixed[c.id] ?? 0) + (discretionary[c.id] ?? 0)])),
    );
    for (const t of targets) expect(cleanlyElected(a.totals, seats).has(t)).toBe(true);
  });
});

describe('input', () => {
  it('a proxy that allows no nominee is left unallocated', () => {
    const a = allocateCumulative(1, [board('A')], [pool(30, 'A'), pool(12)], 'maximize');
    expect(a.discretionary).toEqual({ A: 30 });
    expect(a.unallocated).toBe(12);
    expect(a.perPool).toEqual([{ A: 30 }, {}]);
    expect(allocateCumulative(1, [board('A')], [pool(12)], 'even').unallocated).toBe(12);
  });

  it('an id such as __proto__ is an ordinary key', () => {
    const a = allocateCumulative(1, [board('__proto__'), board('B')], [pool(9, '__proto__', 'B')], 'even');
    expect(Object.keys(a.discretionary)).toEqual(['__proto__', 'B']);
    expect(Object.getOwnPropertyDescriptor(a.discretionary, '__proto__')?.value).toBe(5);
    expect(Object.getPrototypeOf(a.discretionary)).toBe(Object.prototype);
  });

  it('the reference meeting’s scale: 7,595,175 shares x 5 seats, 2,000 proxies, quickly and exactly', () => {
    // Five board nominees, three others; the shares split into 2,000 proxies marking various nominees.
    const ids = ['A', 'B', 'C', 'D', 'E', 'X', 'Y', 'Z'];
    const candidates = ids.map((id, i) =>
      i < 5 ? board(id, 100_000 * i) : other(id, 2_000_000 + 10_000 * i),
    );
    const pools = Array.from({ length: 2000 }, (_, i) =>
      pool(3797 * 5 + (i % 7), ...ids.filter((_, j) => ((i * 37 + 11) >> j) % 3 !== 0)),
    );
    const total = pools.reduce((s, p) => s + p.votes, 0);
    for (const policy of policies) {
      const started = performance.now();
      const a = allocateCumulative(5, candidates, pools, policy);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(Object.values(a.discretionary).reduce((s, v) => s + v, 0) + a.unallocated).toBe(total);
    }
  });

  it.each<[string, () => unknown]>([
    ['seats 0', () => allocateCumulative(0, [board('A')], [], 'maximize')],
    ['seats 1.5', () => allocateCumulative(1.5, [board('A')], [], 'maximize')],
    ['duplicate id', () => allocateCumulative(1, [board('A'), other('A')], [], 'maximize')],
    ['negative fixed votes', () => allocateCumulative(1, [board('A', -1)], [], 'maximize')],
    ['fractional pool votes', () => allocateCumulative(1, [board('A')], [pool(2.5, 'A')], 'even')],
    ['unknown nominee', () => allocateCumulative(1, [board('A')], [pool(3, 'Z')], 'even')],
    ['unknown policy', () => allocateCumulative(1, [board('A')], [], 'random' as DiscretionPolicy)],
    [
      'unsafe sums',
      () => allocateCumulative(1, [board('A', Number.MAX_SAFE_INTEGER)], [pool(1, 'A')], 'even'),
    ],
  ])('refuses %s', (_, run) => {
    expect(run).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

interface Scenario {
  seats: number;
  candidates: CumulativeCandidate[];
  pools: DiscretionaryPool[];
}

function scenario(o: { maxCandidates: number; maxFixed: number; maxVotes: number; maxPools: number }) {
  return fc.integer({ min: 1, max: o.maxCandidates }).chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => `N${i + 1}`);
    return fc.record({
      seats: fc.integer({ min: 1, max: n }),
      candidates: fc
        .array(fc.record({ board: fc.boolean(), fixed: fc.integer({ min: 0, max: o.maxFixed }) }), {
          minLength: n,
          maxLength: n,
        })
        .map((cs) => cs.map((c, i) => ({ id: ids[i] ?? '', boardNominee: c.board, fixedVotes: c.fixed }))),
      pools: fc.array(
        fc.record({ votes: fc.integer({ min: 0, max: o.maxVotes }), allowed: fc.shuffledSubarray(ids) }),
        { maxLength: o.maxPools },
      ),
    });
  });
}

const wide = scenario({ maxCandidates: 7, maxFixed: 2000, maxVotes: 3000, maxPools: 4 });
const small = scenario({ maxCandidates: 6, maxFixed: 40, maxVotes: 60, maxPools: 4 });
const anyScenario = fc.oneof(wide, small);
const policies: DiscretionPolicy[] = ['maximize', 'even'];

/** Every complete allocation of the pools' votes (tiny inputs only). */
function* allAllocations(
  pools: readonly DiscretionaryPool[],
  ids: readonly string[],
): Generator<Record<string, number>> {
  const compositions = function* (votes: number, parts: number): Generator<number[]> {
    if (parts === 1) {
      yield [votes];
      return;
    }
    for (let first = 0; first <= votes; first++)
      for (const rest of compositions(votes - first, parts - 1)) yield [first, ...rest];
  };
  const rec = function* (i: number, acc: Record<string, number>): Generator<Record<string, number>> {
    const p = pools[i];
    if (!p) {
      yield acc;
      return;
    }
    const allowed = ids.filter((id) => p.allowed.includes(id));
    if (allowed.length === 0) {
      yield* rec(i + 1, acc);
      return;
    }
    for (const parts of compositions(p.votes, allowed.length)) {
      const next = { ...acc };
      allowed.forEach((id, j) => {
        next[id] = (next[id] ?? 0) + (parts[j] ?? 0);
      });
      yield* rec(i + 1, next);
    }
  };
  yield* rec(0, {});
}

describe('properties', () => {
  it('conserves the votes; no proxy gives more than its votes or outside what it marked', () => {
    fc.assert(
      fc.property(
        anyScenario,
        fc.constantFrom(...policies),
        ({ seats, candidates, pools }: Scenario, policy) => {
          const a = allocateCumulative(seats, candidates, pools, policy);
          const perCandidate: Record<string, number> = Object.fromEntries(candidates.map((c) => [c.id, 0]));
          let unallocated = 0;
          pools.forEach((p, i) => {
            const row = a.perPool[i] ?? {};
            const allowed = new Set(p.allowed);
            for (const [id, v] of Object.entries(row)) {
              expect(allowed.has(id)).toBe(true);
              expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
              perCandidate[id] = (perCandidate[id] ?? 0) + v;
            }
            const given = Object.values(row).reduce((s, v) => s + v, 0);
            if (allowed.size === 0) unallocated += p.votes;
            expect(given).toBe(allowed.size === 0 ? 0 : p.votes);
          });
          expect(a.discretionary).toEqual(perCandidate);
          expect(a.unallocated).toBe(unallocated);
          const poolVotes = pools.reduce((s, p) => s + p.votes, 0);
          expect(Object.values(a.discretionary).reduce((s, v) => s + v, 0)).toBe(poolVotes - unallocated);
          for (const c of candidates)
            expect(a.totals[c.id]).toBe(c.fixedVotes + (a.discretionary[c.id] ?? 0));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('maximize: every target is a board nominee elected without a tie', () => {
    fc.assert(
      fc.property(anyScenario, ({ seats, candidates, pools }: Scenario) => {
        const a = allocateCumulative(seats, candidates, pools, 'maximize');
        const targets = a.targets ?? [];
        expect(targets.length).toBeLessThanOrEqual(seats);
        const elected = cleanlyElected(a.totals, seats);
        for (const t of targets) {
          expect(candidates.find((c) => c.id === t)?.boardNominee).toBe(true);
          expect(elected.has(t)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('maximize never elects fewer board nominees than even', () => {
    fc.assert(
      fc.property(anyScenario, ({ seats, candidates, pools }: Scenario) => {
        const max = allocateCumulative(seats, candidates, pools, 'maximize');
        const even = allocateCumulative(seats, candidates, pools, 'even');
        expect(boardElected(max, seats, candidates)).toBeGreaterThanOrEqual(
          boardElected(even, seats, candidates),
        );
        expect(boardElected(max, seats, candidates)).toBe(max.targets?.length);
      }),
      { numRuns: 400 },
    );
  });

  it('maximize elects as many board nominees as the best of all possible allocations (brute force)', () => {
    const tiny = scenario({ maxCandidates: 4, maxFixed: 6, maxVotes: 5, maxPools: 2 });
    fc.assert(
      fc.property(tiny, ({ seats, candidates, pools }: Scenario) => {
        const ids = candidates.map((c) => c.id);
        let best = 0;
        for (const extra of allAllocations(pools, ids)) {
          const totals = Object.fromEntries(candidates.map((c) => [c.id, c.fixedVotes + (extra[c.id] ?? 0)]));
          const elected = cleanlyElected(totals, seats);
          best = Math.max(best, candidates.filter((c) => c.boardNominee && elected.has(c.id)).length);
        }
        const a = allocateCumulative(seats, candidates, pools, 'maximize');
        expect(boardElected(a, seats, candidates)).toBe(best);
        expect(a.targets?.length).toBe(best);
      }),
      { numRuns: 500 },
    );
  });

  it('maximize with one blank-card pool equals the rule applied directly (top k, then fill the weakest)', () => {
    // Reference: the largest k whose top-k board nominees' shortfalls fit; then one vote at a time to
    // the target (or, for k = 0, the marked nominee) with the fewest votes, ties in ballot order.
    const arb = scenario({ maxCandidates: 6, maxFixed: 60, maxVotes: 150, maxPools: 0 }).chain((s) =>
      fc.integer({ min: 0, max: 150 }).map((votes) => ({ ...s, votes })),
    );
    fc.assert(
      fc.property(arb, ({ seats, candidates, votes }) => {
        const boardIds = candidates.filter((c) => c.boardNominee).map((c) => c.id);
        const fixedOf = (id: string) => candidates.find((c) => c.id === id)?.fixedVotes ?? 0;
        const ranked = [...boardIds].sort(
          (x, y) => fixedOf(y) - fixedOf(x) || boardIds.indexOf(x) - boardIds.indexOf(y),
        );
        let targets: string[] = [];
        for (let k = Math.min(seats, ranked.length); k >= 1; k--) {
          const T = ranked.slice(0, k);
          const others = candidates
            .filter((c) => !T.includes(c.id))
            .map((c) => c.fixedVotes)
            .sort((x, y) => y - x);
          const line = others[seats - k] ?? 0;
          const need = T.reduce((s, t) => s + Math.max(0, line + 1 - fixedOf(t)), 0);
          if (need <= votes) {
            targets = T;
            break;
          }
        }
        const receivers = targets.length > 0 ? targets : boardIds;
        const expected: Record<string, number> = Object.fromEntries(candidates.map((c) => [c.id, 0]));
        const order = candidates.map((c) => c.id).filter((id) => receivers.includes(id));
        if (order.length > 0) {
          for (let v = 0; v < votes; v++) {
            let pick = order[0] ?? '';
            for (const id of order) {
              if (fixedOf(id) + (expected[id] ?? 0) < fixedOf(pick) + (expected[pick] ?? 0)) pick = id;
            }
            expected[pick] = (expected[pick] ?? 0) + 1;
          }
        }
        const a = allocateCumulative(seats, candidates, [pool(votes, ...boardIds)], 'maximize');
        expect(a.discretionary).toEqual(expected);
        expect(a.targets).toEqual(order.filter((id) => targets.includes(id)));
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic, and maximize does not depend on the order or the splitting of the proxies', () => {
    fc.assert(
      fc.property(
        anyScenario,
        fc.integer({ min: 0, max: 10 }),
        ({ seats, candidates, pools }: Scenario, cut) => {
          for (const policy of policies) {
            expect(allocateCumulative(seats, candidates, pools, policy)).toEqual(
              allocateCumulative(seats, candidates, pools, policy),
            );
          }
          const a = allocateCumulative(seats, candidates, pools, 'maximize');
          const reversed = allocateCumulative(seats, candidates, [...pools].reverse(), 'maximize');
          // Split the first pool in two with the same marks.
          const [first, ...rest] = pools;
          const split = first
            ? [
                pool(Math.min(cut, first.votes), ...first.allowed),
                pool(first.votes - Math.min(cut, first.votes), ...first.allowed),
                ...rest,
              ]
            : pools;
          const splitA = allocateCumulative(seats, candidates, split, 'maximize');
          for (const b of [reversed, splitA]) {
            expect(b.discretionary).toEqual(a.discretionary);
            expect(b.targets).toEqual(a.targets);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('even: each proxy’s shares differ by at most one, the larger ones first on the ballot', () => {
    fc.assert(
      fc.property(anyScenario, ({ seats, candidates, pools }: Scenario) => {
        const a = allocateCumulative(seats, candidates, pools, 'even');
        const order = candidates.map((c) => c.id);
        pools.forEach((_, i) => {
          const row = a.perPool[i] ?? {};
          const values = Object.keys(row)
            .sort((x, y) => order.indexOf(x) - order.indexOf(y))
            .map((id) => row[id] ?? 0);
          for (let j = 1; j < values.length; j++) {
            expect(values[j]).toBeLessThanOrEqual(values[j - 1] ?? 0);
            expect((values[0] ?? 0) - (values[j] ?? 0)).toBeLessThanOrEqual(1);
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});
