// The voting API's request schemas and its mapping of voting refusals to HTTP answers, in one place.
import * as z from 'zod';
import { votesSchema } from '../domain/instruction.ts';
import { LANGS } from '../domain/messages.ts';
import { HttpError } from '../http/json.ts';
import { PollsClosedError } from './ports.ts';
import { VotingError } from './submit.ts';

const controlNumber = z
  .string()
  .max(40, 'is too long')
  .regex(/^[\d\s-]+$/, 'must be the 16 digits from your notice');
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8 to 128 letters, digits, "-" or "_", the same for every retry');

export const ballotRequestSchema = z.strictObject({ controlNumber });
/** Opening the ballot: the control number, or nothing when the request carries a session cookie. */
export const ballotOpenSchema = z.strictObject({ controlNumber: controlNumber.optional() });
export const linkRequestSchema = z.strictObject({
  linkToken: z
    .string()
    .max(64, 'is too long')
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the token of your link'),
});
/** The language the holder reads the ballot in: the confirmation e-mail is written in it. */
const lang = z.enum(LANGS, { error: 'must be "en" or "es"' }).optional();
export const proxyRequestSchema = z.strictObject({
  controlNumber: controlNumber.optional(),
  votes: votesSchema,
  idempotencyKey,
  signedBy: z.string().trim().min(1).max(200).optional(),
  lang,
});
export const revokeRequestSchema = z.strictObject({
  controlNumber: controlNumber.optional(),
  idempotencyKey,
  signedBy: z.string().trim().min(1).max(200).optional(),
  lang,
});

const STATUS: Record<VotingError['code'], [number, string]> = {
  invalid: [400, 'invalid_request'],
  'not-recognised': [401, 'not_recognised'],
  'idempotency-conflict': [409, 'idempotency_key_reused'],
  'no-open-conflict': [409, 'no_open_conflict'],
  closed: [410, 'voting_closed'],
  'too-many-attempts': [429, 'too_many_attempts'],
  'link-used': [401, 'link_used'],
  'session-ended': [401, 'session_ended'],
};

export function toHttpError(e: unknown): HttpError | null {
  if (e instanceof HttpError) return e;
  if (e instanceof VotingError) {
    const [status, code] = STATUS[e.code];
    return new HttpError(status, code, e.message, e.problems);
  }
  if (e instanceof PollsClosedError) return new HttpError(410, 'polls_closed', e.message);
  return null;
}
