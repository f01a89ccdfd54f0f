// POST /api/counted { controlNumber, receiptCode, email? }: the counted-as-cast answer. A wrong or
// unknown control number gets exactly the ballot API's answers (400, 401, then 429 from one address);
// before the final count: 409; a receipt code that is not the account's: 404 naming receiptCode.
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { holderInstant } from '../domain/holder-time.ts';
import type { Meeting } from '../domain/meeting.ts';
import { LANGS, type Lang, type MessageKey, t } from '../domain/messages.ts';
import { httpHandler } from '../http/handler.ts';
import { HttpError, json, parseJsonBody } from '../http/json.ts';
import type { Mailer } from '../mail/mailer.ts';
import { ballotRequestSchema, toHttpError as votingHttpError } from '../voting/http.ts';
import type { CountedAnswer } from './counted.ts';
import { type CountedDeps, CountedError, checkCounted, normalizeReceiptCode } from './counted.ts';
import { instructionText, renderCountedEmail } from './counted-email.ts';

export const countedRequestSchema = z.strictObject({
  controlNumber: ballotRequestSchema.shape.controlNumber,
  receiptCode: z
    .string()
    .max(40, 'is too long')
    .regex(/^[A-Za-z0-9\s-]+$/, 'must be the receipt code of your confirmation, e.g. ABCD-EFGH-JKLM'),
  /** Send the answer by e-mail to the holder's address on file as well. */
  email: z.boolean().optional(),
  /** The language of the page: the e-mail is written in it. */
  lang: z.enum(LANGS, { error: 'must be "en" or "es"' }).optional(),
});

/** The answer in the holder's words, per language: every time in the meeting's zone (holder-time.ts). */
export function countedTexts(m: Meeting, a: CountedAnswer): Record<Lang, Record<string, string | null>> {
  const one = (lang: Lang) => ({
    message: t(lang, `counted.msg.${a.status}` as MessageKey),
    mismatch: a.historyUnchanged ? null : t(lang, 'counted.mismatch'),
    instruction: instructionText(m, a.instruction, lang),
    countedInstead: a.countedInstead ? instructionText(m, a.countedInstead, lang) : null,
    finalCount: t(lang, 'counted.page.finalText', {
      run: a.finalCount.runId,
      time: holderInstant(Date.parse(a.finalCount.finishedAt), m.timeZone, lang),
    }),
  });
  return { en: one('en'), es: one('es') };
}

const STATUS: Record<CountedError['code'], [number, string]> = {
  invalid: [400, 'invalid_request'],
  'not-final': [409, 'final_count_not_made'],
  'receipt-not-found': [404, 'receipt_not_found'],
};

export function toHttpError(e: unknown): HttpError | null {
  if (e instanceof CountedError) {
    const [status, code] = STATUS[e.code];
    return new HttpError(status, code, e.message, e.fields);
  }
  return votingHttpError(e);
}

export interface CountedRuntime extends CountedDeps {
  mailer: Mailer;
}

export const handleCounted = (runtime: CountedRuntime, logger: Logger) =>
  httpHandler(
    logger,
    async (event) => {
      const body = parseJsonBody(event, countedRequestSchema);
      const { answer, holder } = await checkCounted(runtime, body, event.requestContext.http.sourceIp);
      if (!answer.historyUnchanged) {
        // Never the account or the number in the log: the run and the fact are enough to start from.
        logger.error('counted-as-cast: an account history differs from the final count', {
          runId: answer.finalCount.runId,
        });
        runtime.voting.metrics?.count('CountedAsCastMismatch');
      }
      let email: { sent: boolean; reason?: string } | undefined;
      if (body.email) {
        if (!holder.email)
          email = { sent: false, reason: 'there is no e-mail address on file for your account.' };
        else {
          try {
            await runtime.mailer.send(
              holder.email,
              renderCountedEmail({
                meeting: runtime.meeting,
                holderName: holder.name,
                nominee: holder.nominee,
                receiptCode: normalizeReceiptCode(body.receiptCode) ?? body.receiptCode,
                answer,
                lang: body.lang,
              }),
              { kind: 'counted-as-cast' },
            );
            email = { sent: true };
          } catch (e) {
            logger.error('counted-as-cast e-mail not sent', {
              error: e instanceof Error ? e.name : 'unknown',
            });
            email = { sent: false, reason: 'the e-mail could not be sent just now; please try again later.' };
          }
        }
      }
      logger.info('counted-as-cast answered', { status: answer.status, email: email?.sent ?? false });
      return json(200, {
        ...answer,
        texts: countedTexts(runtime.meeting, answer),
        ...(email ? { email } : {}),
      });
    },
    toHttpError,
  );
