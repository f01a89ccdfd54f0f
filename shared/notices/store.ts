// The DynamoDB side of the notices: the holder and its delivery state, and the at-most-once markers
// (keys.ts). A marker is claimed with a conditional put before SendEmail and completed with a
// conditional update after it; whoever finds a marker already there does not send.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Holder } from '../domain/holder.ts';
import { holderKey, itemToHolder } from '../register/holder-item.ts';
import type { TableNames } from '../storage/tables.ts';
import { type DeliveryState, deliveryState, type MarkerStatus } from './keys.ts';

export interface MarkerKey {
  pk: string;
  sk: string;
}

export interface Marker {
  status: MarkerStatus;
  claimId: string;
  startedAt: string;
  sentAt?: string;
  sesMessageId?: string;
  error?: string;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: Marker };

function toMarker(item: Record<string, unknown>): Marker {
  const marker: Marker = {
    status: item.status as MarkerStatus,
    claimId: String(item.claimId ?? ''),
    startedAt: String(item.startedAt ?? ''),
  };
  if (typeof item.sentAt === 'string') marker.sentAt = item.sentAt;
  if (typeof item.sesMessageId === 'string') marker.sesMessageId = item.sesMessageId;
  if (typeof item.error === 'string') marker.error = item.error;
  return marker;
}

export class NoticeStore {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tables: TableNames,
    private readonly now: () => number,
  ) {}

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  async holder(account: string): Promise<{ holder: Holder; delivery: DeliveryState } | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tables.register, Key: holderKey(account), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    return { holder: itemToHolder(out.Item), delivery: deliveryState(out.Item) };
  }

  /** Claims the marker (status 'sending'), or returns the one already there. */
  async claim(
    key: MarkerKey,
    claim: { claimId: string; type: string; account: string; sqsMessageId?: string | undefined },
  ): Promise<ClaimResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.register,
          Item: {
            ...key,
            type: claim.type,
            account: claim.account,
            status: 'sending',
            claimId: claim.claimId,
            startedAt: this.iso(),
            ...(claim.sqsMessageId ? { sqsMessageId: claim.sqsMessageId } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const old = toMarker(e.Item ? unmarshall(e.Item as Parameters<typeof unmarshall>[0]) : {});
      // Our own claim, written by an attempt whose answer was lost (the SDK retried the put): ours.
      if (old.claimId === claim.claimId && old.status === 'sending') return { claimed: true };
      return { claimed: false, existing: old };
    }
  }

  /** After SendEmail: 'sent', with SES's message id. Only the claimant completes its marker. */
  async complete(key: MarkerKey, claimId: string, sesMessageId: string): Promise<void> {
    try {
      await this.completeOnce(key, claimId, sesMessageId);
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      // Completed already by this claimant (a retry after a lost answer): done. Anything else is wrong.
      const old = e.Item ? toMarker(unmarshall(e.Item as Parameters<typeof unmarshall>[0])) : null;
      if (old?.status === 'sent' && old.claimId === claimId && old.sesMessageId === sesMessageId) return;
      throw e;
    }
  }

  private async completeOnce(key: MarkerKey, claimId: string, sesMessageId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tables.register,
        Key: key,
        UpdateExpression: 'SET #status = :sent, sentAt = :at, sesMessageId = :id',
        ConditionExpression: '#status = :sending AND claimId = :claim',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':sending': 'sending',
          ':at': this.iso(),
          ':id': sesMessageId,
          ':claim': claimId,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  }

  /** SES certainly sent nothing: the marker goes, so that a retry may send. */
  async release(key: MarkerKey, claimId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tables.register,
          Key: key,
          ConditionExpression: '#status = :sending AND claimId = :claim',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':claim': claimId },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /** The e-mail may or may not have gone: kept for operations, never sent again automatically. */
  async markUnknown(key: MarkerKey, claimId: string, error: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.register,
          Key: key,
          UpdateExpression: 'SET #status = :unknown, #error = :error, failedAt = :at',
          ConditionExpression: '#status = :sending AND claimId = :claim',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':unknown': 'unknown',
            ':sending': 'sending',
            ':error': error,
            ':at': this.iso(),
            ':claim': claimId,
          },
        }),
      );
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  async marker(key: MarkerKey): Promise<Marker | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tables.register, Key: key, ConsistentRead: true }),
    );
    return out.Item ? toMarker(out.Item) : null;
  }
}
