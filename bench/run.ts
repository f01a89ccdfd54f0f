// `npm run bench`: starts its own DynamoDB Local (in memory, capped heap) and SES endpoint, runs every
// measure to its end, stops them, prints a table and writes bench/results.json (and the same table as
// bench/results.md). Each measure's cases are sized so that the whole run takes at most 15 minutes on
// a quiet 2-core machine: there is no time budget that cuts a measure short, and no measure picks its
// data source or its number of runs from how fast the machine is. Every ratio is taken in this one run
// against the raw cost of the same calls over the same data source, raw and product alternating.
// docs/performance.md explains each measure and why it is fair.
//
//   npm run bench                          every measure; writes bench/results.json and results.md
//   npm run bench -- tabulate-1m cold-start  only those (by entry name); prints, writes nothing
import { writeFileSync } from 'node:fs';
import { arch, cpus, hostname, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NOTICE_MAX_CONCURRENCY, workers } from '../functions/workers.ts';
import { checkJava } from '../shared/local/dynamo-local.ts';
import { tableNames } from '../shared/storage/tables.ts';
import { benchBundles } from './bundles.ts';
import { benchImport } from './import.ts';
import { benchNotices } from './notices.ts';
import { benchSubmit } from './submit.ts';
import { ROOT } from './support/paths.ts';
import { type BenchResult, markdownTable } from './support/results.ts';
import {
  BENCH_JAVA_TOOL_OPTIONS,
  handlerEnv,
  newSecretHex,
  type Services,
  startServices,
} from './support/stack.ts';
import { benchTabulate } from './tabulate.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const started = performance.now();
const elapsed = () => ((performance.now() - started) / 1000).toFixed(0);
const log = (line: string) => console.log(line);
const loadAtStart = loadavg();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The tabulate worker's deployed Scan segments (functions/workers.ts), so the bench counts the same way. */
function deployedSegments(): number {
  const spec = workers.find((w) => w.name === 'tabulate');
  const n = Number(spec?.environment?.TABULATION_SEGMENTS ?? 8);
  return Number.isInteger(n) && n > 0 ? n : 8;
}

/**
 * One measure: the entries it writes (each always present in results.json: a measure that fails or
 * is not there yet still gets its entries, saying why they have no value), and how to run it.
 */
interface Measure {
  /** The entries it produces, in the order of the table. */
  names: string[];
  title: string;
  /** Unit and target of each entry, for a measure that could not produce it. */
  placeholders: Record<string, Pick<BenchResult, 'unit' | 'target'>>;
  run(services: Services): Promise<BenchResult[]>;
}

const MEASURES: Measure[] = [
  {
    names: ['bundles', 'cold-start'],
    title: 'bundles: each function built as infra/proxyvote-function.ts builds it, and imported cold',
    placeholders: {
      bundles: { unit: 'KB', target: 'every bundle < 300 KB without the pinned AWS SDK' },
      'cold-start': { unit: 'ms', target: 'median import of the largest bundle <= 150 ms' },
    },
    run: (services) =>
      benchBundles({
        env: {
          ...handlerEnv({
            names: tableNames('hemacare-2002'),
            dynamoEndpoint: services.dynamo.endpoint,
            sesEndpoint: services.ses.endpoint,
            secretHex: newSecretHex(),
          }),
          BALLOT_URL: 'https://vote.example.com/vote',
          NOTICES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/proxyvote-notices',
        },
        imports: 3,
        largestImports: 11,
        log,
      }),
  },
  {
    names: ['submit-c1', 'submit-c16'],
    title: 'submissions: POST /api/proxy through the HTTP adapter vs the minimal calls',
    placeholders: {
      'submit-c1': { unit: 'submissions/s', target: 'ratio >= 0.8' },
      'submit-c16': { unit: 'submissions/s', target: 'ratio >= 0.7' },
    },
    // Slices of 2.5 s: at c1 about 40-60 submissions each, enough for a stable median.
    run: (services) => benchSubmit(services, { sliceMs: 2_500, pairs: 4, warmupMs: 2_000, log }),
  },
  {
    names: ['notices-10k'],
    title: 'notices: the notice queue consumer vs the minimal calls of an at-most-once send',
    placeholders: { 'notices-10k': { unit: 'notices/s', target: 'ratio >= 0.8' } },
    run: (services) =>
      benchNotices(services, {
        notices: 10_000,
        chunk: 500,
        warmup: 200,
        // As deployed: the notice queue's event source runs this many batches at once.
        batchesInFlight: NOTICE_MAX_CONCURRENCY,
        // Every chunk runs: the measure is sized, not cut short.
        deadline: Number.POSITIVE_INFINITY,
        log,
      }),
  },
  // The register import at 100k holders (bench/import.ts).
  {
    names: ['import-100k'],
    title: 'register import: 100,000 holders end to end',
    placeholders: { 'import-100k': { unit: 'holders/s', target: 'ratio >= 0.8' } },
    // Slices of 10,000 holders, product and bare transactions alternating.
    run: (services) => benchImport(services, { holders: 100_000, slice: 10_000, log }),
  },
  {
    names: ['tabulate-100k', 'tabulate-1m'],
    title: `tabulation: the live count vs the raw parallel Scan (${deployedSegments()} segments, as deployed)`,
    placeholders: {
      'tabulate-100k': { unit: 's', target: 'ratio <= 1.25' },
      'tabulate-1m': { unit: 's', target: 'ratio <= 1.25' },
    },
    run: () => {
      const only = selected
        ? (['100k', '1m'] as const).filter((s) => selected?.has(`tabulate-${s}`))
        : undefined;
      return benchTabulate({
        segments: deployedSegments(),
        loadConcurrency: 16,
        rounds100k: 2,
        rounds1m: 1,
        ...(only ? { scales: only } : {}),
        log,
      });
    },
  },
];

