// The metrics of a count (Powertools EMF, namespace ProxyVote, dimensions service and meeting, as every
// metric of the product): one EMF document with the meeting's figures, and one per nominee and per
// matter with the proposal (and nominee) as further dimensions, so a dashboard can chart each line of
// the count night after night.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TabulationResult } from '../domain/tabulate.ts';
import { METRICS_NAMESPACE as NAMESPACE, type ProductMetric } from '../metrics/catalog.ts';
import type { SnapshotHeader } from './snapshots.ts';

export const METRICS_NAMESPACE = NAMESPACE;

/** A metric of the catalog (shared/metrics/catalog.ts): names outside it do not compile. */
const name = (n: ProductMetric): ProductMetric => n;

/** The Metrics of one meeting: namespace ProxyVote (or METRICS_NAMESPACE), default dimension meeting. */
export function tabulationMetrics(meetingId: string, namespace = METRICS_NAMESPACE): Metrics {
  return new Metrics({ namespace, defaultDimensions: { meeting: meetingId } });
}

export function publishRunMetrics(metrics: Metrics, header: SnapshotHeader, result: TabulationResult): void {
  metrics.addMetric(name('SharesPresent'), MetricUnit.Count, result.sharesPresent);
  metrics.addMetric(
    name('QuorumPercent'),
    MetricUnit.Percent,
    Math.round((result.sharesPresent / result.requiredQuorum) * 10_000) / 100,
  );
  metrics.addMetric(name('QuorumMet'), MetricUnit.Count, result.quorumMet ? 1 : 0);
  metrics.addMetric(name('OpenConflicts'), MetricUnit.Count, result.conflicts.length);
  metrics.addMetric(name('AccountsPresent'), MetricUnit.Count, result.accounts.present);
  metrics.addMetric(name('TabulationRunTime'), MetricUnit.Milliseconds, header.durationMs);
  metrics.addMetric(name('InstructionsRead'), MetricUnit.Count, header.digest?.instructions ?? 0);
  metrics.addMetric(name('TabulationRuns'), MetricUnit.Count, 1);
  metrics.addMetadata('runId', header.runId);
  metrics.addMetadata('kind', header.kind);
  metrics.publishStoredMetrics();

  for (const p of result.proposals) {
    if (p.kind === 'election') {
      for (const n of p.nominees) {
        metrics.addDimensions({ proposal: p.id, nominee: n.id });
        metrics.addMetric(name('NomineeFor'), MetricUnit.Count, n.for);
        metrics.publishStoredMetrics();
      }
    } else {
      metrics.addDimension('proposal', p.id);
      metrics.addMetric(name('MatterFor'), MetricUnit.Count, p.for);
      metrics.addMetric(name('MatterAgainst'), MetricUnit.Count, p.against);
      metrics.addMetric(name('MatterAbstain'), MetricUnit.Count, p.abstain);
      metrics.publishStoredMetrics();
    }
  }
}

/** A failed count: one metric, so an alarm can watch for it. */
export function publishFailureMetric(metrics: Metrics, kind: string): void {
  metrics.addMetadata('kind', kind);
  metrics.addMetric(name('TabulationFailed'), MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

/** A nightly count skipped because the final count was made: the schedule ran, nothing was missed. */
export function publishSkippedRunMetric(metrics: Metrics, kind: string): void {
  metrics.addMetadata('kind', kind);
  metrics.addMetric(name('TabulationRuns'), MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
