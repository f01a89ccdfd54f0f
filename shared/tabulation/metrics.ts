// The metrics of a count (Powertools EMF, namespace ProxyVote, dimensions service and meeting, as every
// metric of the product): one EMF document with the meeting's figures, and one per nominee and per
// matter with the proposal (and nominee) as further dimensions, so a dashboard can chart each line of
// the count night after night.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TabulationResult } from '../domain/tabulate.ts';
import type { SnapshotHeader } from './snapshots.ts';

export const METRICS_NAMESPACE = 'ProxyVote';

/** The Metrics of one meeting: namespace ProxyVote (or METRICS_NAMESPACE), default dimension meeting. */
export function tabulationMetrics(meetingId: string, namespace = METRICS_NAMESPACE): Metrics {
  return new Metrics({ namespace, defaultDimensions: { meeting: meetingId } });
}

export function publishRunMetrics(metrics: Metrics, header: SnapshotHeader, result: TabulationResult): void {
  metrics.addMetric('SharesPresent', MetricUnit.Count, result.sharesPresent);
  metrics.addMetric(
    'QuorumPercent',
    MetricUnit.Percent,
    Math.round((result.sharesPresent / result.requiredQuorum) * 10_000) / 100,
  );
  metrics.addMetric('QuorumMet', MetricUnit.Count, result.quorumMet ? 1 : 0);
  metrics.addMetric('OpenConflicts', MetricUnit.Count, result.conflicts.length);
  metrics.addMetric('AccountsPresent', MetricUnit.Count, result.accounts.present);
  metrics.addMetric('TabulationRunTime', MetricUnit.Milliseconds, header.durationMs);
  metrics.addMetric('InstructionsRead', MetricUnit.Count, header.digest?.instructions ?? 0);
  metrics.addMetadata('runId', header.runId);
  metrics.addMetadata('kind', header.kind);
  metrics.publishStoredMetrics();

  for (const p of result.proposals) {
    if (p.kind === 'election') {
      for (const n of p.nominees) {
        metrics.addDimensions({ proposal: p.id, nominee: n.id });
        metrics.addMetric('NomineeFor', MetricUnit.Count, n.for);
        metrics.publishStoredMetrics();
      }
    } else {
      metrics.addDimension('proposal', p.id);
      metrics.addMetric('MatterFor', MetricUnit.Count, p.for);
      metrics.addMetric('MatterAgainst', MetricUnit.Count, p.against);
      metrics.addMetric('MatterAbstain', MetricUnit.Count, p.abstain);
      metrics.publishStoredMetrics();
    }
  }
}

/** A failed count: one metric, so an alarm can watch for it. */
export function publishFailureMetric(metrics: Metrics, kind: string): void {
  metrics.addMetadata('kind', kind);
  metrics.addMetric('TabulationFailed', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
