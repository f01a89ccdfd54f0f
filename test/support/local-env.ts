// Helpers for integration tests that run handlers against the global DynamoDB Local.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../shared/storage/dynamo-client.ts';
import { type TableNames, tableEnvironment, tableNames } from '../../shared/storage/tables.ts';

/** Table names no other test file uses: proxyvote-<label>-<random>-<meetingId>-<kind>. */
export function uniqueTableNames(label: string, meetingId = 'hemacare-2002'): TableNames {
  const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return tableNames(meetingId, `proxyvote-${label}-${unique}`);
}

/** Sets the environment the handlers read at module load, pointing at the test DynamoDB Local. */
export function setHandlerEnv(names: TableNames): void {
  Object.assign(process.env, {
    ...tableEnvironment(names),
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: 'proxyvote-test',
    POWERTOOLS_SERVICE_NAME: 'proxyvote',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The public routes answer only what came through CloudFront; the local adapter plays it.
    ORIGIN_SECRET: process.env.ORIGIN_SECRET ?? randomBytes(24).toString('hex'),
  });
}
