// Builds the DynamoDB clients once per process. On AWS the SDK's defaults apply (region and
// credentials from the Lambda environment); locally an endpoint points at DynamoDB Local with a
// fixed region and dummy credentials (DynamoDB Local runs with -sharedDb, so any will do).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoEndpointConfig {
  /** e.g. http://127.0.0.1:8000 for DynamoDB Local; absent on AWS. */
  endpoint?: string | undefined;
  /** Defaults to us-east-1 with a local endpoint, to the SDK's resolution otherwise. */
  region?: string | undefined;
  /** Attempts per call, including the first (SDK default 3). */
  maxAttempts?: number | undefined;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

export function createDynamoClients(config: DynamoEndpointConfig = {}): DynamoClients {
  const options: DynamoDBClientConfig = {
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
      connectionTimeout: 3_000,
    },
  };
  if (config.maxAttempts !== undefined) options.maxAttempts = config.maxAttempts;
  if (config.endpoint) {
    options.endpoint = config.endpoint;
    options.region = config.region ?? LOCAL_REGION;
    options.credentials = LOCAL_CREDENTIALS;
  } else if (config.region) {
    options.region = config.region;
  }
  const client = new DynamoDBClient(options);
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, doc };
}

/** The document client alone, for code that only reads and writes items. */
export function createDocumentClient(config: DynamoEndpointConfig = {}): DynamoDBDocumentClient {
  return createDynamoClients(config).doc;
}
