// The ports of the notice use cases. Adapters: SQS or the local in-process queue, the Lambda event
// source mapping or the local queue as the switch, a file or the meeting's bucket for print files,
// Powertools EMF for metrics. Pure tests pass in-memory fakes.
import type { ProductMetric } from '../metrics/catalog.ts';
import type { NoticeMessage } from './message.ts';

/** Where the import hands the new control numbers of e-delivery holders, one message per holder. */
export interface NoticeQueue {
  /** Resolves once every message is accepted by the queue; throws (naming no value) otherwise. */
  enqueue(messages: readonly NoticeMessage[]): Promise<void>;
}

/** Starts the consumer of the notice queue (held until the operator starts the sending). */
export interface SendingSwitch {
  start(): Promise<{ alreadyStarted: boolean }>;
}

/** Where a print file goes: a local file, or an object in the meeting's bucket. */
export interface PrintFileSink {
  /** Checked before anything is imported or re-issued: fails if the file could not be written. */
  prepare(): Promise<void>;
  /** Writes the whole file; returns where it went (a path or an s3:// address). */
  write(csv: string): Promise<string>;
  /**
   * The import's rows of one chunk (a whole CSV): written, or written again by a resumed import, at a
   * place fixed by the chunk's number. Returns where it is.
   */
  writePart(chunk: number, csv: string): Promise<string>;
  /** Once every chunk is handed on: the print file made of these parts, in order (null: none). */
  finish(parts: readonly string[]): Promise<string | null>;
  /**
   * Writes, or writes again, a companion document beside the file ("print.csv" and "notices" give
   * "print.notices.html"; an import's chunk 3 names "notices.part-000003"): the printed notices, the
   * proxy cards. Returns where it went.
   */
  writeCompanion?(name: string, html: string): Promise<string>;
}

export const METRIC_NAMES = [
  'NoticesSent',
  'NoticesFailed',
  'NoticesSkipped',
  'NoticesBounced',
  'NoticesComplaints',
  'RemindersSent',
  'RemindersFailed',
] as const satisfies readonly ProductMetric[];
export type MetricName = (typeof METRIC_NAMES)[number];

export interface NoticeMetrics {
  count(name: MetricName, n?: number): void;
  /** Emits what was counted since the last flush (one EMF document), and starts again. */
  flush(): void;
}

export const noMetrics: NoticeMetrics = { count: () => undefined, flush: () => undefined };
