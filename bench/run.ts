// `npm run bench`: starts its own DynamoDB Local (in memory, capped heap) and SES endpoint, runs every
// measure of issue 8 within a time budget, stops them, prints a table and writes bench/results.json
// (and the same table as bench/results.md, for the README). Every ratio is taken in this one run
// against the raw cost of the same calls, raw and product measurements alternating.
//   BENCH_BUDGET_SECONDS  the whole run's budget (default 570: under 10 minutes with start and stop)
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
import { BENCH_JAVA_TOOL_OPTIONS, handlerEnv, newSecretHex, startServices } from './support/stack.ts';
import { benchTabulate } from './tabulate.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const started = performance.now();
const budgetS = Number(process.env.BENCH_BUDGET_SECONDS ?? 570);
const budgetEnd = started + budgetS * 1000;
const elapsed = () => ((performance.now() - started) / 1000).toFixed(0);
const log = (line: string) => console.log(line);
const loadAtStart = loadavg();

/** The tabulate worker's deployed Scan segments (functions/workers.ts), so the bench counts the same way. */
function deployedSegments(): number {
  const spec = workers.find((w) => w.name === 'tabulate');
  const n = Number(spec?.environment?.TABULATION_SEGMENTS ?? 8);
  return Number.isInteger(n) && n > 0 ? n : 8;
}

const placeholders: Record<string, Pick<BenchResult, 'unit' | 'target'>> = {
  'submit-c1': { unit: 'submissions/s', target: 'ratio >= 0.7' },
  'submit-c16': { unit: 'submissions/s', target: 'ratio >= 0.7' },
  'notices-10k': { unit: 'notices/s', target: 'ratio >= 0.8' },
  'tabulate-100k': { unit: 's', target: 'ratio <= 1.25 and peak RSS < 1024 MB' },
  'tabulate-1m': { unit: 's', target: 'ratio <= 1.25 and peak RSS < 1024 MB' },
};

/** A measure that threw still gets its entries, saying why they have no value. */
async function measure(names: string[], fn: () => Promise<BenchResult[]>): Promise<BenchResult[]> {
  const t0 = performance.now();
  try {
    const out = await fn();
    log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s; ${elapsed()} s into the run)`);
    return out;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    log(`  FAILED: ${message}`);
    return names.map((name) => ({
      name,
      value: null,
      unit: placeholders[name]?.unit ?? '',
      raw: null,
      ratio: null,
      target: placeholders[name]?.target ?? '',
      pass: false,
      note: `the measure failed: ${message}`,
    }));
  }
}

const java = checkJava();
if (!java.ok) {
  console.error(java.message);
  process.exit(1);
}

log(
  `proxyvote benchmarks: budget ${budgetS} s, load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
);
const services = await startServices();
log(
  `DynamoDB Local ${services.dynamo.endpoint} (JAVA_TOOL_OPTIONS="${BENCH_JAVA_TOOL_OPTIONS}"), SES ${services.ses.endpoint}`,
);
const results: BenchResult[] = [];
try {
  log('\nbundles: each function built as infra/proxyvote-function.ts builds it, and imported cold');
  const bundleEnv = {
    ...handlerEnv({
      names: tableNames('hemacare-2002'),
      dynamoEndpoint: services.dynamo.endpoint,
      sesEndpoint: services.ses.endpoint,
      secretHex: newSecretHex(),
    }),
    BALLOT_URL: 'https://vote.example.com/vote',
    NOTICES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/proxyvote-notices',
  };
  results.push(
    ...(await measure([], () =>
      benchBundles({ env: bundleEnv, imports: 2, deadline: performance.now() + budgetS * 100, log }),
    )),
  );

  log('\nsubmissions: POST /api/proxy through the HTTP adapter vs GetItem + TransactWriteItems');
  results.push(
    ...(await measure(['submit-c1', 'submit-c16'], () =>
      benchSubmit(services, { sliceMs: 750, pairs: 8, warmupMs: 2_000, log }),
    )),
  );

  log('\nnotices: the notice queue consumer vs SendEmail');
  results.push(
    ...(await measure(['notices-10k'], () =>
      benchNotices(services, {
        notices: 10_000,
        chunk: 500,
        warmup: 200,
        // As deployed: the notice queue's event source runs this many batches at once.
        batchesInFlight: NOTICE_MAX_CONCURRENCY,
        // No new chunk pair after an eighth of what is left: the tabulation needs the rest.
        deadline: performance.now() + (budgetEnd - performance.now()) / 8,
        log,
      }),
    )),
  );

  log('\nregister import: importRegister vs the bare transactions of the same items');
  results.push(
    ...(await measure(['import-100k'], () =>
      benchImport(services, { holders: 100_000, slice: 10_000, log }),
    )),
  );

  const segments = deployedSegments();
  log(`\ntabulation: the live count vs the raw parallel Scan (${segments} segments, as deployed)`);
  results.push(
    ...(await measure(['tabulate-100k', 'tabulate-1m'], () =>
      benchTabulate(services, { segments, loadConcurrency: 16, budgetEnd: budgetEnd - 10_000, log }),
    )),
  );
} finally {
  await services.stop();
}

const order = (r: BenchResult) => {
  const i = ['submit-c1', 'submit-c16', 'tabulate-100k', 'tabulate-1m', 'notices-10k'].indexOf(r.name);
  return i >= 0 ? i : 10;
};
results.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));

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
const table = markdownTable(results);
const header = `Run of ${date} on ${machine.cpu}, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, Java ${machine.java}; load average ${machine.loadAverageAtStart.join(' ')} at the start, ${machine.loadAverageAtEnd.join(' ')} at the end; ${durationS} s.`;

writeFileSync(
  join(ROOT, 'bench', 'results.json'),
  `${JSON.stringify(
    {
      date,
      machine,
      durationSeconds: durationS,
      budgetSeconds: budgetS,
      dynamoDbLocal: { javaToolOptions: BENCH_JAVA_TOOL_OPTIONS, inMemory: true },
      results,
    },
    null,
    2,
  )}\n`,
);
writeFileSync(join(ROOT, 'bench', 'results.md'), `${header}\n\n${table}\n`);
log(`\n${header}\n\n${table}\n\nbench/results.json written (${results.length} measures).`);
