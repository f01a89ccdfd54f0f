// Reading a meeting's records back out for the inspector: the whole instruction history (JSONL, the
// recount's format) and the register (CSV), with a parallel Scan.
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../domain/holder.ts';
import type { Instruction } from '../domain/instruction.ts';
import { itemToHolder } from '../register/holder-item.ts';
import type { TableNames } from './tables.ts';
import { toStored } from './vote-store.ts';

/** Every item of a table matching a type, read with `segments` parallel Scan segments. */
export async function scanByType(
  doc: DynamoDBDocumentClient,
  table: string,
  type: string,
  segments = 4,
): Promise<Record<string, unknown>[]> {
  const parts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new ScanCommand({
            TableName: table,
            Segment: segment,
            TotalSegments: segments,
            FilterExpression: '#type = :type',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: { ':type': type },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    }),
  );
  return parts.flat();
}

/** The whole history: every instruction ever appended, by account and then in effective order. */
export async function exportHistory(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  segments = 4,
): Promise<Instruction[]> {
  const items = await scanByType(doc, tables.votes, 'instruction', segments);
  items.sort((a, b) => {
    const ka = `${String(a.account)}\u0000${String(a.orderKey)}`;
    const kb = `${String(b.account)}\u0000${String(b.orderKey)}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return items.map((i) => toStored(i).instruction);
}

/** The register as imported, sorted by account. */
export async function exportRegister(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  segments = 4,
): Promise<Holder[]> {
  const items = await scanByType(doc, tables.register, 'holder', segments);
  return items.map(itemToHolder).sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}
