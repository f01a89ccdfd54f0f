// The meeting file: everything the product needs to know about one shareholder meeting. One zod
// schema serves the local stack, the Lambda functions, the CDK app (at synth time) and the recount.
import * as z from 'zod';
import {
  daysBetween,
  isRealDate,
  isRealLocalDateTime,
  isValidTimeZone,
  localDate,
  zonedLocalToEpochMs,
} from './time.ts';

const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'lower-case letters, digits and hyphens, starting with a letter or digit',
  );
const text = z.string().trim().min(1, 'must not be empty');
const date = z.string().refine(isRealDate, 'must be a real calendar date, YYYY-MM-DD');
const localDateTime = z
  .string()
  .refine(isRealLocalDateTime, 'must be a local date and time, YYYY-MM-DDTHH:MM[:SS], without an offset');
const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Los_Angeles');

export const RECOMMENDATIONS = ['FOR', 'AGAINST'] as const;

const nomineeSchema = z.strictObject({
  id,
  name: text,
  /** The board's nominee (recommended FOR): an unmarked line on a holder's card votes FOR it. */
  boardRecommends: z.boolean(),
});

export const electionSchema = z
  .strictObject({
    kind: z.literal('election'),
    id,
    title: text,
    seats: z.number().int().min(1).max(50),
    nominees: z.array(nomineeSchema).min(1),
    standard: z.enum(['plurality', 'majority-of-votes-cast']),
    /** Whether the articles allow cumulation; it applies only when invoked at the meeting. */
    cumulativeVotingAllowed: z.boolean(),
    routine: z.boolean(),
  })
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.nominees.forEach((n, i) => {
      if (seen.has(n.id))
        ctx.addIssue({
          code: 'custom',
          path: ['nominees', i, 'id'],
          message: `duplicate nominee id "${n.id}"`,
        });
      seen.add(n.id);
    });
    if (e.cumulativeVotingAllowed && e.standard !== 'plurality') {
      ctx.addIssue({
        code: 'custom',
        path: ['standard'],
        message: 'cumulative voting needs the plurality standard',
      });
    }
  });

export const MATTER_STANDARDS = [
  /** The seed's: FOR > AGAINST, and FOR is a majority of the required quorum (FOR >= floor(Q/2) + 1). */
  'majority-present-and-voting-and-of-quorum',
  'majority-of-votes-cast',
  'majority-of-shares-present',
  'majority-of-outstanding',
] as const;

export const matterSchema = z.strictObject({
  kind: z.literal('matter'),
  id,
  title: text,
  standard: z.enum(MATTER_STANDARDS),
  routine: z.boolean(),
  /** Unmarked on a holder's card, the matter is voted as the board recommends (RULES.md section 4). */
  boardRecommendation: z.enum(RECOMMENDATIONS),
});

export const proposalSchema = z.discriminatedUnion('kind', [electionSchema, matterSchema]);

