// Re-issuing a holder's control number for a paper notice, when the e-mailed one is lost to the
// product (a bounce, a complaint, a send whose outcome is unknown): a fresh number replaces the old
// one in one transaction (the old CONTROL# item deleted, the new one put, the holder's hash and its
// re-issue record updated), each write under a condition, so two operators re-issuing at once give
// one account one new number and the old number stops opening the ballot. The register import uses
// the same step for the holders of a chunk whose attempt was interrupted before their numbers were
// handed on (`interruptedImport`): a new number with its link token, unless that holder's notice is
// already being e-mailed (its marker exists), whose number then stands.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { controlNumberHash, newControlNumber } from '../domain/control-number.ts';
import type { Holder } from '../domain/holder.ts';
import { linkTokenFor, linkTokenHash } from '../domain/link-token.ts';
import type { PrintReason } from '../domain/print-file.ts';
import { holderKey, holderToItem } from '../register/holder-item.ts';
import type { TableNames } from '../storage/tables.ts';
import { controlKey, linkKey } from '../storage/vote-store.ts';
import { noticeMarkerKey } from './keys.ts';

export type ReissueResult =
  | { reissued: true; controlNumber: string }
  | { reissued: false; why: 'changed' | 'notice-sending' };

export async function reissueControlNumber(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  input: {
    holder: Holder;
    oldHash: string;
    reason: PrintReason;
    at: string;
    secret: Uint8Array | string;
    randomBytes: (n: number) => Uint8Array;
    /** For an interrupted import: a new link token too, no paper record, not once the notice is claimed. */
    interruptedImport?: { linkExpiresAt?: number | undefined };
  },
): Promise<ReissueResult> {
  const resume = input.interruptedImport;
  for (let attempt = 0; attempt < 5; attempt++) {
    const number = newControlNumber(input.randomBytes);
    const hash = controlNumberHash(number, input.secret);
    const { pk: _pk, sk: _sk, ...attrs } = holderToItem(input.holder);
    try {
      const holderUpdate = resume
        ? {
            UpdateExpression: 'SET controlHash = :new',
            ExpressionAttributeValues: { ':new': hash, ':old': input.oldHash },
          }
        : {
            UpdateExpression:
              'SET controlHash = :new, reissuedAt = :at, paperNoticeAt = :at, paperReason = :reason ADD reissueCount :one',
            ExpressionAttributeValues: {
              ':new': hash,
              ':old': input.oldHash,
              ':at': input.at,
              ':reason': input.reason,
              ':one': 1,
            },
          };
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tables.register,
                Key: controlKey(input.oldHash),
                ConditionExpression: 'attribute_exists(pk) AND account = :account',
                ExpressionAttributeValues: { ':account': input.holder.account },
              },
            },
            {
              Put: {
                TableName: tables.register,
                Item: { ...controlKey(hash), ...attrs, type: 'control' },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tables.register,
                Key: holderKey(input.holder.account),
                ConditionExpression: 'controlHash = :old',
                ...holderUpdate,
              },
            },
            ...(resume
              ? [
                  {
                    Put: {
                      TableName: tables.register,
                      Item: {
                        ...linkKey(linkTokenHash(linkTokenFor(number, input.secret), input.secret)),
                        type: 'link',
                        controlHash: hash,
                        ...(resume.linkExpiresAt !== undefined
                          ? { expiresAt: Math.floor(resume.linkExpiresAt / 1000) }
                          : {}),
                      },
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                  {
                    ConditionCheck: {
                      TableName: tables.register,
                      Key: noticeMarkerKey(input.holder.account),
                      ConditionExpression: 'attribute_not_exists(pk)',
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return { reissued: true, controlNumber: number };
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const [oldReason, newReason, holderReason, linkReason, markerReason] = e.CancellationReasons ?? [];
      const failed = (r: typeof oldReason) => r?.Code === 'ConditionalCheckFailed';
      // The notice went out (or is going) with the number drawn first: that number stands.
      if (failed(markerReason)) return { reissued: false, why: 'notice-sending' };
      // A 50-bit collision with another account's number: draw again.
      if ((failed(newReason) || failed(linkReason)) && !failed(oldReason) && !failed(holderReason)) continue;
      // Someone else re-issued it first (or the holder changed): their number stands.
      if (oldReason?.Code === 'ConditionalCheckFailed' || holderReason?.Code === 'ConditionalCheckFailed') {
        return { reissued: false, why: 'changed' };
      }
      throw e;
    }
  }
  throw new Error('could not draw an unused control number in 5 attempts');
}
