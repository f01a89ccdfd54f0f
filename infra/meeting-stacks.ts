// The stacks of one meeting, named after it so that several meetings live in one account:
//   proxyvote-<id>-stateful  tables, control-number secret, register and logs buckets, the notice queue
//                            and its dead-letter queue (all retained), the SES sending identity
//   proxyvote-<id>-edge      the WAF web ACL (us-east-1, CloudFront scope)
//   proxyvote-<id>-compute   functions, HTTP API, CloudFront, work queues, mail configuration set,
//                            schedules, monitoring
// The app (infra/app.ts) and the infra tests build them through this one function.
import type { App } from 'aws-cdk-lib';
import { InvalidInputError, type Meeting } from '../shared/domain/meeting.ts';
import type { HttpRoute } from '../shared/http/route.ts';
import { noticeSendPlan } from '../shared/notices/send-plan.ts';
import type { FunctionAccess } from './access.ts';
import { ComputeStack } from './compute-stack.ts';
import type { DeploySettings } from './deploy-settings.ts';
import { EdgeStack } from './edge-stack.ts';
import { stackName } from './meeting-context.ts';
import { StatefulStack } from './stateful-stack.ts';
import { recordQueueSpecs, type WorkerSpec } from './worker-spec.ts';

export interface MeetingStacks {
  stateful: StatefulStack;
  edge: EdgeStack;
  compute: ComputeStack;
}

export interface MeetingStacksInput {
  meeting: Meeting;
  settings: DeploySettings;
  routes: readonly HttpRoute[];
  workers: readonly WorkerSpec[];
  /** Access of HTTP functions declared beside the workers (functions/workers.ts). */
  httpAccess?: Readonly<Record<string, FunctionAccess>>;
  /** The account when the settings name none (the CLI's, from CDK_DEFAULT_ACCOUNT). */
  defaultAccount?: string | undefined;
}

/** The worker that sends the notices: its rate and concurrency come from the deployment settings. */
export const NOTICE_SENDER = 'notice-sender';

/**
 * Refuses (InvalidInputError, one line per problem) settings under which the notices cannot all go
 * before the 40-day date, or would exceed the SES quota; returns the workers with the notice sender's
 * rate (NOTICE_SEND_RATE) and batches in flight (the queue trigger's maxConcurrency) from the settings.
 */
export function applyNoticeSettings(
  meeting: Meeting,
  settings: DeploySettings,
  workers: readonly WorkerSpec[],
): WorkerSpec[] {
  const n = settings.notices;
  if (!n) {
    throw new InvalidInputError('deployment settings', [
      'notices: required: at least { "expectedHolders": N }, the e-delivery holders the notices go to (the synth checks that they can all be sent before the 40-day date within the SES quota)',
    ]);
  }
  const plan = noticeSendPlan(meeting, n);
  if (plan.problems.length > 0) {
    throw new InvalidInputError(
      'deployment settings',
      plan.problems.map(([path, message]) => `${path}: ${message}`),
    );
  }
  return workers.map((w) =>
    w.name !== NOTICE_SENDER
      ? w
      : {
          ...w,
          environment: { ...w.environment, NOTICE_SEND_RATE: String(n.sendRatePerConsumer) },
          triggers: w.triggers.map((t) =>
            t.kind === 'queue' ? { ...t, maxConcurrency: n.maxConcurrency } : t,
          ),
        },
  );
}

export function buildMeetingStacks(app: App, input: MeetingStacksInput): MeetingStacks {
  const { meeting, settings } = input;
  const workers = applyNoticeSettings(meeting, settings, input.workers);
  const account = settings.account ?? input.defaultAccount;
  const env = { account, region: settings.region };
  const stateful = new StatefulStack(app, stackName(meeting, 'stateful'), {
    meeting,
    env,
    logRetentionDays: settings.logRetentionDays,
    mail: settings.mail,
    recordQueues: recordQueueSpecs(workers),
    // `cdk destroy` of the records must be deliberate: turn this off by hand first.
    terminationProtection: true,
  });
  const edge = new EdgeStack(app, stackName(meeting, 'edge'), { meeting, settings, env: { account } });
  const compute = new ComputeStack(app, stackName(meeting, 'compute'), {
    meeting,
    settings,
    env,
    routes: input.routes,
    workers,
    httpAccess: input.httpAccess ?? {},
    tables: stateful.tables,
    controlSecret: stateful.controlSecret,
    originSecret: stateful.originSecret,
    registerBucket: stateful.registerBucket,
    logsBucket: stateful.logsBucket,
    recordQueues: stateful.recordQueues,
    webAclArn: edge.webAcl.attrArn,
  });
  compute.addStackDependency(stateful);
  compute.addStackDependency(edge);
  return { stateful, edge, compute };
}
