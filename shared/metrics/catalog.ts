// Every metric the product emits (CloudWatch EMF through Powertools Metrics), in one place: its name,
// the dimensions it carries and what emits it. The dashboard and the alarms (infra/monitoring.ts) read
// only these, and test/infra/metrics.test.ts checks both sides: every metric the synthesized template
// reads is here with the same namespace and dimensions, and every metric here has an emitter in the code.
// Pure data: no AWS, no environment.

/** The namespace of the product's own metrics. */
export const METRICS_NAMESPACE = 'ProxyVote';

/**
 * The dimensions Powertools puts on every metric: `service` (POWERTOOLS_SERVICE_NAME, set on every
 * function to proxyvote-<meeting>) and `meeting` (each emitter's default dimension).
 */
export const BASE_DIMENSIONS = ['service', 'meeting'] as const;

export function metricDimensions(meetingId: string): Record<(typeof BASE_DIMENSIONS)[number], string> {
  return { service: `proxyvote-${meetingId}`, meeting: meetingId };
}

interface MetricSpec {
  /** Dimensions beyond BASE_DIMENSIONS. */
  readonly extra: readonly string[];
  /** The module that emits it (the metrics test looks for the name there). */
  readonly emittedBy: string;
}

const base = (emittedBy: string): MetricSpec => ({ extra: [], emittedBy });

export const METRICS = {
  // The notices (shared/notices/ports.ts METRIC_NAMES; counted by the sender, the SES events, the reminders).
  NoticesSent: base('shared/notices/sender.ts'),
  NoticesFailed: base('shared/notices/sender.ts'),
  NoticesSkipped: base('shared/notices/sender.ts'),
  NoticesBounced: base('shared/notices/ses-events.ts'),
  NoticesComplaints: base('shared/notices/ses-events.ts'),
  RemindersSent: base('shared/notices/reminders.ts'),
  RemindersFailed: base('shared/notices/reminders.ts'),
  // The holders' side (the voting functions).
  ProxiesAccepted: base('shared/voting/api.ts'),
  ProxiesRefused: base('shared/voting/api.ts'),
  Revocations: base('shared/voting/api.ts'),
  ControlNumberFailures: base('shared/voting/submit.ts'),
  ControlNumberGuessesRefused: base('shared/voting/submit.ts'),
  LinkTokenRefused: base('shared/voting/submit.ts'),
  /** An account's history differs from the final count it was certified by (counted-as-cast). */
  CountedAsCastMismatch: base('shared/tabulation/counted-api.ts'),
  // The counts (shared/tabulation/metrics.ts): the meeting's figures at each count.
  SharesPresent: base('shared/tabulation/metrics.ts'),
  QuorumPercent: base('shared/tabulation/metrics.ts'),
  QuorumMet: base('shared/tabulation/metrics.ts'),
  OpenConflicts: base('shared/tabulation/metrics.ts'),
  AccountsPresent: base('shared/tabulation/metrics.ts'),
  TabulationRunTime: base('shared/tabulation/metrics.ts'),
  InstructionsRead: base('shared/tabulation/metrics.ts'),
  /** One per count made or skipped (a nightly count after the final one): the missed-count alarm. */
  TabulationRuns: base('shared/tabulation/metrics.ts'),
  TabulationFailed: base('shared/tabulation/metrics.ts'),
  NomineeFor: { extra: ['proposal', 'nominee'], emittedBy: 'shared/tabulation/metrics.ts' },
  MatterFor: { extra: ['proposal'], emittedBy: 'shared/tabulation/metrics.ts' },
  MatterAgainst: { extra: ['proposal'], emittedBy: 'shared/tabulation/metrics.ts' },
  MatterAbstain: { extra: ['proposal'], emittedBy: 'shared/tabulation/metrics.ts' },
} as const satisfies Record<string, MetricSpec>;

export type ProductMetric = keyof typeof METRICS;

/** The names the voting functions count (submit, revoke, counted-as-cast). */
export type VotingMetricName = Extract<
  ProductMetric,
  | 'ProxiesAccepted'
  | 'ProxiesRefused'
  | 'Revocations'
  | 'ControlNumberFailures'
  | 'ControlNumberGuessesRefused'
  | 'LinkTokenRefused'
  | 'CountedAsCastMismatch'
>;
