// GET /admin/export/{part}: the register or the instruction history for the inspector's recount, a
// page of one Scan segment at a time.
import { Logger } from '@aws-lambda-powertools/logger';
import { loadStorageConfig } from '../../shared/config/storage-config.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';
import { handleExportPage } from '../../shared/tabulation/export-api.ts';

const storage = loadStorageConfig();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });

export const handler = handleExportPage(
  { doc: createDynamoClients(storage.dynamo).doc, tables: storage.tables },
  logger,
);
