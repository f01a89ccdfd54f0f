// The non-HTTP functions as the compute stack builds them. functions/workers.ts (written by the
// feature teams) describes each worker; toWorkerSpecs() reads that list into this shape, so the stack
// deploys a new entry without being edited.
import type { FunctionAccess } from './access.ts';

export type WorkerTrigger =
  /** Consumes an SQS queue of the meeting (created with a dead-letter queue). */
  | {
      readonly kind: 'queue';
      readonly queue: string;
      readonly batchSize?: number;
      readonly maxBatchingWindowSeconds?: number;
      readonly maxConcurrency?: number;
      /** False: the event source mapping is created disabled and switched on by an operator. */
      readonly enabled?: boolean;
      /** Deliveries before a message goes to the dead-letter queue; default 5. */
      readonly maxReceiveCount?: number;
      /**
       * Its messages are records (control numbers in flight, for instance): the queue and its
       * dead-letter queue live in the stateful stack, retained, with an alarm on the oldest message's age.
       */
      readonly holdsRecords?: boolean;
    }
  /** An EventBridge Scheduler schedule, in the meeting's time zone unless another is named. */
  | {
      readonly kind: 'schedule';
      /** A cron expression of six fields, e.g. `0 2 * * ? *`, or `rate(...)`/`at(...)`. */
      readonly expression: string;
      readonly timeZone?: string;
      readonly input?: unknown;
      readonly description?: string;
    }
  /** The SES configuration set's events (send, delivery, bounce, complaint, ...) through SNS. */
  | { readonly kind: 'mail-events' }
  /** A file uploaded to the register bucket under `prefix` (S3 event notification). */
  | { readonly kind: 'register-upload'; readonly prefix: string; readonly suffix?: string }
  /** Invoked directly only (by an operator's CLI, with lambda:InvokeFunction of their own). */
  | { readonly kind: 'invoke' }
  /**
   * The votes table's stream, INSERTs only, in order per item, partial batch failures; a batch that
   * still fails after its retries goes (as a pointer to the records) to a dead-letter queue.
   */
  | { readonly kind: 'votes-stream'; readonly batchSize?: number; readonly retryAttempts?: number };

export interface WorkerSpec {
  /** The function directory: the code is `entry`, normally `functions/<name>/handler.ts`. */
  readonly name: string;
  readonly entry: string;
  readonly description?: string;
  readonly triggers: readonly WorkerTrigger[];
  /** Extra environment (literal values only). */
  readonly environment?: Readonly<Record<string, string>>;
  readonly access: FunctionAccess;
  readonly timeoutSeconds?: number;
  readonly memorySize?: number;
  /**
   * Reserved concurrency: caps the function and keeps that much of the account's concurrency for it.
   * AWS refuses it when less than 10 would stay unreserved in the account (new accounts have 10 in all).
   */
  readonly reservedConcurrency?: number;
}

/** SQS: the visibility timeout must be at least the consumer's timeout; six times leaves room for retries. */
export function queueVisibilitySeconds(consumer: WorkerSpec): number {
  return Math.min(43_200, (consumer.timeoutSeconds ?? 10) * 6);
}

/** The queues the workers mark `holdsRecords`: the stateful stack builds them. */
export function recordQueueSpecs(
  workers: readonly WorkerSpec[],
): { name: string; visibilityTimeoutSeconds: number; maxReceiveCount: number }[] {
  return workers.flatMap((w) =>
    w.triggers.flatMap((t) =>
      t.kind === 'queue' && t.holdsRecords
        ? [
            {
              name: t.queue,
              visibilityTimeoutSeconds: queueVisibilitySeconds(w),
              maxReceiveCount: t.maxReceiveCount ?? 5,
            },
          ]
        : [],
    ),
  );
}

/** Async triggers (SNS, S3, Scheduler) retry in Lambda and then park the event in the function's DLQ. */
export function isInvokedAsynchronously(spec: WorkerSpec): boolean {
  return spec.triggers.some(
    (t) => t.kind === 'schedule' || t.kind === 'mail-events' || t.kind === 'register-upload',
  );
}

/**
 * What functions/workers.ts declares: `workers` (one WorkerSpec per non-HTTP function) and, for HTTP
 * functions of functions/routes.ts that infra/access.ts does not list, any number of exports named
 * `<SOMETHING>_HTTP_ACCESS`, each a record of function directory -> FunctionAccess.
 */
export interface DeclaredFunctions {
  readonly workers: readonly WorkerSpec[];
  readonly httpAccess: Readonly<Record<string, FunctionAccess>>;
}

export function readWorkersModule(module: Record<string, unknown>): DeclaredFunctions {
  const workers = module.workers ?? [];
  if (!Array.isArray(workers)) throw new Error('functions/workers.ts: `workers` must be an array');
  const httpAccess: Record<string, FunctionAccess> = {};
  for (const [name, value] of Object.entries(module)) {
    if (!name.endsWith('HTTP_ACCESS') || typeof value !== 'object' || value === null) continue;
    for (const [fn, access] of Object.entries(value as Record<string, FunctionAccess>)) {
      if (httpAccess[fn]) throw new Error(`functions/workers.ts: the access of "${fn}" is declared twice`);
      httpAccess[fn] = access;
    }
  }
  return { workers: workers as WorkerSpec[], httpAccess };
}
