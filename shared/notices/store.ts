// The DynamoDB side of the notices: the holder and its delivery state, and the at-most-once markers
// (keys.ts). A marker is claimed with a conditional put before SendEmail and completed with a
// conditional update after it; whoever finds a marker already there does not send.
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
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

/** One claim of a batch: the marker, and the control-number hash the holder must still have. */
export interface BatchClaim {
  key: MarkerKey;
  claimId: string;
  type: string;
  account: string;
  sqsMessageId?: string | undefined;
  /** The claim holds only while the holder item's controlHash is this (checked in the same transaction). */
  controlHash: string;
}

/**
 * What became of one claim of a batch: claimed; found a marker already there; the holder's number is
 * no longer the message's (retired by a re-issue or a resumed import); or not decided this time (a
 * transaction conflict: another writer on the same items right now), to be retried later.
 */
export type BatchClaimResult =
  | { claimed: true }
  | { claimed: false; existing: Marker }
  | { claimed: false; stale: true }
  | { claimed: false; conflict: true };

/** TransactWriteItems takes at most 100 items; a claim is two (the marker and the holder's check). */
export const MAX_BATCH_CLAIMS = 50;

const raw = (item: unknown) => unmarshall(item as Parameters<typeof unmarshall>[0]);

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

  /** The holders of these accounts (one BatchGetItem per 100, consistent), by account; absent: not there. */
  async holders(
    accounts: readonly string[],
  ): Promise<Map<string, { holder: Holder; delivery: DeliveryState }>> {
    const found = new Map<string, { holder: Holder; delivery: DeliveryState }>();
    const unique = [...new Set(accounts)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + 100).map((a) => holderKey(a));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 8) throw new Error('BatchGetItem left holders unprocessed after 8 retries');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tables.register]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tables.register] ?? []) {
          const holder = itemToHolder(item);
          found.set(holder.account, { holder, delivery: deliveryState(item) });
        }
        keys = (out.UnprocessedKeys?.[this.tables.register]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  /**
   * Claims a batch's markers in one TransactWriteItems: each marker put under attribute_not_exists,
   * each beside a check that the holder's controlHash is still the message's. A transaction is all or
   * nothing, so when it is cancelled the claims that caused it are settled from the cancellation
   * reasons (a marker there, a number retired, a conflict) and the rest go again in a new transaction:
   * one call when nothing is in the way. Throws when the outcome of a transaction is not known (the
   * caller releases every claim of the batch, each conditional on its own claim id).
   */
  async claimBatch(claims: readonly BatchClaim[]): Promise<BatchClaimResult[]> {
    if (claims.length > MAX_BATCH_CLAIMS) throw new Error(`at most ${MAX_BATCH_CLAIMS} claims in one batch`);
    const results: (BatchClaimResult | undefined)[] = claims.map(() => undefined);
    let pending = claims.map((_, i) => i);
    const startedAt = this.iso();
    while (pending.length > 0) {
      const items = pending.flatMap((i) => {
        const c = claims[i] as BatchClaim;
        return [
          {
            Put: {
              TableName: this.tables.register,
              Item: {
                ...c.key,
                type: c.type,
                account: c.account,
                status: 'sending',
                claimId: c.claimId,
                startedAt,
                ...(c.sqsMessageId ? { sqsMessageId: c.sqsMessageId } : {}),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            },
          },
          {
            ConditionCheck: {
              TableName: this.tables.register,
              Key: holderKey(c.account),
              ConditionExpression: 'controlHash = :hash',
              ExpressionAttributeValues: { ':hash': c.controlHash },
            },
          },
        ];
      });
      try {
        // The token makes the SDK's own retry of a transaction whose answer was lost a no-op on AWS.
        await this.doc.send(
          new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }),
        );
        for (const i of pending) results[i] = { claimed: true };
        pending = [];
      } catch (e) {
        if (!(e instanceof TransactionCanceledException) || !e.CancellationReasons) throw e;
        const reasons = e.CancellationReasons;
        const again: number[] = [];
        pending.forEach((i, n) => {
          const c = claims[i] as BatchClaim;
          const put = reasons[2 * n];
          const check = reasons[2 * n + 1];
          if (put?.Code === 'ConditionalCheckFailed') {
            const old = toMarker(put.Item ? raw(put.Item) : {});
            // Our own claim, written by an attempt whose answer was lost (the SDK retried): ours.
            results[i] =
              old.claimId === c.claimId && old.status === 'sending'
                ? { claimed: true }
                : { claimed: false, existing: old };
          } else if (check?.Code === 'ConditionalCheckFailed') {
            results[i] = { claimed: false, stale: true };
          } else if (put?.Code === 'TransactionConflict' || check?.Code === 'TransactionConflict') {
            results[i] = { claimed: false, conflict: true };
          } else if ((put?.Code ?? 'None') === 'None' && (check?.Code ?? 'None') === 'None') {
            again.push(i);
          } else {
            throw e;
          }
        });
        // Nothing settled: the cancellation is not one of ours to read (throttling, validation).
        if (again.length === pending.length) throw e;
        pending = again;
      }
    }
    return results as BatchClaimResult[];
  }

  /**
   * After the sends: each claimed marker set to 'sent' with SES's message id, in one transaction,
   * each conditional on its own claim. Should the transaction be cancelled (a marker no longer ours
   * to complete, or completed by a retry whose answer was lost), each is completed on its own.
   */
  async completeBatch(
    done: readonly { key: MarkerKey; claimId: string; sesMessageId: string }[],
  ): Promise<void> {
    if (done.length === 0) return;
    if (done.length === 1) {
      const d = done[0] as (typeof done)[number];
      return this.complete(d.key, d.claimId, d.sesMessageId);
    }
    if (done.length > 100) throw new Error('at most 100 completions in one batch');
    const sentAt = this.iso();
    try {
      await this.doc.send(
        new TransactWriteCommand({
          ClientRequestToken: randomUUID(),
          TransactItems: done.map((d) => ({
            Update: {
              TableName: this.tables.register,
              Key: d.key,
              UpdateExpression: 'SET #status = :sent, sentAt = :at, sesMessageId = :id',
              ConditionExpression: '#status = :sending AND claimId = :claim',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':sent': 'sent',
                ':sending': 'sending',
                ':at': sentAt,
                ':id': d.sesMessageId,
                ':claim': d.claimId,
              },
            },
          })),
        }),
      );
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const failures: unknown[] = [];
      await Promise.all(
        done.map((d) =>
          this.complete(d.key, d.claimId, d.sesMessageId).catch((err: unknown) => failures.push(err)),
        ),
      );
      if (failures.length > 0) throw failures[0];
    }
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
