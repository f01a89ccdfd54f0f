// The record of every vote report delivery, in the operations table: one item per count and recipient
// (pk VOTE_REPORTS, sk <runId>#<e-mail>), so that who got which count's report, when, with which
// message id and which text (its digest) can be listed, and shown equal for every party. One partition:
// a nightly report to a few recipients over a solicitation of weeks is a few hundred items.
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../storage/tables.ts';

export const DELIVERIES_PK = 'VOTE_REPORTS';

export interface ReportDelivery {
  runId: string;
  /** The count's kind (nightly, on-demand, final) and when it started reading: what the report is "as of". */
  countKind: string;
  countStartedAt: string;
  party: string | null;
  name: string;
  email: string;
  /** SHA-256 of the subject and text: equal for every recipient of one count. */
  reportDigest: string;
  /** When the report was prepared: one instant for all of a count's recipients, the one operation. */
  preparedAt: string;
  /** `sending` (claimed; an interrupted send stays so and is never re-sent blind), `sent`, `failed`. */
  status: 'sending' | 'sent' | 'failed';
  sentAt: string | null;
  messageId: string | null;
  error: string | null;
  requestedBy: string;
}

const sk = (runId: string, email: string) => `${runId}#${email.toLowerCase()}`;

function toDelivery(item: Record<string, unknown>): ReportDelivery {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as ReportDelivery;
}

export class ReportDeliveryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  /**
   * Claims one delivery before it is sent: false when it was sent already or is being sent (a retry of
   * the same count never mails a recipient twice). A failed delivery may be claimed again.
   */
  async claim(d: Omit<ReportDelivery, 'status' | 'sentAt' | 'messageId' | 'error'>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.operations,
          Item: {
            pk: DELIVERIES_PK,
            sk: sk(d.runId, d.email),
            ...d,
            status: 'sending',
            sentAt: null,
            messageId: null,
            error: null,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async settle(
    runId: string,
    email: string,
    outcome: { status: 'sent'; sentAt: string; messageId: string } | { status: 'failed'; error: string },
  ): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.operations,
        Key: { pk: DELIVERIES_PK, sk: sk(runId, email) },
        UpdateExpression: 'SET #status = :status, sentAt = :sentAt, messageId = :messageId, #error = :error',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':status': outcome.status,
          ':sentAt': outcome.status === 'sent' ? outcome.sentAt : null,
          ':messageId': outcome.status === 'sent' ? outcome.messageId : null,
          ':error': outcome.status === 'failed' ? outcome.error : null,
        },
      }),
    );
  }

  /** Deliveries, newest count first (then by recipient); `runId` alone: that count's. */
  async list(options: { runId?: string; limit?: number } = {}): Promise<ReportDelivery[]> {
    const out: ReportDelivery[] = [];
    let start: Record<string, unknown> | undefined;
    const limit = options.limit ?? 500;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.operations,
          KeyConditionExpression: options.runId ? 'pk = :pk AND begins_with(sk, :run)' : 'pk = :pk',
          ExpressionAttributeValues: {
            ':pk': DELIVERIES_PK,
            ...(options.runId ? { ':run': `${options.runId}#` } : {}),
          },
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map(toDelivery));
      start = page.LastEvaluatedKey;
    } while (start && out.length < limit);
    return out.slice(0, limit);
  }
}
