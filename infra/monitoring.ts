// The meeting's dashboard and alarms, next to the metrics they watch. The product's own metrics
// (namespace ProxyVote, dimensions service + meeting, written by Powertools as EMF) tell how the
// meeting goes: notices sent, failed and bounced; proxies accepted and refused; revocations; shares
// present against the quorum line. AWS's metrics tell how the machinery goes: API 4xx/5xx and p99
// latency, each function's errors, throttles and duration, the dead-letter queues' depth, WAF blocks.
// Alarms (errors, dead letters, throttling, the API's 5xx rate, failed notices, SES reputation, guessing,
// a missed nightly count, open conflicts, counted-as-cast mismatches) go to an SNS topic e-mailing the
// deployment's alarm address. The product metrics come from one catalog (shared/metrics/catalog.ts):
// test/infra/metrics.test.ts checks that every metric read here is emitted, under that namespace, name
// and dimensions.
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
import { internetCutoffMs, type Meeting, requiredQuorum } from '../shared/domain/meeting.ts';
import { zonedInstant } from '../shared/domain/time.ts';
import type { ProductMetric } from '../shared/metrics/catalog.ts';
import type { ProxyvoteFunction } from './proxyvote-function.ts';

/** The product metrics the dashboard and the alarms read (names of shared/metrics/catalog.ts). */
export const PRODUCT_METRICS = {
  noticesSent: 'NoticesSent',
  noticesFailed: 'NoticesFailed',
  noticesBounced: 'NoticesBounced',
  noticesComplaints: 'NoticesComplaints',
  proxiesAccepted: 'ProxiesAccepted',
  proxiesRefused: 'ProxiesRefused',
  revocations: 'Revocations',
  /** A gauge: shares present (by proxy or ballot) at the last count. */
  sharesPresent: 'SharesPresent',
  quorumPercent: 'QuorumPercent',
  openConflicts: 'OpenConflicts',
  accountsPresent: 'AccountsPresent',
  /** One per count made or skipped: none in a day is a missed nightly count. */
  tabulationRuns: 'TabulationRuns',
  /** A count that failed (the tabulation worker). */
  tabulationFailed: 'TabulationFailed',
  /** Control numbers not recognised, across all viewers (the voting functions, shared/voting/submit.ts). */
  controlNumberFailures: 'ControlNumberFailures',
  /** Guesses refused by the per-viewer limit. */
  controlNumberGuessesRefused: 'ControlNumberGuessesRefused',
  /** Notice links used again, unknown or expired. */
  linkTokenRefused: 'LinkTokenRefused',
  /** An account's history differs from the final count (counted-as-cast). */
  countedAsCastMismatch: 'CountedAsCastMismatch',
} as const satisfies Record<string, ProductMetric>;

