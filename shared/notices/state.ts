// The notice state of every holder, read in one parallel Scan of the register table: the holder item
// (with its delivery record) and the markers beside it. For the operator's commands (status, print
// file) and the reminders; a few reads per holder, fine for registers of 100,000 accounts.
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../domain/holder.ts';
import { itemToHolder } from '../register/holder-item.ts';
import type { TableNames } from '../storage/tables.ts';
import { type DeliveryState, deliveryState, NOTICE_SK, REMINDER_SK_PREFIX } from './keys.ts';
import type { Marker } from './store.ts';

export interface HolderNoticeState {
  holder: Holder;
  delivery: DeliveryState;
  notice: Marker | null;
  reminders: Map<number, Marker>;
}

function marker(item: Record<string, unknown>): Marker {
  const m: Marker = {
    status: item.status as Marker['status'],
    claimId: String(item.claimId ?? ''),
    startedAt: String(item.startedAt ?? ''),
  };
  if (typeof item.sentAt === 'string') m.sentAt = item.sentAt;
  if (typeof item.sesMessageId === 'string') m.sesMessageId = item.sesMessageId;
  if (typeof item.error === 'string') m.error = item.error;
  return m;
}

export async function readNoticeState(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  segments = 4,
): Promise<Map<string, HolderNoticeState>> {
  const items: Record<string, unknown>[] = [];
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new ScanCommand({
            TableName: tables.register,
            Segment: segment,
            TotalSegments: segments,
            FilterExpression: 'begins_with(pk, :holder)',
            ExpressionAttributeValues: { ':holder': 'HOLDER#' },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
    }),
  );
  const byAccount = new Map<string, HolderNoticeState>();
  const markers: Record<string, unknown>[] = [];
  for (const item of items) {
    if (item.sk === 'HOLDER') {
      const holder = itemToHolder(item);
      byAccount.set(String(item.pk), {
        holder,
        delivery: deliveryState(item),
        notice: null,
        reminders: new Map(),
      });
    } else markers.push(item);
  }
  for (const item of markers) {
    const state = byAccount.get(String(item.pk));
    if (!state) continue;
    const sk = String(item.sk);
    if (sk === NOTICE_SK) state.notice = marker(item);
    else if (sk.startsWith(REMINDER_SK_PREFIX))
      state.reminders.set(Number(sk.slice(REMINDER_SK_PREFIX.length)), marker(item));
  }
  return new Map([...byAccount.values()].map((s) => [s.holder.account, s]));
}
