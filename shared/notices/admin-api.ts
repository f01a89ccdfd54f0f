// POST /admin/notices/send: the supervisor starts the sending of the notices. The same authentication
// as every admin route (operatorOf: the SigV4 signer, checked by API Gateway or the local adapter); the
// 40-day rule refuses a late start without { "override40DayRule": true } and warns either way.
// GET /admin/imports: each register import's progress (chunks done of the total, holders handed on).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Meeting } from '../domain/meeting.ts';
import { httpHandler } from '../http/handler.ts';
import { HttpError, json, parseJsonBody } from '../http/json.ts';
import { operatorOf } from '../http/operators.ts';
import type { TableNames } from '../storage/tables.ts';
import { ImportCheckpoints, type ImportJob } from './import-checkpoint.ts';
import type { SendingSwitch } from './ports.ts';
import { recordInOperations, SendingRefused, startSending } from './start-sending.ts';
import { NoSendingSwitch } from './switch.ts';

export const startSendingSchema = z.strictObject({
  /** Send although today is later than 40 days before the meeting (SEC Rule 14a-16). */
  override40DayRule: z.boolean().default(false),
});

export interface NoticesAdminRuntime {
  meeting: Meeting;
  now: () => number;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  sendingSwitch: SendingSwitch;
}

export const handleStartSending = (rt: NoticesAdminRuntime, logger: Logger) =>
  httpHandler(logger, async (event) => {
    const operator = operatorOf(event);
    const body = parseJsonBody(event, startSendingSchema);
    try {
      const result = await startSending({
        meeting: rt.meeting,
        now: rt.now(),
        override40DayRule: body.override40DayRule,
        by: operator,
        sendingSwitch: rt.sendingSwitch,
        record: recordInOperations(rt.doc, rt.tables),
      });
      logger.info('notices sending started', {
        operator,
        override40DayRule: body.override40DayRule,
        daysBeforeMeeting: result.daysBeforeMeeting,
        alreadyStarted: result.alreadyStarted,
      });
      return json(200, { started: true, ...result });
    } catch (e) {
      if (e instanceof SendingRefused) {
        logger.info('notices sending refused', { operator, reason: e.reason });
        throw new HttpError(
          409,
          e.reason === 'forty-day-rule' ? 'forty_day_rule' : 'voting_closed',
          e.message,
          e.reason === 'forty-day-rule'
            ? [
                {
                  path: 'override40DayRule',
                  message: 'must be true to send later than 40 days before the meeting',
                },
              ]
            : [],
        );
      }
      if (e instanceof NoSendingSwitch) throw new HttpError(503, 'no_notice_queue', e.message);
      throw e;
    }
  });

export interface ImportProgress extends Omit<ImportJob, 'leaseUntil'> {
  /**
   * running: a run holds it now; stalled: unfinished and nobody holds it (its run was cut short and
   * nothing took it up: import the same file again to resume); done.
   */
  state: 'running' | 'stalled' | 'done';
}

export function importProgress(job: ImportJob, now: number): ImportProgress {
  const { leaseUntil, ...rest } = job;
  const state =
    job.status === 'done' ? 'done' : leaseUntil !== null && leaseUntil >= now ? 'running' : 'stalled';
  return { ...rest, state };
}

export const handleImportStatus = (rt: Pick<NoticesAdminRuntime, 'doc' | 'tables' | 'now'>, logger: Logger) =>
  httpHandler(logger, async () => {
    const now = rt.now();
    const jobs = await new ImportCheckpoints(rt.doc, rt.tables, rt.now).jobs();
    return json(200, { imports: jobs.map((j) => importProgress(j, now)) });
  });
