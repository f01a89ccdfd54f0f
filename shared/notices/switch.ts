// Which switch starts the notice consumer. On AWS: the consumer's SQS event source mapping, created
// disabled, is enabled (NOTICE_CONSUMER_MAPPING_UUID). Locally: the in-process queue the local stack
// (or a test) registered in this process.
import { EventSourceMappingSwitch } from './aws-switch.ts';
import type { SendingSwitch } from './ports.ts';

let local: SendingSwitch | null = null;

/** The local stack registers its in-process queue here; null unregisters it. */
export function useLocalSendingSwitch(s: SendingSwitch | null): void {
  local = s;
}

export class NoSendingSwitch extends Error {
  constructor() {
    super(
      'no notice queue to start: set NOTICE_CONSUMER_MAPPING_UUID (AWS), or run the local stack, whose in-process queue holds the notices',
    );
    this.name = 'NoSendingSwitch';
  }
}

export function sendingSwitchFromEnv(env: Record<string, string | undefined> = process.env): SendingSwitch {
  const uuid = env.NOTICE_CONSUMER_MAPPING_UUID;
  if (uuid) return new EventSourceMappingSwitch(uuid, env.AWS_REGION ?? 'us-east-1');
  return {
    start: async () => {
      if (!local) throw new NoSendingSwitch();
      return local.start();
    },
  };
}
