// Importing the register, and handing on the control numbers it issues at once (they exist nowhere
// else, RULES.md section 2): for each holder imported now, an e-delivery holder's number goes into the
// notice queue (one message per holder) and a paper holder's into the print file. All or nothing for
// the file's content: a register with any bad line imports nothing and names every bad line.
//
// At any size, nothing is lost: the register is imported in chunks (IMPORT_CHUNK_SIZE holders, in the
// file's order). A chunk's holders and numbers are written, then its print rows (a part of the print
// file, at a place fixed by the chunk) and its queue messages, and only then is the chunk recorded as
// done, with the job's totals, in the operations table (import-checkpoint.ts). A run cut short (a
// Lambda timeout, a crash, a killed CLI) is resumed by running the import of the same file again: the
// chunks recorded as done are skipped; the holders of the chunk it was in get a new number (their
// first one may never have reached the queue or the print file: it stops working, and a queue message
// carrying it is skipped by the sender as stale), unless the sender already claimed their notice.
// So every holder ends with exactly one working number, handed on once, and nothing is done twice.
// A register already imported (a job done) issues, queues and prints nothing.
import { createHash, randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Holder } from '../domain/holder.ts';
import { internetCutoffMs, type Meeting } from '../domain/meeting.ts';
import { type PrintRow, printFileCsv } from '../domain/print-file.ts';
import { type FormulaLikeName, parseRegister } from '../domain/register.ts';
import type { TableNames } from '../storage/tables.ts';
import { importHolders } from '../voting/register-import.ts';
import { type ChunkTotals, ImportBusy, ImportCheckpoints, type ImportJob } from './import-checkpoint.ts';
import { noticeMessage } from './message.ts';
import type { NoticeQueue, PrintFileSink } from './ports.ts';
import { writePrintCompanions } from './printed-notice.ts';
import { reissueControlNumber } from './reissue.ts';

/** Holders per chunk: about 30 transactions, 100 queue batches and one print-file part. */
export const IMPORT_CHUNK_SIZE = 1000;
/**
 * Chunks written at once, each with TRANSACTIONS_PER_CHUNK transactions in flight: one chunk's print
 * part, queue messages and record overlap the next ones' writes.
 */
export const IMPORT_CHUNKS_IN_FLIGHT = 3;
const TRANSACTIONS_PER_CHUNK = 4;
/** A run keeps the job this long after its last finished chunk; then another run may take it over. */
export const IMPORT_LEASE_MS = 60_000;

/** The job of a register file: a digest of its content, so the same file again is the same job. */
export function importJobId(csvText: string): string {
  return createHash('sha256').update(csvText, 'utf8').digest('hex').slice(0, 24);
}

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
  /** Holders handed on so far (the job's, resumed runs included), after each chunk. */
  onProgress?: (phase: 'import', done: number, total: number) => void;
  /** Runs once the register is known to be good, before anything is written (a last check that may refuse). */
  beforeImport?: () => Promise<void>;
  now?: () => number;
  chunkSize?: number;
  /** Asked before each chunk: true stops the run there (a Lambda near its time limit); the job resumes later. */
  shouldStop?: () => boolean;
  /** How long to wait for another run's lease on this job to run out (0: refuse at once with ImportBusy). */
  maxLeaseWaitMs?: number;
  /** How long a run keeps the job after its last chunk (default IMPORT_LEASE_MS). */
  leaseMs?: number;
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
  jobId: string;
  /** False: the run stopped before the last chunk (shouldStop); run the import of the file again. */
  complete: boolean;
  chunks: { done: number; total: number };
  /** Numbers drawn again for the holders of an interrupted chunk (the first ones were never handed on). */
  reissued: number;
  /** This run took up a job an earlier run had started. */
  resumed: boolean;
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

  const now = input.now ?? Date.now;
  const checkpoints = new ImportCheckpoints(input.doc, input.tables, now);
  const jobId = importJobId(input.csvText);
  const before = await checkpoints.job(jobId);
  if (before?.status === 'done') {
    // This very file was imported before: nothing to issue, queue or print.
    return {
      holders: holders.length,
      imported: 0,
      unchanged: holders.length,
      queued: 0,
      printed: 0,
      printFile: null,
      formulaLike,
      jobId,
      complete: true,
      chunks: { done: before.chunks, total: before.chunks },
      reissued: 0,
      resumed: false,
    };
  }
  await input.beforeImport?.();
  await input.printSink?.prepare();

  const job = await checkpoints.open({
    jobId,
    source: input.source,
    holders: holders.length,
    chunkSize: input.chunkSize ?? IMPORT_CHUNK_SIZE,
  });
  const runId = randomUUID();
  const resumed = before !== null;
  await takeJob(checkpoints, job, runId, resumed, now, input);
  try {
    const parts = new Map<number, string | null>();
    for (const d of await checkpoints.doneChunks(jobId)) parts.set(d.chunk, d.part);
    const size = job.chunkSize;
    let handedOn = [...parts.keys()].reduce((n, c) => n + Math.min(size, holders.length - c * size), 0);
    const pending = Array.from({ length: job.chunks }, (_, c) => c).filter((c) => !parts.has(c));
    let stopped = false;
    // One chunk's record at a time: the records all add to the job's item (a transaction each).
    let recording: Promise<void> = Promise.resolve();
    await eachLimited(pending, IMPORT_CHUNKS_IN_FLIGHT, async (c) => {
      if (stopped || input.shouldStop?.()) {
        stopped = true;
        return;
      }
      const chunk = holders.slice(c * size, (c + 1) * size);
      const { totals, part } = await importChunk(input, jobId, c, chunk, now);
      const record = recording.then(() =>
        checkpoints.chunkDone(jobId, runId, input.leaseMs ?? IMPORT_LEASE_MS, c, totals, part),
      );
      recording = record.catch(() => undefined);
      await record;
      parts.set(c, part);
      handedOn += chunk.length;
      input.onProgress?.('import', handedOn, holders.length);
    });
    if (stopped) {
      await checkpoints.release(jobId, runId);
      const so = (await checkpoints.job(jobId)) as ImportJob;
      return resultOf(so, holders.length, formulaLike, null, false, resumed);
    }
    const ordered = [...parts.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([, p]) => (p === null ? [] : [p]));
    const printFile = input.printSink ? await input.printSink.finish(ordered) : null;
    const done = await checkpoints.finish(jobId, runId, printFile);
    return resultOf(done, holders.length, formulaLike, printFile, true, resumed);
  } catch (e) {
    // Let a retry take the job at once rather than wait for the lease to run out.
    await checkpoints.release(jobId, runId).catch(() => undefined);
    throw e;
  }
}

