// The admin API for operators and the inspector of elections: paper proxies, written revocations and
// meeting ballots (the clerk), conflict resolutions (the inspector), closing the polls (the
// supervisor). The routes are signed with SigV4 (IAM authorization on AWS, the local adapter's check
// locally) and the operator recorded is the signing principal.
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { votesSchema } from '../domain/instruction.ts';
import { httpHandler } from '../http/handler.ts';
import { json, parseJsonBody } from '../http/json.ts';
import { operatorOf } from '../http/operators.ts';
import { listOpenConflicts } from './conflicts.ts';
import { toHttpError } from './http.ts';
import { closePolls, enterForOperator } from './operator.ts';
import type { VotingRuntime } from './runtime.ts';

const account = z.string().min(1).max(32);
const entryKey = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8 to 128 letters, digits, "-" or "_"');
const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `is required: ${what}` : undefined;
const signedBy = z
  .string({ error: required('the name signed on the paper') })
  .trim()
  .min(1, 'must not be empty: the name signed on the paper')
  .max(200);
const dated = z
  .string({ error: required('the date written on the paper, YYYY-MM-DD') })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be the date written on the paper, YYYY-MM-DD');

/** What the clerk enters at POST /admin/entries. */
export const entrySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('paper-proxy'),
      account,
      entryKey,
      dated,
      signedBy,
      votes: votesSchema,
      /** Contested meetings: the party whose card it is (absent: the registrant's). */
      party: z.string().min(1).max(63).optional(),
      /** The agent (proxy solicitor) who delivered another party's card. */
      agent: z.string().trim().min(1).max(200).optional(),
    }),
    z.strictObject({ kind: z.literal('revocation'), account, entryKey, dated, signedBy }),
    z.strictObject({ kind: z.literal('meeting-ballot'), account, entryKey, signedBy, votes: votesSchema }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' && (issue.input as { kind?: unknown })?.kind === 'resolution'
        ? "a resolution is the inspector's: POST it to /admin/resolutions"
        : 'must be "paper-proxy", "revocation" or "meeting-ballot"',
  },
);

/** What the inspector enters at POST /admin/resolutions. */
export const resolutionSchema = z.strictObject({
  kind: z.literal('resolution').default('resolution'),
  account,
  entryKey,
  chooses: z.string().min(1).max(128),
});

export const handleOperatorEntry = (runtime: VotingRuntime, logger: Logger) =>
  entryHandler(runtime, logger, entrySchema);

export const handleResolution = (runtime: VotingRuntime, logger: Logger) =>
  entryHandler(runtime, logger, resolutionSchema);

function entryHandler(
  runtime: VotingRuntime,
  logger: Logger,
  schema: typeof entrySchema | typeof resolutionSchema,
) {
  return httpHandler(
    logger,
    async (event) => {
      const operator = operatorOf(event);
      const body = parseJsonBody(event, schema);
      const receipt = await enterForOperator(runtime.deps, { ...body, operator });
      logger.info('operator entry', {
        kind: body.kind,
        operator,
        replayed: receipt.replayed,
        effective: receipt.effective,
      });
      return json(receipt.replayed ? 200 : 201, {
        kind: body.kind,
        account: body.account,
        enteredBy: operator,
        ...('party' in body && body.party !== undefined ? { party: body.party } : {}),
        ...('agent' in body && body.agent !== undefined ? { agent: body.agent } : {}),
        ...receipt,
      });
    },
    toHttpError,
  );
}

export const closeSchema = z.strictObject({
  /** Why the polls close before the meeting starts (an adjourned or emergency close); recorded. */
  override: z.string().trim().min(3, 'must say why the polls close before the meeting').max(500).optional(),
});

export const handleClosePolls = (runtime: VotingRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const operator = operatorOf(event);
      const body = event.body ? parseJsonBody(event, closeSchema) : {};
      const result = await closePolls(runtime.deps, { operator, override: body.override });
      logger.info('polls closed', {
        operator,
        alreadyClosed: result.alreadyClosed,
        override: result.override !== undefined,
      });
      return json(200, result);
    },
    toHttpError,
  );

/** GET /admin/conflicts: every open same-date conflict, for the clerk and the inspector. */
export const handleListConflicts = (runtime: VotingRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      operatorOf(event);
      const conflicts = await listOpenConflicts(runtime.deps);
      return json(200, { conflicts });
    },
    toHttpError,
  );