/** A measure that threw still gets its entries, saying why they have no value. */
async function measure(m: Measure, services: Services): Promise<BenchResult[]> {
  const t0 = performance.now();
  log(`\n${m.title} (load average ${load()})`);
  try {
    const out = await m.run(services);
    log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s; ${elapsed()} s into the run; load ${load()})`);
    return out.map((r) => ({ ...r, loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) }));
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    log(`  FAILED: ${message}`);
    return m.names.map((name) => ({
      name,
      value: null,
      unit: m.placeholders[name]?.unit ?? '',
      raw: null,
      ratio: null,
      target: m.placeholders[name]?.target ?? '',
      pass: false,
      note: `the measure failed: ${message}`,
    }));
  }
}

const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = args.length > 0 ? new Set(args) : null;
const known = new Set(MEASURES.flatMap((m) => m.names));
for (const a of args)
  if (!known.has(a)) {
    console.error(`no measure named ${a}; the measures are: ${[...known].join(', ')}`);
    process.exit(2);
  }

const java = checkJava();
if (!java.ok) {
  console.error(java.message);
  process.exit(1);
}

log(
  `proxyvote benchmarks${selected ? ` (only ${[...selected].join(', ')})` : ''}: load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
);
const services = await startServices();
log(
  `DynamoDB Local ${services.dynamo.endpoint} (JAVA_TOOL_OPTIONS="${BENCH_JAVA_TOOL_OPTIONS}"), SES ${services.ses.endpoint}`,
);
const results: BenchResult[] = [];
try {
  for (const m of MEASURES) {
    if (selected && !m.names.some((n) => selected.has(n))) continue;
    results.push(...(await measure(m, services)));
  }
} finally {
  await services.stop();
}

const order = MEASURES.flatMap((m) => m.names);
const rank = (r: BenchResult) => {
  const i = order.indexOf(r.name);
  return i >= 0 ? i : order.length;
};
const shown = results.filter((r) => !selected || selected.has(r.name));
shown.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));

const cpu = cpus();
const machine = {
  host: hostname(),
  cpu: `${cpu.length} x ${cpu[0]?.model ?? 'unknown'}`,
  memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  os: `${platform()} ${release()} ${arch()}`,
  node: process.version,
  java: java.version ?? null,
  loadAverageAtStart: loadAtStart.map((l) => Math.round(l * 100) / 100),
  loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
};
const date = new Date().toISOString();
const durationS = Math.round((performance.now() - started) / 100) / 10;
const table = markdownTable(shown);
const header = `Run of ${date} on ${machine.cpu}, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, Java ${machine.java}; load average ${machine.loadAverageAtStart.join(' ')} at the start, ${machine.loadAverageAtEnd.join(' ')} at the end; ${durationS} s.`;

if (!selected) {
  writeFileSync(
    join(ROOT, 'bench', 'results.json'),
    `${JSON.stringify(
      {
        date,
        machine,
        durationSeconds: durationS,
        dynamoDbLocal: { javaToolOptions: BENCH_JAVA_TOOL_OPTIONS, inMemory: true },
        results: shown,
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(join(ROOT, 'bench', 'results.md'), `${header}\n\n${table}\n`);
}
log(
  `\n${header}\n\n${table}\n\n${selected ? 'A partial run: bench/results.json left as it was.' : `bench/results.json written (${shown.length} entries).`}`,
);
