// S3 ObjectCreated on the meeting's bucket, prefix register/, suffix .csv: imports the register and
// hands the new control numbers on at once (notice queue, print file in the bucket). A refused
// register imports nothing; its report in import-reports/ names every bad line. The import goes chunk
// by chunk, each recorded once handed on (shared/notices/import.ts): near the function's time limit it
// stops between two chunks and puts a continuation message on its own queue (register-imports), whose
// delivery invokes this handler again on the same file. A run killed anyway (a timeout) is retried by
// Lambda and resumes from the last recorded chunk. Locally the same handler runs against s3rver
// (S3_ENDPOINT) and the in-process notice queue, with no time limit.
import { randomBytes } from 'node:crypto';
import type { Context, S3Event, SQSEvent } from 'aws-lambda';
import { asFunction } from '../../shared/aws/call-recorder.ts';
import { controlSecretAtColdStart, withControlSecret } from '../../shared/config/secret.ts';
import { loadNoticeConfig } from '../../shared/notices/config.ts';
import {
  continuationOf,
  decodeS3Key,
  importContinuationFromEnv,
  importUpload,
  type UploadOutcome,
} from '../../shared/notices/register-upload.ts';
import { noticeLogger } from '../../shared/notices/runtime.ts';
import { S3ObjectStore, s3Client } from '../../shared/notices/s3.ts';
import { noticeQueueFromEnv } from '../../shared/notices/switch.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';

// On AWS the secret comes from Secrets Manager (CONTROL_SECRET_ARN), once, at cold start.
const env = withControlSecret(process.env, await controlSecretAtColdStart(process.env));
const config = loadNoticeConfig(env, ['CONTROL_SECRET', 'BALLOT_URL']);
const logger = noticeLogger();
const { doc } = createDynamoClients(config.storage.dynamo);
const s3 = s3Client({ endpoint: config.env.S3_ENDPOINT, region: config.env.AWS_REGION });
const queue = noticeQueueFromEnv(env);
const continuation = importContinuationFromEnv(env);

/** Time kept back at the end of an invocation: a chunk started before it finishes well within it. */
const STOP_MARGIN_MS = 90_000;

/** Imports each uploaded register (or goes on with one); resolves with what became of each. */
export const handler = asFunction(
  'register-import',
  async (event: S3Event | SQSEvent, context?: Context): Promise<UploadOutcome[]> => {
    const left = () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
    const outcomes: UploadOutcome[] = [];
    for (const record of event.Records) {
      const target =
        'body' in record
          ? continuationOf(record.body)
          : { bucket: record.s3.bucket.name, key: decodeS3Key(record.s3.object.key) };
      const out = await importUpload(
        {
          meeting: config.meeting,
          doc,
          tables: config.storage.tables,
          secret: Buffer.from(config.need('CONTROL_SECRET'), 'hex'),
          randomBytes,
          queue,
          store: new S3ObjectStore(target.bucket, s3),
          ballotUrl: config.need('BALLOT_URL'),
          now: config.now,
          shouldStop: () => left() < STOP_MARGIN_MS,
          maxLeaseWaitMs: Math.max(0, Math.min(left() - STOP_MARGIN_MS, 10 * 60_000)),
        },
        target.key,
      );
      if (out.outcome === 'continuing') await continuation.continueImport(target);
      logger.info('register upload', { key: target.key, ...out });
      outcomes.push(out);
    }
    return outcomes;
  },
);
