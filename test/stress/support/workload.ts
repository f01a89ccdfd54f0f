// What the load tests submit, and what the count must then say, computed here from the receipts
// alone (not with the product's tabulation, which is what it is compared with).
import type { Holder } from '../../../shared/domain/holder.ts';
import type { Votes } from '../../../shared/domain/instruction.ts';
import type { Meeting } from '../../../shared/domain/meeting.ts';
import type { TabulationResult } from '../../../shared/domain/tabulate.ts';
import type { Receipt } from '../../../shared/voting/submit.ts';
import { holder, meetingWith } from '../../support/builders.ts';

/** The reference meeting's nominees (proposal 1, five seats, all recommended by the board). */
export const NOMINEES = ['darlington', 'johnson', 'steffenhagen', 'wallace', 'belisle'] as const;
const CHOICES = ['FOR', 'AGAINST', 'ABSTAIN'] as const;

/** `count` holders with 1 to 100,000 shares, every 50th a nominee (broker) account. */
export function makeHolders(count: number, random: () => number, prefix = 'S'): Holder[] {
  return Array.from({ length: count }, (_, i) =>
    holder(`${prefix}-${i}`, 1 + Math.floor(random() * 100_000), {
      nominee: i % 50 === 49,
      name: `Holder ${prefix}-${i}`,
    }),
  );
}

/** The reference meeting with its shares outstanding set to the register's total. */
export function meetingFor(holders: readonly Holder[]): Meeting {
  return meetingWith({ sharesOutstanding: holders.reduce((s, h) => s + h.shares, 0) });
}

/** A valid internet vote for the holder: a choice on proposal 2, sometimes a WITHHOLD; splits for a nominee. */
export function randomVotes(h: Holder, random: () => number): Votes {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  if (h.nominee) {
    const a = Math.floor(random() * (h.shares + 1));
    const b = Math.floor(random() * (h.shares - a + 1));
    const c = Math.floor(random() * (h.shares - a - b + 1));
    return { '1': { marks: { [pick(NOMINEES)]: 'FOR' } }, '2': { FOR: a, AGAINST: b, ABSTAIN: c } };
  }
  const votes: Votes = { '2': pick(CHOICES) };
  if (random() < 0.3) votes['1'] = { marks: { [pick(NOMINEES)]: 'WITHHOLD' } };
  return votes;
}

export interface ExpectedCount {
  sharesPresent: number;
  matter: { for: number; against: number; abstain: number };
  nominees: Record<string, { for: number; withhold: number }>;
}

/** The count from each account's effective votes (null: revoked; absent: never voted). */
export function expectedCount(
  holders: readonly Holder[],
  effective: ReadonlyMap<string, Votes | null>,
): ExpectedCount {
  const out: ExpectedCount = {
    sharesPresent: 0,
    matter: { for: 0, against: 0, abstain: 0 },
    nominees: Object.fromEntries(NOMINEES.map((n) => [n, { for: 0, withhold: 0 }])),
  };
  for (const h of holders) {
    const votes = effective.get(h.account);
    if (!votes) continue;
    out.sharesPresent += h.shares;
    const matter = votes['2'];
    if (typeof matter === 'string') {
      if (matter === 'FOR') out.matter.for += h.shares;
      if (matter === 'AGAINST') out.matter.against += h.shares;
      if (matter === 'ABSTAIN') out.matter.abstain += h.shares;
    } else if (matter && !('marks' in matter) && !('allocation' in matter)) {
      out.matter.for += matter.FOR ?? 0;
      out.matter.against += matter.AGAINST ?? 0;
      out.matter.abstain += matter.ABSTAIN ?? 0;
    } else if (!h.nominee) {
      out.matter.for += h.shares; // the board's recommendation
    }
    const election = votes['1'];
    const marks = election && typeof election === 'object' && 'marks' in election ? election.marks : {};
    for (const n of NOMINEES) {
      const mark = marks[n] ?? (h.nominee ? undefined : 'FOR');
      const slot = out.nominees[n] as { for: number; withhold: number };
      if (mark === 'FOR') slot.for += h.shares;
      if (mark === 'WITHHOLD') slot.withhold += h.shares;
    }
  }
  return out;
}

/** The same figures read from a tabulation result. */
export function countOf(r: TabulationResult): ExpectedCount {
  const matter = r.proposals.find((p) => p.id === '2');
  const election = r.proposals.find((p) => p.id === '1');
  if (matter?.kind !== 'matter' || election?.kind !== 'election') throw new Error('unexpected proposals');
  return {
    sharesPresent: r.sharesPresent,
    matter: { for: matter.for, against: matter.against, abstain: matter.abstain },
    nominees: Object.fromEntries(election.nominees.map((n) => [n.id, { for: n.for, withhold: n.withhold }])),
  };
}

/** The acknowledged instruction that counts for each account: the latest executed (then the greater id). */
export function latestAcknowledged(receipts: Iterable<Receipt>): Map<string, Receipt> {
  const latest = new Map<string, Receipt>();
  for (const r of receipts) {
    const seen = latest.get(r.account);
    if (
      !seen ||
      r.executedAt > seen.executedAt ||
      (r.executedAt === seen.executedAt && r.instructionId > seen.instructionId)
    )
      latest.set(r.account, r);
  }
  return latest;
}

/** Each account's effective votes according to the receipts (null for a revocation). */
export function effectiveFromReceipts(receipts: Iterable<Receipt>): Map<string, Votes | null> {
  return new Map(
    [...latestAcknowledged(receipts)].map(([account, r]) => [
      account,
      r.kind === 'revocation' ? null : r.votes,
    ]),
  );
}
