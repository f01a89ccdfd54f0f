// GET /health: 200 when every table of the meeting answers ACTIVE, 503 naming what does not.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { runAsFunction } from '../../shared/aws/call-recorder.ts';
import { loadStorageConfig } from '../../shared/config/storage-config.ts';
import { cloudFrontOnly, OriginSecrets } from '../../shared/http/origin.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { checkTables } from '../../shared/storage/table-health.ts';

const config = loadStorageConfig();
const origin = await OriginSecrets.fromEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });
const { client } = createDynamoClients({ ...config.dynamo, maxAttempts: 2 });

const reply = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

export const handler = cloudFrontOnly(
  middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger))
    .handler(async () => {
      const health = await runAsFunction('health', () => checkTables(client, config.tables));
      if (health.healthy) return reply(200, { status: 'ok', tables: health.tables });
      logger.warn('unhealthy', { problems: health.problems });
      return reply(503, { status: 'unavailable', reason: health.problems.join('; '), tables: health.tables });
    }),
  origin,
);
