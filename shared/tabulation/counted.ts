import type { Instruction, Votes } from '../domain/instruction.ts';
import type { Meeting } from '../domain/meeting.ts';
import { type ConflictReport, decidedText, parseDecided, Tabulator } from '../domain/tabulate.ts';
import { accountChain, type HistoryLeaf } from '../domain/tamper.ts';
import type { RejectedInstruction } from '../domain/timeline.ts';
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
  | 'in-conflict'
  /** Left out of the count: it broke the meeting's timeline (after the cut-off, after the close...). */
  | 'rejected'
  /** Received after the final count started: the count never read it. */
  | 'not-in-final-count';

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
  const leaf = await deps.snapshots.leafOf(final, holder.account);
  const decided = decisionOf(deps.meeting, final, holder, history, leaf);
  // The final result is read only for an account in conflict (the proposals left unvoted) or a
  // rejected instruction (the rule it broke).
  const needsResult = decided.status === 'conflict' || decided.rejected.includes(mine.instruction.id);
  const result = needsResult ? await deps.snapshots.result(final) : null;
  const conflict = result?.conflicts.find((c) => c.account === holder.account) ?? null;
  const rejection = result?.rejected.find((r) => r.id === mine.instruction.id) ?? null;
  return {
    answer: answerFor(final, history, mine.instruction, leaf, decided, conflict, rejection),
    holder,
  };
}

/** What decided the account in the final count: as its leaf recorded it, else by the domain's rule. */
export function decisionOf(
  meeting: Meeting,
  final: Pick<SnapshotHeader, 'cumulative' | 'pollsClosedAt'>,
  holder: Pick<BallotHolder, 'account' | 'shares' | 'nominee'>,
  history: readonly Instruction[],
  leaf: HistoryLeaf | null,
): Decision {
  if (leaf?.decided) return parseDecided(leaf.decided);
  // The count's own rule, with the final count's options, as the count would have recorded it.
  const tabulator = new Tabulator(meeting, {
    cumulative: final.cumulative,
    pollsClosedAt: final.pollsClosedAt,
  });
  return parseDecided(decidedText(tabulator.addAccount(holder, history)));
}

type Decision = ReturnType<typeof parseDecided>;

/** The answer, from the final count's decision for the account and its leaf in the digest. Pure. */
export function answerFor(
  final: SnapshotHeader,
  history: readonly Instruction[],
  mine: Instruction,
  leaf: HistoryLeaf | null,
  decided: Decision,
  /** The account's open conflict in the final count's result, if any. */
  conflict: ConflictReport | null,
  /** This instruction's rejection in the final count's result, if it was rejected. */
  rejection: RejectedInstruction | null,
): CountedAnswer {
  const now = accountChain(mine.account, history);
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
  const decisive = decided.ids[0];
  const other = history.find((i) => i.id === decisive);
  if (Date.parse(mine.receivedAt) >= Date.parse(final.startedAt)) {
    status = 'not-in-final-count';
    message = `This instruction was received after the final count was made (${final.startedAt}): it is not part of it.`;
  } else if (decided.rejected.includes(mine.id)) {
    status = 'rejected';
    message = `This instruction was not counted: it was ${rejection ? rejection.reason : 'received outside the times the meeting allows'}.`;
  } else if (decided.status === 'voting' || decided.status === 'revoked') {
    const revoked = decided.status === 'revoked';
    if (decisive === mine.id) {
      status = revoked ? 'revocation-in-effect' : 'counted';
      message = revoked
        ? 'This revocation was in effect at the final count: your shares were not counted as present, as you asked.'
        : 'This instruction is the one that was counted for your shares in the final count.';
    } else {
      status = revoked ? 'revoked' : 'superseded';
      countedInstead = other ? describe(other) : null;
      const what = countedInstead
        ? instructionWords(countedInstead)
        : 'an instruction no longer in the record';
      message = revoked
        ? `A later revocation was in effect at the final count (${what}): your shares were not counted as present.`
        : `This instruction was replaced by a later one, which was counted instead: ${what}.`;
    }
  } else if (decided.status === 'conflict') {
    const mineInConflict = decided.ids.includes(mine.id);
    status = mineInConflict ? 'in-conflict' : 'superseded';
    unvoted = conflict?.proposals ?? [];
    const where = unvoted.length ? `proposal(s) ${unvoted.join(', ')}` : 'no proposal';
    message = mineInConflict
      ? `This instrument is one of ${decided.ids.length} of the same date that differ, and the inspector of elections had not resolved the conflict at the final count: your shares were counted as present, and left unvoted on ${where}.`
      : `This instruction was replaced by later paper instruments of one date that differ (an open conflict for the inspector of elections): your shares were counted as present, and left unvoted on ${where}.`;
  } else {
    status = 'superseded';
    message = 'This instruction did not decide how your shares were voted.';
  }
  if (!historyUnchanged) {
    message +=
      ' Warning: the record of your account does not match the one the final count read; the inspector of elections has been alerted.';
  }
  return { status, message, countedInstead, unvoted, ...base };
}
