// `proxyvote notices status`: where the notices stand, for operations. Markers stuck at 'sending'
// (their sender died between SendEmail and the marker's update) and 'unknown' ones (SES's answer was
// lost) are listed by account: the e-mail may or may not have gone, and it is never re-sent
// automatically. An operator who decides the holder should get a notice prints a paper one with a
// re-issued number (`notices print-file --account A`).
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../storage/tables.ts';
import { byEmail } from './import.ts';
import type { SendingStart } from './start-sending.ts';
import { readNoticeState } from './state.ts';

export interface NoticeStatus {
  holders: number;
  eDelivery: number;
  paperAtImport: number;
  notices: { sent: number; inFlight: number; stuck: string[]; unknown: string[]; notYet: number };
  bounced: string[];
  complained: string[];
  /** Bounced or complained, no paper notice yet: the next `notices print-file` prints these. */
  paperPending: string[];
  reissued: number;
  reminders: Record<string, number>;
  starts: SendingStart[];
}

export async function noticeStatus(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  now: number,
  stuckAfterMs: number,
): Promise<NoticeStatus> {
  const [state, starts] = await Promise.all([readNoticeState(doc, tables), sendingStarts(doc, tables)]);
  const status: NoticeStatus = {
    holders: state.size,
    eDelivery: 0,
    paperAtImport: 0,
    notices: { sent: 0, inFlight: 0, stuck: [], unknown: [], notYet: 0 },
    bounced: [],
    complained: [],
    paperPending: [],
    reissued: 0,
    reminders: {},
    starts,
  };
  for (const s of [...state.values()].sort((a, b) => (a.holder.account < b.holder.account ? -1 : 1))) {
    const account = s.holder.account;
    if (byEmail(s.holder)) status.eDelivery++;
    else status.paperAtImport++;
    const n = s.notice;
    if (!n) {
      if (byEmail(s.holder) && s.delivery.reissuedAt === null) status.notices.notYet++;
    } else if (n.status === 'sent') status.notices.sent++;
    else if (n.status === 'unknown') status.notices.unknown.push(account);
    else if (now - Date.parse(n.startedAt) >= stuckAfterMs) status.notices.stuck.push(account);
    else status.notices.inFlight++;
    if (s.delivery.bouncedAt) status.bounced.push(account);
    if (s.delivery.complainedAt) status.complained.push(account);
    if ((s.delivery.bouncedAt || s.delivery.complainedAt) && !s.delivery.paperNoticeAt) {
      status.paperPending.push(account);
    }
    if (s.delivery.reissuedAt) status.reissued++;
    for (const [k, m] of s.reminders) {
      if (m.status === 'sent') status.reminders[k] = (status.reminders[k] ?? 0) + 1;
    }
  }
  return status;
}

async function sendingStarts(doc: DynamoDBDocumentClient, tables: TableNames): Promise<SendingStart[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: tables.operations,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
      ExpressionAttributeValues: { ':pk': 'NOTICES', ':send': 'SEND#' },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).map((i) => ({
    at: String(i.at),
    by: String(i.by),
    override40DayRule: i.override40DayRule === true,
    daysBeforeMeeting: Number(i.daysBeforeMeeting),
    warning: typeof i.warning === 'string' ? i.warning : null,
  }));
}
