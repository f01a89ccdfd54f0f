// Counted as cast (issue "Tabulation", item 6): after the final count a holder gives the control
// number and a receipt code and learns whether that instruction is the one counted for the account,
// or was replaced, revoked or left in a conflict. The holder is found exactly as for the ballot (same
// answers to a wrong number, same limit on failures from one address); the answer is worked out by
// the domain's own rule (effectiveInstruction) from the account's history, and that history is checked
// against the account's leaf in the final count's history digest, so the holder learns whether it is
// still the history that was counted.
import { votesAlike } from '../domain/ballot.ts';
import type { Instruction, Votes } from '../domain/instruction.ts';
import type { Meeting } from '../domain/meeting.ts';
import { effectiveInstruction } from '../domain/revocation.ts';
import type { ConflictReport } from '../domain/tabulate.ts';
import { accountChain, type HistoryLeaf } from '../domain/tamper.ts';
import type { BallotHolder } from '../voting/ports.ts';
import { holderFor, type VotingDeps } from '../voting/submit.ts';
import type { SnapshotHeader, SnapshotStore } from './snapshots.ts';

export type CountedStatus =
  /** This instruction decided how the account's shares were voted. */
  | 'counted'
  /** A later instruction (a proxy or a ballot at the meeting) was counted instead. */
  | 'superseded'
  /** A later written revocation was in effect: the shares were not present. */
  | 'revoked'
  /** This is the revocation that was in effect: the shares were not present, as asked. */
  | 'revocation-in-effect'
  /** This paper instrument is in an unresolved same-date conflict. */
  | 'in-conflict';

export interface DescribedInstruction {
  kind: Instruction['kind'];
  channel: Instruction['channel'];
  receivedAt: string;
  /** The date written on a paper instrument. */
  dated?: string;
  votes?: Votes;
}

export interface CountedAnswer {
  status: CountedStatus;
  /** The answer in plain words. */
  message: string;
  /** The instruction with this receipt code. */
  instruction: DescribedInstruction;
  /** What counted for the account instead, when it is another instruction. */
  countedInstead: DescribedInstruction | null;
  /** In a conflict: the proposals left unvoted. */
  unvoted: string[];
  finalCount: { runId: string; finishedAt: string; historyRoot: string | null; inputDigest: string | null };
  /** Whether the account's history now is the one the final count read (its chain in the digest). */
  historyUnchanged: boolean;
  /** The account's leaf in the final count's history digest: its instruction count and chain head. */
  evidence: { count: number; head: string } | null;
}

export class CountedError extends Error {
  constructor(
    readonly code: 'not-final' | 'receipt-not-found' | 'invalid',
    message: string,
    readonly fields: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'CountedError';
  }
}

const RECEIPT = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{12}$/;

/** ABCD-EFGH-JKLM, whatever spacing, dashes or case the holder typed. */
export function normalizeReceiptCode(input: string): string | null {
  const bare = input.replace(/[\s-]/g, '').toUpperCase();
  if (!RECEIPT.test(bare)) return null;
  return `${bare.slice(0, 4)}-${bare.slice(4, 8)}-${bare.slice(8, 12)}`;
}

export interface CountedDeps {
  voting: VotingDeps;
  snapshots: SnapshotStore;
  meeting: Meeting;
}

export function describe(i: Instruction): DescribedInstruction {
  return {
    kind: i.kind,
    channel: i.channel,
    receivedAt: i.receivedAt,
    ...('dated' in i && i.dated !== undefined ? { dated: i.dated } : {}),
    ...(i.kind === 'proxy' || i.kind === 'meeting-ballot' ? { votes: i.votes } : {}),
  };
}

const KIND_WORDS: Record<Instruction['kind'], string> = {
  proxy: 'proxy',
  revocation: 'revocation',
  'meeting-ballot': 'ballot cast at the meeting',
  resolution: "inspector's resolution",
};

/** "an internet proxy received 2002-06-01T17:00:00.000Z", "a paper proxy dated 2002-06-10". */
export function instructionWords(d: DescribedInstruction): string {
  const what =
    d.kind === 'meeting-ballot' || d.kind === 'resolution'
      ? KIND_WORDS[d.kind]
      : `${d.channel} ${KIND_WORDS[d.kind]}`;
  const article = /^[aeiou]/.test(what) ? 'an' : 'a';
  return `${article} ${what} ${d.dated ? `dated ${d.dated}` : `received ${d.receivedAt}`}`;
}

