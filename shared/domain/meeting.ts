// The meeting file: everything the product needs to know about one shareholder meeting. One zod
// schema serves the local stack, the Lambda functions, the CDK app (at synth time) and the recount.
import * as z from 'zod';
import './validation-messages.ts';
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
/** What a soliciting party's card recommends on a nominee (RULES.md section 8). */
export const NOMINEE_RECOMMENDATIONS = ['FOR', 'WITHHOLD'] as const;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https address' });

/**
 * The proxy materials as Rule 14a-16 has the notice name them: the website, each document at its own
 * address (not a search page), and how and by when a holder asks for free paper or e-mail copies.
 */
const materialsSchema = z.strictObject({
  website: httpUrl,
  documents: z.array(z.strictObject({ title: text, url: httpUrl })).min(1),
  copies: z.strictObject({
    phone: text,
    email: z.email({ error: 'must be an e-mail address' }),
    website: httpUrl,
    /** The date by which a holder should ask, to receive the copies in time. */
    requestBy: date,
  }),
});

/** Who answers holders' questions (the notice, the e-mails and the ballot name it). */
const helpSchema = z.strictObject({
  name: text,
  phone: text.optional(),
  email: z.email({ error: 'must be an e-mail address' }).optional(),
  website: httpUrl.optional(),
});

/** A soliciting party (RULES.md section 8): the registrant (the board) first, then each dissident. */
const partySchema = z.strictObject({ id, name: text });

const nomineeSchema = z.strictObject({
  id,
  name: text,
  /** The board's nominee (recommended FOR): an unmarked line on a holder's card votes FOR it. */
  boardRecommends: z.boolean(),
  /** Contested meetings (with `parties`): the party or parties that nominate it (a common nominee: several). */
  parties: z.array(id).min(1).optional(),
  /**
   * Contested meetings: each party's recommendation on this nominee, by party id. A party that nominates
   * it recommends FOR unless this says otherwise; the registrant's is `boardRecommends` (FOR when true).
   */
  recommendations: z.record(id, z.enum(NOMINEE_RECOMMENDATIONS)).optional(),
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
    /**
     * The bylaw's carve-out: a "majority of votes cast" election that is contested (more nominees than
     * seats) is decided by plurality. Absent: applied when more than one party solicits (RULES.md
     * section 8); a one-party meeting counts as the standard says.
     */
    pluralityWhenContested: z.boolean().optional(),
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
  /**
   * Contested meetings: each other party's recommendation, by party id. A party left out gives none:
   * the matter left unmarked on its card is not voted. The registrant's is `boardRecommendation`.
   */
  recommendations: z.record(id, z.enum(RECOMMENDATIONS)).optional(),
  /**
   * Accounts excluded as interested (e.g. Delaware §144): the count also reports the tally without
   * them, their shares left out of votes cast, shares present and shares outstanding alike.
   */
  interestedAccounts: z.array(z.string().min(1).max(32)).min(1).optional(),
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
    /**
     * The inspectors of election appointed for the meeting (DGCL §231): named on the certificate above
     * their signature lines. Absent: the certificate leaves the names to be written in.
     */
    inspectors: z
      .array(z.strictObject({ name: text, affiliation: text.optional() }))
      .min(1)
      .max(5)
      .optional(),
    proxyStatementUrl: httpUrl,
    /** The notice's materials website, documents and paper copies (absent: the proxy statement only). */
    materials: materialsSchema.optional(),
    /** The holders' help contact (absent: the Corporate Secretary at the company's address). */
    help: helpSchema.optional(),
    /** What admission to the meeting takes (identification, proof of ownership) and where to get directions. */
    admission: text.optional(),
    /** How a cumulative election spreads the votes of proxies that marked FOR without an allocation. */
    cumulativeDiscretion: z.enum(['maximize', 'even']).default('maximize'),
    /**
     * The soliciting parties (RULES.md section 8): the registrant first, then each dissident. Absent: the
     * board alone solicits (today's meeting).
     */
    parties: z.array(partySchema).min(1).optional(),
    proposals: z.array(proposalSchema).min(1),
  })
  .superRefine((m, ctx) => {
    checkParties(m, ctx);
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
    const requestBy = m.materials?.copies.requestBy;
    if (requestBy && isRealDate(requestBy) && daysBetween(requestBy, meetingDate) < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['materials', 'copies', 'requestBy'],
        message: 'must be before the meeting date',
      });
    }
    if (isRealDate(m.noticeDate) && daysBetween(m.recordDate, m.noticeDate) < 0) {
      ctx.addIssue({ code: 'custom', path: ['noticeDate'], message: 'must not be before the record date' });
    }
  });

type ParsedMeeting = z.infer<typeof meetingSchema>;

