// Where the notice functions find the notice queue and its consumer's switch. On AWS: the SQS queue
// (NOTICES_QUEUE_URL) and the consumer's event source mapping, created disabled and enabled by the
// switch (NOTICE_CONSUMER_MAPPING_UUID). Locally: the in-process queue that the local stack (or a
// test) registered in this process plays both parts.
import { EventSourceMappingSwitch } from './aws-switch.ts';
import type { NoticeMessage } from './message.ts';
import type { NoticeQueue, SendingSwitch } from './ports.ts';
import { SqsNoticeQueue, sqsClient } from './sqs.ts';

let local: (SendingSwitch & NoticeQueue) | null = null;

/** The local stack registers its in-process queue here; null unregisters it. */
export function useLocalNoticeQueue(q: (SendingSwitch & NoticeQueue) | null): void {
  local = q;
}

export class NoSendingSwitch extends Error {
  constructor() {
    super(
      'no notice queue: set NOTICES_QUEUE_URL and NOTICE_CONSUMER_MAPPING_UUID (AWS), or run the local stack, whose in-process queue holds the notices',
    );
    this.name = 'NoSendingSwitch';
  }
}

function localQueue(): SendingSwitch & NoticeQueue {
  if (!local) throw new NoSendingSwitch();
  return local;
}

export function sendingSwitchFromEnv(env: Record<string, string | undefined> = process.env): SendingSwitch {
  const uuid = env.NOTICE_CONSUMER_MAPPING_UUID;
  if (uuid) return new EventSourceMappingSwitch(uuid, { region: env.AWS_REGION });
  return { start: () => localQueue().start() };
}

/** The queue the register import hands the e-delivery holders' control numbers to. */
export function noticeQueueFromEnv(env: Record<string, string | undefined> = process.env): NoticeQueue {
  const url = env.NOTICES_QUEUE_URL;
  if (url) return new SqsNoticeQueue(sqsClient({ endpoint: env.SQS_ENDPOINT, region: env.AWS_REGION }), url);
  return { enqueue: (messages: readonly NoticeMessage[]) => localQueue().enqueue(messages) };
}
