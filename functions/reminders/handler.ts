// The reminders, on a schedule (EventBridge Scheduler, daily): the reminder due now (its days before
// the internet cut-off are REMINDER_DAYS_BEFORE_CUTOFF), or the one the schedule's input names
// ({ "reminder": n }), to every holder with no effective proxy, at most once per holder.
import type { Context } from 'aws-lambda';
import { asFunction } from '../../shared/aws/call-recorder.ts';
import { internetCutoffMs } from '../../shared/domain/meeting.ts';
import { loadNoticeConfig, reminderDays } from '../../shared/notices/config.ts';
import { dueReminder } from '../../shared/notices/reminder-email.ts';
import { runReminders } from '../../shared/notices/reminders.ts';
import { metricsFor, noticeLogger, sendOnceDeps } from '../../shared/notices/runtime.ts';

const config = loadNoticeConfig(process.env, ['MAIL_FROM', 'BALLOT_URL']);
const logger = noticeLogger();
const send = sendOnceDeps(config, logger);
const metrics = metricsFor(config);

export const handler = asFunction(
  'reminders',
  async (event: { reminder?: number } = {}, context?: Context) => {
    const reminder =
      event.reminder ??
      dueReminder(
        internetCutoffMs(config.meeting),
        config.now(),
        reminderDays(config.env.REMINDER_DAYS_BEFORE_CUTOFF),
      );
    if (reminder === null) {
      logger.info('no reminder due');
      return { reminder: null };
    }
    const result = await runReminders({
      meeting: config.meeting,
      doc: send.store.doc,
      tables: config.storage.tables,
      send,
      ballotUrl: config.need('BALLOT_URL'),
      metrics,
      reminder,
      // Leave a minute to finish the sends in flight and report.
      timeUp: () => (context ? context.getRemainingTimeInMillis() < 60_000 : false),
    });
    logger.info('reminders', { ...result });
    return result;
  },
);