async function takeJob(
  checkpoints: ImportCheckpoints,
  job: ImportJob,
  runId: string,
  resumed: boolean,
  now: () => number,
  input: ImportRegisterInput,
): Promise<void> {
  const waitUntil = now() + (input.maxLeaseWaitMs ?? 0);
  for (;;) {
    try {
      await checkpoints.take(job.jobId, runId, input.leaseMs ?? IMPORT_LEASE_MS, resumed);
      return;
    } catch (e) {
      if (!(e instanceof ImportBusy)) throw e;
      const current = await checkpoints.job(job.jobId);
      const freeAt = current?.leaseUntil ?? now();
      // The run holding it is alive (it renews its lease) or would outlast this one: leave it the job.
      if (current?.status === 'done' || freeAt > waitUntil) throw e;
      await new Promise((r) => setTimeout(r, Math.max(100, freeAt - now() + 100)));
    }
  }
}

function resultOf(
  job: ImportJob,
  holders: number,
  formulaLike: FormulaLikeName[],
  printFile: string | null,
  complete: boolean,
  resumed: boolean,
): ImportRegisterResult {
  return {
    holders,
    imported: job.imported,
    unchanged: job.unchanged,
    queued: job.queued,
    printed: job.printed,
    printFile,
    formulaLike,
    jobId: job.jobId,
    complete,
    chunks: { done: job.chunksDone, total: job.chunks },
    reissued: job.reissued,
    resumed,
  };
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, work: (t: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await work(next);
    }),
  );
}

/** One chunk: holders and numbers written, then the print rows, then the queue messages. */
async function importChunk(
  input: ImportRegisterInput,
  jobId: string,
  chunkIndex: number,
  chunk: readonly Holder[],
  now: () => number,
): Promise<{ totals: ChunkTotals; part: string | null }> {
  const linkExpiresAt = internetCutoffMs(input.meeting);
  const { issued, existing } = await importHolders(
    input.doc,
    input.tables,
    chunk,
    input.secret,
    input.randomBytes,
    {
      linkExpiresAt,
      tag: { importJob: jobId, importChunk: chunkIndex },
      concurrency: TRANSACTIONS_PER_CHUNK,
    },
  );
  let unchanged = 0;
  let reissued = 0;
  let alreadySending = 0;
  const interrupted: { holder: Holder; oldHash: string }[] = [];
  for (const h of chunk) {
    const item = existing.get(h.account);
    if (!item) continue;
    // Written by an interrupted attempt at this very chunk: its number may never have been handed on.
    if (item.importJob === jobId && item.importChunk === chunkIndex && typeof item.controlHash === 'string')
      interrupted.push({ holder: h, oldHash: item.controlHash });
    else unchanged += 1;
  }
  await eachLimited(interrupted, 8, async ({ holder, oldHash }) => {
    const out = await reissueControlNumber(input.doc, input.tables, {
      holder,
      oldHash,
      reason: 'no-e-delivery',
      at: new Date(now()).toISOString(),
      secret: input.secret,
      randomBytes: input.randomBytes,
      interruptedImport: { linkExpiresAt },
    });
    if (out.reissued) {
      issued.set(holder.account, out.controlNumber);
      reissued += 1;
    } else if (out.why === 'notice-sending') alreadySending += 1;
    else throw new Error(`the control number of ${holder.account} changed while this import ran`);
  });

  const handed = chunk.filter((h) => issued.has(h.account));
  const paper: PrintRow[] = handed
    .filter((h) => !byEmail(h))
    .map((h) => ({
      holder: h,
      controlNumber: issued.get(h.account) as string,
      reason: 'no-e-delivery',
      reissued: false,
    }));
  const messages = handed
    .filter(byEmail)
    .map((h) => noticeMessage(input.meeting.id, h.account, issued.get(h.account) as string));
  // The paper numbers first: a part written here is the cheaper of the two to lose.
  const part =
    input.printSink && paper.length > 0
      ? await input.printSink.writePart(chunkIndex, printFileCsv(input.meeting, input.ballotUrl, paper))
      : null;
  // The printed notices and proxy cards of the chunk's paper holders, at a place fixed by the chunk.
  if (part && input.printSink)
    await writePrintCompanions(input.printSink, input.meeting, input.ballotUrl, paper, chunkIndex);
  if (messages.length > 0 && input.queue) await input.queue.enqueue(messages);
  issued.clear();
  return {
    totals: {
      imported: handed.length + alreadySending,
      unchanged,
      queued: messages.length,
      printed: paper.length,
      reissued,
      alreadySending,
    },
    part,
  };
}
