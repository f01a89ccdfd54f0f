// The operator starts the sending of the notices (`proxyvote notices send`, or POST
// /admin/notices/send): the 40-day rule is checked, the start is recorded in the operations table,
// and the notice queue's consumer is switched on.
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Meeting } from '../domain/meeting.ts';
import type { TableNames } from '../storage/tables.ts';
import { type FortyDayCheck, fortyDayCheck } from './forty-day-rule.ts';
import { sendingStartedKey } from './keys.ts';
import type { SendingSwitch } from './ports.ts';

export class SendingRefused extends Error {
  constructor(
    readonly reason: 'forty-day-rule' | 'voting-closed',
    readonly check: FortyDayCheck,
  ) {
    super(check.warning ?? reason);
    this.name = 'SendingRefused';
  }
}

export interface StartSendingInput {
  meeting: Meeting;
  now: number;
  override40DayRule: boolean;
  by: string;
  sendingSwitch: SendingSwitch;
  /** Records who started the sending, when, and under which warning. */
  record?: (entry: SendingStart) => Promise<void>;
}

export interface SendingStart {
  at: string;
  by: string;
  override40DayRule: boolean;
  daysBeforeMeeting: number;
  warning: string | null;
}

export interface StartSendingResult extends SendingStart {
  alreadyStarted: boolean;
}

export async function startSending(input: StartSendingInput): Promise<StartSendingResult> {
  const check = fortyDayCheck(input.meeting, input.now);
  if (check.closed) throw new SendingRefused('voting-closed', check);
  if (check.late && !input.override40DayRule) throw new SendingRefused('forty-day-rule', check);
  const entry: SendingStart = {
    at: new Date(input.now).toISOString(),
    by: input.by,
    override40DayRule: input.override40DayRule,
    daysBeforeMeeting: check.daysBefore,
    warning: check.warning,
  };
  await input.record?.(entry);
  const { alreadyStarted } = await input.sendingSwitch.start();
  return { ...entry, alreadyStarted };
}

/** The record of a start, in the operations table (never changed afterwards). */
export function recordInOperations(doc: DynamoDBDocumentClient, tables: TableNames) {
  return async (entry: SendingStart): Promise<void> => {
    await doc.send(
      new PutCommand({
        TableName: tables.operations,
        Item: { ...sendingStartedKey(entry.at, randomUUID()), type: 'notices-send', ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  };
}
