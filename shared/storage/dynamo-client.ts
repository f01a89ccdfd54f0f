// Builds the DynamoDB clients once per process, through the one client factory (shared/aws/clients.ts):
// on AWS the SDK's defaults apply; locally an endpoint points at DynamoDB Local (which runs with
// -sharedDb, so any credentials will do).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsEndpointConfig, createAwsClient } from '../aws/clients.ts';

export { LOCAL_CREDENTIALS, LOCAL_REGION } from '../aws/clients.ts';

/** e.g. `{ endpoint: 'http://127.0.0.1:8000' }` for DynamoDB Local; `{}` on AWS. */
export type DynamoEndpointConfig = Pick<AwsEndpointConfig, 'endpoint' | 'region' | 'maxAttempts'>;

export interface DynamoClients {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

export function createDynamoClients(config: DynamoEndpointConfig = {}): DynamoClients {
  const client = createAwsClient(DynamoDBClient, config);
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, doc };
}

/** The document client alone, for code that only reads and writes items. */
export function createDocumentClient(config: DynamoEndpointConfig = {}): DynamoDBDocumentClient {
  return createDynamoClients(config).doc;
}