/** The rules of RULES.md section 8 that tie parties, nominees, recommendations and routine together. */
function checkParties(m: Omit<ParsedMeeting, never>, ctx: z.RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const parties = m.parties;
  if (!parties) {
    m.proposals.forEach((p, i) => {
      if (p.kind === 'matter') {
        if (p.recommendations)
          issue(['proposals', i, 'recommendations'], 'needs the soliciting parties: list them in "parties"');
        return;
      }
      p.nominees.forEach((n, j) => {
        for (const key of ['parties', 'recommendations'] as const)
          if (n[key])
            issue(
              ['proposals', i, 'nominees', j, key],
              'needs the soliciting parties: list them in "parties"',
            );
      });
    });
    return;
  }
  const known = new Set<string>();
  parties.forEach((party, i) => {
    if (known.has(party.id)) issue(['parties', i, 'id'], `duplicate party id "${party.id}"`);
    known.add(party.id);
  });
  const registrant = parties[0]?.id;
  const unknown = (party: string) =>
    `no party "${party}" in "parties" (${[...known].map((k) => `"${k}"`).join(', ')})`;
  const contest = parties.length > 1;
  m.proposals.forEach((p, i) => {
    if (contest && p.routine) {
      issue(
        ['proposals', i, 'routine'],
        'must be false: when more than one party solicits, no proposal is routine for brokers (NYSE Rule 452)',
      );
    }
    if (p.kind === 'matter') {
      for (const [party, rec] of Object.entries(p.recommendations ?? {})) {
        if (!known.has(party)) issue(['proposals', i, 'recommendations', party], unknown(party));
        else if (party === registrant && rec !== p.boardRecommendation)
          issue(
            ['proposals', i, 'recommendations', party],
            `the registrant's recommendation is the board's (boardRecommendation ${p.boardRecommendation}), not ${rec}`,
          );
      }
      return;
    }
    const forCount = new Map<string, number>();
    p.nominees.forEach((n, j) => {
      const path = ['proposals', i, 'nominees', j];
      if (!n.parties)
        issue([...path, 'parties'], 'must name the party or parties that nominate this nominee');
      for (const party of n.parties ?? []) if (!known.has(party)) issue([...path, 'parties'], unknown(party));
      if (registrant && n.parties?.includes(registrant) && !n.boardRecommends)
        issue([...path, 'boardRecommends'], 'must be true: the registrant nominates this nominee');
      for (const [party, rec] of Object.entries(n.recommendations ?? {})) {
        if (!known.has(party)) issue([...path, 'recommendations', party], unknown(party));
        else if (party === registrant && (rec === 'FOR') !== n.boardRecommends)
          issue(
            [...path, 'recommendations', party],
            `the registrant's recommendation is the board's (boardRecommends ${n.boardRecommends}), not ${rec}`,
          );
        else if (rec === 'WITHHOLD' && n.parties?.includes(party))
          issue([...path, 'recommendations', party], 'a party cannot recommend WITHHOLD on its own nominee');
      }
      for (const party of known)
        if (nomineeRecommendation(m, n, party) === 'FOR') forCount.set(party, (forCount.get(party) ?? 0) + 1);
    });
    for (const party of parties) {
      const n = forCount.get(party.id) ?? 0;
      if (n > p.seats)
        issue(
          ['proposals', i, 'nominees'],
          `party "${party.id}" (${party.name}) recommends FOR ${n} nominees, more than the ${p.seats} seats: its blank card would over-vote`,
        );
    }
  });
}

export type Meeting = ParsedMeeting;
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
  if (!m.materials) {
    warnings.push({
      path: 'materials',
      message:
        'no materials website, documents or way to ask for paper copies: the notice of Rule 14a-16 names them (the notice links the proxy statement only)',
    });
  }
  if (!m.help) {
    warnings.push({
      path: 'help',
      message: 'no help contact: holders are sent to the Corporate Secretary at the company address',
    });
  }
  return warnings;
}

/** The registrant's party id (the first party), or undefined for a meeting without `parties`. */
export function registrantOf(m: Pick<Meeting, 'parties'>): string | undefined {
  return m.parties?.[0]?.id;
}

/** Whether the meeting uses universal proxy cards: more than one party solicits (RULES.md section 8). */
export function isProxyContest(m: Pick<Meeting, 'parties'>): boolean {
  return (m.parties?.length ?? 0) > 1;
}

/** An election is contested when it has more nominees than seats (RULES.md section 8), whatever the parties. */
export function isContestedElection(e: Pick<Election, 'nominees' | 'seats'>): boolean {
  return e.nominees.length > e.seats;
}

/**
 * The standard the election is decided by: plurality where a contested "majority of votes cast"
 * election falls under the carve-out (`pluralityWhenContested`, by default when more than one party
 * solicits).
 */
export function electionStandard(m: Pick<Meeting, 'parties'>, e: Election): Election['standard'] {
  if (e.standard !== 'majority-of-votes-cast' || !isContestedElection(e)) return e.standard;
  return (e.pluralityWhenContested ?? isProxyContest(m)) ? 'plurality' : e.standard;
}

/**
 * What a party's card recommends on a nominee: FOR, WITHHOLD or nothing (undefined). `party` undefined
 * or the registrant: the board's recommendation (FOR where `boardRecommends`, unless the file says
 * WITHHOLD for the registrant). Another party: the file's `recommendations`, else FOR its own nominees.
 */
export function nomineeRecommendation(
  m: Pick<Meeting, 'parties'>,
  n: Nominee,
  party: string | undefined,
): 'FOR' | 'WITHHOLD' | undefined {
  const registrant = registrantOf(m);
  const p = party ?? registrant;
  const explicit = p === undefined ? undefined : n.recommendations?.[p];
  if (explicit) return explicit;
  if (p === undefined || p === registrant) return n.boardRecommends ? 'FOR' : undefined;
  return n.parties?.includes(p) ? 'FOR' : undefined;
}

/** What a party's card recommends on a matter (undefined: none, the matter is not voted from it). */
export function matterRecommendation(
  m: Pick<Meeting, 'parties'>,
  matter: Matter,
  party: string | undefined,
): 'FOR' | 'AGAINST' | undefined {
  const registrant = registrantOf(m);
  if (party === undefined || party === registrant) return matter.boardRecommendation;
  return matter.recommendations?.[party];
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
