// A register uploaded to the meeting's bucket (register/<name>.csv) is imported by the S3-triggered
// function: the same use case as `proxyvote register import`, with the notice queue (SQS) for the
// e-delivery holders and a print file in the bucket (print-files/) for the others. A report of the
// import, or of every bad line of a refused register, goes to import-reports/.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Meeting } from '../domain/meeting.ts';
import { RegisterError } from '../domain/register.ts';
import type { TableNames } from '../storage/tables.ts';
import { importRegister } from './import.ts';
import type { NoticeQueue } from './ports.ts';
import { ObjectPrintSink, type ObjectStore } from './s3.ts';

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
}

export type UploadOutcome =
  | {
      outcome: 'imported';
      imported: number;
      unchanged: number;
      queued: number;
      printed: number;
      /** The print file's s3:// address, when any holder is on paper. */
      printFile: string | null;
      report: string;
    }
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
      printSink: new ObjectPrintSink(deps.store, `${PRINT_FILE_PREFIX}${stamp}-${name}.csv`),
      ballotUrl: deps.ballotUrl,
    });
    const report = await deps.store.put(
      `${REPORT_PREFIX}${stamp}-${name}.json`,
      `${JSON.stringify({ file: key, ...result }, null, 2)}\n`,
      'application/json',
    );
    return { outcome: 'imported', ...result, report };
  } catch (e) {
    if (!(e instanceof RegisterError)) throw e;
    const report = await deps.store.put(
      `${REPORT_PREFIX}${stamp}-${name}.errors.txt`,
      `${e.message}\n\nNothing was imported. Correct every line listed and upload the file again.\n`,
      'text/plain; charset=utf-8',
    );
    return { outcome: 'refused', problems: e.issues.length, report };
  }
}