/** Failed notice sends in an hour before the failed-notices alarm (SES refusals, throttling, bugs). */
export const FAILED_NOTICES_THRESHOLD = 5;
/** The API's 5xx share of requests (per cent, 5 minutes) before the 5xx-rate alarm. */
export const API_5XX_RATE_PERCENT = 1;
/** SES reviews an account at a 5 % bounce rate and may pause its sending at 10 %: alarm well before. */
export const SES_BOUNCE_RATE_ALARM = 0.04;
/** SES reviews an account at a 0.1 % complaint rate and may pause its sending at 0.5 %. */
export const SES_COMPLAINT_RATE_ALARM = 0.001;

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
  /** The WAF rate rule's metric name (its CloudWatch dimension `Rule`, not the rule's name). */
  wafRateRuleMetricName: string;
  /** The HTTP API's functions: their failures show as the API's 5xx (a handler answers 500, not a Lambda error). */
  httpFunctionNames: readonly string[];
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

    const product = (metricName: ProductMetric, statistic = 'Sum', period = Duration.hours(1)) =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName,
        dimensionsMap: props.metricDimensions,
        statistic,
        period,
      });

    // --- Alarms: the workers' errors, every function's throttles, every dead-letter queue, the API's 5xx.
    const http = new Set(props.httpFunctionNames);
    for (const fn of props.functions) {
      if (!http.has(fn.name))
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
    // An HTTP function's exception becomes a 500 answer, not a Lambda error: its failures show here.
    alarm('Api5xxRate', {
      alarmName: 'api-5xx-rate',
      alarmDescription: `More than ${API_5XX_RATE_PERCENT} % of the API's answers in 5 minutes were 5xx (at least 20 requests): a function is failing; its log group says why.`,
      metric: new MathExpression({
        expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
        usingMetrics: { errors: api5xx, requests: apiCount },
        label: '5xx %',
        period: FIVE_MINUTES,
      }),
      threshold: API_5XX_RATE_PERCENT,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    alarm('NoticesFailed', {
      alarmName: 'notices-failed',
      alarmDescription: `${FAILED_NOTICES_THRESHOLD} or more notices failed to send in an hour: see the notice-sender's log and \`proxyvote notices status\`.`,
      metric: product(PRODUCT_METRICS.noticesFailed, 'Sum', Duration.hours(1)),
      threshold: FAILED_NOTICES_THRESHOLD,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    // SES's own reputation metrics (account-wide, in the sending Region): past them SES pauses sending.
    const ses = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    alarm('SesBounceRate', {
      alarmName: 'ses-bounce-rate',
      alarmDescription: `The account's SES bounce rate passed ${SES_BOUNCE_RATE_ALARM * 100} % (SES reviews at 5 %, may pause sending at 10 %): check the register's addresses before sending more.`,
      metric: ses('Reputation.BounceRate'),
      threshold: SES_BOUNCE_RATE_ALARM,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('SesComplaintRate', {
      alarmName: 'ses-complaint-rate',
      alarmDescription: `The account's SES complaint rate passed ${SES_COMPLAINT_RATE_ALARM * 100} % (SES reviews at 0.1 %, may pause sending at 0.5 %).`,
      metric: ses('Reputation.ComplaintRate'),
      threshold: SES_COMPLAINT_RATE_ALARM,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    // Every count (and every nightly run skipped after the final count) emits TabulationRuns: none in a
    // day means the nightly count did not run.
    alarm('NightlyCountMissed', {
      alarmName: 'nightly-count-missed',
      alarmDescription:
        'No count ran in the last 24 hours: the nightly schedule or the tabulate worker did not run (its log group says why). `proxyvote tabulate run` counts now.',
      metric: product(PRODUCT_METRICS.tabulationRuns, 'Sum', Duration.days(1)),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
    alarm('OpenConflicts', {
      alarmName: 'open-conflicts',
      alarmDescription:
        'The last count found same-date paper conflicts open: the inspector resolves them (`proxyvote conflicts`, `proxyvote enter resolution`) before the final count.',
      metric: product(PRODUCT_METRICS.openConflicts, 'Maximum', Duration.hours(1)),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('CountedAsCastMismatch', {
      alarmName: 'counted-as-cast-mismatch',
      alarmDescription:
        "A holder's counted-as-cast check found the account's history different from the final count: the record changed after the certification. Verify the final snapshot (`proxyvote recount --verify`).",
      metric: product(PRODUCT_METRICS.countedAsCastMismatch, 'Sum', FIVE_MINUTES),
      threshold: 1,
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
    // The status page's numbers (GET /admin/status), as of the last count and the notices so far.
    const lastValue = (metricName: ProductMetric, label: string) =>
      product(metricName, 'Maximum', Duration.days(1)).with({ label });
    const total = (metricName: ProductMetric, label: string) =>
      product(metricName, 'Sum', Duration.days(7)).with({ label });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `**Internet cut-off** ${zonedInstant(internetCutoffMs(props.meeting), props.meeting.timeZone)}; ` +
          `the polls close at the meeting. The same numbers, live: \`proxyvote status\` or GET /admin/status?format=html.`,
        width: 24,
        height: 1,
      }),
      new SingleValueWidget({
        title: 'At the last count',
        metrics: [
          lastValue(PRODUCT_METRICS.sharesPresent, 'shares present'),
          lastValue(PRODUCT_METRICS.quorumPercent, '% of the quorum'),
          lastValue(PRODUCT_METRICS.accountsPresent, 'accounts present'),
          lastValue(PRODUCT_METRICS.openConflicts, 'open conflicts'),
        ],
        width: 12,
      }),
      new SingleValueWidget({
        title: 'Last 7 days',
        metrics: [
          total(PRODUCT_METRICS.noticesSent, 'notices sent'),
          total(PRODUCT_METRICS.noticesBounced, 'bounced'),
          total(PRODUCT_METRICS.proxiesAccepted, 'proxies'),
          total(PRODUCT_METRICS.revocations, 'revocations'),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Notices (per hour)',
        left: [
          product(PRODUCT_METRICS.noticesSent).with({ label: 'sent' }),
          product(PRODUCT_METRICS.noticesFailed).with({ label: 'failed' }),
          product(PRODUCT_METRICS.noticesBounced).with({ label: 'bounced' }),
          product(PRODUCT_METRICS.noticesComplaints).with({ label: 'complaints' }),
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
          waf('BlockedRequests', props.wafRateRuleMetricName).with({ label: 'rate limit' }),
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
