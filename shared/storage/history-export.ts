// Reading a meeting's records back out for the inspector: the whole instruction history (JSONL, the
// recount's format) and the register (CSV), with a parallel Scan.
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../domain/holder.ts';
import type { Instruction } from '../domain/instruction.ts';
import { itemToHolder } from '../register/holder-item.ts';
import type { TableNames } from './tables.ts';
import { toStored } from './vote-store.ts';

/** The parts of the inspector's export through the admin API (GET /admin/export/{part}). */
export const EXPORT_PARTS = ['register', 'instructions'] as const;
export type ExportPart = (typeof EXPORT_PARTS)[number];

/** At most this many parallel segments: enough for any register, and a bound on a client's loop. */
export const MAX_EXPORT_SEGMENTS = 64;

/** One page of a Scan segment: the items of one type, and the key to go on from (absent at the end). */
export async function scanPage(
  doc: DynamoDBDocumentClient,
  table: string,
  type: string,
  segment: number,
  segments: number,
  start: Record<string, unknown> | undefined,
  /** Items read (before the type filter) at most; DynamoDB's 1 MB page otherwise. */
  limit?: number,
): Promise<{ items: Record<string, unknown>[]; next: Record<string, unknown> | undefined }> {
  const out = await doc.send(
    new ScanCommand({
      TableName: table,
      ...(limit === undefined ? {} : { Limit: limit }),
      Segment: segment,
      TotalSegments: segments,
      FilterExpression: '#type = :type',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': type },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }),
  );
  return { items: out.Items ?? [], next: out.LastEvaluatedKey };
}

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
        const page = await scanPage(doc, table, type, segment, segments, start);
        items.push(...page.items);
        start = page.next;
      } while (start);
      return items;
    }),
  );
  return parts.flat();
}

/** An instruction of the export with the key that puts the history in order. */
export interface HistoryEntry {
  account: string;
  orderKey: string;
  instruction: Instruction;
}

export function toHistoryEntry(item: Record<string, unknown>): HistoryEntry {
  return {
    account: String(item.account),
    orderKey: String(item.orderKey),
    instruction: toStored(item).instruction,
  };
}

/** By account, then in effective order: the order of the export (and of `proxyvote recount`'s input). */
export function sortHistory(entries: HistoryEntry[]): Instruction[] {
  const key = (e: HistoryEntry) => `${e.account}\u0000${e.orderKey}`;
  entries.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return entries.map((e) => e.instruction);
}

/** By account: the order of the exported register. */
export function sortRegister(holders: Holder[]): Holder[] {
  return holders.sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}

/** The whole history: every instruction ever appended, by account and then in effective order. */
export async function exportHistory(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  segments = 4,
): Promise<Instruction[]> {
  const items = await scanByType(doc, tables.votes, 'instruction', segments);
  return sortHistory(items.map(toHistoryEntry));
}

/** The register as imported, sorted by account. */
export async function exportRegister(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  segments = 4,
): Promise<Holder[]> {
  const items = await scanByType(doc, tables.register, 'holder', segments);
  return sortRegister(items.map(itemToHolder));
}
