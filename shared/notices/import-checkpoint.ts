// Where a register import records how far it got, in the operations table, so that an import cut
// short (a Lambda timeout, a crash, a CLI killed) is resumed by running it again on the same file:
//   IMPORTS / JOB#<jobId>             the job: its file, size in chunks, totals so far, who runs it
//                                     (a lease, so that two runs of one file never work at once)
//   IMPORT#<jobId> / CHUNK#<nnnnnn>   one per chunk whose holders, numbers, queue messages and print
//                                     rows are all handed on; written with the job's totals in one
//                                     transaction, under the run's lease
// The job's id is a digest of the file's content: the same file again is the same job.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../storage/tables.ts';

export const IMPORT_JOB_TYPE = 'register-import';
export const IMPORT_CHUNK_TYPE = 'register-import-chunk';

export const importJobKey = (jobId: string) => ({ pk: 'IMPORTS', sk: `JOB#${jobId}` });
export const importChunkKey = (jobId: string, chunk: number) => ({
  pk: `IMPORT#${jobId}`,
  sk: `CHUNK#${String(chunk).padStart(6, '0')}`,
});

/** What one chunk handed on; the job's totals are their sums. */
export interface ChunkTotals {
  /** Holders written now (new to the register), each with a control number handed on. */
  imported: number;
  /** Already on the register from another file: unchanged, no new number. */
  unchanged: number;
  queued: number;
  printed: number;
  /** Of `imported`: holders of an interrupted attempt at this chunk, whose number was drawn again. */
  reissued: number;
  /** Of `imported`: an interrupted attempt's notice was already being e-mailed: nothing handed on again. */
  alreadySending: number;
}

export const ZERO_TOTALS: ChunkTotals = {
  imported: 0,
  unchanged: 0,
  queued: 0,
  printed: 0,
  reissued: 0,
  alreadySending: 0,
};
const TOTAL_FIELDS = Object.keys(ZERO_TOTALS) as (keyof ChunkTotals)[];

export interface ImportJob extends ChunkTotals {
  jobId: string;
  source: string;
  holders: number;
  chunkSize: number;
  chunks: number;
  chunksDone: number;
  status: 'running' | 'done';
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Where the print file is, once the job is done (null: no paper holder). */
  printFile: string | null;
  /** Runs of the import that took the job up again after an interrupted one. */
  resumes: number;
  /** Until when (epoch ms) the run that holds the job keeps it without renewing (null: nobody holds it). */
  leaseUntil: number | null;
}

export interface DoneChunk {
  chunk: number;
  /** Where the chunk's print rows are (null: none). */
  part: string | null;
}

export class ImportBusy extends Error {
  constructor(readonly jobId: string) {
    super(`the import ${jobId} is being run elsewhere right now`);
    this.name = 'ImportBusy';
  }
}

export class LeaseLost extends Error {
  constructor(readonly jobId: string) {
    super(`the import ${jobId} was taken over by another run`);
    this.name = 'LeaseLost';
  }
}

function toJob(item: Record<string, unknown>): ImportJob {
  const n = (k: string) => Number(item[k] ?? 0);
  const s = (k: string) => (typeof item[k] === 'string' ? (item[k] as string) : null);
  const job: ImportJob = {
    jobId: String(item.jobId),
    source: String(item.source),
    holders: n('holders'),
    chunkSize: n('chunkSize'),
    chunks: n('chunks'),
    chunksDone: n('chunksDone'),
    status: item.status === 'done' ? 'done' : 'running',
    startedAt: String(item.startedAt),
    updatedAt: String(item.updatedAt),
    finishedAt: s('finishedAt'),
    printFile: s('printFile'),
    resumes: n('resumes'),
    leaseUntil: typeof item.leaseUntil === 'number' ? item.leaseUntil : null,
    ...ZERO_TOTALS,
  };
  for (const f of TOTAL_FIELDS) job[f] = n(f);
  return job;
}

