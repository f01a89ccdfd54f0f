// Locally, what Lambda's event source mapping does for a DynamoDB stream: reads DynamoDB Local's stream
// of a table (DescribeTable -> LatestStreamArn, DescribeStream, GetShardIterator, GetRecords), hands
// the records to the same handler as Lambda events, and on a reported failure reads that shard again
// from the failed record. At least once, like the real one.
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export interface StreamPollerOptions {
  client: DynamoDBClient;
  table: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;
  /** Records per event (Lambda's batch size). */
  batchSize?: number;
  /** The wait between two polls when running (start()). */
  idleMs?: number;
}

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  /** Per shard: where the next read starts (an iterator), or done (a closed shard read to its end). */
  private readonly iterators = new Map<string, string | null>();
  private running: Promise<void> | null = null;
  private stopping = false;
  readonly stats = { records: 0, events: 0, failures: 0 };

  constructor(private readonly o: StreamPollerOptions) {
    const config = o.client.config;
    this.streams = new DynamoDBStreamsClient({
      endpoint: config.endpoint,
      region: config.region,
      credentials: config.credentials,
    });
  }

  /** Reads every shard until it has nothing more now; returns the records handed on. */
  async drain(): Promise<number> {
    const table = await this.o.client.send(new DescribeTableCommand({ TableName: this.o.table }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`the table ${this.o.table} has no stream`);
    const stream = await this.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    let handed = 0;
    for (const shard of stream.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId as string;
      if (this.iterators.get(id) === null) continue;
      let iterator =
        this.iterators.get(id) ??
        (
          await this.streams.send(
            new GetShardIteratorCommand({ StreamArn: arn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }),
          )
        ).ShardIterator;
      while (iterator) {
        const out = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.o.batchSize ?? 100 }),
        );
        const records = out.Records ?? [];
        if (records.length === 0) {
          // An open shard: come back to this iterator next time. A closed one: done.
          this.iterators.set(id, out.NextShardIterator ?? null);
          break;
        }
        const event = {
          Records: records.map((r) => ({ ...r, eventSourceARN: arn }) as unknown as DynamoDBRecord),
        };
        this.stats.events += 1;
        const response = await this.o.handler(event);
        const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
        if (failed) {
          this.stats.failures += 1;
          handed += records.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
          // Read again from the failed record, as the event source mapping does.
          iterator = (
            await this.streams.send(
              new GetShardIteratorCommand({
                StreamArn: arn,
                ShardId: id,
                ShardIteratorType: 'AT_SEQUENCE_NUMBER',
                SequenceNumber: failed,
              }),
            )
          ).ShardIterator;
          this.iterators.set(id, iterator ?? null);
          break;
        }
        handed += records.length;
        this.stats.records += records.length;
        iterator = out.NextShardIterator;
        this.iterators.set(id, iterator ?? null);
      }
    }
    return handed;
  }

  /** Polls until stop(); errors are reported through onError and polling goes on. */
  start(onError: (e: unknown) => void = () => {}): void {
    if (this.running) return;
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        try {
          await this.drain();
        } catch (e) {
          onError(e);
        }
        await new Promise((r) => setTimeout(r, this.o.idleMs ?? 200));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = null;
    this.streams.destroy();
  }
}
