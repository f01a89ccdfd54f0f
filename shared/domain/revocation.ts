// Which instruction counts for an account: the latest-dated one (RULES.md section 5).
import type { Instruction, VotingInstruction } from './instruction.ts';
import { localDate } from './time.ts';

type Revocation = Extract<Instruction, { kind: 'revocation' }>;
type PaperInstrument = Extract<Instruction, { kind: 'proxy' | 'revocation' }>;

export type Effective =
  /** No proxy was ever given, or none survives. */
  | { status: 'none' }
  /** A proxy or a ballot cast at the meeting decides the account's vote. */
  | { status: 'voting'; instruction: VotingInstruction }
  /** The latest instruction is a written revocation: the shares are not present. */
  | { status: 'revoked'; revocation: Revocation }
  /**
   * Paper instruments of the same date that differ, with nothing later: the inspector of elections
   * must resolve it. The shares are present; the proposals on which they differ are left unvoted.
   */
  | { status: 'conflict'; instruments: PaperInstrument[] };

/** The calendar date that orders an instruction: the date written on paper, else the receipt date. */
export function executionDate(i: Instruction, timeZone: string): string {
  return 'dated' in i && i.dated !== undefined ? i.dated : localDate(Date.parse(i.receivedAt), timeZone);
}

/**
 * The order of instructions: by execution date in the meeting's time zone, then by receipt time, then by
 * id (for a deterministic order between identical instants). Within one calendar date this is the
 * receipt order, because an internet, phone or meeting instruction is executed when it is received.
 */
export function compareInstructions(a: Instruction, b: Instruction, timeZone: string): number {
  const da = executionDate(a, timeZone);
  const db = executionDate(b, timeZone);
  if (da !== db) return da < db ? -1 : 1;
  const ra = Date.parse(a.receivedAt);
  const rb = Date.parse(b.receivedAt);
  if (ra !== rb) return ra - rb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const isPaper = (i: Instruction): i is PaperInstrument =>
  (i.kind === 'proxy' || i.kind === 'revocation') && i.channel === 'paper';

/**
 * The effective instruction of one account, from its whole history (any order; duplicates of the same
 * id must already be removed). `sameVotes` tells whether two paper proxies vote every proposal alike;
 * only instruments that differ can conflict.
 */
export function effectiveInstruction(
  history: readonly Instruction[],
  timeZone: string,
  sameVotes: (a: VotingInstruction, b: VotingInstruction) => boolean,
): Effective {
  const byOrder = [...history].sort((a, b) => compareInstructions(a, b, timeZone));
  const latest = <T extends Instruction>(xs: T[]): T | undefined => xs[xs.length - 1];

  // A ballot cast at the meeting revokes every proxy of the account.
  const ballot = latest(byOrder.filter((i) => i.kind === 'meeting-ballot'));
  if (ballot) return { status: 'voting', instruction: ballot };

  const candidates = byOrder.filter(
    (i): i is Extract<Instruction, { kind: 'proxy' | 'revocation' }> =>
      i.kind === 'proxy' || i.kind === 'revocation',
  );
  const winner = latest(candidates);
  if (!winner) return { status: 'none' };

  if (isPaper(winner)) {
    const date = executionDate(winner, timeZone);
    const differing = candidates.filter(
      (i) =>
        i !== winner && isPaper(i) && executionDate(i, timeZone) === date && !samePaper(i, winner, sameVotes),
    ) as PaperInstrument[];
    if (differing.length > 0) {
      const instruments = candidates.filter(
        (i): i is PaperInstrument => isPaper(i) && executionDate(i, timeZone) === date,
      );
      const resolution = latest(
        byOrder.filter(
          (i): i is Extract<Instruction, { kind: 'resolution' }> =>
            i.kind === 'resolution' && instruments.some((x) => x.id === i.chooses),
        ),
      );
      const chosen = resolution && instruments.find((x) => x.id === resolution.chooses);
      if (!resolution || !chosen) return { status: 'conflict', instruments };
      // A resolution decides the instruments it saw (RULES.md section 7): an instrument of that date
      // entered after it that differs from the chosen one reopens the conflict.
      const resolvedAt = Date.parse(resolution.receivedAt);
      const later = instruments.filter((x) => Date.parse(x.receivedAt) > resolvedAt);
      if (later.every((x) => samePaper(x, chosen, sameVotes))) return decided(chosen);
      return { status: 'conflict', instruments: [chosen, ...later] };
    }
  }
  return decided(winner);
}

function decided(i: PaperInstrument | Extract<Instruction, { kind: 'proxy' }>): Effective {
  return i.kind === 'revocation'
    ? { status: 'revoked', revocation: i }
    : { status: 'voting', instruction: i };
}

function samePaper(
  a: PaperInstrument,
  b: PaperInstrument,
  sameVotes: (a: VotingInstruction, b: VotingInstruction) => boolean,
): boolean {
  if (a.kind === 'revocation' && b.kind === 'revocation') return true;
  if (a.kind === 'proxy' && b.kind === 'proxy') return sameVotes(a, b);
  return false;
}

/**
 * A text key that sorts like the effective order: a ballot cast at the meeting above any proxy, then
 * `compareInstructions`. The live store keeps the greatest key as the account's effective pointer
 * (ids are ASCII, so DynamoDB's byte order and this order agree).
 */
export function orderKey(i: Instruction, timeZone: string): string {
  const rank = i.kind === 'meeting-ballot' ? '1' : '0';
  return `${rank}#${executionDate(i, timeZone)}#${new Date(Date.parse(i.receivedAt)).toISOString()}#${i.id}`;
}
