// The notices' metrics as CloudWatch EMF through Powertools: namespace ProxyVote (METRICS_NAMESPACE),
// one dimension, the meeting. Each flush writes one EMF document to stdout (CloudWatch Logs turns it
// into metrics on AWS); nothing is written when nothing was counted.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName, NoticeMetrics } from './ports.ts';

export const DEFAULT_METRICS_NAMESPACE = 'ProxyVote';

export function powertoolsMetrics(options: {
  meetingId: string;
  namespace?: string | undefined;
  serviceName?: string | undefined;
}): NoticeMetrics {
  const metrics = new Metrics({
    namespace: options.namespace ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: options.serviceName ?? 'proxyvote',
    defaultDimensions: { meeting: options.meetingId },
  });
  const counts = new Map<MetricName, number>();
  return {
    count(name: MetricName, n = 1) {
      if (n > 0) counts.set(name, (counts.get(name) ?? 0) + n);
    },
    flush() {
      if (counts.size === 0) return;
      for (const [name, n] of counts) metrics.addMetric(name, MetricUnit.Count, n);
      counts.clear();
      metrics.publishStoredMetrics();
    },
  };
}
