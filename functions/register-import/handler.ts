// S3 ObjectCreated on the meeting's bucket, prefix register/, suffix .csv: imports the register and
// hands the new control numbers on at once (notice queue, print file in the bucket). A refused
// register imports nothing; its report in import-reports/ names every bad line. Locally the same
// handler runs against s3rver (S3_ENDPOINT) and the in-process notice queue.
import { randomBytes } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { asFunction } from '../../shared/aws/call-recorder.ts';
import { controlSecretAtColdStart, withControlSecret } from '../../shared/config/secret.ts';
import { loadNoticeConfig } from '../../shared/notices/config.ts';
import { decodeS3Key, importUpload, type UploadOutcome } from '../../shared/notices/register-upload.ts';
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

/** Imports each uploaded register; resolves with what became of each (Lambda ignores it). */
export const handler = asFunction('register-import', async (event: S3Event): Promise<UploadOutcome[]> => {
  const outcomes: UploadOutcome[] = [];
  for (const record of event.Records) {
    const key = decodeS3Key(record.s3.object.key);
    const out = await importUpload(
      {
        meeting: config.meeting,
        doc,
        tables: config.storage.tables,
        secret: Buffer.from(config.need('CONTROL_SECRET'), 'hex'),
        randomBytes,
        queue,
        store: new S3ObjectStore(record.s3.bucket.name, s3),
        ballotUrl: config.need('BALLOT_URL'),
        now: config.now,
      },
      key,
    );
    logger.info('register upload', { key, ...out });
    outcomes.push(out);
  }
  return outcomes;
});
