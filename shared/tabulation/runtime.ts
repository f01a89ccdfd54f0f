// What the tabulation functions need at run time, read once at cold start and validated: the meeting,
// the tables, the clock, the Scan segments, how the admin API starts a count. Fails fast naming each
// variable.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { clockWithOffset } from '../config/clock.ts';
import { loadStorageConfig } from '../config/storage-config.ts';
import { formatIssues, InvalidInputError, parseMeeting } from '../domain/meeting.ts';
import { createDynamoClients } from '../storage/dynamo-client.ts';
import { METRICS_NAMESPACE, tabulationMetrics } from './metrics.ts';
import type { TabulationDeps } from './run.ts';
import { SnapshotStore } from './snapshots.ts';

const flag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .optional()
  .transform((v) => v === 'true');

const tabulationEnvSchema = z.object({
  MEETING_JSON: z.string({ error: 'is not set' }).min(2, 'is empty'),
  /** Parallel Scan segments per table (default 8; see docs/counting.md for sizing). */
  TABULATION_SEGMENTS: z.coerce.number().int().min(1).max(1000).default(8),
  /**
   * Threads that read the Scans (shared/tabulation/scan-threads.ts): `auto` (the default) is one per
   * vCPU the function has (2 from 3,538 MB on Lambda), 1 keeps the whole count on the main thread.
   */
  TABULATION_THREADS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(16)], {
      error: 'must be auto or a whole number from 1 to 16',
    })
    .default('auto'),
  /** Cumulative voting was invoked at the meeting: counts that do not say otherwise cumulate. */
  TABULATION_CUMULATIVE: flag,
  /**
   * How POST /admin/tally starts a count: `inline` runs it in the request (the local stack, small
   * meetings), `request` records it for the tabulation worker (AWS: API Gateway waits 30 s at most).
   * Default: inline with a local DynamoDB endpoint, request otherwise.
   */
  TABULATION_MODE: z.enum(['inline', 'request']).optional(),
  METRICS_NAMESPACE: z.string().min(1).default(METRICS_NAMESPACE),
  /** Local demo only: milliseconds added to the clock (the reference meeting is in 2002). */
  CLOCK_OFFSET_MS: z.coerce.number().int().optional(),
});

/** Lambda's memory per vCPU: 1,769 MB gives one, 3,538 MB two, up to six at 10,240 MB. */
export const LAMBDA_MB_PER_VCPU = 1769;

/**
 * The count's Scan threads: a number as set, or `auto`: one per vCPU. On Lambda the CPU share follows
 * the memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE) while the sandbox may show more cores than that share,
 * so the memory decides there; elsewhere the cores the process may use.
 */
export function scanThreads(setting: 'auto' | number, lambdaMemoryMb: number | null, cores: number): number {
  if (setting !== 'auto') return setting;
  const vcpus = lambdaMemoryMb ? Math.floor(lambdaMemoryMb / LAMBDA_MB_PER_VCPU) : cores;
  return Math.max(1, Math.min(cores, vcpus));
}

export interface TabulationRuntime {
  deps: TabulationDeps & { metrics: Metrics };
  snapshots: SnapshotStore;
  doc: DynamoDBDocumentClient;
  mode: 'inline' | 'request';
}

export function loadTabulationRuntime(
  env: Record<string, string | undefined> = process.env,
): TabulationRuntime {
  const parsed = tabulationEnvSchema.safeParse(env);
  if (!parsed.success) throw new InvalidInputError('the function environment', formatIssues(parsed.error));
  const meeting = parseMeeting(parsed.data.MEETING_JSON, 'MEETING_JSON');
  const storage = loadStorageConfig(env);
  const { doc } = createDynamoClients(storage.dynamo);
  return {
    doc,
    snapshots: new SnapshotStore(doc, storage.tables),
    mode: parsed.data.TABULATION_MODE ?? (storage.dynamo.endpoint ? 'inline' : 'request'),
    deps: {
      meeting,
      doc,
      tables: storage.tables,
      now: clockWithOffset(parsed.data.CLOCK_OFFSET_MS),
      randomHex: () => randomBytes(4).toString('hex'),
      segments: parsed.data.TABULATION_SEGMENTS,
      threads: {
        count: scanThreads(
          parsed.data.TABULATION_THREADS,
          Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || null,
          availableParallelism(),
        ),
        dynamo: storage.dynamo,
      },
      cumulative: parsed.data.TABULATION_CUMULATIVE,
      metrics: tabulationMetrics(meeting.id, parsed.data.METRICS_NAMESPACE),
    },
  };
}
