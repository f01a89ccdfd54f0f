// The notice queue's consumer: each SQS record is one holder's notice, and each SQS batch is handled
// as one (sendNoticeBatch): the messages checked against the register (the number must still be the
// holder's: a re-issued or retired number is never e-mailed, checked again inside the claim's
// transaction), sent at most once (send-once.ts), failures reported per message (batchItemFailures),
// so SQS retries only those and moves them to the dead-letter queue after the last receive.
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { controlNumberHash } from '../domain/control-number.ts';
import { linkTokenFor } from '../domain/link-token.ts';
import type { Meeting } from '../domain/meeting.ts';
import { renderNoticeEmail } from '../domain/notice.ts';
import { emailStopped, NOTICE_MARKER_TYPE, noticeMarkerKey } from './keys.ts';
import { BadNoticeMessage, type NoticeMessage, parseNoticeMessage } from './message.ts';
import type { NoticeMetrics } from './ports.ts';
import { NoticeSendError } from './send-errors.ts';
import { type BatchSendInput, type SendOnceDeps, type SendOutcome, sendOnceBatch } from './send-once.ts';
import { MAX_BATCH_CLAIMS } from './store.ts';

export interface NoticeSenderDeps extends SendOnceDeps {
  meeting: Meeting;
  secret: Uint8Array | string;
  ballotUrl: string;
  metrics: NoticeMetrics;
  /** Delays the next delivery of failed records (SQS visibility on AWS; the local queue backs off itself). */
  backoff?: (failed: readonly SQSRecord[]) => Promise<void>;
}

export type NoticeOutcome = SendOutcome | 'stale-number' | 'no-email';

/**
 * A batch of notices (one SQS batch): the holders read in one BatchGetItem, each message checked
 * against its holder (the number's hash must be the holder's; still e-delivery; no bounce), then the
 * survivors sent at most once by sendOnceBatch: one transaction of claims (each re-checking the
 * number), the sends, one transaction of completions. Returns per message its outcome or the error
 * that sends it back to the queue.
 */
export async function sendNoticeBatch(
  deps: NoticeSenderDeps,
  messages: readonly { message: NoticeMessage; sqsMessageId?: string }[],
): Promise<(NoticeOutcome | NoticeSendError)[]> {
  const results: (NoticeOutcome | NoticeSendError | undefined)[] = messages.map(() => undefined);
  const ours = messages.flatMap((m, i) => {
    if (m.message.meetingId === deps.meeting.id) return [i];
    results[i] = new NoticeSendError('other-meeting', false);
    return [];
  });
  const found =
    ours.length > 0
      ? await deps.store.holders(ours.map((i) => messages[i]?.message.account as string))
      : new Map();
  const inputs: BatchSendInput[] = [];
  const at: number[] = [];
  const accounts = new Set<string>();
  for (const i of ours) {
    const { message, sqsMessageId } = messages[i] as (typeof messages)[number];
    const entry = found.get(message.account);
    if (!entry) {
      results[i] = new NoticeSendError('unknown-account', false);
      continue;
    }
    const { holder, delivery } = entry;
    const hash = controlNumberHash(message.controlNumber, deps.secret);
    // Re-issued for a paper notice since, or not this account's number: the paper one is the one to use.
    if (hash !== delivery.controlHash) {
      results[i] = 'stale-number';
      continue;
    }
    if (!holder.eDelivery || !holder.email || emailStopped(delivery)) {
      results[i] = 'no-email';
      continue;
    }
    // The same message twice in one batch: one claim per marker in a transaction; the other waits.
    if (accounts.has(holder.account)) {
      results[i] = new NoticeSendError('in-flight-elsewhere', true);
      continue;
    }
    accounts.add(holder.account);
    const email = holder.email;
    inputs.push({
      key: noticeMarkerKey(holder.account),
      type: NOTICE_MARKER_TYPE,
      account: holder.account,
      sqsMessageId,
      controlHash: hash,
      to: email,
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
    at.push(i);
  }
  for (let k = 0; k < inputs.length; k += MAX_BATCH_CLAIMS) {
    const sent = await sendOnceBatch(deps, inputs.slice(k, k + MAX_BATCH_CLAIMS));
    sent.forEach((r, n) => {
      results[at[k + n] as number] = r;
    });
  }
  return results as (NoticeOutcome | NoticeSendError)[];
}

export function createNoticeSender(deps: NoticeSenderDeps, logger: Logger) {
  const report = (r: SQSRecord, outcome: NoticeOutcome | NoticeSendError | BadNoticeMessage): boolean => {
    if (!(outcome instanceof Error)) {
      if (outcome === 'sent') deps.metrics.count('NoticesSent');
      else deps.metrics.count('NoticesSkipped');
      if (outcome === 'sent') logger.debug('notice sent', { sqsMessageId: r.messageId });
      else logger.info('notice not sent', { sqsMessageId: r.messageId, outcome });
      return true;
    }
    deps.metrics.count('NoticesFailed');
    const code = outcome instanceof NoticeSendError ? outcome.code : 'bad-message';
    logger.warn('notice failed', {
      sqsMessageId: r.messageId,
      receiveCount: Number(r.attributes?.ApproximateReceiveCount ?? 1),
      error: code,
    });
    return false;
  };

  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event: SQSEvent) => {
      const failedIds: string[] = [];
      try {
        const parsed: { record: SQSRecord; message: NoticeMessage }[] = [];
        for (const r of event.Records) {
          try {
            parsed.push({ record: r, message: parseNoticeMessage(r.body) });
          } catch (e) {
            if (!(e instanceof BadNoticeMessage)) throw e;
            report(r, e);
            failedIds.push(r.messageId);
          }
        }
        let outcomes: (NoticeOutcome | NoticeSendError)[];
        try {
          outcomes = await sendNoticeBatch(
            deps,
            parsed.map((p) => ({ message: p.message, sqsMessageId: p.record.messageId })),
          );
        } catch (e) {
          // The holders could not be read (nothing was claimed): the whole batch goes back to the queue.
          outcomes = parsed.map(() => new NoticeSendError(errorName(e), true));
        }
        parsed.forEach((p, i) => {
          if (!report(p.record, outcomes[i] as NoticeOutcome | NoticeSendError))
            failedIds.push(p.record.messageId);
        });
        const response: SQSBatchResponse = {
          batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })),
        };
        if (deps.backoff && failedIds.length > 0) {
          const failed = new Set(failedIds);
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
