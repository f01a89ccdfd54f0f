// A fault-injecting middleware for any AWS SDK v3 client (DynamoDB, SES, SQS, ...): it makes a chosen
// share of calls fail on the real client talking to the real local service. No mock stands in for the
// service; the faults are the only thing made up.
//
//   const faults = injectFaults(client, { rate: 0.05, seed: 7 });
//   ... run the code under test with `client` (or a DynamoDBDocumentClient made from it) ...
//   faults.stats  // calls seen, faults injected by kind and by command
//   faults.remove();
//
// Each fault is thrown either before the request is sent (nothing reached the service) or after the
// answer came back (the service did the work, the caller sees an error: a lost response, the case that
// tests idempotency). The error looks like what the SDK throws for a real failure of that kind, so the
// SDK's own retry strategy and the product's error handling treat it as they would treat the real one:
//   throttling   ProvisionedThroughputExceededException (HTTP 400)  retried by the SDK (throttling)
//   server       InternalServerError (HTTP 500)                      retried by the SDK (transient)
//   network      ECONNRESET, no HTTP status                          retried by the SDK (transient)
//   fatal        InjectedFatalError (HTTP 400)                       not retried
//   conflict     TransactionCanceledException [TransactionConflict]  not retried (DynamoDB's answer when
//                two transactions touch one item at once; DynamoDB Local serializes and never gives it)
//
// Scope: 'each-attempt' sits inside the SDK's retry loop (step finalizeRequest, low priority), so the
// SDK retries retryable faults by itself and the caller sees a fault only when every attempt failed or
// the fault is not retryable. 'per-call' sits outside it (step initialize, high priority): the caller
// sees every fault, as it would when the SDK gives up. Two injectors (distinct `name`s) can be stacked.
//
// For the notices and tabulation tests: the same function works on an SESClient or SQSClient (filter
// with `commands: ['SendEmailCommand']`); pass the client the code under test uses.
import type { HandlerExecutionContext, MiddlewareStack } from '@smithy/types';

export type FaultWhen = 'before-send' | 'after-send';
export type FaultError = 'throttling' | 'server' | 'network' | 'fatal' | 'conflict';
export interface FaultKind {
  when: FaultWhen;
  error: FaultError;
}

export const ALL_FAULT_KINDS: readonly FaultKind[] = (['before-send', 'after-send'] as const).flatMap(
  (when) => (['throttling', 'server', 'network', 'fatal'] as const).map((error) => ({ when, error })),
);

export interface FaultOptions {
  /** Share of calls (0 to 1) that fail. Changeable later with setRate. */
  rate: number;
  /** The kinds to draw from, uniformly (default ALL_FAULT_KINDS; 'conflict' only when listed). */
  kinds?: readonly FaultKind[];
  /** Only calls of these commands, e.g. ['TransactWriteItemsCommand'] (default: every command). */
  commands?: readonly string[];
  /** Seed of the pseudo-random draws, so a run can be repeated (default 1). */
  seed?: number;
  scope?: 'each-attempt' | 'per-call';
  /** The middleware's name in the stack (default `fault-injection-<scope>`). */
  name?: string;
}

export interface FaultStats {
  /** Calls (or attempts, for scope 'each-attempt') that reached the middleware. */
  calls: number;
  injected: number;
  /** Faults by `<when>/<error>`, e.g. "after-send/server". */
  byKind: Record<string, number>;
  /** Faults by command name. */
  byCommand: Record<string, number>;
}

export interface FaultInjector {
  readonly stats: FaultStats;
  setRate(rate: number): void;
  /** Take the middleware off the client. */
  remove(): void;
}

const INJECTED = Symbol.for('proxyvote.test.injected-fault');

/** Whether an error (or one it wraps) was made by a fault injector. */
export function isInjectedFault(e: unknown): boolean {
  for (let x = e, depth = 0; x && typeof x === 'object' && depth < 5; depth++) {
    if ((x as Record<symbol, unknown>)[INJECTED]) return true;
    x = (x as { cause?: unknown }).cause;
  }
  return false;
}

/** The fault kind an injected error stands for, e.g. "after-send/server"; null for a real error. */
export function faultKindOf(e: unknown): string | null {
  return isInjectedFault(e) ? String((e as Record<symbol, unknown>)[INJECTED]) : null;
}

/** mulberry32: a small seeded generator, enough to spread faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An error shaped like the SDK's for this kind of failure. */
export function faultError(kind: FaultKind, commandName: string): Error {
  const label = `${kind.when}/${kind.error}`;
  const message = `injected fault (${label}) in ${commandName}`;
  let e: Error;
  switch (kind.error) {
    case 'throttling':
      e = Object.assign(new Error(message), {
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
      break;
    case 'server':
      e = Object.assign(new Error(message), {
        name: 'InternalServerError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      });
      break;
    case 'network':
      e = Object.assign(new Error(`socket hang up: ${message}`), { code: 'ECONNRESET' });
      break;
    case 'fatal':
      e = Object.assign(new Error(message), {
        name: 'InjectedFatalError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
      break;
    case 'conflict':
      e = Object.assign(new Error(`Transaction cancelled (${message}) [TransactionConflict]`), {
        name: 'TransactionCanceledException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: [
          { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
        ],
      });
      break;
  }
  Object.defineProperty(e, INJECTED, { value: label, enumerable: false });
  return e;
}

// biome-ignore lint/suspicious/noExplicitAny: the middleware serves clients of any input and output types
type AnyStack = MiddlewareStack<any, any>;

export function injectFaults(client: { middlewareStack: AnyStack }, options: FaultOptions): FaultInjector {
  const scope = options.scope ?? 'each-attempt';
  const name = options.name ?? `fault-injection-${scope}`;
  const kinds = options.kinds ?? ALL_FAULT_KINDS;
  if (kinds.length === 0) throw new Error('injectFaults: no fault kinds');
  const commands = options.commands ? new Set(options.commands) : null;
  const random = seededRandom(options.seed ?? 1);
  let rate = options.rate;
  const stats: FaultStats = { calls: 0, injected: 0, byKind: {}, byCommand: {} };

  const record = (kind: FaultKind, command: string) => {
    const label = `${kind.when}/${kind.error}`;
    stats.injected += 1;
    stats.byKind[label] = (stats.byKind[label] ?? 0) + 1;
    stats.byCommand[command] = (stats.byCommand[command] ?? 0) + 1;
  };

  // The middleware does not look at the arguments, so one function serves both steps.
  const middleware =
    <A, R>(next: (args: A) => Promise<R>, context: HandlerExecutionContext) =>
    async (args: A): Promise<R> => {
      const command = context.commandName ?? 'unknown';
      if (commands && !commands.has(command)) return next(args);
      stats.calls += 1;
      // Both draws happen for every call, so the sequence of faults depends only on the seed and the calls.
      const hit = random() < rate;
      const kind = kinds[Math.floor(random() * kinds.length)] as FaultKind;
      if (!hit) return next(args);
      if (kind.when === 'before-send') {
        record(kind, command);
        throw faultError(kind, command);
      }
      // After the send: only an answer that came back can be lost; a real error goes through as it is.
      await next(args);
      record(kind, command);
      throw faultError(kind, command);
    };
  const tags = ['FAULT_INJECTION'];
  if (scope === 'each-attempt')
    client.middlewareStack.add(middleware, { step: 'finalizeRequest', priority: 'low', name, tags });
  else client.middlewareStack.add(middleware, { step: 'initialize', priority: 'high', name, tags });

  return {
    stats,
    setRate(r: number) {
      rate = r;
    },
    remove() {
      client.middlewareStack.remove(name);
    },
  };
}
