// The notices in the local stack (npm start): the register import hands the new control numbers to
// the in-process notice queue (e-delivery) and to a print file (paper); the sending is then started
// as an operator would (`notices send`, here with the 40-day rule overridden, since the reference
// meeting runs as of a late date), and the queue invokes the notice-sender's own handler module, so
// the mail viewer holds the notices with working links when the stack says it is ready.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../domain/holder.ts';
import type { Meeting } from '../domain/meeting.ts';
import { serializeRegister } from '../domain/register.ts';
import type { TableNames } from '../storage/tables.ts';
import { type ImportRegisterResult, importRegister } from './import.ts';
import { InProcessNoticeQueue } from './local-queue.ts';
import { FilePrintSink } from './print-sink.ts';
import { recordInOperations, SendingRefused, startSending } from './start-sending.ts';
import { readNoticeState } from './state.ts';
import { useLocalSendingSwitch } from './switch.ts';

export interface LocalNoticesOptions {
  meeting: Meeting;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  /** Where the print file goes (print-file.csv). */
  noticesDir: string;
}

/** print-file.csv, or, when a run with --data wrote that one already, a new name beside it. */
function printFilePath(dir: string): string {
  const first = join(dir, 'print-file.csv');
  return existsSync(first)
    ? join(dir, `print-file-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`)
    : first;
}

export interface LocalSending {
  /** Notices being e-mailed now. */
  queued: number;
  warning: string | null;
  done: Promise<{ emailed: number; unknown: number; failed: number }>;
}

export function localNotices(o: LocalNoticesOptions) {
  const queue = new InProcessNoticeQueue({
    // Loaded at the first delivery, after the stack has set the functions' environment.
    handler: { load: async () => (await import('../../functions/notice-sender/handler.ts')).handler },
    concurrency: 4,
  });
  // POST /admin/notices/send in this process starts this queue.
  useLocalSendingSwitch(queue);
  return {
    queue,
    importRegister(
      holders: readonly Holder[],
      secret: Uint8Array,
      ballotUrl: string,
    ): Promise<ImportRegisterResult> {
      return importRegister({
        csvText: serializeRegister(holders),
        source: 'the synthetic register',
        meeting: o.meeting,
        doc: o.doc,
        tables: o.tables,
        secret,
        randomBytes,
        queue,
        printSink: new FilePrintSink(printFilePath(o.noticesDir)),
        ballotUrl,
      });
    },
    /**
     * Starts the sending if anything is queued; `done` resolves when the queue is drained, with what
     * the markers say: sent, or (a timeout on a loaded machine) an outcome unknown.
     */
    async sendNow(clockOffsetMs: number): Promise<LocalSending> {
      const queued = queue.depth;
      const nothing = Promise.resolve({ emailed: 0, unknown: 0, failed: 0 });
      if (queued === 0) return { queued, warning: null, done: nothing };
      try {
        const started = await startSending({
          meeting: o.meeting,
          now: Date.now() + clockOffsetMs,
          override40DayRule: true,
          by: 'local-stack',
          sendingSwitch: queue,
          record: recordInOperations(o.doc, o.tables),
        });
        const done = queue.drained().then(async () => {
          const state = [...(await readNoticeState(o.doc, o.tables)).values()];
          const count = (status: string) => state.filter((s) => s.notice?.status === status).length;
          return {
            emailed: count('sent'),
            unknown: count('unknown') + count('sending'),
            failed: queue.deadLetters.length,
          };
        });
        return { queued, warning: started.warning, done };
      } catch (e) {
        if (!(e instanceof SendingRefused)) throw e;
        return { queued: 0, warning: `${e.message}; the notices stay queued`, done: nothing };
      }
    },
  };
}