export async function checkCounted(
  deps: CountedDeps,
  input: { controlNumber: string; receiptCode: string },
  source: string,
): Promise<{ answer: CountedAnswer; holder: BallotHolder }> {
  const holder = await holderFor(deps.voting, input.controlNumber, source);
  const receipt = normalizeReceiptCode(input.receiptCode);
  if (!receipt) {
    throw new CountedError('invalid', 'The receipt code has 12 letters and digits, e.g. ABCD-EFGH-JKLM.', [
      { path: 'receiptCode', message: 'must be the 12-character receipt code of your confirmation' },
    ]);
  }
  const final = await deps.snapshots.final();
  if (!final) {
    throw new CountedError(
      'not-final',
      'The final count has not been made yet. You can check once the polls are closed and the votes counted.',
    );
  }
  const stored = await deps.voting.store.history(holder.account);
  const mine = stored.find((s) => s.receiptCode === receipt);
  if (!mine) {
    throw new CountedError(
      'receipt-not-found',
      'No instruction of your account has this receipt code. Check it against your confirmation.',
      [{ path: 'receiptCode', message: 'is not the receipt of an instruction of this account' }],
    );
  }
  const history = stored.map((s) => s.instruction);
  // The final result is read only for an account in conflict (for the proposals left unvoted).
  const inConflict = effectiveOf(deps.meeting, final, holder, history).status === 'conflict';
  const [leaf, result] = await Promise.all([
    deps.snapshots.leafOf(final, holder.account),
    inConflict ? deps.snapshots.result(final) : Promise.resolve(null),
  ]);
  const conflict = result?.conflicts.find((c) => c.account === holder.account) ?? null;
  return {
    answer: answerFor(deps.meeting, final, holder, history, mine.instruction, leaf, conflict),
    holder,
  };
}

/** What decided the account, by the domain's rule, with the final count's options. */
function effectiveOf(
  meeting: Meeting,
  final: Pick<SnapshotHeader, 'cumulative'>,
  holder: Pick<BallotHolder, 'shares' | 'nominee'>,
  history: readonly Instruction[],
) {
  const cumulative = new Set(
    final.cumulative
      ? meeting.proposals.filter((p) => p.kind === 'election' && p.cumulativeVotingAllowed).map((p) => p.id)
      : [],
  );
  return effectiveInstruction(history, meeting.timeZone, votesAlike(holder, { meeting, cumulative }));
}

/** The answer, from the account's history and its leaf in the final count's digest. Pure. */
export function answerFor(
  meeting: Meeting,
  final: SnapshotHeader,
  holder: Pick<BallotHolder, 'account' | 'shares' | 'nominee'>,
  history: readonly Instruction[],
  mine: Instruction,
  leaf: HistoryLeaf | null,
  /** The account's open conflict in the final count's result, if any. */
  conflict: ConflictReport | null,
): CountedAnswer {
  const effective = effectiveOf(meeting, final, holder, history);
  const now = accountChain(holder.account, history);
  const historyUnchanged = leaf !== null && leaf.count === now.count && leaf.head === now.head;
  const base = {
    instruction: describe(mine),
    finalCount: {
      runId: final.runId,
      finishedAt: final.finishedAt,
      historyRoot: final.digest?.root ?? null,
      inputDigest: final.inputDigest,
    },
    historyUnchanged,
    evidence: leaf ? { count: leaf.count, head: leaf.head } : null,
  };
  let status: CountedStatus;
  let message: string;
  let countedInstead: DescribedInstruction | null = null;
  let unvoted: string[] = [];
  switch (effective.status) {
    case 'voting':
      if (effective.instruction.id === mine.id) {
        status = 'counted';
        message = 'This instruction is the one that was counted for your shares in the final count.';
      } else {
        status = 'superseded';
        countedInstead = describe(effective.instruction);
        message = `This instruction was replaced by a later one, which was counted instead: ${instructionWords(countedInstead)}.`;
      }
      break;
    case 'revoked':
      if (effective.revocation.id === mine.id) {
        status = 'revocation-in-effect';
        message =
          'This revocation was in effect at the final count: your shares were not counted as present, as you asked.';
      } else {
        status = 'revoked';
        countedInstead = describe(effective.revocation);
        message = `A later revocation was in effect at the final count (${instructionWords(countedInstead)}): your shares were not counted as present.`;
      }
      break;
    case 'conflict': {
      const mineInConflict = effective.instruments.some((i) => i.id === mine.id);
      status = mineInConflict ? 'in-conflict' : 'superseded';
      unvoted = conflict?.proposals ?? [];
      message = mineInConflict
        ? `This instrument is one of ${effective.instruments.length} of the same date that differ, and the inspector of elections has not resolved the conflict: your shares were counted as present, and left unvoted on ${unvoted.length ? `proposal(s) ${unvoted.join(', ')}` : 'no proposal'}.`
        : `This instruction was replaced by later paper instruments of one date that differ (an open conflict for the inspector of elections): your shares were counted as present, and left unvoted on ${unvoted.length ? `proposal(s) ${unvoted.join(', ')}` : 'no proposal'}.`;
      break;
    }
    default:
      status = 'superseded';
      message = 'This instruction did not decide how your shares were voted.';
  }
  if (!historyUnchanged) {
    message +=
      ' Warning: the record of your account does not match the one the final count read; the inspector of elections has been alerted.';
  }
  return { status, message, countedInstead, unvoted, ...base };
}
