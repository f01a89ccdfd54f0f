// Issuing control numbers when the register is imported: one per account per meeting, from a
// cryptographic random source, stored only as an HMAC. Holder and control items are written together
// under conditions (with the notice link's token, shared/domain/link-token.ts), 33 holders to a
// transaction, so a re-import (or two racing imports) never issues a second number to an account
// already imported. The numbers come back to the caller once, for the notices and the print file;
// nothing else keeps them.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { controlNumberHash, newControlNumber } from '../domain/control-number.ts';
import type { Holder } from '../domain/holder.ts';
import { linkTokenFor, linkTokenHash } from '../domain/link-token.ts';
import { holderToItem } from '../register/holder-item.ts';
import type { TableNames } from '../storage/tables.ts';
import { controlKey, linkKey } from '../storage/vote-store.ts';

/** Three items per holder (holder, control number, link token): 99 of TransactWriteItems' 100. */
const HOLDERS_PER_TRANSACTION = 33;

export interface ImportResult {
  /** Accounts imported now, with their new control numbers (to be sent, then forgotten). */
  issued: Map<string, string>;
  /** Accounts that were already imported: unchanged, no new number. */
  unchanged: number;
  /** The holder items found already there (for the accounts counted in `unchanged`). */
  existing: Map<string, Record<string, unknown>>;
}

export async function importHolders(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  holders: readonly Holder[],
  secret: Uint8Array | string,
  randomBytes: (n: number) => Uint8Array,
  options: {
    concurrency?: number;
    onProgress?: (done: number, total: number) => void;
    /** When the notice links stop working (epoch ms): the internet cut-off. */
    linkExpiresAt?: number;
    /** Recorded on each holder item: the import (and its chunk) that wrote it. */
    tag?: { importJob: string; importChunk: number };
  } = {},
): Promise<ImportResult> {
  const issued = new Map<string, string>();
  const existing = new Map<string, Record<string, unknown>>();
  let unchanged = 0;
  let done = 0;
  const chunks: Holder[][] = [];
  for (let i = 0; i < holders.length; i += HOLDERS_PER_TRANSACTION)
    chunks.push(holders.slice(i, i + HOLDERS_PER_TRANSACTION));

  const writeChunk = async (chunk: readonly Holder[]): Promise<void> => {
    const numbers = chunk.map(() => newControlNumber(randomBytes));
    const items = chunk.flatMap((h, k) => {
      const { pk: _pk, sk: _sk, ...holderAttrs } = holderToItem(h);
      const number = numbers[k] as string;
      const controlHash = controlNumberHash(number, secret);
      return [
        {
          Put: {
            TableName: tables.register,
            Item: { ...holderToItem(h), controlHash, ...options.tag },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          },
        },
        {
          Put: {
            TableName: tables.register,
            Item: { ...controlKey(controlHash), ...holderAttrs, type: 'control' },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          // The notice's link token, by its keyed hash: good once, until the cut-off.
          Put: {
            TableName: tables.register,
            Item: {
              ...linkKey(linkTokenHash(linkTokenFor(number, secret), secret)),
              type: 'link',
              controlHash,
              ...(options.linkExpiresAt !== undefined
                ? { expiresAt: Math.floor(options.linkExpiresAt / 1000) }
                : {}),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
    });
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      for (const [k, h] of chunk.entries()) issued.set(h.account, numbers[k] as string);
      done += chunk.length;
      options.onProgress?.(done, holders.length);
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      if (chunk.length === 1) {
        const [holderReason, controlReason, linkReason] = e.CancellationReasons ?? [];
        if (holderReason?.Code === 'ConditionalCheckFailed') {
          const old = holderReason.Item as Parameters<typeof unmarshall>[0] | undefined;
          existing.set((chunk[0] as Holder).account, old ? unmarshall(old) : {});
          unchanged += 1;
          done += 1;
          options.onProgress?.(done, holders.length);
          return;
        }
        // A 50-bit collision with another account's number: draw again.
        if (controlReason?.Code === 'ConditionalCheckFailed' || linkReason?.Code === 'ConditionalCheckFailed')
          return writeChunk(chunk);
        throw e;
      }
      // Someone is already imported in this chunk: go holder by holder.
      for (const h of chunk) await writeChunk([h]);
    }
  };

  const queue = [...chunks];
  const workers = Array.from({ length: Math.min(options.concurrency ?? 8, queue.length) }, async () => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) await writeChunk(chunk);
  });
  await Promise.all(workers);
  return { issued, unchanged, existing };
}
