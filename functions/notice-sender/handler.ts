// The notice queue's consumer (SQS, batches of 10, partial batch failures): one notice of meeting per
// message, sent at most once (shared/notices/sender.ts). Its event source mapping is created disabled
// and enabled by `proxyvote notices send` (functions/workers.ts).
import { controlSecretAtColdStart, withControlSecret } from '../../shared/config/secret.ts';
import { noticeSenderFromEnv } from '../../shared/notices/runtime.ts';

// On AWS the secret comes from Secrets Manager (CONTROL_SECRET_ARN), once, at cold start.
export const handler = noticeSenderFromEnv(
  withControlSecret(process.env, await controlSecretAtColdStart(process.env)),
);
