// Whole-table reads for the stress tests: a full consistent scan of each table of a meeting, as a map
// from key to the item's canonical JSON, so that two snapshots can be compared item by item.
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson } from '../../../shared/domain/canonical.ts';
import { TABLE_KINDS, type TableKind, type TableNames } from '../../../shared/storage/tables.ts';

export type Item = Record<string, unknown>;

/** Every item of a table (parallel consistent Scan). */
export async function scanAll(doc: DynamoDBDocumentClient, table: string, segments = 4): Promise<Item[]> {
  const parts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: Item[] = [];
      let start: Item | undefined;
      do {
        const out = await doc.send(
          new ScanCommand({
            TableName: table,
            Segment: segment,
            TotalSegments: segments,
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

export type Snapshot = Record<TableKind, Map<string, string>>;

export const itemKey = (item: Item): string => `${String(item.pk)}\u0000${String(item.sk)}`;

export async function snapshot(doc: DynamoDBDocumentClient, names: TableNames): Promise<Snapshot> {
  const entries = await Promise.all(
    TABLE_KINDS.map(async (kind) => {
      const items = await scanAll(doc, names[kind]);
      return [kind, new Map(items.map((i) => [itemKey(i), canonicalJson(i)]))] as const;
    }),
  );
  return Object.fromEntries(entries) as Snapshot;
}

export interface TableDiff {
  added: Item[];
  changed: Array<{ before: Item; after: Item }>;
  removed: Item[];
}

export function diff(before: Map<string, string>, after: Map<string, string>): TableDiff {
  const out: TableDiff = { added: [], changed: [], removed: [] };
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) out.added.push(JSON.parse(value) as Item);
    else if (old !== value)
      out.changed.push({ before: JSON.parse(old) as Item, after: JSON.parse(value) as Item });
  }
  for (const [key, value] of before) if (!after.has(key)) out.removed.push(JSON.parse(value) as Item);
  return out;
}
