// GET /admin/imports: each register import's progress (chunks done of the total, holders handed on,
// running, stalled or done), for the supervisor.
import { clockWithOffset } from '../../shared/config/clock.ts';
import { loadStorageConfig } from '../../shared/config/storage-config.ts';
import { handleImportStatus } from '../../shared/notices/admin-api.ts';
import { noticeLogger } from '../../shared/notices/runtime.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';

const storage = loadStorageConfig();
const offset = process.env.CLOCK_OFFSET_MS;

export const handler = handleImportStatus(
  {
    now: clockWithOffset(offset ? Number(offset) : undefined),
    doc: createDynamoClients(storage.dynamo).doc,
    tables: storage.tables,
  },
  noticeLogger(),
);
