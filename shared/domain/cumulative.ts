// Cumulative voting: how the proxyholder allocates the discretionary votes of a cumulative director
// election (RULES.md section 4, cumulative voting, and section 6, "Director election, cumulative").
// Pure: no I/O, no clock, no environment. All arithmetic is on whole votes.
//
// Ranking the totals (who is elected, ties for the last seat) is the tabulation's job, not this module's.

/** A nominee of the election, in ballot order (the order of the array). */
export interface CumulativeCandidate {
  readonly id: string;
  /** Whether the board recommends (nominated) this nominee. */
  readonly boardNominee: boolean;
  /** The votes the nominee already has: the sum of the explicit allocations given to it. */
  readonly fixedVotes: number;
}

/**
 * The votes of one proxy that marked nominees FOR without an allocation (shares x seats): the
 * proxyholder may give them only to the nominees in `allowed`. A pool whose `allowed` is empty stays
 * unallocated (it is reported as `unallocated`).
 */
export interface DiscretionaryPool {
  readonly votes: number;
  /** Ids of the nominees the proxy marked FOR (order and duplicates do not matter). */
  readonly allowed: readonly string[];
}

/** The meeting file's `cumulativeDiscretion`. */
export type DiscretionPolicy = 'maximize' | 'even';

export const DEFAULT_DISCRETION_POLICY: DiscretionPolicy = 'maximize';

export interface CumulativeAllocation {
  readonly policy: DiscretionPolicy;
  /** Per candidate (every candidate, ballot order): fixed + discretionary votes. */
  readonly totals: Record<string, number>;
  /** Per candidate (every candidate, ballot order): the discretionary votes it received. */
  readonly discretionary: Record<string, number>;
  /**
   * Per pool, index-aligned with the `pools` argument: what that proxy's votes went to, keyed by each
   * nominee it allowed (ballot order, zeros included). It sums to the pool's votes unless the pool allows
   * no nominee (then it is empty).
   */
  readonly perPool: readonly Record<string, number>[];
  /** Votes of pools that allow no nominee; 0 whenever every pool allows at least one. */
  readonly unallocated: number;
  /**
   * `maximize` only: the board nominees the votes were aimed at (ballot order), each of which finishes
   * strictly above the line and is elected without a tie; empty when not even one board nominee can be
   * elected (the votes were then spread over the nominees marked FOR).
   */
  readonly targets?: readonly string[];
}

/**
 * Allocates the discretionary votes of a cumulative director election.
 *
 * `even`: each pool (proxy) separately: its votes divided equally among the nominees it allowed, the
 * remainder one vote at a time to them in ballot order.
 *
 * `maximize` (the seed: "elect as many of these nominees as possible"): pools with the same allowed set
 * are merged (the votes per candidate do not depend on how they are split into proxies; `perPool` fills
 * each proxy of a merged set in input order, nominee by nominee in ballot order). For k = min(seats,
 * board nominees) down to 1, and for each set T of k board nominees (those with the most fixed votes
 * first, ties in ballot order, so the cheapest set is tried first), T is feasible when some allocation
 * elects every member of T without a tie:
 *  - a pool that allows a member of T gives all its votes to members of T; a pool that allows none
 *    ("forced") must give its votes to the other candidates it allows, which can raise the line;
 *  - the line L is the lowest achievable value of the (seats - k + 1)-th highest total among the
 *    candidates outside T, counting the fixed votes and the forced pools' votes (0 if there are not that
 *    many others: a nominee with no votes is not elected). Found by binary search on L, with a
 *    max-flow per step: at most seats - k others may exceed L, the rest are capped at L;
 *  - every member of T needs L + 1 votes: the shortfalls must be coverable by the pools that can reach
 *    them, which is a max-flow check (pools -> nominees they allow -> demands).
 * The first feasible T of the largest k is taken. The forced pools' votes are spread over the nominees
 * they allow as equally as possible (weakest first) without lifting an other above L, and the other
 * pools' votes over T as equally as possible: the lexicographically max-min (water-filling) allocation
 * of final totals, within what each pool allows, the remainder one vote at a time in ballot order. Since
 * the weakest are lifted first this gives each target its shortfall and spreads the rest as the rules say.
 * If no board nominee can be elected, all the votes are spread that way over the nominees marked FOR.
 *
 * In every case the sum of `discretionary` equals the sum of the pools' votes minus `unallocated`, and
 * no pool gives more than its votes or to a nominee it did not allow.
 *
 * Cost: exhaustive over sets of board nominees (pruned by a lower bound: the strongest k with every
 * vote free to go anywhere), meant for ballots with at most about 15 board nominees; the flow graphs
 * have one node per distinct marked set and per nominee, so the number of proxies hardly matters.
 *
 * @throws RangeError on invalid input: seats not a positive integer, duplicate candidate ids, votes
 * not whole non-negative numbers, an allowed id that is not a candidate, totals beyond safe integers.
 */
