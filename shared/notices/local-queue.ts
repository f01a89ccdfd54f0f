// The local stand-in for SQS and the Lambda event source mapping: holds the notice messages until
// the sending is started, then invokes the consumer's handler (the same module as on AWS) with
// SQS-shaped events in batches of ten. Like the event source mapping with ReportBatchItemFailures, it
// retries only the records a batch reports as failed (all of them when the handler throws or answers
// with an identifier that is not in the batch), with exponential backoff, and moves a record that
// failed maxReceiveCount times to its dead-letter list. Messages live in this process's memory only.
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { runAsFunction } from '../aws/call-recorder.ts';
import { localLambdaContext } from '../local/lambda-context.ts';
import type { NoticeMessage } from './message.ts';
import type { NoticeQueue, SendingSwitch } from './ports.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface LocalQueueOptions {
  /** The consumer: its handler, or a loader of its module's handler (run at the first delivery). */
  handler: { handler: SqsHandler } | { load: () => Promise<SqsHandler> };
  batchSize?: number;
  /** Receives before a record moves to the dead-letter list (the redrive policy's maxReceiveCount). */
  maxReceiveCount?: number;
  /** Delay before the next delivery of a failed record, by its receive count so far. */
  backoffMs?: (receiveCount: number) => number;
  /** Batches in flight at once (the event source's maximum concurrency). */
  concurrency?: number;
  queueName?: string;
  /** The consumer's function name (default notice-sender): its context, and its calls' attribution. */
  consumer?: string;
  region?: string;
}

interface Held {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  availableAt: number;
}

export interface DeadLetter {
  messageId: string;
  receiveCount: number;
  /** The message body, as a dead-letter queue keeps it (it carries a control number: never log it). */
  body: string;
}

export interface LocalQueueStats {
  enqueued: number;
  invocations: number;
  succeeded: number;
  retried: number;
  deadLettered: number;
}

export const defaultBackoffMs = (receiveCount: number) => Math.min(30_000, 250 * 2 ** (receiveCount - 1));

export class InProcessNoticeQueue implements NoticeQueue, SendingSwitch {
  private readonly held: Held[] = [];
  private readonly dead: DeadLetter[] = [];
  private inFlight = 0;
  private started = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private handler: SqsHandler | null = null;
  private readonly options: Required<Omit<LocalQueueOptions, 'handler'>>;
  readonly stats: LocalQueueStats = {
    enqueued: 0,
    invocations: 0,
    succeeded: 0,
    retried: 0,
    deadLettered: 0,
  };

  constructor(private readonly source: LocalQueueOptions) {
    this.options = {
      batchSize: source.batchSize ?? 10,
      maxReceiveCount: source.maxReceiveCount ?? 3,
      backoffMs: source.backoffMs ?? defaultBackoffMs,
      concurrency: source.concurrency ?? 4,
      queueName: source.queueName ?? 'proxyvote-local-notices',
      consumer: source.consumer ?? 'notice-sender',
      region: source.region ?? 'us-east-1',
    };
  }

  /** Messages waiting (ready or backing off) plus those being delivered. */
  get depth(): number {
    return this.held.length + this.inFlight;
  }

  get isStarted(): boolean {
    return this.started;
  }

  get deadLetters(): readonly DeadLetter[] {
    return this.dead;
  }

  async enqueue(messages: readonly NoticeMessage[]): Promise<void> {
    const now = Date.now();
    for (const m of messages) {
      this.held.push({
        messageId: randomUUID(),
        body: JSON.stringify(m),
        sentAt: now,
        receiveCount: 0,
        availableAt: now,
      });
    }
    this.stats.enqueued += messages.length;
    if (this.started) this.pump();
  }

  async start(): Promise<{ alreadyStarted: boolean }> {
    const alreadyStarted = this.started;
    this.started = true;
    this.pump();
    return { alreadyStarted };
  }

  /** Resolves when every message was delivered successfully or dead-lettered. */
  async drained(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private pump(): void {
    if (this.running) {
      this.wake?.();
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped && (this.held.length > 0 || this.inFlight > 0)) {
      const now = Date.now();
      while (this.inFlight < this.options.concurrency) {
        const batch = this.takeReady(now);
        if (batch.length === 0) break;
        this.inFlight++;
        void this.deliver(batch).finally(() => {
          this.inFlight--;
          this.wake?.();
        });
      }
      const next = this.held.reduce((min, h) => Math.min(min, h.availableAt), Number.POSITIVE_INFINITY);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (next !== Number.POSITIVE_INFINITY && this.inFlight < this.options.concurrency) {
          setTimeout(resolve, Math.max(0, next - Date.now()));
        }
      });
      this.wake = null;
    }
  }

  private takeReady(now: number): Held[] {
    const batch: Held[] = [];
    for (let i = 0; i < this.held.length && batch.length < this.options.batchSize; ) {
      const h = this.held[i] as Held;
      if (h.availableAt <= now) {
        batch.push(h);
        this.held.splice(i, 1);
      } else i++;
    }
    return batch;
  }

  private async deliver(batch: Held[]): Promise<void> {
    const now = Date.now();
    const arn = `arn:aws:sqs:${this.options.region}:000000000000:${this.options.queueName}`;
    const records: SQSRecord[] = batch.map((h) => {
      h.receiveCount++;
      h.firstReceivedAt ??= now;
      return {
        messageId: h.messageId,
        receiptHandle: randomUUID(),
        body: h.body,
        attributes: {
          ApproximateReceiveCount: String(h.receiveCount),
          SentTimestamp: String(h.sentAt),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(h.firstReceivedAt),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(h.body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: arn,
        awsRegion: this.options.region,
      };
    });
    this.stats.invocations++;
    let failed: Set<string>;
    try {
      this.handler ??= await this.load();
      const handler = this.handler;
      const consumer = this.options.consumer;
      const response = await runAsFunction(consumer, () =>
        handler(
          { Records: records },
          localLambdaContext(consumer, {
            region: this.options.region,
            memoryLimitInMB: '512',
            timeoutMs: 60_000,
          }),
        ),
      );
      failed = this.failuresOf(response, batch);
    } catch {
      failed = new Set(batch.map((h) => h.messageId));
    }
    const retryAt = Date.now();
    for (const h of batch) {
      if (!failed.has(h.messageId)) {
        this.stats.succeeded++;
      } else if (h.receiveCount >= this.options.maxReceiveCount) {
        this.stats.deadLettered++;
        this.dead.push({ messageId: h.messageId, receiveCount: h.receiveCount, body: h.body });
      } else {
        this.stats.retried++;
        h.availableAt = retryAt + this.options.backoffMs(h.receiveCount);
        this.held.push(h);
      }
    }
  }

  private async load(): Promise<SqsHandler> {
    const h = this.source.handler;
    return 'handler' in h ? h.handler : await h.load();
  }

  /** The event source mapping's reading of a response: a bad one fails the whole batch. */
  private failuresOf(response: unknown, batch: Held[]): Set<string> {
    const all = new Set(batch.map((h) => h.messageId));
    if (response === undefined || response === null) return new Set();
    const items = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (items === undefined || items === null) return new Set();
    if (!Array.isArray(items)) return all;
    const failed = new Set<string>();
    for (const item of items) {
      const id = (item as { itemIdentifier?: unknown })?.itemIdentifier;
      if (typeof id !== 'string' || !all.has(id)) return all;
      failed.add(id);
    }
    return failed;
  }
}
