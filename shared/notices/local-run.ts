// The notices in the local stack (npm start): the register import hands the new control numbers to
// the in-process notice queue (e-delivery) and to a print file (paper); the sending is then started
// as an operator would (`notices send`, here with the 40-day rule overridden, since the reference
// meeting runs as of a late date), and the queue invokes the notice-sender's own handler module, so
// the mail viewer holds the notices with working links when the stack says it is ready.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { runAsFunction } from '../aws/call-recorder.ts';
import type { Holder } from '../domain/holder.ts';
import type { Meeting } from '../domain/meeting.ts';
import { serializeRegister } from '../domain/register.ts';
import type { TableNames } from '../storage/tables.ts';
import { InProcessNoticeQueue } from './local-queue.ts';
import { REGISTER_PREFIX, type UploadOutcome } from './register-upload.ts';
import { s3Client } from './s3.ts';
import { recordInOperations, SendingRefused, startSending } from './start-sending.ts';
import { readNoticeState } from './state.ts';
import { useLocalNoticeQueue } from './switch.ts';

export interface LocalNoticesOptions {
  meeting: Meeting;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  /** The local S3 endpoint (s3rver) and the meeting's bucket there. */
  s3: { endpoint: string; bucket: string };
}

/** The event S3 sends the register-import function when an object is created (the fields it reads). */
export function objectCreatedEvent(bucket: string, key: string, size: number): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'register-upload',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          // S3 event keys are URL-encoded, with '+' for spaces.
          object: {
            key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'),
            size,
            eTag: '',
            sequencer: '0',
          },
        },
      },
    ],
  };
}

/**
 * Uploads a register to the bucket and runs the register-import function's own handler on the
 * ObjectCreated event, as S3 does on AWS; resolves with what the import did. The handler reads its
 * environment (the tables, CONTROL_SECRET, BALLOT_URL, S3_ENDPOINT) when it is first loaded.
 */
export async function uploadRegister(
  s3: { endpoint: string; bucket: string },
  name: string,
  csv: string,
): Promise<UploadOutcome> {
  const key = `${REGISTER_PREFIX}${name}`;
  const client = s3Client({ endpoint: s3.endpoint });
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        Body: csv,
        ContentType: 'text/csv; charset=utf-8',
      }),
    );
  } finally {
    client.destroy();
  }
  const { handler } = await import('../../functions/register-import/handler.ts');
  const [outcome] = await runAsFunction('register-import', () =>
    handler(objectCreatedEvent(s3.bucket, key, Buffer.byteLength(csv))),
  );
  if (!outcome) throw new Error(`the register import did nothing with ${key}`);
  return outcome;
}

export interface LocalSending {
  /** Notices being e-mailed now. */
  queued: number;
  warning: string | null;
  done: Promise<{ emailed: number; unknown: number; failed: number }>;
}

export function localNotices(o: LocalNoticesOptions) {
  const queue = new InProcessNoticeQueue({
    // Loaded at the first delivery, after the stack has set the functions' environment.
    handler: { load: async () => (await import('../../functions/notice-sender/handler.ts')).handler },
    concurrency: 4,
  });
  // The register import (S3-triggered) fills this queue; POST /admin/notices/send starts it.
  useLocalNoticeQueue(queue);
  return {
    queue,
    /** The synthetic register, uploaded to the bucket and imported by the register-import function. */
    importRegister(holders: readonly Holder[]): Promise<UploadOutcome> {
      return uploadRegister(o.s3, 'synthetic-register.csv', serializeRegister(holders));
    },
    /**
     * Starts the sending if anything is queued; `done` resolves when the queue is drained, with what
     * the markers say: sent, or (a timeout on a loaded machine) an outcome unknown.
     */
    async sendNow(clockOffsetMs: number): Promise<LocalSending> {
      const queued = queue.depth;
      const nothing = Promise.resolve({ emailed: 0, unknown: 0, failed: 0 });
      if (queued === 0) return { queued, warning: null, done: nothing };
      try {
        const started = await startSending({
          meeting: o.meeting,
          now: Date.now() + clockOffsetMs,
          override40DayRule: true,
          by: 'local-stack',
          sendingSwitch: queue,
          record: recordInOperations(o.doc, o.tables),
        });
        const done = queue.drained().then(async () => {
          const state = [...(await readNoticeState(o.doc, o.tables)).values()];
          const count = (status: string) => state.filter((s) => s.notice?.status === status).length;
          return {
            emailed: count('sent'),
            unknown: count('unknown') + count('sending'),
            failed: queue.deadLetters.length,
          };
        });
        return { queued, warning: started.warning, done };
      } catch (e) {
        if (!(e instanceof SendingRefused)) throw e;
        return { queued: 0, warning: `${e.message}; the notices stay queued`, done: nothing };
      }
    },
  };
}
