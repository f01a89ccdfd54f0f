// The meeting's dashboard and alarms, next to the metrics they watch. The product's own metrics
// (namespace ProxyVote, dimensions service + meeting, written by Powertools as EMF) tell how the
// meeting goes: notices sent, failed and bounced; proxies accepted and refused; revocations; shares
// present against the quorum line. AWS's metrics tell how the machinery goes: API 4xx/5xx and p99
// latency, each function's errors, throttles and duration, the dead-letter queues' depth, WAF blocks.
// Alarms (errors, dead letters, throttling) go to an SNS topic e-mailing the deployment's alarm address.
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  type AlarmProps,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type Meeting, requiredQuorum } from '../shared/domain/meeting.ts';
import type { ProxyvoteFunction } from './proxyvote-function.ts';

/** The product metrics the dashboard reads; the functions emit them with Powertools Metrics. */
export const PRODUCT_METRICS = {
  noticesSent: 'NoticesSent',
  noticesFailed: 'NoticesFailed',
  noticesBounced: 'NoticesBounced',
  proxiesAccepted: 'ProxiesAccepted',
  proxiesRefused: 'ProxiesRefused',
  revocations: 'Revocations',
  /** A gauge: shares present (by proxy or ballot) at the last count. */
  sharesPresent: 'SharesPresent',
  /** A count that failed (the tabulation worker). */
  tabulationFailed: 'TabulationFailed',
  /** Control numbers not recognised, across all viewers (the voting functions, shared/voting/submit.ts). */
  controlNumberFailures: 'ControlNumberFailures',
  /** Guesses refused by the per-viewer limit. */
  controlNumberGuessesRefused: 'ControlNumberGuessesRefused',
  /** Notice links used again, unknown or expired. */
  linkTokenRefused: 'LinkTokenRefused',
} as const;

/**
 * Control numbers not recognised in 15 minutes, across all viewers, before the distributed-guessing
 * alarm: far above what holders' typos make (a typo fails the check digit before any look-up, so
 * what counts here is a well-formed number that nobody holds), far below what a guesser needs
 * (docs/security.md has the arithmetic).
 */
export const GUESSING_ALARM_THRESHOLD = 200;

