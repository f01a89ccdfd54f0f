// Instructions: everything that can decide how an account's shares are voted (RULES.md sections 4
// and 5). They are appended, never changed; the order between them decides which one is effective.
// This schema is also the line format of the JSONL export that the inspector's recount reads.
import * as z from 'zod';
import { ACCOUNT_PATTERN } from './holder.ts';
import './messages.ts';
import { isRealDate } from './time.ts';

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const MATTER_CHOICES = ['FOR', 'AGAINST', 'ABSTAIN'] as const;
const MARKS = ['FOR', 'WITHHOLD', 'AGAINST'] as const;
const list = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

/** A matter: one choice for all shares, or (nominee accounts only) shares split across choices. */
export const matterVoteSchema = z.union([
  z.enum(MATTER_CHOICES),
  z.strictObject({ FOR: count.optional(), AGAINST: count.optional(), ABSTAIN: count.optional() }),
]);

/**
 * One nominee: FOR, or WITHHOLD (plurality) / AGAINST (majority of votes cast); a nominee account may
 * split its shares ({ "FOR": 600, "WITHHOLD": 400 }).
 */
export const nomineeVoteSchema = z.union(
  [
    z.enum(MARKS),
    z.strictObject({ FOR: count.optional(), WITHHOLD: count.optional(), AGAINST: count.optional() }),
  ],
  {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `"${issue.input}" is not a mark for a nominee: one of ${list(MARKS)}`
        : `must be a mark for a nominee, one of ${list(MARKS)}, or a nominee account's split such as {"FOR": 600, "WITHHOLD": 400}`,
  },
);

/**
 * An election: marks per nominee (unmarked nominees are left out of `marks`), and, where the meeting
 * allows cumulative voting, an optional explicit allocation of votes (shares x seats at most).
 */
export const electionVoteSchema = z.strictObject({
  marks: z.record(z.string(), nomineeVoteSchema).default({}),
  allocation: z.record(z.string(), count).optional(),
});

const isElectionVote = (v: object) => 'marks' in v || 'allocation' in v;

/**
 * One proposal's vote: a matter's choice (or split), or an election's marks. Told apart by their shape
 * before parsing, so that a wrong value is named in the words of what it was meant to be ("AGAINS" is
 * not a vote on a matter) rather than as a failure of every form at once.
 */
const proposalVoteSchema = z.unknown().transform((value, ctx): MatterVote | ElectionVote => {
  if (typeof value === 'string' && !(MATTER_CHOICES as readonly string[]).includes(value)) {
    ctx.addIssue({
      code: 'custom',
      input: value,
      message: `"${value}" is not a vote on a matter: one of ${list(MATTER_CHOICES)} (an election takes {"marks": {"<nominee id>": ${list(MARKS).replaceAll(', ', ' | ')}}})`,
    });
    return z.NEVER;
  }
  if (typeof value !== 'string' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    ctx.addIssue({
      code: 'custom',
      input: value,
      message: `must be a matter's choice (${list(MATTER_CHOICES)}) or an election's {"marks": {...}}`,
    });
    return z.NEVER;
  }
  const schema = typeof value === 'object' && isElectionVote(value) ? electionVoteSchema : matterVoteSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', input: value, path: issue.path, message: issue.message });
  return z.NEVER;
});

export const votesSchema = z.record(z.string(), proposalVoteSchema);

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
