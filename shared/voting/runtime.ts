// What the voting functions need at run time, read once at module load (a cold start) and validated:
// the meeting, the storage, the control-number secret, the mailer. Fails fast naming each variable.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { clockWithOffset } from '../config/clock.ts';
import { controlSecretAtColdStart, withControlSecret } from '../config/secret.ts';
import { loadStorageConfig } from '../config/storage-config.ts';
import { formatIssues, InvalidInputError, type Meeting, parseMeeting } from '../domain/meeting.ts';
import { type Mailer, SesMailer } from '../mail/mailer.ts';
import { powertoolsMetrics } from '../notices/metrics.ts';
import { createDynamoClients } from '../storage/dynamo-client.ts';
import { DynamoVoteStore } from '../storage/vote-store.ts';
import type { VotingDeps, VotingMetrics } from './submit.ts';

type VotingMetricName = Parameters<VotingMetrics['count']>[0];

/** Each count is published at once (one EMF document): a request counts at most one failure. */
function votingMetrics(meetingId: string, namespace: string | undefined, serviceName: string): VotingMetrics {
  const metrics = powertoolsMetrics<VotingMetricName>({ meetingId, namespace, serviceName });
  return {
    count(name) {
      metrics.count(name);
      metrics.flush();
    },
  };
}

const votingEnvSchema = z.object({
  /** The meeting file's JSON, validated by the same schema as everywhere else. */
  MEETING_JSON: z.string({ error: 'is not set' }).min(2, 'is empty'),
  /** The per-meeting HMAC secret (hex, at least 32 bytes). On AWS it is read from Secrets Manager into this variable's place. */
  CONTROL_SECRET: z
    .string({ error: 'is not set' })
    .regex(/^[0-9a-f]{64,}$/, 'must be at least 64 hex digits (32 bytes)'),
  /** Failed control numbers a viewer may make at once before having to wait (shared/domain/guess-limit.ts). */
  MAX_CONTROL_FAILURES: z.coerce.number().int().positive().default(20),
  /** The CloudWatch namespace of the voting metrics (failures across viewers). */
  METRICS_NAMESPACE: z.string().min(1).optional(),
  /** The sender of confirmations and notices, e.g. "HemaCare Proxy <proxy@example.com>". */
  MAIL_FROM: z.string({ error: 'is not set' }).min(3),
  /** Only locally: the SES endpoint's URL. */
  SES_ENDPOINT: z.url().optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** The session cookie's Secure attribute: on unless set to false (only for a local stack over plain HTTP). */
  SESSION_COOKIE_SECURE: z.enum(['true', 'false']).default('true'),
  /** Local demo only: milliseconds added to the clock (the reference meeting is in 2002). */
  CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
});

/** On AWS: CONTROL_SECRET_ARN instead of CONTROL_SECRET, read from Secrets Manager once, at cold start. */
const fetchedControlSecret = await controlSecretAtColdStart(process.env);

export interface VotingRuntime {
  meeting: Meeting;
  /** Whether the session cookie says Secure. */
  secureCookies: boolean;
  deps: VotingDeps;
  mailer: Mailer;
}

export function loadVotingRuntime(env: Record<string, string | undefined> = process.env): VotingRuntime {
  const parsed = votingEnvSchema.safeParse(withControlSecret(env, fetchedControlSecret));
  if (!parsed.success) throw new InvalidInputError('the function environment', formatIssues(parsed.error));
  const meeting = parseMeeting(parsed.data.MEETING_JSON, 'MEETING_JSON');
  const storage = loadStorageConfig(env);
  const { doc } = createDynamoClients(storage.dynamo);
  const now = clockWithOffset(parsed.data.CLOCK_OFFSET_MS);
  const mailer = new SesMailer({
    from: parsed.data.MAIL_FROM,
    endpoint: parsed.data.SES_ENDPOINT,
    region: env.AWS_REGION,
    configurationSet: parsed.data.SES_CONFIGURATION_SET,
  });
  return {
    meeting,
    secureCookies: parsed.data.SESSION_COOKIE_SECURE === 'true',
    mailer,
    deps: {
      meeting,
      store: new DynamoVoteStore(doc, storage.tables, now),
      secret: Buffer.from(parsed.data.CONTROL_SECRET, 'hex'),
      now,
      randomBytes,
      maxFailures: parsed.data.MAX_CONTROL_FAILURES,
      metrics: votingMetrics(
        meeting.id,
        parsed.data.METRICS_NAMESPACE,
        env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote',
      ),
    },
  };
}
