// Bounces and complaints: SES publishes them through the configuration set to an SNS topic, whose
// subscriber (functions/ses-events) records them on the holder. The holder is found by the `account`
// tag every notice and reminder carries (no e-mail lookup, no index of addresses). A permanent bounce
// or a complaint stops e-mail to the holder (no reminders) and puts the holder in the next print file,
// with a re-issued number. A transient bounce is only counted on the holder. Idempotent: SNS may
// deliver an event twice; the first time is kept. Addresses are never logged.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import * as z from 'zod';
import { asFunction } from '../aws/call-recorder.ts';
import { holderKey } from '../register/holder-item.ts';
import type { TableNames } from '../storage/tables.ts';
import type { NoticeMetrics } from './ports.ts';
import type { Log } from './send-once.ts';

const sesEventSchema = z.looseObject({
  /** Configuration-set event publishing says eventType; identity notifications say notificationType. */
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  bounce: z
    .looseObject({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .looseObject({ timestamp: z.string().optional(), complaintFeedbackType: z.string().optional() })
    .optional(),
  mail: z.looseObject({
    messageId: z.string().optional(),
    timestamp: z.string().optional(),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

export type SesEvent = z.infer<typeof sesEventSchema>;

export type SesEventOutcome =
  | 'bounced'
  | 'complained'
  | 'soft-bounce'
  | 'repeat'
  | 'other-meeting'
  | 'no-account-tag'
  | 'unknown-account'
  | 'ignored'
  | 'unreadable';

export interface SesEventDeps {
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  meetingId: string;
  now: () => number;
  metrics: NoticeMetrics;
  log: Log;
}

export function parseSesEvent(message: string): SesEvent | null {
  try {
    const parsed = sesEventSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function applySesEvent(deps: SesEventDeps, event: SesEvent): Promise<SesEventOutcome> {
  const type = event.eventType ?? event.notificationType;
  if (type !== 'Bounce' && type !== 'Complaint') return 'ignored';
  const tags = event.mail.tags ?? {};
  const meeting = tags.meeting?.[0];
  if (meeting !== undefined && meeting !== deps.meetingId) return 'other-meeting';
  const account = tags.account?.[0];
  if (!account) return 'no-account-tag';
  const at = new Date(deps.now()).toISOString();
  const messageId = event.mail.messageId ?? '';
  const kind = tags.kind?.[0] ?? 'unknown';

  let update: { expression: string; values: Record<string, unknown>; first: string | null };
  if (type === 'Bounce') {
    const bounce = event.bounce;
    if (bounce?.bounceType !== 'Permanent') {
      update = {
        expression: 'SET lastSoftBounceAt = :at ADD softBounces :one',
        values: { ':at': bounce?.timestamp ?? at, ':one': 1 },
        first: null,
      };
    } else {
      update = {
        expression:
          'SET bouncedAt = if_not_exists(bouncedAt, :at), bounceSubType = if_not_exists(bounceSubType, :sub), bounceMessageId = if_not_exists(bounceMessageId, :mid), bounceKind = if_not_exists(bounceKind, :kind)',
        values: {
          ':at': bounce.timestamp ?? at,
          ':sub': bounce.bounceSubType ?? 'General',
          ':mid': messageId,
          ':kind': kind,
        },
        first: 'bouncedAt',
      };
    }
  } else {
    update = {
      expression:
        'SET complainedAt = if_not_exists(complainedAt, :at), complaintMessageId = if_not_exists(complaintMessageId, :mid), complaintKind = if_not_exists(complaintKind, :kind)',
      values: { ':at': event.complaint?.timestamp ?? at, ':mid': messageId, ':kind': kind },
      first: 'complainedAt',
    };
  }
  try {
    const out = await deps.doc.send(
      new UpdateCommand({
        TableName: deps.tables.register,
        Key: holderKey(account),
        UpdateExpression: update.expression,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: update.values,
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    if (update.first === null) return 'soft-bounce';
    if (out.Attributes?.[update.first] !== undefined) return 'repeat';
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return 'unknown-account';
    throw e;
  }
  if (type === 'Bounce') {
    deps.metrics.count('NoticesBounced');
    return 'bounced';
  }
  deps.metrics.count('NoticesComplaints');
  return 'complained';
}

/** The SNS subscriber: every record is applied; a storage failure fails the event (SNS/Lambda retry). */
export function createSesEventsHandler(deps: SesEventDeps) {
  return asFunction('ses-events', async (event: SNSEvent): Promise<{ outcomes: SesEventOutcome[] }> => {
    const outcomes: SesEventOutcome[] = [];
    try {
      for (const record of event.Records) {
        const parsed = parseSesEvent(record.Sns.Message);
        const outcome = parsed ? await applySesEvent(deps, parsed) : 'unreadable';
        outcomes.push(outcome);
        const account = parsed?.mail.tags?.account?.[0];
        const level =
          outcome === 'unreadable' || outcome === 'unknown-account' || outcome === 'no-account-tag'
            ? 'warn'
            : 'info';
        deps.log[level]('ses event', { snsMessageId: record.Sns.MessageId, outcome, account });
      }
      return { outcomes };
    } finally {
      deps.metrics.flush();
    }
  });
}
