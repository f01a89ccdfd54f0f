// A register uploaded to the meeting's bucket (register/<name>.csv) is imported by the S3-triggered
// function: the same use case as `proxyvote register import`, with the notice queue (SQS) for the
// e-delivery holders and a print file in the bucket (print-files/<name>-<job>/, a part per chunk) for
// the others. A report of the import, or of every bad line of a refused register, goes to
// import-reports/. A run that nears the function's time limit stops between two chunks and asks for
// its own continuation (the function is invoked again on the same file); uploading the same file again
// resumes an import that stopped for any other reason.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Meeting } from '../domain/meeting.ts';
import { RegisterError } from '../domain/register.ts';
import type { TableNames } from '../storage/tables.ts';
import { importJobId, importRegister } from './import.ts';
import { ImportBusy } from './import-checkpoint.ts';
import type { NoticeQueue } from './ports.ts';
import { ObjectPrintSink, type ObjectStore } from './s3.ts';
import { sqsClient } from './sqs.ts';

/** Where a run that stopped between two chunks asks to be invoked again on the same file. */
export interface ImportContinuation {
  continueImport(target: { bucket: string; key: string }): Promise<void>;
}

const continuationSchema = z.strictObject({
  kind: z.literal('continue-import'),
  bucket: z.string().min(3).max(63),
  key: z.string().startsWith('register/'),
});

/** The continuation message's body (the register-imports queue), checked. */
export function continuationOf(body: string): { bucket: string; key: string } {
  const { bucket, key } = continuationSchema.parse(JSON.parse(body));
  return { bucket, key };
}

/** The register-imports queue (REGISTER_IMPORTS_QUEUE_URL) on AWS; locally runs have no time limit. */
export function importContinuationFromEnv(env: Record<string, string | undefined>): ImportContinuation {
  const url = env.REGISTER_IMPORTS_QUEUE_URL;
  if (!url) {
    return {
      continueImport: async () => {
        throw new Error(
          'the import stopped between two chunks and has no queue to go on: upload the file again',
        );
      },
    };
  }
  const client = sqsClient({ endpoint: env.SQS_ENDPOINT, region: env.AWS_REGION });
  return {
    continueImport: async (target) => {
      await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: JSON.stringify({ kind: 'continue-import', ...target }),
        }),
      );
    },
  };
}

export const REGISTER_PREFIX = 'register/';
export const PRINT_FILE_PREFIX = 'print-files/';
export const REPORT_PREFIX = 'import-reports/';

export interface UploadDeps {
  meeting: Meeting;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  secret: Uint8Array | string;
  randomBytes: (n: number) => Uint8Array;
  queue: NoticeQueue;
  store: ObjectStore;
  ballotUrl: string;
  now: () => number;
  /** True when the run should stop between two chunks (the function's time is nearly up). */
  shouldStop?: () => boolean;
  /** How long this run may wait for another run's hold on the same file to lapse. */
  maxLeaseWaitMs?: number;
}

export type UploadOutcome =
  | {
      outcome: 'imported';
      imported: number;
      unchanged: number;
      queued: number;
      printed: number;
      /** The print file's s3:// address (a folder of parts for a large register), when any holder is on paper. */
      printFile: string | null;
      report: string;
      jobId: string;
      reissued: number;
      resumed: boolean;
    }
  /** Stopped between two chunks, resumable: the caller invokes the import again on the same key. */
  | { outcome: 'continuing'; jobId: string; chunks: { done: number; total: number } }
  /** Another run is importing this file now (a duplicate S3 event): left to it. */
  | { outcome: 'busy'; jobId: string }
  | { outcome: 'refused'; problems: number; report: string }
  | { outcome: 'ignored' };

/** S3 event keys are URL-encoded, with '+' for spaces. */
export const decodeS3Key = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

export async function importUpload(deps: UploadDeps, key: string): Promise<UploadOutcome> {
  if (!key.startsWith(REGISTER_PREFIX) || !key.toLowerCase().endsWith('.csv')) return { outcome: 'ignored' };
  const name = key
    .slice(REGISTER_PREFIX.length)
    .replace(/\.csv$/i, '')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  const stamp = new Date(deps.now()).toISOString().replace(/[:.]/g, '-');
  const csvText = await deps.store.get(key);
  const jobId = importJobId(csvText);
  try {
    const result = await importRegister({
      csvText,
      source: key,
      meeting: deps.meeting,
      doc: deps.doc,
      tables: deps.tables,
      secret: deps.secret,
      randomBytes: deps.randomBytes,
      queue: deps.queue,
      printSink: new ObjectPrintSink(deps.store, `${PRINT_FILE_PREFIX}${name}-${jobId.slice(0, 12)}/`),
      ballotUrl: deps.ballotUrl,
      now: deps.now,
      ...(deps.shouldStop ? { shouldStop: deps.shouldStop } : {}),
      maxLeaseWaitMs: deps.maxLeaseWaitMs ?? 0,
    });
    if (!result.complete) return { outcome: 'continuing', jobId, chunks: result.chunks };
    const report = await deps.store.put(
      `${REPORT_PREFIX}${stamp}-${name}.json`,
      `${JSON.stringify({ file: key, ...result }, null, 2)}\n`,
      'application/json',
    );
    return {
      outcome: 'imported',
      imported: result.imported,
      unchanged: result.unchanged,
      queued: result.queued,
      printed: result.printed,
      printFile: result.printFile,
      report,
      jobId,
      reissued: result.reissued,
      resumed: result.resumed,
    };
  } catch (e) {
    if (e instanceof ImportBusy) return { outcome: 'busy', jobId };
    if (!(e instanceof RegisterError)) throw e;
    const report = await deps.store.put(
      `${REPORT_PREFIX}${stamp}-${name}.errors.txt`,
      `${e.message}\n\nNothing was imported. Correct every line listed and upload the file again.\n`,
      'text/plain; charset=utf-8',
    );
    return { outcome: 'refused', problems: e.issues.length, report };
  }
}