export interface MonitoringProps {
  meeting: Meeting;
  alarmEmail: string;
  functions: readonly ProxyvoteFunction[];
  api: HttpApi;
  deadLetterQueues: ReadonlyMap<string, Queue>;
  /** Queues holding records in flight (the notice queue): alarmed on their oldest message's age. */
  recordQueues?: ReadonlyMap<string, { queue: Queue; deadLetters: Queue }>;
  webAclName: string;
  metricsNamespace: string;
  metricDimensions: Record<string, string>;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * SQS deletes a message 14 days after it was sent. A record queue's oldest message older than this
 * means records waiting too long (notices imported but never sent): time enough to act before expiry.
 */
export const RECORD_AGE_ALARM = Duration.days(2);

export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const meetingId = props.meeting.id;

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `proxyvote ${meetingId} alarms`,
      enforceSSL: true,
    });
    this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(this.alarmTopic);
    const alarm = (alarmId: string, alarmProps: AlarmProps) => {
      const a = new Alarm(this, alarmId, {
        treatMissingData: TreatMissingData.NOT_BREACHING,
        ...alarmProps,
        alarmName: `proxyvote-${meetingId}-${alarmProps.alarmName}`,
      });
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      this.alarms.push(a);
      return a;
    };

    const product = (metricName: string, statistic = 'Sum', period = Duration.hours(1)) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: props.metricDimensions,
        statistic,
        period,
      });

    // --- Alarms: every function's errors and throttles, every dead-letter queue, the API's 5xx.
    for (const fn of props.functions) {
      alarm(`${fn.node.id}Errors`, {
        alarmName: `${fn.name}-errors`,
        alarmDescription: `The ${fn.name} function failed (its own log group says why).`,
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      alarm(`${fn.node.id}Throttles`, {
        alarmName: `${fn.name}-throttles`,
        alarmDescription: `The ${fn.name} function was throttled: the account's concurrency is exhausted.`,
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    for (const [of, queue] of props.deadLetterQueues) {
      alarm(`${queue.node.id}Depth`, {
        alarmName: `${of}-dead-letters`,
        alarmDescription: `Messages or events of ${of} gave up and wait in ${queue.node.id}: look, fix, redrive.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    for (const [name, { queue, deadLetters }] of props.recordQueues ?? []) {
      for (const [which, q, what] of [
        ['Queue', queue, `The ${name} queue`],
        ['DeadLetters', deadLetters, `The dead-letter queue of ${name}`],
      ] as const) {
        alarm(`${q.node.id}OldestMessageAge`, {
          alarmName: `${name}-${which === 'Queue' ? 'queue' : 'dead-letters'}-oldest-message-age`,
          alarmDescription:
            `${what} has held a message for more than ${RECORD_AGE_ALARM.toDays()} days; SQS deletes it at 14 ` +
            `days, and with it the control number it carries. ${which === 'Queue' ? 'Start the sending (proxyvote notices send) or find why the consumer is stopped.' : 'Look, fix, redrive before it expires.'}`,
          metric: q.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
          threshold: RECORD_AGE_ALARM.toSeconds(),
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        });
      }
    }

    const api5xx = props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const api4xx = props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const apiCount = props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    alarm('Api5xx', {
      alarmName: 'api-5xx',
      alarmDescription: 'The HTTP API answered 5xx: a function failed or timed out.',
      metric: api5xx,
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    alarm('TabulationFailed', {
      alarmName: 'tabulation-failed',
      alarmDescription: "A count failed: the tabulate function's log says why; the last snapshot stands.",
      metric: product(PRODUCT_METRICS.tabulationFailed, 'Sum', FIVE_MINUTES),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    // A distributed guesser stays under each viewer's limit: it shows as failures rising across viewers.
    alarm('ControlNumberGuessing', {
      alarmName: 'control-number-guessing',
      alarmDescription:
        `More than ${GUESSING_ALARM_THRESHOLD} control numbers were not recognised in 15 minutes, across all viewers: ` +
        'someone may be guessing from many addresses. See docs/security.md (what to do).',
      metric: product(PRODUCT_METRICS.controlNumberFailures, 'Sum', Duration.minutes(15)),
      threshold: GUESSING_ALARM_THRESHOLD,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // --- The dashboard.
    const quorum = requiredQuorum(props.meeting);
    const quorumLine: HorizontalAnnotation = {
      value: quorum,
      label: `Quorum: ${quorum.toLocaleString('en-US')} shares`,
    };
    const waf = (metricName: string, rule: string) =>
      new Metric({
        namespace: 'AWS/WAFV2',
        metricName,
        dimensionsMap: { WebACL: props.webAclName, Rule: rule },
        region: 'us-east-1',
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const perFunction = (make: (fn: ProxyvoteFunction) => IMetric) => props.functions.map(make);

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `proxyvote-${meetingId}`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# ${props.meeting.company.name}: ${props.meeting.title}\n` +
          `Meeting ${props.meeting.start} (${props.meeting.timeZone}); ${props.meeting.sharesOutstanding.toLocaleString('en-US')} shares outstanding, quorum ${quorum.toLocaleString('en-US')}.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Notices (per hour)',
        left: [
          product(PRODUCT_METRICS.noticesSent).with({ label: 'sent' }),
          product(PRODUCT_METRICS.noticesFailed).with({ label: 'failed' }),
          product(PRODUCT_METRICS.noticesBounced).with({ label: 'bounced' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Proxies and revocations (per hour)',
        left: [
          product(PRODUCT_METRICS.proxiesAccepted).with({ label: 'proxies accepted' }),
          product(PRODUCT_METRICS.proxiesRefused).with({ label: 'proxies refused' }),
          product(PRODUCT_METRICS.revocations).with({ label: 'revocations' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Control-number guessing, all viewers (15 min)',
        left: [
          product(PRODUCT_METRICS.controlNumberFailures, 'Sum', Duration.minutes(15)).with({
            label: 'numbers not recognised',
          }),
          product(PRODUCT_METRICS.controlNumberGuessesRefused, 'Sum', Duration.minutes(15)).with({
            label: 'guesses refused (limit)',
          }),
          product(PRODUCT_METRICS.linkTokenRefused, 'Sum', Duration.minutes(15)).with({
            label: 'spent links refused',
          }),
        ],
        leftAnnotations: [{ value: GUESSING_ALARM_THRESHOLD, label: 'alarm' }],
        width: 8,
      }),
      new GraphWidget({
        title: 'Shares present against the quorum',
        left: [product(PRODUCT_METRICS.sharesPresent, 'Maximum').with({ label: 'shares present' })],
        leftAnnotations: [quorumLine],
        leftYAxis: { min: 0 },
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API responses (5 min)',
        left: [
          apiCount.with({ label: 'requests' }),
          api4xx.with({ label: '4xx' }),
          api5xx.with({ label: '5xx' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'API latency p99 (ms)',
        left: [props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }).with({ label: 'p99' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'WAF blocks (us-east-1)',
        left: [
          waf('BlockedRequests', 'ALL').with({ label: 'all blocked' }),
          waf('BlockedRequests', 'rate-per-source-address').with({ label: 'rate limit' }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        left: perFunction((fn) => fn.metricErrors({ period: FIVE_MINUTES }).with({ label: fn.name })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda throttles',
        left: perFunction((fn) => fn.metricThrottles({ period: FIVE_MINUTES }).with({ label: fn.name })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda duration p99 (ms)',
        left: perFunction((fn) =>
          fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }).with({ label: fn.name }),
        ),
        width: 8,
      }),
    );
    const deadLetters = [...props.deadLetterQueues].map(([of, queue]) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }).with({
        label: of,
      }),
    );
    if (deadLetters.length > 0) {
      this.dashboard.addWidgets(
        new GraphWidget({ title: 'Dead-letter depth', left: deadLetters, width: 16 }),
        new SingleValueWidget({
          title: 'Dead letters now',
          metrics: [
            new MathExpression({
              expression: deadLetters.map((_, i) => `m${i}`).join(' + '),
              usingMetrics: Object.fromEntries(deadLetters.map((m, i) => [`m${i}`, m])),
              label: 'messages waiting',
              period: FIVE_MINUTES,
            }),
          ],
          width: 8,
        }),
      );
    }
  }
}
