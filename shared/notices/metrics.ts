// The notices' metrics as CloudWatch EMF through Powertools: namespace ProxyVote (METRICS_NAMESPACE),
// one dimension, the meeting. Each flush writes one EMF document to stdout (CloudWatch Logs turns it
// into metrics on AWS); nothing is written when nothing was counted.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName } from './ports.ts';

export const DEFAULT_METRICS_NAMESPACE = 'ProxyVote';

/** Counts under names of one kind (the notices', the voting functions'), flushed as one EMF document. */
export interface CountingMetrics<N extends string> {
  count(name: N, n?: number): void;
  flush(): void;
}

export function powertoolsMetrics<N extends string = MetricName>(options: {
  meetingId: string;
  namespace?: string | undefined;
  serviceName?: string | undefined;
}): CountingMetrics<N> {
  const metrics = new Metrics({
    namespace: options.namespace ?? DEFAULT_METRICS_NAMESPACE,
    serviceName: options.serviceName ?? 'proxyvote',
    defaultDimensions: { meeting: options.meetingId },
  });
  const counts = new Map<N, number>();
  return {
    count(name: N, n = 1) {
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