export class ImportCheckpoints {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly now: () => number = Date.now,
  ) {}

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** The job, created if this file was never imported (its size fixed then, for every later run). */
  async open(input: {
    jobId: string;
    source: string;
    holders: number;
    chunkSize: number;
  }): Promise<ImportJob> {
    const at = this.iso();
    const item = {
      ...importJobKey(input.jobId),
      type: IMPORT_JOB_TYPE,
      jobId: input.jobId,
      source: input.source,
      holders: input.holders,
      chunkSize: input.chunkSize,
      chunks: Math.ceil(input.holders / input.chunkSize),
      chunksDone: 0,
      status: 'running',
      startedAt: at,
      updatedAt: at,
      resumes: 0,
      ...ZERO_TOTALS,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.operations,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return toJob(item);
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const job = await this.job(input.jobId);
      if (!job) throw e;
      return job;
    }
  }

  async job(jobId: string): Promise<ImportJob | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tables.operations, Key: importJobKey(jobId), ConsistentRead: true }),
    );
    return out.Item ? toJob(out.Item) : null;
  }

  /** Every import, newest first (for the operator). */
  async jobs(): Promise<ImportJob[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.operations,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :job)',
          ExpressionAttributeValues: { ':pk': 'IMPORTS', ':job': 'JOB#' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.map(toJob).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  }

  /**
   * Takes the job for this run until `leaseMs` from now: free, expired, or already this run's.
   * Throws ImportBusy when another run holds it.
   */
  async take(jobId: string, runId: string, leaseMs: number, resumed: boolean): Promise<void> {
    const now = this.now();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.operations,
          Key: importJobKey(jobId),
          UpdateExpression: `SET #owner = :me, leaseUntil = :until, updatedAt = :at${resumed ? ' ADD resumes :one' : ''}`,
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(#owner) OR #owner = :me OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':me': runId,
            ':until': now + leaseMs,
            ':now': now,
            ':at': new Date(now).toISOString(),
            ...(resumed ? { ':one': 1 } : {}),
          },
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new ImportBusy(jobId);
      throw e;
    }
  }

  /** Lets the next run take the job at once (this run stops here, or has finished). */
  async release(jobId: string, runId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.operations,
          Key: importJobKey(jobId),
          UpdateExpression: 'REMOVE #owner, leaseUntil',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': runId },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /** The chunks already handed on, with where their print rows are. */
  async doneChunks(jobId: string): Promise<DoneChunk[]> {
    const out: DoneChunk[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.operations,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `IMPORT#${jobId}` },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        out.push({ chunk: Number(item.chunk), part: typeof item.part === 'string' ? item.part : null });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => a.chunk - b.chunk);
  }

  /**
   * Records a chunk as handed on and adds its totals to the job's, in one transaction, only while this
   * run holds the job (renewing the lease). Throws LeaseLost otherwise: another run took the job over,
   * and this one must stop without recording anything.
   */
  async chunkDone(
    jobId: string,
    runId: string,
    leaseMs: number,
    chunk: number,
    totals: ChunkTotals,
    part: string | null,
  ): Promise<void> {
    const now = this.now();
    const at = new Date(now).toISOString();
    const values: Record<string, unknown> = { ':me': runId, ':until': now + leaseMs, ':at': at, ':one': 1 };
    for (const f of TOTAL_FIELDS) values[`:${f}`] = totals[f];
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.operations,
                Item: {
                  ...importChunkKey(jobId, chunk),
                  type: IMPORT_CHUNK_TYPE,
                  chunk,
                  doneAt: at,
                  ...(part ? { part } : {}),
                  ...totals,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tables.operations,
                Key: importJobKey(jobId),
                UpdateExpression: `SET leaseUntil = :until, updatedAt = :at ADD chunksDone :one, ${TOTAL_FIELDS.map((f) => `${f} :${f}`).join(', ')}`,
                ConditionExpression: '#owner = :me',
                ExpressionAttributeNames: { '#owner': 'owner' },
                ExpressionAttributeValues: values,
              },
            },
          ],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) throw new LeaseLost(jobId);
      throw e;
    }
  }

  /** Every chunk handed on: the job is done, with its print file. */
  async finish(jobId: string, runId: string, printFile: string | null): Promise<ImportJob> {
    const at = this.iso();
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.operations,
        Key: importJobKey(jobId),
        UpdateExpression:
          'SET #status = :done, finishedAt = :at, updatedAt = :at, printFile = :file REMOVE #owner, leaseUntil',
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':at': at, ':file': printFile, ':me': runId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toJob(out.Attributes ?? {});
  }
}
