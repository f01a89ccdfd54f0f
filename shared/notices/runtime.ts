// The wiring of the notice functions from their environment: the same code builds the Lambda handler
// modules (functions/notice-sender, functions/reminders) and the tests' and CLI's instances.
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { asFunction } from '../aws/call-recorder.ts';
import { SesMailer, type SesMailerConfig } from '../mail/mailer.ts';
import { createDynamoClients } from '../storage/dynamo-client.ts';
import { loadNoticeConfig, type NoticeConfig } from './config.ts';
import { powertoolsMetrics } from './metrics.ts';
import type { NoticeMetrics } from './ports.ts';
import type { SendOnceDeps } from './send-once.ts';
import { createNoticeSender, type NoticeSenderDeps } from './sender.ts';
import { sqsClient, visibilityBackoff } from './sqs.ts';
import { NoticeStore } from './store.ts';
import { TokenBucket } from './token-bucket.ts';

/**
 * The SES adapter as the notices use it: one attempt per message (the queue retries, and only what
 * certainly was not sent) and a time limit after which the outcome counts as unknown (default 10 s).
 */
export function noticeMailer(config: Omit<SesMailerConfig, 'attempts'>): SesMailer {
  return new SesMailer({ ...config, attempts: 1, timeoutMs: config.timeoutMs ?? 10_000 });
}

export function noticeLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' });
}

export function metricsFor(config: NoticeConfig): NoticeMetrics {
  return powertoolsMetrics({
    meetingId: config.meeting.id,
    namespace: config.env.METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote',
  });
}

/** Storage, SES, the token bucket and the clock: what every sender of e-mail needs. */
export function sendOnceDeps(config: NoticeConfig, logger: Logger): SendOnceDeps {
  const { doc } = createDynamoClients(config.storage.dynamo);
  return {
    store: new NoticeStore(doc, config.storage.tables, config.now),
    mailer: noticeMailer({
      from: config.need('MAIL_FROM'),
      endpoint: config.env.SES_ENDPOINT,
      region: config.env.AWS_REGION,
      configurationSet: config.env.SES_CONFIGURATION_SET,
      timeoutMs: config.env.NOTICE_SES_TIMEOUT_MS,
    }),
    bucket: new TokenBucket({ ratePerSecond: config.env.NOTICE_SEND_RATE }),
    now: config.now,
    newClaimId: randomUUID,
    stuckAfterMs: config.env.NOTICE_STUCK_AFTER_SECONDS * 1000,
    log: logger,
  };
}

export function noticeSenderDeps(config: NoticeConfig, logger: Logger): NoticeSenderDeps {
  const deps: NoticeSenderDeps = {
    ...sendOnceDeps(config, logger),
    meeting: config.meeting,
    secret: Buffer.from(config.need('CONTROL_SECRET'), 'hex'),
    ballotUrl: config.need('BALLOT_URL'),
    metrics: metricsFor(config),
  };
  if (config.env.NOTICE_BACKOFF === 'sqs-visibility') {
    const client = sqsClient({ endpoint: config.env.SQS_ENDPOINT, region: config.env.AWS_REGION });
    deps.backoff = visibilityBackoff(client, config.env.NOTICE_RETRY_BASE_SECONDS, config.env.SQS_ENDPOINT);
  }
  return deps;
}

/** The notice-sender Lambda handler, built from an environment (process.env in the function). */
export function noticeSenderFromEnv(env: Record<string, string | undefined> = process.env) {
  const config = loadNoticeConfig(env, ['CONTROL_SECRET', 'MAIL_FROM', 'BALLOT_URL']);
  const logger = noticeLogger();
  return asFunction('notice-sender', createNoticeSender(noticeSenderDeps(config, logger), logger));
}
