// Metrics that hold: every product metric the dashboard or an alarm reads (from the synthesized
// template) is in the one catalog (shared/metrics/catalog.ts) under the same namespace, name and
// dimensions; every metric of the catalog has its emitter in the code; and the emitters' EMF carries
// exactly the catalog's dimensions with the values the template asks for.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { routes } from '../../functions/routes.ts';
import * as declaredWorkers from '../../functions/workers.ts';
import { readDeploySettings } from '../../infra/deploy-settings.ts';
import { wafMetricNames } from '../../infra/edge-stack.ts';
import { DEFAULT_MEETING_FILE, readMeetingFile } from '../../infra/meeting-context.ts';
import { buildMeetingStacks } from '../../infra/meeting-stacks.ts';
import { readWorkersModule } from '../../infra/worker-spec.ts';
import {
  BASE_DIMENSIONS,
  METRICS,
  METRICS_NAMESPACE,
  metricDimensions,
  type ProductMetric,
} from '../../shared/metrics/catalog.ts';
import { powertoolsMetrics } from '../../shared/notices/metrics.ts';
import { tabulationMetrics } from '../../shared/tabulation/metrics.ts';

const outdir = mkdtempSync(join(tmpdir(), 'proxyvote-metrics-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const meeting = readMeetingFile(DEFAULT_MEETING_FILE);
const settings = readDeploySettings('meetings/hemacare-2002.deploy.json');
const { workers, httpAccess } = readWorkersModule(declaredWorkers);
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
const stacks = buildMeetingStacks(app, { meeting, settings, routes, workers, httpAccess });
const compute = Template.fromStack(stacks.compute).toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

/** One metric as a reader asks for it. */
interface Read {
  where: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

/** Every metric the alarms read: single-metric alarms and the metrics inside metric-math alarms. */
function alarmReads(): Read[] {
  const out: Read[] = [];
  for (const [id, r] of Object.entries(compute.Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties;
    const dims = (d: unknown) =>
      Object.fromEntries(
        ((d ?? []) as Array<{ Name: string; Value: unknown }>).map((x) => [x.Name, String(x.Value)]),
      );
    if (typeof p.MetricName === 'string')
      out.push({
        where: id,
        namespace: String(p.Namespace),
        name: p.MetricName,
        dimensions: dims(p.Dimensions),
      });
    for (const m of (p.Metrics ?? []) as Array<{ MetricStat?: { Metric: Record<string, unknown> } }>) {
      const metric = m.MetricStat?.Metric;
      if (metric)
        out.push({
          where: id,
          namespace: String(metric.Namespace),
          name: String(metric.MetricName),
          dimensions: dims(metric.Dimensions),
        });
    }
  }
  return out;
}

/** Every metric the dashboard's widgets read: [namespace, name, dimension, value, ..., options?]. */
function dashboardReads(): Read[] {
  const [dashboard] = Object.values(compute.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  const parts = (dashboard?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const body = JSON.parse(
    parts
      .map((p) => (typeof p === 'string' ? p : '"TOKEN"'))
      .join('')
      .replace(/""TOKEN""/g, '"TOKEN"'),
  ) as {
    widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }>;
  };
  const out: Read[] = [];
  for (const w of body.widgets)
    for (const m of w.properties.metrics ?? []) {
      const plain = m.filter((x) => typeof x === 'string') as string[];
      if (plain.length < 2 || m.some((x) => typeof x === 'object' && x !== null && 'expression' in x))
        continue;
      const [namespace = '', name = '', ...pairs] = plain;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
      out.push({ where: `dashboard: ${w.properties.title ?? '(untitled)'}`, namespace, name, dimensions });
    }
  return out;
}

const reads = [...alarmReads(), ...dashboardReads()];
const productReads = reads.filter((r) => r.namespace === METRICS_NAMESPACE);

describe('what the dashboard and the alarms read', () => {
  it('finds the product metrics of both (the parsing works)', () => {
    const names = new Set(productReads.map((r) => r.name));
    for (const n of [
      'SharesPresent',
      'ProxiesAccepted',
      'Revocations',
      'ControlNumberFailures',
      'TabulationRuns',
    ])
      expect(names, n).toContain(n);
    expect(productReads.some((r) => r.where.startsWith('dashboard'))).toBe(true);
    expect(productReads.some((r) => !r.where.startsWith('dashboard'))).toBe(true);
  });

  it('is in the catalog, with exactly its dimensions and the values the functions give them', () => {
    const expected = metricDimensions(meeting.id);
    for (const r of productReads) {
      const spec = METRICS[r.name as ProductMetric];
      expect(spec, `${r.where} reads ${r.name}, which no code emits`).toBeDefined();
      expect(Object.keys(r.dimensions).sort(), `${r.where}: ${r.name}`).toEqual(
        [...BASE_DIMENSIONS, ...(spec?.extra ?? [])].sort(),
      );
      for (const k of BASE_DIMENSIONS)
        expect(r.dimensions[k], `${r.where}: ${r.name} ${k}`).toBe(expected[k]);
    }
  });

  it('reads the WAF rate rule by its metric name, which is the dimension WAF publishes', () => {
    const waf = reads.filter((r) => r.namespace === 'AWS/WAFV2');
    expect(waf.map((r) => r.dimensions.Rule).sort()).toEqual(
      ['ALL', wafMetricNames(meeting.id).rateRule].sort(),
    );
    for (const r of waf) expect(r.dimensions.WebACL).toBe(wafMetricNames(meeting.id).acl);
  });

  it('alarms on the API 5xx rate instead of HTTP functions errors, and on SES reputation', () => {
    const alarmNames = Object.values(compute.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => String(r.Properties.AlarmName).replace(`proxyvote-${meeting.id}-`, ''));
    for (const name of [
      'api-5xx-rate',
      'notices-failed',
      'ses-bounce-rate',
      'ses-complaint-rate',
      'control-number-guessing',
      'nightly-count-missed',
      'open-conflicts',
      'counted-as-cast-mismatch',
    ])
      expect(alarmNames).toContain(name);
    for (const route of routes) expect(alarmNames).not.toContain(`${route.function}-errors`);
    expect(alarmNames).toContain('tabulate-errors');
    const ses = reads.filter((r) => r.namespace === 'AWS/SES').map((r) => r.name);
    expect(ses.sort()).toEqual(['Reputation.BounceRate', 'Reputation.ComplaintRate']);
  });
});

describe('what the code emits', () => {
  it('has an emitter for every metric of the catalog, in the module the catalog names', () => {
    for (const [name, spec] of Object.entries(METRICS)) {
      const source = readFileSync(spec.emittedBy, 'utf8');
      expect(source, `${spec.emittedBy} emits ${name}`).toMatch(new RegExp(`(count|name)\\('${name}'\\)`));
      for (const d of spec.extra)
        expect(source, `${spec.emittedBy}: ${name} dimension ${d}`).toMatch(new RegExp(`\\b${d}\\b`));
    }
  });

  it('writes EMF under the namespace and with the base dimensions the template reads', () => {
    const lines: string[] = [];
    const service = process.env.POWERTOOLS_SERVICE_NAME;
    process.env.POWERTOOLS_SERVICE_NAME = `proxyvote-${meeting.id}`;
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const t = tabulationMetrics(meeting.id);
      t.addMetric('SharesPresent', MetricUnit.Count, 1);
      t.publishStoredMetrics();
      const v = powertoolsMetrics<ProductMetric>({
        meetingId: meeting.id,
        serviceName: process.env.POWERTOOLS_SERVICE_NAME,
      });
      v.count('ProxiesAccepted');
      v.flush();
    } finally {
      spy.mockRestore();
      if (service === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
      else process.env.POWERTOOLS_SERVICE_NAME = service;
    }
    const docs = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & {
            _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
          },
      );
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      expect(d._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
      expect([...(d._aws.CloudWatchMetrics[0]?.Dimensions[0] ?? [])].sort()).toEqual(
        [...BASE_DIMENSIONS].sort(),
      );
      expect(d.service).toBe(metricDimensions(meeting.id).service);
      expect(d.meeting).toBe(meeting.id);
    }
  });
});
