// POST /admin/notices/send: the supervisor starts the sending of the notices (40-day rule checked,
// the start recorded, the notice consumer switched on).
import { clockWithOffset } from '../../shared/config/clock.ts';
import { loadStorageConfig } from '../../shared/config/storage-config.ts';
import { parseMeeting } from '../../shared/domain/meeting.ts';
import { handleStartSending } from '../../shared/notices/admin-api.ts';
import { noticeLogger } from '../../shared/notices/runtime.ts';
import { sendingSwitchFromEnv } from '../../shared/notices/switch.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';

const storage = loadStorageConfig();
const offset = process.env.CLOCK_OFFSET_MS;

export const handler = handleStartSending(
  {
    meeting: parseMeeting(process.env.MEETING_JSON ?? '', 'MEETING_JSON'),
    now: clockWithOffset(offset ? Number(offset) : undefined),
    doc: createDynamoClients(storage.dynamo).doc,
    tables: storage.tables,
    sendingSwitch: sendingSwitchFromEnv(),
  },
  noticeLogger(),
);
