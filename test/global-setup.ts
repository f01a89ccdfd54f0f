// Vitest global setup: one DynamoDB Local (in memory, -sharedDb), one SES emulator and one S3 endpoint
// (s3rver, on a temporary directory) for the whole run, on free ports, stopped afterwards. Tests read
// the endpoints with inject('dynamoEndpoint') / inject('sesEndpoint') / inject('s3Endpoint'); child
// processes find them in PROXYVOTE_TEST_DYNAMODB_ENDPOINT / PROXYVOTE_TEST_SES_ENDPOINT /
// PROXYVOTE_TEST_S3_ENDPOINT. Tests that use a bucket create their own.
//
// Every AWS call a function makes during the run is recorded (shared/aws/call-recorder.ts) in
// test-artifacts/aws-calls/, emptied here first; test/iam/ checks the calls against the functions'
// synthesized IAM policies once the run is over (`npm test` runs it second). Integration tests keep apart by giving their tables a unique prefix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CALL_LOG_VARIABLE } from '../shared/aws/call-recorder.ts';
import { DEFAULT_JAVA_TOOL_OPTIONS, startDynamoLocal } from '../shared/local/dynamo-local.ts';
import { findFreePorts } from '../shared/local/ports.ts';
import { startS3Local } from '../shared/local/s3-local.ts';
import { startSesLocal } from '../shared/local/ses-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
    s3Endpoint: string;
  }
}

/** Where the test processes record the AWS calls each function made (test/iam reads it). */
export const AWS_CALL_LOG = join(import.meta.dirname, '..', 'test-artifacts', 'aws-calls');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  rmSync(AWS_CALL_LOG, { recursive: true, force: true });
  process.env[CALL_LOG_VARIABLE] = AWS_CALL_LOG;
  const [dynamoPort = 0, sesPort = 0, s3Port = 0] = await findFreePorts(3);
  const s3Directory = mkdtempSync(join(tmpdir(), 'proxyvote-test-s3-'));
  const [dynamo, ses, s3] = await Promise.all([
    // 512 MB (the local stack's default) is not enough for a whole run: the stress suite keeps tens of
    // thousands of items in memory, and a JVM at its heap limit stops answering (connect timeouts).
    startDynamoLocal({
      port: dynamoPort,
      javaToolOptions: DEFAULT_JAVA_TOOL_OPTIONS.replace('-Xmx512m', '-Xmx3g'),
    }),
    startSesLocal({ port: sesPort }),
    startS3Local({ port: s3Port, directory: s3Directory }),
  ]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  process.env.PROXYVOTE_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.PROXYVOTE_TEST_SES_ENDPOINT = ses.endpoint;
  process.env.PROXYVOTE_TEST_S3_ENDPOINT = s3.endpoint;
  return async () => {
    await Promise.allSettled([ses.stop(), dynamo.stop(), s3.stop()]);
    rmSync(s3Directory, { recursive: true, force: true });
  };
}