export const meetingSchema = z
  .strictObject({
    id,
    company: z.strictObject({ name: text, address: text }),
    title: text,
    timeZone,
    /** Wall-clock start in the meeting's time zone. */
    start: localDateTime,
    place: text,
    recordDate: date,
    noticeDate: date,
    /** Internet and phone voting close here: a wall-clock time in `timeZone` (defaults to the meeting's). */
    internetCutoff: z.strictObject({ local: localDateTime, timeZone: timeZone.optional() }),
    sharesOutstanding: z
      .number()
      .int()
      .positive()
      .max(Number.MAX_SAFE_INTEGER / 1000),
    /** Quorum: shares present must exceed this fraction of the shares outstanding (1/2 by default law). */
    quorum: z
      .strictObject({ numerator: z.number().int().positive(), denominator: z.number().int().positive() })
      .refine(
        (q) => q.numerator * 3 >= q.denominator,
        'must be at least one third (articles may not go lower)',
      )
      .refine((q) => q.numerator <= q.denominator, 'must not exceed one'),
    proxyholders: z.array(text).min(1),
    proxyStatementUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https address' }),
    /** How a cumulative election spreads the votes of proxies that marked FOR without an allocation. */
    cumulativeDiscretion: z.enum(['maximize', 'even']).default('maximize'),
    proposals: z.array(proposalSchema).min(1),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.proposals.forEach((p, i) => {
      if (seen.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['proposals', i, 'id'],
          message: `duplicate proposal id "${p.id}"`,
        });
      seen.add(p.id);
    });
    if (!isValidTimeZone(m.timeZone) || !isRealLocalDateTime(m.start) || !isRealDate(m.recordDate)) return;
    const meetingDate = m.start.slice(0, 10);
    const recordDays = daysBetween(m.recordDate, meetingDate);
    if (recordDays < 10 || recordDays > 60) {
      ctx.addIssue({
        code: 'custom',
        path: ['recordDate'],
        message: `must be 10 to 60 days before the meeting (Cal. Corp. Code §701); it is ${recordDays}`,
      });
    }
    if (isRealLocalDateTime(m.internetCutoff.local)) {
      const cutoff = zonedLocalToEpochMs(m.internetCutoff.local, m.internetCutoff.timeZone ?? m.timeZone);
      if (cutoff > zonedLocalToEpochMs(m.start, m.timeZone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['internetCutoff', 'local'],
          message: 'must not be after the meeting starts',
        });
      }
    }
    if (isRealDate(m.noticeDate) && daysBetween(m.recordDate, m.noticeDate) < 0) {
      ctx.addIssue({ code: 'custom', path: ['noticeDate'], message: 'must not be before the record date' });
    }
  });

export type Meeting = z.infer<typeof meetingSchema>;
export type Proposal = z.infer<typeof proposalSchema>;
export type Election = z.infer<typeof electionSchema>;
export type Matter = z.infer<typeof matterSchema>;
export type Nominee = Election['nominees'][number];

export interface MeetingWarning {
  path: string;
  message: string;
}

/** Problems that do not invalidate a meeting file but an operator must see (and may override). */
export function meetingWarnings(m: Meeting): MeetingWarning[] {
  const warnings: MeetingWarning[] = [];
  const noticeDays = daysBetween(m.noticeDate, m.start.slice(0, 10));
  if (noticeDays < 40) {
    warnings.push({
      path: 'noticeDate',
      message: `the notice goes out ${noticeDays} days before the meeting, later than the 40 days of SEC Rule 14a-16`,
    });
  }
  return warnings;
}

export function meetingStartMs(m: Meeting): number {
  return zonedLocalToEpochMs(m.start, m.timeZone);
}

export function internetCutoffMs(m: Meeting): number {
  return zonedLocalToEpochMs(m.internetCutoff.local, m.internetCutoff.timeZone ?? m.timeZone);
}

/** Q: the least number of shares that makes a quorum, floor(N x fraction) + 1. */
export function requiredQuorum(m: Pick<Meeting, 'sharesOutstanding' | 'quorum'>): number {
  return Math.floor((m.sharesOutstanding * m.quorum.numerator) / m.quorum.denominator) + 1;
}

/** The calendar date of an instant in the meeting's time zone. */
export function meetingLocalDate(m: Meeting, epochMs: number): string {
  return localDate(epochMs, m.timeZone);
}

/** One line per problem: "proposals.0.seats: Too small: expected number to be >=1". */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`);
}

export class InvalidInputError extends Error {
  constructor(
    readonly what: string,
    readonly problems: string[],
  ) {
    super(`${what} is invalid:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidInputError';
  }
}

/** Parse a meeting file's JSON text; throws InvalidInputError naming every bad field. */
export function parseMeeting(json: string, source = 'meeting file'): Meeting {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new InvalidInputError(source, [`(file): not valid JSON: ${(e as Error).message}`]);
  }
  const result = meetingSchema.safeParse(raw);
  if (!result.success) throw new InvalidInputError(source, formatIssues(result.error));
  return result.data;
}
