// Vitest global setup: one DynamoDB Local (in memory, -sharedDb) and one SES emulator for the whole
// run, on free ports, stopped afterwards. Tests read the endpoints with inject('dynamoEndpoint') /
// inject('sesEndpoint'); child processes find them in PROXYVOTE_TEST_DYNAMODB_ENDPOINT /
// PROXYVOTE_TEST_SES_ENDPOINT. Integration tests keep apart by giving their tables a unique prefix.
import type { TestProject } from 'vitest/node';
import { DEFAULT_JAVA_TOOL_OPTIONS, startDynamoLocal } from '../shared/local/dynamo-local.ts';
import { findFreePorts } from '../shared/local/ports.ts';
import { startSesLocal } from '../shared/local/ses-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [dynamoPort = 0, sesPort = 0] = await findFreePorts(2);
  const [dynamo, ses] = await Promise.all([
    // 512 MB (the local stack's default) is not enough for a whole run: the stress suite keeps tens of
    // thousands of items in memory, and a JVM at its heap limit stops answering (connect timeouts).
    startDynamoLocal({
      port: dynamoPort,
      javaToolOptions: DEFAULT_JAVA_TOOL_OPTIONS.replace('-Xmx512m', '-Xmx3g'),
    }),
    startSesLocal({ port: sesPort }),
  ]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  process.env.PROXYVOTE_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.PROXYVOTE_TEST_SES_ENDPOINT = ses.endpoint;
  return async () => {
    await Promise.allSettled([ses.stop(), dynamo.stop()]);
  };
}
