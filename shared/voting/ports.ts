// The ports of the voting use cases. Adapters (DynamoDB, SES, the clock) implement them; the use cases
// take them as arguments, so pure tests can pass in-memory fakes.
import type { GuessPolicy, GuessReservation } from '../domain/guess-limit.ts';
import type { Holder } from '../domain/holder.ts';
import type { Instruction } from '../domain/instruction.ts';

/** The polls' state as recorded when they were declared closed. */
export interface PollsState {
  closedAt: string;
  closedBy: string;
  /** Why the polls were closed before the meeting started (an adjourned or emergency close). */
  override?: string;
}

/** What a submission needs to know of the holder behind a control number. */
export interface BallotHolder {
  account: string;
  name: string;
  jointNames: string[];
  shares: number;
  nominee: boolean;
  email: string | null;
}

export interface StoredInstruction {
  instruction: Instruction;
  receiptCode: string;
}

export interface AppendResult {
  /** `duplicate`: an instruction with this id was already stored (a retried submission). */
  outcome: 'stored' | 'duplicate';
  stored: StoredInstruction;
  /** Whether, right after the write, this instruction is the account's effective one. */
  effective: boolean;
}

export interface VoteStore {
  /** The holder behind a control-number hash. */
  lookup(controlHash: string): Promise<BallotHolder | null>;
  /**
   * Reserve one guess for a viewer before a look-up, under a condition: refused past the limit,
   * however many guesses arrive at once.
   */
  reserveGuess(viewer: string, policy: GuessPolicy): Promise<GuessOutcome>;
  /** Give a reserved guess back (the number was right). */
  releaseGuess(reservation: GuessReservation): Promise<void>;
  /**
   * Use a notice link's token, once: its control hash, or null when it is unknown, used or expired.
   * A conditional write: two exchanges of one token never both succeed.
   */
  useLinkToken(linkHash: string, now: number): Promise<string | null>;
  /** Open a ballot session for a control hash, until `expiresAt` (epoch ms). */
  openSession(sessionHash: string, controlHash: string, expiresAt: number): Promise<void>;
  /** The control hash of a live session, or null. */
  session(sessionHash: string, now: number): Promise<string | null>;
  /** Append an instruction and, when it is the latest-dated, make it the account's effective one. */
  append(instruction: Instruction, receiptCode: string, orderKey: string): Promise<AppendResult>;
  /** The account's effective pointer, if any. */
  effective(account: string): Promise<StoredInstruction | null>;
  /** Every instruction of the account, oldest first. */
  history(account: string): Promise<StoredInstruction[]>;
  /** The holder of record of an account (operator entries name the account, not a control number). */
  holder(account: string): Promise<Holder | null>;
  /** Declare the polls closed (once; later calls return the first closing). */
  closePolls(state: PollsState): Promise<PollsState & { alreadyClosed: boolean }>;
  /** The polls' state; null while they are open. */
  polls(): Promise<PollsState | null>;
  /** Whether the final count has been claimed (made or being made): resolutions end then. */
  finalCountClaimed(): Promise<boolean>;
  /** The accounts with a paper instrument or a resolution: the only ones that can be in conflict. */
  accountsWithPaper(): AsyncIterable<string>;
}

/** A write refused because the polls are closed (or, for a resolution, the final count is claimed). */
export class PollsClosedError extends Error {
  constructor(readonly finalCount = false) {
    super(
      finalCount
        ? 'The final count has been made (or is being made): no more resolutions are accepted.'
        : 'The polls are closed: no more votes, revocations or entries are accepted.',
    );
    this.name = 'PollsClosedError';
  }
}

export type GuessOutcome =
  | { admitted: true; reservation: GuessReservation }
  | { admitted: false; retryAfterMs: number };
