// What the vote report functions need at run time, read once at cold start and validated: the
// meeting, the tables, the mailer (the one SES mailer), the recipients, the clock.
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { clockWithOffset } from '../config/clock.ts';
import { loadStorageConfig } from '../config/storage-config.ts';
import { formatIssues, InvalidInputError, parseMeeting } from '../domain/meeting.ts';
import { recipientProblems, reportRecipientSchema } from '../domain/vote-report.ts';
import { SesMailer } from '../mail/mailer.ts';
import { createDynamoClients } from '../storage/dynamo-client.ts';
import { SnapshotStore } from '../tabulation/snapshots.ts';
import { ReportDeliveryStore } from './deliveries.ts';
import type { VoteReportDeps } from './vote-reports.ts';

const recipientsJson = z
  .string()
  .default('[]')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.array(reportRecipientSchema));

const envSchema = z.object({
  MEETING_JSON: z.string({ error: 'is not set' }).min(2, 'is empty'),
  MAIL_FROM: z.string({ error: 'is not set' }).min(3),
  SES_ENDPOINT: z.string().optional(),
  SES_CONFIGURATION_SET: z.string().optional(),
  /** The deploy settings' voteReports.recipients, as JSON (infra/access.ts sets it). */
  VOTE_REPORT_RECIPIENTS: recipientsJson,
  CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
});

export interface VoteReportRuntime {
  deps: VoteReportDeps;
  snapshots: SnapshotStore;
  logger: Logger;
}

export function loadVoteReportRuntime(
  env: Record<string, string | undefined> = process.env,
): VoteReportRuntime {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new InvalidInputError('the function environment', formatIssues(parsed.error));
  const meeting = parseMeeting(parsed.data.MEETING_JSON, 'MEETING_JSON');
  const problems = recipientProblems(meeting, parsed.data.VOTE_REPORT_RECIPIENTS);
  if (problems.length > 0) throw new InvalidInputError('VOTE_REPORT_RECIPIENTS', problems);
  const storage = loadStorageConfig(env);
  const { doc } = createDynamoClients(storage.dynamo);
  return {
    snapshots: new SnapshotStore(doc, storage.tables),
    logger: new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'proxyvote' }),
    deps: {
      meeting,
      recipients: parsed.data.VOTE_REPORT_RECIPIENTS,
      mailer: new SesMailer({
        from: parsed.data.MAIL_FROM,
        endpoint: parsed.data.SES_ENDPOINT,
        region: env.AWS_REGION,
        configurationSet: parsed.data.SES_CONFIGURATION_SET,
      }),
      deliveries: new ReportDeliveryStore(doc, storage.tables),
      now: clockWithOffset(parsed.data.CLOCK_OFFSET_MS),
    },
  };
}
