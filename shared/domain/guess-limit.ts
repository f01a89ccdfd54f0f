// The limit on control-number guesses, per viewer (RULES.md section 2: "repeated failures from one
// source are slowed down or refused"). Pure arithmetic; the adapter turns each plan into one
// conditional write, so the limit holds however many guesses arrive at once.
//
// Two levels, each a "generic cell rate algorithm" (a leaky bucket kept as one number, its theoretical
// arrival time `tat`, in ms): a level admits a guess while its backlog (tat - now) leaves room for one
// more interval within `burst` intervals, and each admitted guess adds one interval. The backlog
// drains continuously, so the window slides: there is no wall at the top of the hour.
//  - the short level: `burst` guesses at once, then one more every `interval` (20 at once, then one
//    every 3 minutes by default);
//  - the day level: `dayBurst` guesses at once, then one more every `dayInterval` (100, then one
//    every 15 minutes).
// The delay grows with the guessing: none for the first `burst`, then `interval` per guess, then
// `dayInterval` per guess once the day level is spent.
//
// A guess is reserved before the look-up and released when the number was right, so a holder who
// gets it right never uses up the allowance of the family or office behind the same address.

export interface GuessPolicy {
  /** Guesses a viewer may make at once. */
  burst: number;
  /** Ms after which one more guess is allowed once the burst is spent. */
  intervalMs: number;
  /** Guesses a viewer may make within a day at most, at once. */
  dayBurst: number;
  /** Ms after which one more guess is allowed once the day's burst is spent. */
  dayIntervalMs: number;
}

export const DEFAULT_GUESS_POLICY: GuessPolicy = {
  burst: 20,
  intervalMs: 3 * 60_000,
  dayBurst: 100,
  dayIntervalMs: 15 * 60_000,
};

/** A policy from a burst alone (the functions' MAX_CONTROL_FAILURES): the rest scales with it. */
export function guessPolicy(burst: number, base: GuessPolicy = DEFAULT_GUESS_POLICY): GuessPolicy {
  if (!Number.isInteger(burst) || burst < 1)
    throw new RangeError('the guess burst must be a positive integer');
  return { ...base, burst, dayBurst: Math.max(base.dayBurst, burst) };
}

/** The two levels' theoretical arrival times, as stored (absent: never used). */
export interface GuessState {
  short?: number | undefined;
  day?: number | undefined;
}

/** One level's step: start afresh (the backlog is drained) or add one interval to the backlog. */
export type LevelStep =
  | {
      kind: 'reset';
      value: number /** Condition: the stored value is absent or below this. */;
      below: number;
    }
  | {
      kind: 'add';
      add: number;
      /** Condition: the stored value lies in [from, to]. */
      from: number;
      to: number;
    };

export type GuessPlan =
  | { admitted: true; short: LevelStep; day: LevelStep }
  | { admitted: false; retryAfterMs: number };

function level(tat: number | undefined, now: number, burst: number, interval: number) {
  const line = now + (burst - 1) * interval;
  if (tat === undefined || tat < now) {
    return { step: { kind: 'reset', value: now + interval, below: now } as LevelStep, wait: 0 };
  }
  if (tat <= line) return { step: { kind: 'add', add: interval, from: now, to: line } as LevelStep, wait: 0 };
  return { step: null, wait: tat - line };
}

/**
 * What to write to reserve one guess, given the last state seen (null when unknown: the plan then
 * assumes a fresh viewer, and a failed condition returns the real state to plan again).
 */
export function planGuess(state: GuessState | null, now: number, policy: GuessPolicy): GuessPlan {
  const short = level(state?.short, now, policy.burst, policy.intervalMs);
  const day = level(state?.day, now, policy.dayBurst, policy.dayIntervalMs);
  if (!short.step || !day.step) return { admitted: false, retryAfterMs: Math.max(short.wait, day.wait) };
  return { admitted: true, short: short.step, day: day.step };
}

/** A stored state would admit a guess now (for tests and reports; the write's condition decides). */
export function wouldAdmit(state: GuessState, now: number, policy: GuessPolicy): boolean {
  return planGuess(state, now, policy).admitted;
}

/** What an admitted reservation added to each level, so a right number can give it back. */
export interface GuessReservation {
  viewer: string;
  shortMs: number;
  dayMs: number;
}

// ---------------------------------------------------------------------------------------------
// The viewer: what the limit keys on.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4(text: string): string | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts.join('.') : null;
}

/** The eight 16-bit groups of an IPv6 address, or null. An embedded IPv4 tail becomes two groups. */
function ipv6Groups(text: string): number[] | null {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(s) || s.split('::').length > 2) return null;
  const tail = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (tail) {
    const v4 = ipv4(tail[1] as string);
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    s = `${s.slice(0, s.length - (tail[1] as string).length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = s.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array.from({ length: rest === undefined ? 0 : missing }, () => '0'), ...right];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => Number.parseInt(g, 16));
}

/**
 * The key the limit counts under: an IPv4 address as is; an IPv6 address by its /64 network (one
 * household or office gets a whole /64 and can rotate addresses inside it at will); an IPv4 address
 * mapped into IPv6 as the IPv4 address. Anything else is kept as given, so it still has a key.
 */
export function viewerKey(address: string): string {
  const text = address.trim();
  const v4 = ipv4(text);
  if (v4) return v4;
  const groups = ipv6Groups(text);
  if (!groups) return `other:${text.slice(0, 100)}`;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
