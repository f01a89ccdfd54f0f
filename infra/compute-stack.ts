// The stateless stack of one meeting: every function (the HTTP routes of functions/routes.ts and the
// workers of functions/workers.ts), the HTTP API with throttling and access logs, the CloudFront
// distribution that puts the WAF web ACL in front of it, the work queues with their dead-letter queues
// (the queues that hold records, such as the notice queue, come from the stateful stack), the SES
// configuration set and its event destination, the schedules in the meeting's time zone, and the
// dashboard and alarms (infra/monitoring.ts). It holds no data: destroying it leaves every record in
// the stateful stack.
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import {
  DynamoEventSource,
  SnsEventSource,
  SqsDlq,
  SqsEventSource,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Schedule, ScheduleExpression, ScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { InvalidInputError, type Meeting } from '../shared/domain/meeting.ts';
import { recipientProblems } from '../shared/domain/vote-report.ts';
import type { HttpRoute } from '../shared/http/route.ts';
import { METRICS_NAMESPACE, metricDimensions } from '../shared/metrics/catalog.ts';
import type { TableKind } from '../shared/storage/tables.ts';
import { type AccessTargets, type FunctionAccess, grantAccess, HTTP_FUNCTION_ACCESS } from './access.ts';
import { type DeploySettings, mailboxAddress } from './deploy-settings.ts';
import { wafMetricNames } from './edge-stack.ts';
import { Monitoring } from './monitoring.ts';
import { acknowledgeWildcardResources } from './nag.ts';
import { OperatorRoles } from './operator-roles.ts';
import { ProxyvoteFunction } from './proxyvote-function.ts';
import { PublicApi } from './public-api.ts';
import type { RecordQueue } from './stateful-stack.ts';
import { isInvokedAsynchronously, queueVisibilitySeconds, type WorkerSpec } from './worker-spec.ts';

export interface ComputeStackProps extends StackProps {
  meeting: Meeting;
  settings: DeploySettings;
  routes: readonly HttpRoute[];
  workers: readonly WorkerSpec[];
  /** What HTTP functions not in infra/access.ts may do (declared in functions/workers.ts). */
  httpAccess?: Readonly<Record<string, FunctionAccess>>;
  /** From the stateful stack. */
  tables: Readonly<Record<TableKind, ITable>>;
  controlSecret: ISecret;
  /** The CloudFront origin secret: CloudFront sends it, the public functions require it. */
  originSecret: ISecret;
  registerBucket: IBucket;
  logsBucket: IBucket;
  /** From the stateful stack: the queues that hold records, by name. */
  recordQueues?: ReadonlyMap<string, RecordQueue>;
  /** From the edge stack (us-east-1): the WAF web ACL to put in front of the public API. */
  webAclArn: string;
}

/** Lambda function names are at most 64 characters. */
const FUNCTION_NAME_LIMIT = 64;

/**
 * Queues and dead-letter queues keep a message the longest SQS allows, fourteen days: the notice queue
 * holds the control numbers from the import until an operator starts the sending.
 */
const QUEUE_RETENTION = Duration.days(14);
const DLQ_RETENTION = Duration.days(14);

export function pascal(name: string): string {
  return name.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export class ComputeStack extends Stack {
  readonly functions = new Map<string, ProxyvoteFunction>();
  readonly queues = new Map<string, Queue>();
  /** Every dead-letter queue, by what it holds the failures of. */
  readonly deadLetterQueues = new Map<string, Queue>();
  /** The event source mapping of each queue's consumer. */
  readonly consumers = new Map<string, { id: string; arn: string }>();
  readonly publicApi: PublicApi;
  readonly api: HttpApi;
  readonly configurationSet: ConfigurationSet;
  readonly mailEvents: Topic;
  readonly monitoring: Monitoring;
  readonly operatorRoles: OperatorRoles;

  private readonly meeting: Meeting;
  private readonly logRetention: RetentionDays;
  private readonly recordQueues: ReadonlyMap<string, RecordQueue>;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, {
      description: `proxyvote: functions, API, queues, mail, schedules and monitoring of ${props.meeting.id}`,
      crossRegionReferences: true,
      ...props,
    });
    Tags.of(this).add('proxyvote:meeting', props.meeting.id);
    this.meeting = props.meeting;
    this.recordQueues = props.recordQueues ?? new Map();
    this.logRetention = props.settings.logRetentionDays as RetentionDays;
    const meetingId = props.meeting.id;

    // --- Mail: the configuration set every message goes through, its events to an encrypted topic.
    const configurationSetName = `proxyvote-${meetingId}`;
    const mailKey = new Key(this, 'MailEventsKey', {
      description: `proxyvote ${meetingId}: encrypts the SES event topic (it carries recipients' addresses)`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    mailKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.mailEvents = new Topic(this, 'MailEvents', {
      displayName: `proxyvote ${meetingId} mail events`,
      masterKey: mailKey,
      enforceSSL: true,
    });
    this.configurationSet = new ConfigurationSet(this, 'Mail', {
      configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToTopic', {
      destination: EventDestination.snsTopic(this.mailEvents),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.DELIVERY_DELAY,
        EmailSendingEvent.RENDERING_FAILURE,
      ],
    });

    // --- The HTTP API and CloudFront with the WAF in front of it (infra/public-api.ts).
    this.publicApi = new PublicApi(this, 'PublicApi', {
      meetingId,
      throttling: props.settings.throttling,
      logRetention: this.logRetention,
      logsBucket: props.logsBucket,
      webAclArn: props.webAclArn,
      originSecret: props.originSecret,
      ...(props.settings.publicDomain ? { publicDomain: props.settings.publicDomain } : {}),
    });
    this.api = this.publicApi.api;
    const ballotUrl = `${this.publicApi.publicUrl}/vote`;

    // The vote report recipients' parties must be the meeting file's (checked here, where both are known).
    const recipientIssues = recipientProblems(props.meeting, props.settings.voteReports?.recipients ?? []);
    if (recipientIssues.length > 0) throw new InvalidInputError('the deployment settings', recipientIssues);

    // --- Functions: the common environment, then one per HTTP function and per worker.
    const fromAddress = mailboxAddress(props.settings.mail.from);
    if (!fromAddress) throw new Error('mail.from has no address');
    const commonEnvironment: Record<string, string> = {
      MAIL_FROM: props.settings.mail.from,
      SES_CONFIGURATION_SET: configurationSetName,
      MAX_CONTROL_FAILURES: String(props.settings.maxControlFailures),
      BALLOT_URL: ballotUrl,
      METRICS_NAMESPACE: METRICS_NAMESPACE,
    };

    // Queues first: a worker may send to a queue another one consumes.
    for (const worker of props.workers) {
      for (const trigger of worker.triggers) {
        if (trigger.kind === 'queue') this.queue(trigger.queue, worker, trigger.maxReceiveCount ?? 5);
      }
    }
    for (const worker of props.workers) {
      for (const name of worker.access.sendTo ?? []) {
        if (!this.queues.has(name)) {
          throw new Error(`the ${worker.name} worker sends to the queue "${name}", which no worker consumes`);
        }
      }
    }

    // Every function first, then what starts the workers, then the grants (a grant may name the event
    // source mapping of another function's trigger).
    const httpFunctions = [...new Set(props.routes.map((r) => r.function))];
    const accessOf = new Map<string, FunctionAccess>();
    for (const name of Object.keys(props.httpAccess ?? {})) {
      if (HTTP_FUNCTION_ACCESS[name]) {
        throw new Error(
          `the access of the "${name}" function is declared in infra/access.ts and in functions/workers.ts`,
        );
      }
    }
    for (const name of httpFunctions) {
      const access = HTTP_FUNCTION_ACCESS[name] ?? props.httpAccess?.[name];
      if (!access) {
        throw new Error(
          `functions/routes.ts routes to the "${name}" function, but nothing says what it may do: declare it in ` +
            'an export of functions/workers.ts named <SOMETHING>_HTTP_ACCESS (least privilege: nothing is granted by default)',
        );
      }
      this.addFunction(name, `functions/${name}/handler.ts`, commonEnvironment);
      accessOf.set(name, access);
    }
    for (const worker of props.workers) {
      if (this.functions.has(worker.name)) {
        throw new Error(`"${worker.name}" is both an HTTP function and a worker: give them different names`);
      }
      const fn = this.addFunction(
        worker.name,
        worker.entry,
        { ...commonEnvironment, ...worker.environment },
        worker,
      );
      this.attachTriggers(fn, worker, props.registerBucket, props.tables.votes);
      accessOf.set(worker.name, worker.access);
    }
    const targets: AccessTargets = {
      tables: props.tables,
      controlSecret: props.controlSecret,
      registerBucket: props.registerBucket,
      queues: this.queues,
      consumers: this.consumers,
      mail: {
        identityDomain: props.settings.mail.domain,
        fromAddress,
        configurationSet: configurationSetName,
      },
      voteReportRecipients: JSON.stringify(props.settings.voteReports?.recipients ?? []),
    };
    for (const [name, access] of accessOf) {
      const fn = this.functions.get(name);
      if (fn) grantAccess(fn, access, targets);
    }
    this.acknowledgeBucketNotifications();

    // --- Routes: IAM authorization where the route table says so (required under /admin/).
    for (const route of props.routes) {
      const fn = this.functions.get(route.function);
      if (!fn) throw new Error(`no function ${route.function}`);
      this.publicApi.addRoute(route, fn);
    }
    // The public functions answer only what came through CloudFront (shared/http/origin.ts).
    for (const name of new Set(props.routes.filter((r) => r.auth !== 'iam').map((r) => r.function))) {
      const fn = this.functions.get(name);
      if (!fn) continue;
      fn.addEnvironment('ORIGIN_SECRET_ARN', props.originSecret.secretArn);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.originSecret.secretArn],
        }),
      );
    }

    // --- The operator roles: each may invoke only its admin routes (the route table names the role).
    this.operatorRoles = new OperatorRoles(this, 'OperatorRoles', {
      meetingId,
      api: this.api,
      routes: props.routes,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      meeting: props.meeting,
      alarmEmail: props.settings.alarmEmail,
      functions: [...this.functions.values()],
      api: this.api,
      deadLetterQueues: this.deadLetterQueues,
      recordQueues: this.recordQueues,
      webAclName: wafMetricNames(meetingId).acl,
      wafRateRuleMetricName: wafMetricNames(meetingId).rateRule,
      httpFunctionNames: httpFunctions,
      metricsNamespace: METRICS_NAMESPACE,
      metricDimensions: metricDimensions(meetingId),
    });

    new CfnOutput(this, 'ConfigurationSetName', { value: configurationSetName });
    for (const [name, queue] of this.queues) {
      new CfnOutput(this, `${pascal(name)}QueueUrl`, { value: queue.queueUrl });
    }
  }

  private addFunction(
    name: string,
    entry: string,
    environment: Record<string, string>,
    worker?: WorkerSpec,
  ): ProxyvoteFunction {
    const functionName = `proxyvote-${this.meeting.id}-${name}`;
    if (functionName.length > FUNCTION_NAME_LIMIT) {
      throw new Error(
        `the function name ${functionName} is longer than Lambda's ${FUNCTION_NAME_LIMIT} characters: ` +
          'shorten the meeting id or the function directory',
      );
    }
    const asyncDlq =
      worker && isInvokedAsynchronously(worker) ? this.deadLetterQueue(`${name}-function`) : undefined;
    const fn = new ProxyvoteFunction(this, `${pascal(name)}Function`, {
      name,
      entry,
      meetingId: this.meeting.id,
      logRetention: this.logRetention,
      environment,
      // The meeting file travels in each bundle (its first line sets MEETING_JSON): a contested
      // meeting's file is larger than Lambda's whole 4 KB environment.
      bundledEnvironment: { MEETING_JSON: JSON.stringify(this.meeting) },
      functionName,
      ...(worker?.description ? { description: worker.description } : {}),
      ...(worker?.timeoutSeconds ? { timeout: Duration.seconds(worker.timeoutSeconds) } : {}),
      ...(worker?.memorySize ? { memorySize: worker.memorySize } : {}),
      ...(worker?.reservedConcurrency !== undefined
        ? { reservedConcurrency: worker.reservedConcurrency }
        : {}),
      ...(asyncDlq ? { deadLetterQueue: asyncDlq, retryAttempts: 2 } : {}),
    });
    this.functions.set(name, fn);
    return fn;
  }

  /** The custom resource CDK adds to manage the register bucket's notifications from this stack. */
  private acknowledgeBucketNotifications(): void {
    const handler = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (!handler) return;
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's own handler that sets the register bucket's event notification at deploy time (it runs only " +
        'during deployments; its other permissions name the register bucket only); its role is fixed by aws-cdk-lib.',
    });
  }

  /** A queue consumed by a worker, with its dead-letter queue. */
  private queue(name: string, consumer: WorkerSpec, maxReceiveCount: number): Queue {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const records = this.recordQueues.get(name);
    if (records) {
      this.queues.set(name, records.queue);
      this.deadLetterQueues.set(name, records.deadLetters);
      return records.queue;
    }
    const deadLetters = this.deadLetterQueue(name);
    const queue = new Queue(this, `${pascal(name)}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(queueVisibilitySeconds(consumer)),
      retentionPeriod: QUEUE_RETENTION,
      deadLetterQueue: { queue: deadLetters, maxReceiveCount },
    });
    this.queues.set(name, queue);
    return queue;
  }

  /** A dead-letter queue (of a queue, or of a function's asynchronous invocations); alarmed on. */
  private deadLetterQueue(of: string): Queue {
    const dlq = new Queue(this, `${pascal(of)}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
    this.deadLetterQueues.set(of, dlq);
    return dlq;
  }

  private attachTriggers(
    fn: ProxyvoteFunction,
    worker: WorkerSpec,
    registerBucket: IBucket,
    votes: ITable,
  ): void {
    let schedules = 0;
    for (const trigger of worker.triggers) {
      switch (trigger.kind) {
        case 'queue': {
          const queue = this.queues.get(trigger.queue);
          if (!queue) throw new Error(`no queue ${trigger.queue}`);
          if (this.consumers.has(trigger.queue)) {
            throw new Error(`the queue "${trigger.queue}" has two consumers: give each worker its own queue`);
          }
          const source = new SqsEventSource(queue, {
            batchSize: trigger.batchSize ?? 10,
            reportBatchItemFailures: true,
            enabled: trigger.enabled ?? true,
            ...(trigger.maxBatchingWindowSeconds !== undefined
              ? { maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds) }
              : {}),
            ...(trigger.maxConcurrency !== undefined ? { maxConcurrency: trigger.maxConcurrency } : {}),
          });
          fn.addEventSource(source);
          this.consumers.set(trigger.queue, {
            id: source.eventSourceMappingId,
            arn: source.eventSourceMappingArn,
          });
          break;
        }
        case 'schedule': {
          schedules++;
          const id = `${pascal(worker.name)}Schedule${schedules > 1 ? schedules : ''}`;
          const timeZone = trigger.timeZone ?? this.meeting.timeZone;
          const expression = /^(rate|at|cron)\(/.test(trigger.expression)
            ? trigger.expression
            : `cron(${trigger.expression})`;
          // A role of its own per schedule, so that what it may invoke is visible in one place.
          const role = new Role(this, `${id}Role`, {
            assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
              conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
            }),
            description: `proxyvote ${this.meeting.id}: the ${worker.name} schedule`,
          });
          acknowledgeWildcardResources(
            role,
            (resource) => resource.endsWith(':*'),
            `Scheduler's LambdaInvoke target grants lambda:InvokeFunction on the ${worker.name} function and its ` +
              'versions (ARN:*): that one function only.',
          );
          const deadLetters = this.deadLetterQueues.get(`${worker.name}-function`);
          new Schedule(this, id, {
            scheduleGroup: this.scheduleGroup(),
            description: trigger.description ?? `proxyvote ${this.meeting.id}: ${worker.name}`,
            schedule: ScheduleExpression.expression(expression, TimeZone.of(timeZone)),
            target: new LambdaInvoke(fn, {
              role,
              ...(trigger.input !== undefined
                ? { input: ScheduleTargetInput.fromObject(trigger.input) }
                : {}),
              retryAttempts: 2,
              maxEventAge: Duration.hours(1),
              ...(deadLetters ? { deadLetterQueue: deadLetters } : {}),
            }),
          });
          break;
        }
        case 'mail-events':
          fn.addEventSource(new SnsEventSource(this.mailEvents));
          break;
        case 'register-upload': {
          // The bucket lives in the stateful stack: imported here, its notification is managed from
          // this stack (a custom resource), so the stateful stack never depends on a function.
          const bucket = Bucket.fromBucketAttributes(this, `${pascal(worker.name)}UploadBucket`, {
            bucketName: registerBucket.bucketName,
            bucketArn: registerBucket.bucketArn,
          });
          bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), {
            prefix: trigger.prefix,
            ...(trigger.suffix ? { suffix: trigger.suffix } : {}),
          });
          break;
        }
        case 'invoke':
          break;
        case 'votes-stream': {
          // Where a batch that still fails after its retries is recorded (its shard and sequence
          // numbers, not the items): the mapping's on-failure destination, alarmed on like the others.
          const streamFailures = this.deadLetterQueue(`${worker.name}-stream`);
          Validations.of(streamFailures).acknowledge({
            id: 'AwsSolutions::AwsSolutions-SQS3',
            reason:
              "It is a dead-letter queue: the on-failure destination of the votes stream's event source mapping " +
              '(cdk-nag recognises only queues named in a redrive policy or a function dead-letter config).',
          });
          fn.addEventSource(
            new DynamoEventSource(votes, {
              startingPosition: StartingPosition.TRIM_HORIZON,
              batchSize: trigger.batchSize ?? 10,
              bisectBatchOnError: true,
              reportBatchItemFailures: true,
              retryAttempts: trigger.retryAttempts ?? 10,
              onFailure: new SqsDlq(streamFailures),
              filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
            }),
          );
          break;
        }
      }
    }
  }

  private group?: ScheduleGroup;
  private scheduleGroup(): ScheduleGroup {
    this.group ??= new ScheduleGroup(this, 'Schedules', {
      scheduleGroupName: `proxyvote-${this.meeting.id}`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return this.group;
  }
}

/** The namespace and dimensions of the product's own metrics: shared/metrics/catalog.ts. */
export { METRICS_NAMESPACE, metricDimensions };
