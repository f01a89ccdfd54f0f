// The notice queue's consumer: each SQS record is one holder's notice. The record handler checks the
// message against the register (the number must still be the holder's: a re-issued number is never
// e-mailed), sends once (send-once.ts) and reports failures per message through Powertools batch, so
// SQS retries only those and moves them to the dead-letter queue after the last receive.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { controlNumberHash } from '../domain/control-number.ts';
import { linkTokenFor } from '../domain/link-token.ts';
import type { Meeting } from '../domain/meeting.ts';
import { renderNoticeEmail } from '../domain/notice.ts';
import { emailStopped, NOTICE_MARKER_TYPE, noticeMarkerKey } from './keys.ts';
import { BadNoticeMessage, type NoticeMessage, parseNoticeMessage } from './message.ts';
import type { NoticeMetrics } from './ports.ts';
import { NoticeSendError } from './send-errors.ts';
import { type SendOnceDeps, type SendOutcome, sendOnce } from './send-once.ts';

export interface NoticeSenderDeps extends SendOnceDeps {
  meeting: Meeting;
  secret: Uint8Array | string;
  ballotUrl: string;
  metrics: NoticeMetrics;
  /** Delays the next delivery of failed records (SQS visibility on AWS; the local queue backs off itself). */
  backoff?: (failed: readonly SQSRecord[]) => Promise<void>;
}

export type NoticeOutcome = SendOutcome | 'stale-number' | 'no-email';

/** One notice. Throws NoticeSendError (retryable or not) or BadNoticeMessage: never a value. */
export async function sendNotice(
  deps: NoticeSenderDeps,
  message: NoticeMessage,
  sqsMessageId?: string,
): Promise<NoticeOutcome> {
  if (message.meetingId !== deps.meeting.id) throw new NoticeSendError('other-meeting', false);
  const found = await deps.store.holder(message.account);
  if (!found) throw new NoticeSendError('unknown-account', false);
  const { holder, delivery } = found;
  // Re-issued for a paper notice since, or not this account's number: the paper one is the one to use.
  if (controlNumberHash(message.controlNumber, deps.secret) !== delivery.controlHash) return 'stale-number';
  if (!holder.eDelivery || !holder.email || emailStopped(delivery)) return 'no-email';
  return sendOnce(deps, {
    key: noticeMarkerKey(holder.account),
    type: NOTICE_MARKER_TYPE,
    account: holder.account,
    sqsMessageId,
    to: holder.email,
    email: () =>
      renderNoticeEmail({
        meeting: deps.meeting,
        holder,
        controlNumber: message.controlNumber,
        ballotUrl: deps.ballotUrl,
        linkToken: linkTokenFor(message.controlNumber, deps.secret),
      }),
    tags: { kind: 'notice', meeting: deps.meeting.id, account: holder.account },
  });
}

export function createNoticeSender(deps: NoticeSenderDeps, logger: Logger) {
  const record = async (r: SQSRecord): Promise<NoticeOutcome> => {
    try {
      const outcome = await sendNotice(deps, parseNoticeMessage(r.body), r.messageId);
      if (outcome === 'sent') deps.metrics.count('NoticesSent');
      else deps.metrics.count('NoticesSkipped');
      if (outcome === 'sent') logger.debug('notice sent', { sqsMessageId: r.messageId });
      else logger.info('notice not sent', { sqsMessageId: r.messageId, outcome });
      return outcome;
    } catch (e) {
      deps.metrics.count('NoticesFailed');
      const code =
        e instanceof NoticeSendError ? e.code : e instanceof BadNoticeMessage ? 'bad-message' : errorName(e);
      logger.warn('notice failed', {
        sqsMessageId: r.messageId,
        receiveCount: Number(r.attributes?.ApproximateReceiveCount ?? 1),
        error: code,
      });
      // A fresh error: nothing of the message (nor of an SDK error's text) travels further.
      throw new NoticeSendError(code, !(e instanceof BadNoticeMessage));
    }
  };

  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event: SQSEvent, context: Context) => {
      try {
        // A processor per invocation: the local queue may run several batches at once in this module.
        const processor = new BatchProcessor(EventType.SQS);
        const response = await processPartialResponse(event, record, processor, {
          context,
          throwOnFullBatchFailure: false,
        });
        if (deps.backoff && response.batchItemFailures.length > 0) {
          const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
          await deps.backoff(event.Records.filter((r) => failed.has(r.messageId))).catch((e: unknown) => {
            logger.warn('could not delay the retries', { error: errorName(e) });
          });
        }
        return response;
      } finally {
        deps.metrics.flush();
      }
    });
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : 'unknown';
}