export function allocateCumulative(
  seats: number,
  candidates: readonly CumulativeCandidate[],
  pools: readonly DiscretionaryPool[],
  policy: DiscretionPolicy = DEFAULT_DISCRETION_POLICY,
): CumulativeAllocation {
  const poolSets = validate(seats, candidates, pools);
  const fixed = candidates.map((c) => c.fixedVotes);
  const n = candidates.length;
  let perPoolIdx: number[][];
  let targets: number[] | undefined;
  if (policy === 'even') {
    perPoolIdx = pools.map((p, i) => spreadEvenly(p.votes, poolSets[i] ?? [], n));
  } else if (policy === 'maximize') {
    const result = maximize(seats, candidates, fixed, groupPools(pools, poolSets));
    targets = result.targets;
    perPoolIdx = splitGroups(result.groups, pools, n);
  } else {
    throw new RangeError(`unknown discretion policy: ${String(policy)}`);
  }

  const disc = new Array<number>(n).fill(0);
  let unallocated = 0;
  const perPool = pools.map((p, i) => {
    const set = poolSets[i] ?? [];
    if (set.length === 0) unallocated += p.votes;
    const row = perPoolIdx[i] ?? [];
    return Object.fromEntries(
      set.map((c) => {
        const v = row[c] ?? 0;
        disc[c] = (disc[c] ?? 0) + v;
        return [candidates[c]?.id ?? '', v];
      }),
    );
  });
  return {
    policy,
    totals: Object.fromEntries(candidates.map((c, i) => [c.id, c.fixedVotes + (disc[i] ?? 0)])),
    discretionary: Object.fromEntries(candidates.map((c, i) => [c.id, disc[i] ?? 0])),
    perPool,
    unallocated,
    ...(targets ? { targets: [...targets].sort((a, b) => a - b).map((i) => candidates[i]?.id ?? '') } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Input

function isVoteCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function validate(
  seats: number,
  candidates: readonly CumulativeCandidate[],
  pools: readonly DiscretionaryPool[],
) {
  if (!Number.isSafeInteger(seats) || seats < 1)
    throw new RangeError(`seats must be a positive integer: ${seats}`);
  const index = new Map<string, number>();
  let sum = 0;
  candidates.forEach((c, i) => {
    if (index.has(c.id)) throw new RangeError(`duplicate candidate id: ${c.id}`);
    if (!isVoteCount(c.fixedVotes))
      throw new RangeError(`fixed votes of ${c.id} must be a whole number >= 0`);
    index.set(c.id, i);
    sum += c.fixedVotes;
  });
  const poolSets = pools.map((p, i) => {
    if (!isVoteCount(p.votes)) throw new RangeError(`votes of pool ${i} must be a whole number >= 0`);
    sum += p.votes;
    const set = new Set<number>();
    for (const id of p.allowed) {
      const c = index.get(id);
      if (c === undefined) throw new RangeError(`pool ${i} allows an unknown nominee: ${id}`);
      set.add(c);
    }
    return [...set].sort((a, b) => a - b);
  });
  if (!Number.isSafeInteger(sum)) throw new RangeError('the votes add up to more than a safe integer');
  return poolSets;
}

// ---------------------------------------------------------------------------------------------------
// even

function spreadEvenly(votes: number, set: readonly number[], n: number): number[] {
  const out = new Array<number>(n).fill(0);
  if (set.length === 0) return out;
  const share = Math.floor(votes / set.length);
  const rest = votes - share * set.length;
  set.forEach((c, j) => {
    out[c] = share + (j < rest ? 1 : 0);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// maximize

/** Pools merged by identical allowed set (candidate indices, ballot order); `pools` in input order. */
interface Group {
  readonly allowed: readonly number[];
  readonly votes: number;
  readonly pools: readonly number[];
}

/** A group's votes restricted to some candidates, remembering which group it is. */
interface Flow {
  readonly group: number;
  readonly allowed: readonly number[];
  readonly votes: number;
}

function groupPools(pools: readonly DiscretionaryPool[], poolSets: readonly (readonly number[])[]): Group[] {
  const byKey = new Map<string, { allowed: readonly number[]; votes: number; pools: number[] }>();
  pools.forEach((p, i) => {
    const allowed = poolSets[i] ?? [];
    if (allowed.length === 0) return;
    const key = allowed.join(',');
    const g = byKey.get(key);
    if (g) {
      g.votes += p.votes;
      g.pools.push(i);
    } else byKey.set(key, { allowed, votes: p.votes, pools: [i] });
  });
  // Sorted by key so that the result does not depend on the order of the pools.
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

function maximize(
  seats: number,
  candidates: readonly CumulativeCandidate[],
  fixed: readonly number[],
  groups: readonly Group[],
): { targets: number[]; groups: { group: Group; amounts: number[] }[] } {
  const n = candidates.length;
  const total = sum(groups.map((g) => g.votes));
  // Board nominees, most fixed votes first, ties in ballot order: the cheapest to elect come first.
  const ranked = candidates
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.boardNominee)
    .map(({ i }) => i)
    .sort((a, b) => (fixed[b] ?? 0) - (fixed[a] ?? 0) || a - b);

  for (let k = Math.min(seats, ranked.length); k >= 1; k--) {
    // The k strongest board nominees need the fewest votes when pools and forced votes are ignored:
    // if even they cannot be covered, no set of k can.
    if (shortfallIgnoringPools(ranked.slice(0, k), seats, fixed) > total) continue;
    for (const T of combinations(ranked, k)) {
      const inT = new Array<boolean>(n).fill(false);
      for (const t of T) inT[t] = true;
      const free: Flow[] = [];
      const forced: Flow[] = [];
      groups.forEach((g, gi) => {
        const reach = g.allowed.filter((c) => inT[c]);
        if (reach.length > 0) free.push({ group: gi, allowed: reach, votes: g.votes });
        else forced.push({ group: gi, allowed: g.allowed, votes: g.votes });
      });
      if (shortfallIgnoringPools(T, seats, fixed) > sum(free.map((f) => f.votes))) continue;
      const others = candidates.map((_, i) => i).filter((i) => !inT[i]);
      const plan = lowestLine(seats - k, others, fixed, forced, n);
      const need = new Array<number>(n).fill(0);
      for (const t of T) need[t] = Math.max(0, plan.line + 1 - (fixed[t] ?? 0));
      if (route(free, need).flow !== sum(need)) continue;

      // T is feasible: forced votes without lifting an other above the line, the rest over T.
      const caps = new Array<number>(n).fill(0);
      for (const o of others)
        caps[o] = plan.absorbers.has(o) ? Number.POSITIVE_INFINITY : plan.line - (fixed[o] ?? 0);
      const forcedAmounts = equalise(forced, fixed, caps);
      const freeAmounts = equalise(free, fixed, new Array<number>(n).fill(Number.POSITIVE_INFINITY));
      for (const t of T) {
        if ((fixed[t] ?? 0) + (freeAmounts[t] ?? 0) <= plan.line)
          throw new Error('cumulative: target below the line');
      }
      return {
        targets: T,
        groups: [...assign(groups, forced, forcedAmounts), ...assign(groups, free, freeAmounts)],
      };
    }
  }
  // Not even one board nominee can be elected: spread everything over the nominees marked FOR.
  const all: Flow[] = groups.map((g, gi) => ({ group: gi, allowed: g.allowed, votes: g.votes }));
  const amounts = equalise(all, fixed, new Array<number>(n).fill(Number.POSITIVE_INFINITY));
  return { targets: [], groups: assign(groups, all, amounts) };
}

/**
 * Votes the set T needs if every vote could go anywhere and only the fixed votes counted: each member
 * must pass the (seats - |T| + 1)-th highest fixed total of the others. A lower bound of the true need.
 */
function shortfallIgnoringPools(T: readonly number[], seats: number, fixed: readonly number[]): number {
  const inT = new Set(T);
  const others = fixed.filter((_, i) => !inT.has(i)).sort((a, b) => b - a);
  const line = others[seats - T.length] ?? 0;
  return sum(T.map((t) => Math.max(0, line + 1 - (fixed[t] ?? 0))));
}

/**
 * The lowest line the forced votes allow: the smallest L such that the forced pools can place all their
 * votes (each within what it allows) with at most `seatsLeft` others above L. Others with more than L
 * fixed votes are above it anyway; the remaining places go to "absorbers" among the nominees the forced
 * pools allow (tried in order of fixed votes, then ballot order), and everybody else is capped at L.
 */
function lowestLine(
  seatsLeft: number,
  others: readonly number[],
  fixed: readonly number[],
  forced: readonly Flow[],
  n: number,
): { line: number; absorbers: ReadonlySet<number> } {
  if (others.length <= seatsLeft) return { line: 0, absorbers: new Set(others) };
  const sorted = others.map((o) => fixed[o] ?? 0).sort((a, b) => b - a);
  const floor = sorted[seatsLeft] ?? 0;
  const attempt = (line: number): Set<number> | null => {
    const above = others.filter((o) => (fixed[o] ?? 0) > line);
    const places = seatsLeft - above.length;
    if (places < 0) return null;
    const aboveSet = new Set(above);
    const residual = forced.filter((f) => !f.allowed.some((c) => aboveSet.has(c)));
    const pool = [...new Set(residual.flatMap((f) => f.allowed))].sort(
      (a, b) => (fixed[b] ?? 0) - (fixed[a] ?? 0) || a - b,
    );
    for (const chosen of combinations(pool, Math.min(places, pool.length))) {
      const absorbers = new Set([...above, ...chosen]);
      const rest = residual.filter((f) => !f.allowed.some((c) => absorbers.has(c)));
      const caps = new Array<number>(n).fill(0);
      for (const f of rest) for (const c of f.allowed) caps[c] = line - (fixed[c] ?? 0);
      if (route(rest, caps).flow === sum(rest.map((f) => f.votes))) return absorbers;
    }
    return null;
  };
  if (forced.length === 0)
    return { line: floor, absorbers: new Set(others.filter((o) => (fixed[o] ?? 0) > floor)) };
  let lo = floor - 1; // infeasible (by convention)
  let hi = floor + sum(forced.map((f) => f.votes)); // always feasible
  let best = attempt(hi);
  if (!best) throw new Error('cumulative: no line for the forced votes');
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const found = attempt(mid);
    if (found) {
      hi = mid;
      best = found;
    } else lo = mid;
  }
  return { line: hi, absorbers: best };
}

/** Per group, the candidates' amounts of a routing of `amounts` through `flows`. */
function assign(groups: readonly Group[], flows: readonly Flow[], amounts: readonly number[]) {
  const r = route(flows, amounts);
  if (r.flow !== sum(flows.map((f) => f.votes))) throw new Error('cumulative: votes left unallocated');
  return flows.map((f, j) => ({ group: groups[f.group] as Group, amounts: r.perFlow[j] ?? [] }));
}

/** Back from groups to pools: each pool of a group, in input order, takes votes in ballot order. */
function splitGroups(
  groups: readonly { group: Group; amounts: readonly number[] }[],
  pools: readonly DiscretionaryPool[],
  n: number,
): number[][] {
  const out = pools.map(() => new Array<number>(n).fill(0));
  for (const { group, amounts } of groups) {
    const left = [...amounts];
    let c = 0;
    for (const p of group.pools) {
      let need = pools[p]?.votes ?? 0;
      const row = out[p] ?? [];
      while (need > 0) {
        while (c < n && (left[c] ?? 0) === 0) c++;
        if (c >= n) throw new Error('cumulative: group split mismatch');
        const take = Math.min(need, left[c] ?? 0);
        row[c] = (row[c] ?? 0) + take;
        left[c] = (left[c] ?? 0) - take;
        need -= take;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Water-filling within the pools' restrictions

/**
 * The lexicographically max-min allocation of final totals (base + amount), using every vote of
 * `flows` when their caps allow it: raise the lowest totals together (binary search on the level, a
 * max-flow check per step); when the level cannot rise by one for all, give the extra vote in ballot
 * order to those that can take it and freeze the others. `caps[c]` bounds the amount of c (Infinity:
 * none). Returns the amount per candidate.
 */
function equalise(flows: readonly Flow[], base: readonly number[], caps: readonly number[]): number[] {
  const n = base.length;
  const supply = sum(flows.map((f) => f.votes));
  const amount = new Array<number>(n).fill(0);
  const reach = new Set<number>();
  for (const f of flows) if (f.votes > 0) for (const c of f.allowed) if ((caps[c] ?? 0) > 0) reach.add(c);
  let active = [...reach].sort((a, b) => a - b);
  const frozen = new Array<boolean>(n).fill(false);
  const b = (c: number) => base[c] ?? 0;
  const cap = (c: number) => caps[c] ?? 0;
  const demand = (level: number, extra: ReadonlySet<number>) =>
    amount.map((a, c) => {
      if (frozen[c]) return a;
      if (!reach.has(c)) return 0;
      return Math.min(cap(c), Math.max(0, level - b(c)) + (extra.has(c) ? 1 : 0));
    });
  const fits = (level: number, extra: ReadonlySet<number> = new Set()) => {
    const d = demand(level, extra);
    return route(flows, d).flow === sum(d);
  };
  let level = Math.min(...active.map(b));
  while (active.length > 0) {
    const top = Math.max(...active.map((c) => b(c) + (Number.isFinite(cap(c)) ? cap(c) : supply + 1)));
    if (fits(top)) {
      for (const c of active) {
        amount[c] = Math.min(cap(c), Math.max(0, top - b(c)));
        frozen[c] = true;
      }
      break;
    }
    let lo = level;
    let hi = top;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    for (const c of active) amount[c] = Math.min(cap(c), Math.max(0, lo - b(c)));
    const bumped = new Set<number>();
    for (const c of active) {
      if (b(c) > lo) continue; // above the water: untouched for now
      if ((amount[c] ?? 0) >= cap(c)) {
        frozen[c] = true;
        continue;
      }
      bumped.add(c);
      if (!fits(lo, bumped)) {
        bumped.delete(c);
        frozen[c] = true;
      }
    }
    for (const c of bumped) amount[c] = (amount[c] ?? 0) + 1;
    level = lo + 1;
    active = active.filter((c) => !frozen[c]);
  }
  return amount;
}

// ---------------------------------------------------------------------------------------------------
// Max-flow (Dinic) on source -> flows -> candidates -> sink

/** Max-flow of the flows' votes to candidates, candidate c taking at most `want[c]`. */
function route(flows: readonly Flow[], want: readonly number[]): { flow: number; perFlow: number[][] } {
  const n = want.length;
  const net = new Network(2 + flows.length + n);
  const big = sum(flows.map((f) => f.votes)) + 1;
  const edges = flows.map((f, j) => {
    net.add(0, 2 + j, f.votes);
    return f.allowed.map((c) => ({ c, e: net.add(2 + j, 2 + flows.length + c, big) }));
  });
  want.forEach((w, c) => {
    if (w > 0) net.add(2 + flows.length + c, 1, w);
  });
  const flow = net.maxFlow(0, 1);
  const perFlow = edges.map((list) => {
    const row = new Array<number>(n).fill(0);
    for (const { c, e } of list) row[c] = net.flowOn(e);
    return row;
  });
  return { flow, perFlow };
}

class Network {
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly adj: number[][];
  private level: number[] = [];
  private next: number[] = [];

  constructor(nodes: number) {
    this.adj = Array.from({ length: nodes }, () => []);
  }

  add(u: number, v: number, capacity: number): number {
    const e = this.to.length;
    this.to.push(v, u);
    this.cap.push(capacity, 0);
    this.adj[u]?.push(e);
    this.adj[v]?.push(e + 1);
    return e;
  }

  flowOn(e: number): number {
    return this.cap[e + 1] ?? 0;
  }

  maxFlow(s: number, t: number): number {
    let total = 0;
    while (this.bfs(s, t)) {
      this.next = this.adj.map(() => 0);
      for (;;) {
        const pushed = this.dfs(s, t, Number.POSITIVE_INFINITY);
        if (pushed === 0) break;
        total += pushed;
      }
    }
    return total;
  }

  private bfs(s: number, t: number): boolean {
    this.level = this.adj.map(() => -1);
    this.level[s] = 0;
    const queue = [s];
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q] as number;
      for (const e of this.adj[u] ?? []) {
        const v = this.to[e] as number;
        if ((this.cap[e] ?? 0) > 0 && this.level[v] === -1) {
          this.level[v] = (this.level[u] ?? 0) + 1;
          queue.push(v);
        }
      }
    }
    return this.level[t] !== -1;
  }

  private dfs(u: number, t: number, limit: number): number {
    if (u === t) return limit;
    const list = this.adj[u] ?? [];
    for (; (this.next[u] ?? 0) < list.length; this.next[u] = (this.next[u] ?? 0) + 1) {
      const e = list[this.next[u] ?? 0] as number;
      const v = this.to[e] as number;
      const c = this.cap[e] ?? 0;
      if (c > 0 && this.level[v] === (this.level[u] ?? 0) + 1) {
        const pushed = this.dfs(v, t, Math.min(limit, c));
        if (pushed > 0) {
          this.cap[e] = c - pushed;
          this.cap[e ^ 1] = (this.cap[e ^ 1] ?? 0) + pushed;
          return pushed;
        }
      }
    }
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** The k-element subsets of `items`, in lexicographic order of positions (the first k items first). */
function* combinations<T>(items: readonly T[], k: number): Generator<T[]> {
  if (k < 0 || k > items.length) return;
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    yield idx.map((i) => items[i] as T);
    let i = k - 1;
    while (i >= 0 && idx[i] === items.length - k + i) i--;
    if (i < 0) return;
    idx[i] = (idx[i] ?? 0) + 1;
    for (let j = i + 1; j < k; j++) idx[j] = (idx[j - 1] ?? 0) + 1;
  }
}
