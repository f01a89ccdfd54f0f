// The votes table's stream consumer: each INSERT of an instruction item gets its confirmation e-mail
// (confirmations.ts). Records are taken in order; the first that fails with nothing sent is reported
// (batchItemFailures, by sequence number) and the stream delivers it and those after it again. Paired
// on AWS with an event source mapping whose failed batches go to a dead-letter queue; locally with
// shared/local/stream-poller.ts reading DynamoDB Local's stream.
import type { Logger } from '@aws-lambda-powertools/logger';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { asFunction } from '../aws/call-recorder.ts';
import { loadNoticeConfig } from '../notices/config.ts';
import { noticeLogger, sendOnceDeps } from '../notices/runtime.ts';
import { NoticeSendError } from '../notices/send-errors.ts';
import { type ConfirmationDeps, confirmInstruction, type StoredInstructionItem } from './confirmations.ts';

export function createConfirmationConsumer(deps: ConfirmationDeps, logger: Pick<Logger, 'info' | 'warn'>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
      const item = unmarshall(
        record.dynamodb.NewImage as Parameters<typeof unmarshall>[0],
      ) as StoredInstructionItem;
      try {
        const outcome = await confirmInstruction(deps, item);
        if (outcome !== 'not-confirmed' && outcome !== 'sent')
          logger.info('confirmation not sent', { eventID: record.eventID, outcome });
      } catch (e) {
        const code = e instanceof NoticeSendError ? e.code : e instanceof Error ? e.name : 'unknown';
        logger.warn('confirmation failed', { eventID: record.eventID, error: code });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

/** The confirmations function (its handler), built from an environment: process.env in the function. */
export function confirmationsFromEnv(env: Record<string, string | undefined> = process.env) {
  const config = loadNoticeConfig(env, ['MAIL_FROM']);
  const logger = noticeLogger();
  return asFunction(
    'confirmations',
    createConfirmationConsumer({ meeting: config.meeting, send: sendOnceDeps(config, logger) }, logger),
  );
}
