// IAM, proven by the tests. During the whole `npm test` run, the SDK middleware of the one client
// factory (shared/aws/call-recorder.ts) recorded every AWS call each function made, as IAM sees it
// (service:Action on a resource), into test-artifacts/aws-calls/. This file runs after that run
// (vitest.iam.config.ts) and checks, function by function, against the policy CDK synthesizes:
//   - every recorded call is allowed by a statement of that function's role (action and resource);
//   - every granted action on every resource was used by some call, unless NOT_EXERCISED_LOCALLY
//     lists it with the reason the local stack cannot make that call.
// DynamoDB Local, the SES endpoint and s3rver enforce no IAM: this is what stands in for it.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import * as declaredWorkers from '../../functions/workers.ts';
import { readDeploySettings } from '../../infra/deploy-settings.ts';
import { DEFAULT_MEETING_FILE, readMeetingFile } from '../../infra/meeting-context.ts';
import { buildMeetingStacks } from '../../infra/meeting-stacks.ts';
import { readWorkersModule } from '../../infra/worker-spec.ts';
import type { RecordedCall } from '../../shared/aws/call-recorder.ts';
import { TABLE_KINDS } from '../../shared/storage/tables.ts';
import { AWS_CALL_LOG } from '../global-setup.ts';

const outdir = mkdtempSync(join(tmpdir(), 'proxyvote-iam-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const meeting = readMeetingFile(DEFAULT_MEETING_FILE);
const settings = readDeploySettings('meetings/hemacare-2002.deploy.json');
const { workers, httpAccess } = readWorkersModule(declaredWorkers);
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
const stacks = buildMeetingStacks(app, { meeting, settings, routes, workers, httpAccess });
const compute = Template.fromStack(stacks.compute).toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** What a grant or a call names, in one vocabulary: `table:votes`, `objects:register/`, ... */
type Target = string;

/** A statement's resource (a token of the stateful stack, or a literal ARN) as a Target. */
function grantTarget(resource: unknown): Target {
  const text = JSON.stringify(resource);
  if (text === '"*"') return '*';
  for (const kind of TABLE_KINDS) {
    const id = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}Table`;
    if (text.includes(id)) {
      const index = /\/index\/([A-Za-z0-9_.-]+)/.exec(text)?.[1];
      return index ? `index:${kind}/${index}` : `table:${kind}`;
    }
  }
  const identity = /:identity\/([^"]+)"/.exec(text)?.[1];
  if (identity) return `ses-identity:${identity}`;
  const configurationSet = /:configuration-set\/([^"]+)"/.exec(text)?.[1];
  if (configurationSet) return `ses-configuration-set:${configurationSet}`;
  if (text.includes('RegisterBucket')) {
    const prefix = /\/([A-Za-z0-9_-]+\/)\*"/.exec(text)?.[1];
    return prefix ? `objects:${prefix}` : 'bucket';
  }
  if (text.includes('ControlSecret')) return 'secret:control';
  if (text.includes('OriginSecret')) return 'secret:origin';
  if (text.includes('event-source-mapping')) return 'event-source-mapping';
  // A queue's logical id (NoticesQueueC1100E22), inside the stateful stack's export name or a Ref.
  const queue = /([A-Z][a-z][A-Za-z0-9]*?(?:Queue|DeadLetters))[0-9A-F]{8}/.exec(
    text.replace(/ExportsOutput(?:FnGetAtt|Ref)/g, ' '),
  )?.[1];
  if (queue) return `queue:${queue}`;
  if (text.includes('log-group') || text.includes('Logs')) return 'log-group';
  return `unknown:${text}`;
}

/** A recorded call's resource as a Target (tables by the kind their name ends with). */
function callTarget(call: RecordedCall): Target {
  const [type, ...rest] = call.resource.split('/');
  const name = rest.join('/');
  switch (type) {
    case 'table': {
      const [table = '', , index] = name.split('/');
      const kind = TABLE_KINDS.find((k) => table.endsWith(`-${k}`)) ?? `unknown-table ${table}`;
      return index ? `index:${kind}/${index}` : `table:${kind}`;
    }
    case 'identity':
      return `ses-identity:${name.split('@')[1] ?? name}`;
    case 'configuration-set':
      return `ses-configuration-set:${name}`;
    case 'bucket':
      return `object:${rest.slice(1).join('/')}`;
    case 'secret':
      return 'secret:control';
    default:
      return `${type}:${name}`;
  }
}

function covers(grant: Target, call: Target): boolean {
  if (grant === '*') return true;
  if (grant.startsWith('objects:') && call.startsWith('object:')) {
    return call.slice('object:'.length).startsWith(grant.slice('objects:'.length));
  }
  return grant === call;
}

/** The function directories, by the logical id of their role. */
const functionRoles = new Map<string, string>();
for (const [, r] of Object.entries(compute.Resources)) {
  if (r.Type !== 'AWS::Lambda::Function') continue;
  const name = String(r.Properties.FunctionName ?? '');
  if (!name.startsWith(`proxyvote-${meeting.id}-`)) continue;
  const role = (r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  functionRoles.set(name.slice(`proxyvote-${meeting.id}-`.length), role);
}

function statementsOf(fn: string): Statement[] {
  const role = functionRoles.get(fn);
  return Object.values(compute.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === role))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

interface Grant {
  action: string;
  target: Target;
  fromAddress?: string;
}

function grantsOf(fn: string): Grant[] {
  return statementsOf(fn).flatMap((s) => {
    expect(s.Effect).toBe('Allow');
    const fromAddress = (s.Condition as { StringEquals?: Record<string, string> } | undefined)
      ?.StringEquals?.['ses:FromAddress'];
    return list(s.Action).flatMap((action) =>
      list(s.Resource).map((r) => ({
        action,
        target: grantTarget(r),
        ...(fromAddress ? { fromAddress } : {}),
      })),
    );
  });
}

/**
 * Grants no local test can use, each with why. `fn` absent: any function; `target` absent: any
 * resource. Everything else granted must be used by the test run.
 */
const NOT_EXERCISED_LOCALLY: readonly {
  fn?: string;
  action: string;
  target?: Target;
  targetPattern?: RegExp;
  reason: string;
}[] = [
  ...['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => ({
    action,
    reason: 'Active tracing: the Lambda runtime sends the trace segments, not the code',
  })),
  ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
    action,
    target: 'log-group',
    reason: "The Lambda runtime writes the function's logs to its own log group",
  })),
  {
    action: 'secretsmanager:GetSecretValue',
    target: 'secret:control',
    reason:
      'Read once at cold start on AWS only (CONTROL_SECRET_ARN); locally CONTROL_SECRET is set. ' +
      'test/unit/control-secret.test.ts runs the read against a local endpoint',
  },
  {
    action: 'secretsmanager:GetSecretValue',
    target: 'secret:origin',
    reason:
      'The CloudFront origin secret is read from Secrets Manager on AWS only (ORIGIN_SECRET_ARN, current and ' +
      'previous values); locally the HTTP adapter plays CloudFront with ORIGIN_SECRET set ' +
      '(test/integration/origin.test.ts checks the functions against it)',
  },
  {
    action: 'ses:SendEmail',
    target: `ses-configuration-set:proxyvote-${meeting.id}`,
    reason: 'The configuration set exists on AWS only; the local SES endpoint has none, so none is named',
  },
  {
    action: 'sqs:SendMessage',
    targetPattern: /^queue:[A-Za-z0-9]+FunctionDeadLetters$/,
    reason:
      "Asynchronous invocations (schedules, SNS, S3) that fail land in the function's dead-letter queue: " +
      "Lambda sends them with the function's role, not the code",
  },
  ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map(
    (action) => ({
      fn: 'notice-sender',
      action,
      target: 'queue:NoticesQueue',
      reason:
        "The event source mapping polls the notice queue with the consumer's role; locally the in-process queue",
    }),
  ),
  ...[
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
  ].map((action) => ({
    fn: 'confirmations',
    action,
    reason:
      "The event source mapping reads the votes table's stream with the consumer's role; locally " +
      "shared/local/stream-poller.ts reads DynamoDB Local's stream outside any function",
  })),
  ...['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({
    fn: 'confirmations',
    action,
    target: 'queue:ConfirmationsStreamDeadLetters',
    reason:
      "The event source mapping's on-failure destination: Lambda sends a failed batch's pointer there with the function's role, not the code",
  })),
  {
    fn: 'notice-sender',
    action: 'sqs:ChangeMessageVisibility',
    target: 'queue:NoticesQueue',
    reason:
      'The backoff of failed notices (NOTICE_BACKOFF=sqs-visibility) and the event source mapping; no SQS locally',
  },
  {
    fn: 'register-import',
    action: 'sqs:SendMessage',
    target: 'queue:NoticesQueue',
    reason: 'There is no SQS locally: the in-process notice queue takes the messages (same NoticeQueue port)',
  },
  {
    fn: 'register-import',
    action: 'sqs:SendMessage',
    target: 'queue:RegisterImportsQueue',
    reason:
      'A run near the Lambda time limit asks for its continuation on SQS; locally runs have no time limit ' +
      '(test/integration/register-import-resume.test.ts stops a run between chunks and resumes it by hand)',
  },
  ...[
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:ChangeMessageVisibility',
  ].map((action) => ({
    fn: 'register-import',
    action,
    target: 'queue:RegisterImportsQueue',
    reason: "The event source mapping polls the continuation queue with the consumer's role; no SQS locally",
  })),
  ...['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'].map((action) => ({
    fn: 'tabulate-request',
    action,
    target: 'table:operations',
    reason:
      'Request mode (AWS): the request is recorded for the tabulate worker. With a local DynamoDB endpoint ' +
      'the request runs the count in-process instead (inline mode), which is the tabulate function’s work',
  })),
  {
    fn: 'reminders',
    action: 'dynamodb:DeleteItem',
    target: 'table:register',
    reason:
      "Releases a reminder's claim when SES refused it (shared/notices/send-once.ts, the code the " +
      "notice-sender's tests run with SES failing); the reminders handler's test has a working SES",
  },
  {
    fn: 'tabulate',
    action: 'dynamodb:Query',
    target: 'table:votes',
    reason:
      "Reads one account's instructions again when the parallel Scan split them across segments; the " +
      'test data never splits an account (shared/tabulation/live.ts)',
  },
  {
    fn: 'resolution',
    action: 'dynamodb:GetItem',
    target: 'table:votes',
    reason:
      'The replay of a repeated resolution (same entry key) reads the effective pointer; a repeated ' +
      'resolution is answered 409 (no open conflict) before it gets there, so nothing reaches it locally',
  },
  ...['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'].map((action) => ({
    fn: 'notices-admin',
    action,
    target: 'event-source-mapping',
    reason:
      'Locally the in-process queue is the switch; test/integration/aws-adapters.test.ts runs the Lambda ' +
      'adapter against a local endpoint of the Lambda API',
  })),
];

function exempt(fn: string, grant: Grant) {
  return NOT_EXERCISED_LOCALLY.find(
    (e) =>
      (e.fn === undefined || e.fn === fn) &&
      e.action === grant.action &&
      (e.target !== undefined
        ? e.target === grant.target
        : e.targetPattern === undefined || e.targetPattern.test(grant.target)),
  );
}

function recordedCalls(): RecordedCall[] {
  if (!existsSync(AWS_CALL_LOG)) return [];
  return readdirSync(AWS_CALL_LOG)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(AWS_CALL_LOG, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as RecordedCall),
    );
}

const calls = recordedCalls();
const functions = [...functionRoles.keys()].sort();
const callsOf = (fn: string) => calls.filter((c) => c.fn === fn);

describe('every AWS call each function made in the test run', () => {
  it('was recorded: run the whole suite first (npm test runs it, then this file)', () => {
    expect(
      calls.length,
      `no calls in ${AWS_CALL_LOG}: run \`npx vitest run\` (the whole suite) before this check`,
    ).toBeGreaterThan(0);
  });

  it.each(functions)('%s: is allowed by its synthesized policy', (fn) => {
    const grants = grantsOf(fn);
    const refused = callsOf(fn).filter((call) => {
      const target = callTarget(call);
      return !grants.some(
        (g) =>
          g.action === call.action &&
          covers(g.target, target) &&
          (g.fromAddress === undefined || call.resource === `identity/${g.fromAddress}`),
      );
    });
    expect(refused, `${fn} made calls its role does not allow`).toEqual([]);
  });

  it.each(functions)('%s: uses every action it is granted, or the exception says why not', (fn) => {
    const used = callsOf(fn).map((c) => ({ action: c.action, target: callTarget(c) }));
    const unused = grantsOf(fn)
      .filter((g) => !used.some((u) => u.action === g.action && covers(g.target, u.target)))
      .filter((g) => !exempt(fn, g))
      .map((g) => `${g.action} on ${g.target}`);
    expect(unused, `${fn} is granted what no test used (grant less, or test it)`).toEqual([]);
  });

  it('lists no exception that matches no grant', () => {
    for (const e of NOT_EXERCISED_LOCALLY) {
      const matched = functions.some((fn) => grantsOf(fn).some((g) => exempt(fn, g) === e));
      expect(matched, `${e.fn ?? '*'} ${e.action} ${e.target ?? ''}`).toBe(true);
      expect(e.reason.length).toBeGreaterThan(40);
    }
  });

  it('attributes calls only to functions of the stacks', () => {
    const unknown = [...new Set(calls.map((c) => c.fn))].filter(
      (fn) => fn !== '(none)' && !functionRoles.has(fn),
    );
    // Tests that hand a handler a context of their own (`test`) are not attributed: only those names.
    expect(unknown.filter((fn) => fn !== 'test')).toEqual([]);
  });
});
