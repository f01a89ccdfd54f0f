// Records the AWS calls each function makes, as IAM sees them (service:Action on a resource), so that
// a test can check every call against the function's synthesized policy. The middleware sits on every
// client (shared/aws/clients.ts installs it); it records only while a test has set a sink, and only
// what the call was attributed to a function (runAsFunction: the HTTP wrapper and the local invokers
// of the workers set it). Item values are never recorded: names of tables, keys of objects, queues.
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** One call as IAM authorizes it. */
export interface RecordedCall {
  /** The function directory (`submit-proxy`), or `(none)` outside any function. */
  readonly fn: string;
  /** `dynamodb:PutItem`, `s3:GetObject`, ... */
  readonly action: string;
  /**
   * What the call names: `table/<name>`, `table/<name>/index/<index>`, `bucket/<name>/<key>`,
   * `queue/<url>`, `identity/<from address>`, `configuration-set/<name>`,
   * `event-source-mapping/<uuid>`, `secret/<id>`.
   */
  readonly resource: string;
}

export type CallSink = (call: RecordedCall) => void;

let sink: CallSink | null = null;
const currentFunction = new AsyncLocalStorage<string>();

/** Switches recording on (a sink) or off (null). */
export function setCallSink(s: CallSink | null): void {
  sink = s;
}

/** Runs `work` as the function `name`: the AWS calls it makes are attributed to that function. */
export function runAsFunction<T>(name: string, work: () => T): T {
  return currentFunction.run(name, work);
}

/** The function the current work runs as (runAsFunction), if any: handed on to worker threads. */
export function currentFunctionName(): string | undefined {
  return currentFunction.getStore();
}

/** A handler whose every invocation runs as the function `name`. */
export function asFunction<A extends unknown[], R>(
  name: string,
  handler: (...args: A) => R,
): (...args: A) => R {
  return (...args: A) => runAsFunction(name, () => handler(...args));
}

/**
 * The environment variable that switches recording on in every process of a test run (the test
 * workers and the processes they start, such as `npm start`): a directory where each process appends
 * the distinct calls it saw, one JSON line each. Never set on AWS.
 */
export const CALL_LOG_VARIABLE = 'PROXYVOTE_AWS_CALL_LOG';

/** A sink appending each distinct call to <dir>/<pid>-<thread>.jsonl. */
export function fileCallSink(dir: string): CallSink {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}-${threadId}.jsonl`);
  const seen = new Set<string>();
  return (call) => {
    const line = JSON.stringify(call);
    if (seen.has(line)) return;
    seen.add(line);
    try {
      appendFileSync(file, `${line}\n`);
    } catch (e) {
      // Another test run emptied the folder (it starts each run afresh): make it again.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true });
      appendFileSync(file, `${line}\n`);
    }
  };
}

const logDir = process.env[CALL_LOG_VARIABLE];
if (logDir) sink = fileCallSink(logDir);

/** Lambda's `proxyvote-<meeting>-<function>` or the local adapter's `<function>` -> `<function>`. */
export function functionOfContext(functionName: string, meetingId?: string): string {
  const prefix = meetingId ? `proxyvote-${meetingId}-` : undefined;
  return prefix && functionName.startsWith(prefix) ? functionName.slice(prefix.length) : functionName;
}

type Next = (args: { input: unknown }) => Promise<unknown>;
type Middleware = (next: Next, context: { clientName?: string; commandName?: string }) => Next;

/** What a client must offer for the middleware to be added (every SDK v3 client does). */
export interface RecordableClient {
  middlewareStack: { add(middleware: never, options: never): void };
}

export function installCallRecorder(client: RecordableClient): void {
  const recorder: Middleware = (next, context) => async (args) => {
    if (sink) {
      const fn = currentFunction.getStore() ?? '(none)';
      for (const call of iamRequests(context.clientName ?? '', context.commandName ?? '', args.input)) {
        sink({ fn, ...call });
      }
    }
    return next(args);
  };
  const add = client.middlewareStack.add.bind(client.middlewareStack) as unknown as (
    m: Middleware,
    o: { step: 'initialize'; name: string },
  ) => void;
  add(recorder, { step: 'initialize', name: 'proxyvoteCallRecorder' });
}

type Input = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : String(v ?? ''));
const table = (name: unknown, index?: unknown) =>
  index ? `table/${str(name)}/index/${str(index)}` : `table/${str(name)}`;

/** The IAM actions and resources one SDK command needs. */
export function iamRequests(
  clientName: string,
  commandName: string,
  rawInput: unknown,
): { action: string; resource: string }[] {
  const input = (rawInput ?? {}) as Input;
  const operation = commandName.replace(/Command$/, '');
  const service = clientName.replace(/Client$/, '');
  switch (service) {
    case 'DynamoDB':
      return dynamoRequests(operation, input);
    case 'SES':
      return [
        { action: `ses:${operation}`, resource: `identity/${fromAddress(str(input.Source))}` },
        ...(input.ConfigurationSetName
          ? [{ action: `ses:${operation}`, resource: `configuration-set/${str(input.ConfigurationSetName)}` }]
          : []),
      ];
    case 'S3':
      return [{ action: `s3:${operation}`, resource: `bucket/${str(input.Bucket)}/${str(input.Key)}` }];
    case 'SQS':
      // SendMessageBatch is authorized as SendMessage, ChangeMessageVisibilityBatch as ChangeMessageVisibility.
      return [{ action: `sqs:${operation.replace(/Batch$/, '')}`, resource: `queue/${str(input.QueueUrl)}` }];
    case 'Lambda':
      return [{ action: `lambda:${operation}`, resource: `event-source-mapping/${str(input.UUID)}` }];
    case 'SecretsManager':
      return [{ action: `secretsmanager:${operation}`, resource: `secret/${str(input.SecretId)}` }];
    default:
      return [{ action: `${service.toLowerCase()}:${operation}`, resource: '(unknown)' }];
  }
}

/** `Name <a@b>` -> `a@b`. */
function fromAddress(source: string): string {
  const m = /<([^<>]+)>\s*$/.exec(source);
  return (m?.[1] ?? source).trim();
}

function dynamoRequests(operation: string, input: Input): { action: string; resource: string }[] {
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((input.RequestItems ?? {}) as Input).map((t) => ({
        action: `dynamodb:${operation}`,
        resource: table(t),
      }));
    case 'TransactWriteItems': {
      // Authorized through the actions of its items.
      const kinds = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
      };
      return ((input.TransactItems ?? []) as Input[]).flatMap((item) =>
        Object.entries(kinds)
          .filter(([k]) => item[k] !== undefined)
          .map(([k, action]) => ({
            action: `dynamodb:${action}`,
            resource: table((item[k] as Input).TableName),
          })),
      );
    }
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as Input[]).map((item) => ({
        action: 'dynamodb:GetItem',
        resource: table((item.Get as Input | undefined)?.TableName),
      }));
    default:
      return [{ action: `dynamodb:${operation}`, resource: table(input.TableName, input.IndexName) }];
  }
}
