// What the notice functions read from their environment, once, at module load (a cold start), and
// validated: a bad or missing variable fails the start, naming every one. functions/workers.ts lists
// which function needs which.
import * as z from 'zod';
import { clockWithOffset } from '../config/clock.ts';
import { loadStorageConfig, type StorageConfig } from '../config/storage-config.ts';
import { formatIssues, InvalidInputError, type Meeting, parseMeeting } from '../domain/meeting.ts';

const positive = (fallback: number) => z.coerce.number().positive().default(fallback);

const noticeEnvSchema = z.object({
  MEETING_JSON: z.string({ error: 'is not set' }).min(2, 'is empty'),
  CONTROL_SECRET: z
    .string()
    .regex(/^[0-9a-f]{64,}$/, 'must be at least 64 hex digits (32 bytes)')
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  /** The ballot page, e.g. https://vote.example.com/vote: the notices link to it. */
  BALLOT_URL: z.url({ protocol: /^https?$/ }).optional(),
  SES_ENDPOINT: z.url().optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Notices per second per consumer instance (the token bucket). */
  NOTICE_SEND_RATE: z.coerce.number().min(0).default(5),
  /** How long a SendEmail may take before its outcome counts as unknown (never retried). */
  NOTICE_SES_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** A 'sending' marker older than this is stuck (its sender died): skipped, listed by `notices status`. */
  NOTICE_STUCK_AFTER_SECONDS: positive(900),
  /** 'sqs-visibility': failed messages come back after an exponential delay (AWS); 'none': the queue's own. */
  NOTICE_BACKOFF: z.enum(['none', 'sqs-visibility']).default('none'),
  NOTICE_RETRY_BASE_SECONDS: positive(30),
  SQS_ENDPOINT: z.url().optional(),
  /** Only locally: the S3-compatible endpoint (s3rver) of the meeting's bucket. */
  S3_ENDPOINT: z.url().optional(),
  /** The notice queue (the register import sends to it). */
  NOTICES_QUEUE_URL: z.url().optional(),
  /** Days before the internet cut-off on which reminders go, e.g. "7,2": reminder 1 at 7 days, 2 at 2. */
  REMINDER_DAYS_BEFORE_CUTOFF: z
    .string()
    .regex(
      /^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$/,
      'must be whole numbers of days separated by commas, e.g. "7,2"',
    )
    .default('7'),
  METRICS_NAMESPACE: z.string().min(1).default('ProxyVote'),
  CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
  AWS_REGION: z.string().min(1).optional(),
});

export type NoticeEnv = z.infer<typeof noticeEnvSchema>;

export interface NoticeConfig {
  env: NoticeEnv;
  meeting: Meeting;
  storage: StorageConfig;
  now: () => number;
  /** The value of a variable this function cannot run without. */
  need<K extends keyof NoticeEnv>(name: K): NonNullable<NoticeEnv[K]>;
}

export function loadNoticeConfig(
  env: Record<string, string | undefined> = process.env,
  required: readonly (keyof NoticeEnv)[] = [],
): NoticeConfig {
  const parsed = noticeEnvSchema.safeParse(env);
  const problems = parsed.success ? [] : formatIssues(parsed.error);
  for (const name of required) {
    if (env[name] === undefined || env[name] === '') problems.push(`${name}: is not set`);
  }
  if (!parsed.success || problems.length > 0)
    throw new InvalidInputError('the function environment', problems);
  const data = parsed.data;
  const meeting = parseMeeting(data.MEETING_JSON, 'MEETING_JSON');
  return {
    env: data,
    meeting,
    storage: loadStorageConfig(env),
    now: clockWithOffset(data.CLOCK_OFFSET_MS),
    need(name) {
      const value = data[name];
      if (value === undefined)
        throw new InvalidInputError('the function environment', [`${name}: is not set`]);
      return value as NonNullable<NoticeEnv[typeof name]>;
    },
  };
}

/** "7,2" -> [7, 2]: reminder 1 goes 7 days before the cut-off, reminder 2 two days before. */
export function reminderDays(value: string): number[] {
  return value
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n));
}
