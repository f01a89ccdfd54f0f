// SNS subscriber of the SES configuration set's event destination (Bounce, Complaint): records each
// event on the holder named by the e-mail's `account` tag (shared/notices/ses-events.ts).
import type { SNSEvent } from 'aws-lambda';
import { loadNoticeConfig } from '../../shared/notices/config.ts';
import { metricsFor, noticeLogger } from '../../shared/notices/runtime.ts';
import { createSesEventsHandler } from '../../shared/notices/ses-events.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';

const config = loadNoticeConfig();
const logger = noticeLogger();
const apply = createSesEventsHandler({
  doc: createDynamoClients(config.storage.dynamo).doc,
  tables: config.storage.tables,
  meetingId: config.meeting.id,
  now: config.now,
  metrics: metricsFor(config),
  log: logger,
});

export const handler = (event: SNSEvent) => apply(event);
