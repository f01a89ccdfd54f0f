// Importing the register, and handing on the control numbers it issues at once (they exist nowhere
// else, RULES.md section 2): for each holder imported now, an e-delivery holder's number goes into the
// notice queue (one message per holder) and a paper holder's into the print file. All or nothing: a
// register with any bad line imports nothing and names every bad line; a register already imported
// issues, queues and prints nothing.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../domain/holder.ts';
import { internetCutoffMs, type Meeting } from '../domain/meeting.ts';
import { type PrintRow, printFileCsv } from '../domain/print-file.ts';
import { type FormulaLikeName, parseRegister } from '../domain/register.ts';
import type { TableNames } from '../storage/tables.ts';
import { importHolders } from '../voting/register-import.ts';
import { noticeMessage } from './message.ts';
import type { NoticeQueue, PrintFileSink } from './ports.ts';
import { writePrintCompanions } from './printed-notice.ts';

/** Where the register's control numbers would have to go, but no way was given. */
export class ImportNeeds extends Error {
  constructor(readonly needs: readonly ('queue' | 'print-file')[]) {
    super(`the import needs ${needs.join(' and ')}`);
    this.name = 'ImportNeeds';
  }
}

export interface ImportRegisterInput {
  csvText: string;
  /** Names the file in error messages. */
  source: string;
  meeting: Meeting;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  secret: Uint8Array | string;
  randomBytes: (n: number) => Uint8Array;
  /** Needed when the register has e-delivery holders. */
  queue?: NoticeQueue | undefined;
  /** Needed when the register has holders without e-delivery. */
  printSink?: PrintFileSink | undefined;
  ballotUrl: string;
  onProgress?: (phase: 'import' | 'queue', done: number, total: number) => void;
  /** Runs once the register is known to be good, before anything is written (a last check that may refuse). */
  beforeImport?: () => Promise<void>;
}

export interface ImportRegisterResult {
  holders: number;
  /** Imported now, each with a new control number. */
  imported: number;
  /** Already imported: unchanged, no new number. */
  unchanged: number;
  queued: number;
  printed: number;
  printFile: string | null;
  /** Names that begin like a spreadsheet formula: imported as given, to be checked by someone. */
  formulaLike: FormulaLikeName[];
}

export const byEmail = (h: Holder) => h.eDelivery && h.email !== null;

export async function importRegister(input: ImportRegisterInput): Promise<ImportRegisterResult> {
  const { holders, formulaLike } = parseRegister(
    input.csvText,
    input.meeting.sharesOutstanding,
    input.source,
  );
  const needs: ('queue' | 'print-file')[] = [];
  if (holders.some(byEmail) && !input.queue) needs.push('queue');
  if (holders.some((h) => !byEmail(h)) && !input.printSink) needs.push('print-file');
  if (needs.length > 0) throw new ImportNeeds(needs);
  await input.beforeImport?.();
  await input.printSink?.prepare();

  const { issued, unchanged } = await importHolders(
    input.doc,
    input.tables,
    holders,
    input.secret,
    input.randomBytes,
    {
      onProgress: (done, total) => input.onProgress?.('import', done, total),
      linkExpiresAt: internetCutoffMs(input.meeting),
    },
  );

  const now = holders.filter((h) => issued.has(h.account));
  const paper: PrintRow[] = now
    .filter((h) => !byEmail(h))
    .map((h) => ({
      holder: h,
      controlNumber: issued.get(h.account) as string,
      reason: 'no-e-delivery',
      reissued: false,
    }));
  const messages = now
    .filter(byEmail)
    .map((h) => noticeMessage(input.meeting.id, h.account, issued.get(h.account) as string));

  // The paper numbers first: a file written here is the cheaper of the two to lose. No new paper
  // holder (a re-import): no file.
  const printFile =
    input.printSink && paper.length > 0
      ? await input.printSink.write(printFileCsv(input.meeting, input.ballotUrl, paper))
      : null;
  if (printFile && input.printSink)
    await writePrintCompanions(input.printSink, input.meeting, input.ballotUrl, paper);
  if (messages.length > 0 && input.queue) {
    await input.queue.enqueue(messages);
    input.onProgress?.('queue', messages.length, messages.length);
  }
  issued.clear();
  return {
    holders: holders.length,
    imported: now.length,
    unchanged,
    queued: messages.length,
    printed: paper.length,
    printFile,
    formulaLike,
  };
}
