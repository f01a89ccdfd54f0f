// The SQS side on AWS: the import sends one message per e-delivery holder (SendMessageBatch, ten at a
// time, the failed entries retried), and the consumer delays a failed message's next delivery by
// changing its visibility (exponential backoff by receive count). The queue is encrypted at rest
// (SQS server-side encryption, see functions/workers.ts). Message bodies are never logged.
import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { createAwsClient } from '../aws/clients.ts';
import type { NoticeMessage } from './message.ts';
import type { NoticeQueue } from './ports.ts';

export function sqsClient(config: { endpoint?: string | undefined; region?: string | undefined } = {}) {
  return createAwsClient(SQSClient, config);
}

export class SqsNoticeQueue implements NoticeQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly options: {
      concurrency?: number;
      attempts?: number;
      onProgress?: (n: number) => void;
    } = {},
  ) {}

  async enqueue(messages: readonly NoticeMessage[]): Promise<void> {
    const batches: SendMessageBatchRequestEntry[][] = [];
    for (let i = 0; i < messages.length; i += 10) {
      batches.push(
        messages.slice(i, i + 10).map((m, k) => ({ Id: String(k), MessageBody: JSON.stringify(m) })),
      );
    }
    let done = 0;
    const queue = [...batches];
    const send = async (entries: SendMessageBatchRequestEntry[]) => {
      let left = entries;
      for (let attempt = 0; left.length > 0; attempt++) {
        if (attempt >= (this.options.attempts ?? 5)) {
          throw new Error(`SQS refused ${left.length} notice message(s) after ${attempt} attempts`);
        }
        if (attempt > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        const out = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: left }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        left = left.filter((e) => failed.has(e.Id));
      }
      done += entries.length;
      this.options.onProgress?.(done);
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.concurrency ?? 8, queue.length) }, async () => {
        for (let b = queue.shift(); b; b = queue.shift()) await send(b);
      }),
    );
  }
}

/** https://sqs.<region>.amazonaws.com/<account>/<name> from the record's queue ARN. */
export function queueUrlFromArn(arn: string, endpoint?: string): string {
  const [, , , region, account, name] = arn.split(':');
  return `${endpoint ?? `https://sqs.${region}.amazonaws.com`}/${account}/${name}`;
}

/** The next delivery of a failed record after base x 2^(receives - 1) seconds, at most 12 hours. */
export function retryDelaySeconds(receiveCount: number, baseSeconds: number): number {
  return Math.min(43_200, Math.round(baseSeconds * 2 ** Math.max(0, receiveCount - 1)));
}

export function visibilityBackoff(client: SQSClient, baseSeconds: number, endpoint?: string) {
  return async (failed: readonly SQSRecord[]): Promise<void> => {
    const byQueue = new Map<string, SQSRecord[]>();
    for (const r of failed) byQueue.set(r.eventSourceARN, [...(byQueue.get(r.eventSourceARN) ?? []), r]);
    for (const [arn, records] of byQueue) {
      for (let i = 0; i < records.length; i += 10) {
        await client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrlFromArn(arn, endpoint),
            Entries: records.slice(i, i + 10).map((r, k) => ({
              Id: String(k),
              ReceiptHandle: r.receiptHandle,
              VisibilityTimeout: retryDelaySeconds(
                Number(r.attributes?.ApproximateReceiveCount ?? 1),
                baseSeconds,
              ),
            })),
          }),
        );
      }
    }
  };
}
