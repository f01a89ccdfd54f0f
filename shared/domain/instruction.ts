// Instructions: everything that can decide how an account's shares are voted (RULES.md sections 4
// and 5). They are appended, never changed; the order between them decides which one is effective.
// This schema is also the line format of the JSONL export that the inspector's recount reads.
import * as z from 'zod';
import { ACCOUNT_PATTERN } from './holder.ts';
import { isRealDate } from './time.ts';

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A matter: one choice for all shares, or (nominee accounts only) shares split across choices. */
export const matterVoteSchema = z.union([
  z.enum(['FOR', 'AGAINST', 'ABSTAIN']),
  z.strictObject({ FOR: count.optional(), AGAINST: count.optional(), ABSTAIN: count.optional() }),
]);

/**
 * One nominee: FOR, or WITHHOLD (plurality) / AGAINST (majority of votes cast); a nominee account may
 * split its shares ({ "FOR": 600, "WITHHOLD": 400 }).
 */
export const nomineeVoteSchema = z.union([
  z.enum(['FOR', 'WITHHOLD', 'AGAINST']),
  z.strictObject({ FOR: count.optional(), WITHHOLD: count.optional(), AGAINST: count.optional() }),
]);

/**
 * An election: marks per nominee (unmarked nominees are left out of `marks`), and, where the meeting
 * allows cumulative voting, an optional explicit allocation of votes (shares x seats at most).
 */
export const electionVoteSchema = z.strictObject({
  marks: z.record(z.string(), nomineeVoteSchema).default({}),
  allocation: z.record(z.string(), count).optional(),
});

export const votesSchema = z.record(z.string(), z.union([matterVoteSchema, electionVoteSchema]));

const base = {
  /** Unique per instruction; the same instruction delivered twice carries the same id and counts once. */
  id: z.string().min(1).max(128),
  account: z.string().regex(ACCOUNT_PATTERN, 'must be an account number of the register'),
  /** When the instruction reached the product (ISO 8601 instant, millisecond precision). */
  receivedAt: z.iso.datetime({ offset: true }),
  /** Who signed or submitted it: a holder's name, or the operator entering a paper item. */
  signedBy: z.string().trim().min(1).max(200),
  /** The operator who entered it (paper, meeting and inspector entries). */
  enteredBy: z.string().trim().min(1).max(200).optional(),
};

const paperDate = z.string().refine(isRealDate, 'must be the date written on the paper, YYYY-MM-DD');

export const instructionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...base,
    kind: z.literal('proxy'),
    channel: z.enum(['internet', 'phone', 'paper']),
    /** Paper only: the date written on the card. Internet and phone proxies are dated by receipt. */
    dated: paperDate.optional(),
    /**
     * Contested meetings (RULES.md section 8): the party whose card this is. Absent: the registrant's
     * card (the internet and phone ballot always is); another party's card arrives on paper.
     */
    party: z.string().min(1).max(63).optional(),
    /** Paper only: the agent (proxy solicitor, tabulator) who delivered another party's card. */
    agent: z.string().trim().min(1).max(200).optional(),
    votes: votesSchema,
  }),
  z.strictObject({
    ...base,
    kind: z.literal('revocation'),
    /** A written instrument entered by an operator (dated), or a holder's revocation on-line (dated by receipt). */
    channel: z.enum(['paper', 'internet']),
    dated: paperDate.optional(),
  }),
  z.strictObject({
    ...base,
    kind: z.literal('meeting-ballot'),
    channel: z.literal('meeting'),
    votes: votesSchema,
  }),
  z.strictObject({
    ...base,
    kind: z.literal('resolution'),
    channel: z.literal('inspector'),
    /** The instruction the inspector of elections decided counts among same-date conflicting papers. */
    chooses: z.string().min(1).max(128),
  }),
]);

export type Instruction = z.infer<typeof instructionSchema>;
export type VotingInstruction = Extract<Instruction, { kind: 'proxy' | 'meeting-ballot' }>;
export type Votes = z.infer<typeof votesSchema>;
export type MatterVote = z.infer<typeof matterVoteSchema>;
export type NomineeVote = z.infer<typeof nomineeVoteSchema>;
export type ElectionVote = z.infer<typeof electionVoteSchema>;
