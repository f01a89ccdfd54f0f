// The admin API for operators and the inspector of elections: paper proxies, written revocations,
// meeting ballots, conflict resolutions, closing the polls. On AWS the routes use IAM authorization
// and the operator is the signed-in IAM principal; locally a bearer token (ADMIN_TOKEN) and an
// x-operator header stand in for it.
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { votesSchema } from '../domain/instruction.ts';
import { httpHandler } from '../http/handler.ts';
import { HttpError, json, parseJsonBody } from '../http/json.ts';
import { listOpenConflicts } from './conflicts.ts';
import { toHttpError } from './http.ts';
import { closePolls, enterForOperator } from './operator.ts';
import type { VotingRuntime } from './runtime.ts';

type IamAuthorizer = { iam?: { userArn?: string; userId?: string } };

/** Who is calling: the IAM principal on AWS, or the operator named with a valid local token. */
export function operatorOf(event: APIGatewayProxyEventV2, adminToken: string | undefined): string {
  const iam = (event.requestContext as { authorizer?: IamAuthorizer }).authorizer?.iam;
  if (iam?.userArn) return iam.userArn;
  const header = event.headers?.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  if (!adminToken || !token || !sameSecret(token, adminToken)) {
    throw new HttpError(401, 'unauthorized', 'Operator credentials are missing or wrong.');
  }
  const operator = (event.headers?.['x-operator'] ?? '').trim();
  if (!/^[\w.@ -]{1,64}$/.test(operator)) {
    throw new HttpError(400, 'invalid_request', 'Name the operator in the x-operator header.', [
      { path: 'x-operator', message: 'must be 1 to 64 letters, digits, spaces, ".", "@", "-" or "_"' },
    ]);
  }
  return `local:${operator}`;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const account = z.string().min(1).max(32);
const entryKey = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8 to 128 letters, digits, "-" or "_"');
const signedBy = z.string().trim().min(1).max(200);
const dated = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be the date written on the paper, YYYY-MM-DD');

export const entrySchema = z.discriminatedUnion('kind', [
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
  z.strictObject({ kind: z.literal('resolution'), account, entryKey, chooses: z.string().min(1).max(128) }),
]);

export const handleOperatorEntry = (runtime: VotingRuntime, logger: Logger, adminToken: string | undefined) =>
  httpHandler(
    logger,
    async (event) => {
      const operator = operatorOf(event, adminToken);
      const body = parseJsonBody(event, entrySchema);
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
        ...receipt,
      });
    },
    toHttpError,
  );

export const closeSchema = z.strictObject({
  /** Why the polls close before the meeting starts (an adjourned or emergency close); recorded. */
  override: z.string().trim().min(3, 'must say why the polls close before the meeting').max(500).optional(),
});

export const handleClosePolls = (runtime: VotingRuntime, logger: Logger, adminToken: string | undefined) =>
  httpHandler(
    logger,
    async (event) => {
      const operator = operatorOf(event, adminToken);
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
export const handleListConflicts = (runtime: VotingRuntime, logger: Logger, adminToken: string | undefined) =>
  httpHandler(
    logger,
    async (event) => {
      operatorOf(event, adminToken);
      const conflicts = await listOpenConflicts(runtime.deps);
      return json(200, { conflicts });
    },
    toHttpError,
  );
