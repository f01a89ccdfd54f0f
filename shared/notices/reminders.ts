// Reminders (issue 5.6): to every holder with e-delivery, a notice sent, e-mail not stopped (no bounce
// or complaint), no paper notice since, and no effective proxy (the votes table's EFFECTIVE item is absent or a revocation),
// each reminder at most once per holder (marker REMINDER#<n>, as the notice's). Run by the scheduled
// function on AWS and by `proxyvote notices remind --reminder N` locally.
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { internetCutoffMs, type Meeting } from '../domain/meeting.ts';
import type { TableNames } from '../storage/tables.ts';
import { accountPk, EFFECTIVE_SK } from '../storage/vote-store.ts';
import { byEmail } from './import.ts';
import { emailStopped, REMINDER_MARKER_TYPE, reminderMarkerKey } from './keys.ts';
import type { NoticeMetrics } from './ports.ts';
import { renderReminderEmail } from './reminder-email.ts';
import { NoticeSendError } from './send-errors.ts';
import { type SendOnceDeps, sendOnce } from './send-once.ts';
import { readNoticeState } from './state.ts';

export class RemindersClosed extends Error {
  constructor(meeting: Meeting) {
    super(`internet voting closed at ${meeting.internetCutoff.local}: no reminder is sent`);
    this.name = 'RemindersClosed';
  }
}

export interface ReminderRunInput {
  meeting: Meeting;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  send: SendOnceDeps;
  ballotUrl: string;
  metrics: NoticeMetrics;
  reminder: number;
  concurrency?: number;
  /** Stop taking holders when this returns true (the Lambda's time is nearly up); the next run goes on. */
  timeUp?: () => boolean;
}

export interface ReminderRunResult {
  reminder: number;
  /** Holders with e-delivery and a sent notice, e-mail not stopped. */
  eligible: number;
  voted: number;
  sent: number;
  /** Already reminded (a marker exists). */
  already: number;
  /** SES refused: nothing sent, the marker released, a later run tries again. */
  failed: number;
  /** The outcome of the send is unknown: never retried automatically. */
  unknown: number;
  /** Holders left for the next run (time was up). */
  left: number;
}

/** Accounts whose effective instruction is a proxy or a meeting ballot (they have voted). */
export async function votedAccounts(
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  accounts: readonly string[],
): Promise<Set<string>> {
  const voted = new Set<string>();
  for (let i = 0; i < accounts.length; i += 100) {
    let keys: Record<string, unknown>[] = accounts
      .slice(i, i + 100)
      .map((a) => ({ pk: accountPk(a), sk: EFFECTIVE_SK }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 8) throw new Error('BatchGetItem left keys unprocessed after 8 retries');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [tables.votes]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[tables.votes] ?? []) {
        let kind: unknown;
        try {
          kind = (JSON.parse(String(item.body)) as { kind?: unknown }).kind;
        } catch {
          kind = undefined;
        }
        if (kind === 'proxy' || kind === 'meeting-ballot') voted.add(String(item.account));
      }
      keys = (out.UnprocessedKeys?.[tables.votes]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return voted;
}

export async function runReminders(input: ReminderRunInput): Promise<ReminderRunResult> {
  const { meeting, reminder } = input;
  if (!Number.isInteger(reminder) || reminder < 1)
    throw new RangeError('reminder must be a whole number from 1');
  if (input.send.now() >= internetCutoffMs(meeting)) throw new RemindersClosed(meeting);
  const state = await readNoticeState(input.doc, input.tables);
  const eligible = [...state.values()].filter(
    // A holder moved to paper (a re-issued number) has no working e-mailed link to be reminded of.
    (s) =>
      byEmail(s.holder) &&
      !emailStopped(s.delivery) &&
      s.delivery.paperNoticeAt === null &&
      s.notice?.status === 'sent',
  );
  const voted = await votedAccounts(
    input.doc,
    input.tables,
    eligible.map((s) => s.holder.account),
  );
  const result: ReminderRunResult = {
    reminder,
    eligible: eligible.length,
    voted: 0,
    sent: 0,
    already: 0,
    failed: 0,
    unknown: 0,
    left: 0,
  };
  const todo = eligible.filter((s) => {
    if (voted.has(s.holder.account)) {
      result.voted++;
      return false;
    }
    if (s.reminders.has(reminder)) {
      result.already++;
      return false;
    }
    return true;
  });
  const queue = [...todo];
  await Promise.all(
    Array.from({ length: Math.min(input.concurrency ?? 8, queue.length) }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        if (input.timeUp?.()) {
          result.left++;
          continue;
        }
        const holder = s.holder;
        try {
          const outcome = await sendOnce(input.send, {
            key: reminderMarkerKey(holder.account, reminder),
            type: REMINDER_MARKER_TYPE,
            account: holder.account,
            to: holder.email as string,
            email: () =>
              renderReminderEmail({
                meeting,
                holder,
                ballotUrl: input.ballotUrl,
                noticeSentAt: s.notice?.sentAt ?? null,
                reminder,
              }),
            tags: { kind: `reminder-${reminder}`, meeting: meeting.id, account: holder.account },
          });
          if (outcome === 'sent') {
            result.sent++;
            input.metrics.count('RemindersSent');
          } else if (outcome === 'unknown') result.unknown++;
          else result.already++;
        } catch (e) {
          if (!(e instanceof NoticeSendError)) throw e;
          result.failed++;
          input.metrics.count('RemindersFailed');
        }
      }
    }),
  );
  input.metrics.flush();
  return result;
}
