// tabulate-100k, tabulate-1m: the live tabulation (shared/tabulation/live.ts) of 100,000 and 1,000,000
// accounts, each with a holder on the register and an internet proxy in its history, against the raw
// parallel Scan of the same items (same segments, filter, projection and consistent reads) that only
// counts them. Every run is a fresh `node` process, so its peak memory (VmHWM, sampled from /proc
// while it runs) is the tabulating process's own; raw and product runs alternate.
//
// The data go into DynamoDB Local with BatchWriteItem, the 1M data extending the 100k data in the
// same tables, as long as the load rate measured says the load and the counts fit in the time left.
// A scale that does not fit reads the same items from an in-memory Scan server instead
// (support/scan-server.ts): both sides of its ratio read from it, and its entry says so.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../shared/storage/dynamo-client.ts';
import { type TableNames, tableEnvironment } from '../shared/storage/tables.ts';
import { BUILD_DIR, ROOT } from './support/paths.ts';
import type { BenchResult } from './support/results.ts';
import { startScanServer } from './support/scan-server.ts';
import { AS_OF, createBenchTables, MEETING_JSON, type Services } from './support/stack.ts';
import { round } from './support/stats.ts';
import { InstructionItems, loadAccounts, sharesOutstanding } from './support/tab-data.ts';

const CHILD = join(BUILD_DIR, 'tabulate-child.mjs');

export const TABULATE_TARGET = 1.25;
export const LAMBDA_MEMORY_MB = 1024;

export interface TabulateOptions {
  segments: number;
  loadConcurrency: number;
  /** performance.now() by which the tabulation measures must be done. */
  budgetEnd: number;
  log: (line: string) => void;
}

type Mode = 'raw' | 'product';

interface ChildRun {
  mode: Mode;
  ok: boolean;
  ms: number;
  items: number;
  /** Peak resident memory, MB: the child's own report, or the highest VmHWM seen when it was stopped. */
  peakRssMb: number;
  error?: string;
}

async function buildChild(): Promise<void> {
  await build({
    entryPoints: [join(ROOT, 'bench', 'tabulate-child.ts')],
    outfile: CHILD,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
    minify: true,
    logLevel: 'silent',
  });
}

function vmHwmMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the child once; stops it after `timeoutMs`. */
function runChild(mode: Mode, env: Record<string, string>, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CHILD], {
      env: { ...env, BENCH_MODE: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let peak = 0;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-4_000);
    });
    const sample = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, vmHwmMb(child.pid));
    }, 250);
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill('SIGKILL');
      },
      Math.max(1_000, timeoutMs),
    );
    child.on('close', (code) => {
      clearInterval(sample);
      clearTimeout(timer);
      const ms = performance.now() - started;
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) {
        const r = JSON.parse(line) as { ms: number; items: number; maxRssMb: number };
        resolve({ mode, ok: true, ms: r.ms, items: r.items, peakRssMb: Math.max(peak, r.maxRssMb) });
        return;
      }
      const error = timedOut
        ? `stopped after ${(ms / 1000).toFixed(0)} s, the time the run had left`
        : (err.split('\n').find((l) => /Error/.test(l)) ?? `exit code ${code}`).trim().slice(0, 300);
      resolve({ mode, ok: false, ms, items: 0, peakRssMb: peak, ...(error ? { error } : {}) });
    });
  });
}

function childEnv(
  tables: TableNames,
  endpoint: string,
  accounts: number,
  segments: number,
): Record<string, string> {
  const json = JSON.parse(MEETING_JSON) as Record<string, unknown>;
  json.sharesOutstanding = sharesOutstanding(accounts);
  return {
    PATH: process.env.PATH ?? '',
    ...tableEnvironment(tables),
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    MEETING_JSON: JSON.stringify(json),
    BENCH_SEGMENTS: String(segments),
    BENCH_ACCOUNTS: String(accounts),
  };
}

const fmtN = (n: number) => n.toLocaleString('en-US');

function entry(
  name: string,
  accounts: number,
  runs: ChildRun[],
  extra: Record<string, unknown>,
  note?: string,
): BenchResult {
  const target = `ratio <= ${TABULATE_TARGET} and peak RSS < ${LAMBDA_MEMORY_MB} MB`;
  const raws = runs.filter((r) => r.mode === 'raw' && r.ok);
  const products = runs.filter((r) => r.mode === 'product' && r.ok);
  const failed = runs.find((r) => !r.ok);
  const productPeak = Math.max(0, ...runs.filter((r) => r.mode === 'product').map((r) => r.peakRssMb));
  const details = {
    accounts,
    runs: runs.map((r) => ({
      mode: r.mode,
      seconds: round(r.ms / 1000, 2),
      peakRssMb: round(r.peakRssMb, 0),
      ...(r.ok ? {} : { error: r.error }),
    })),
    rawIs:
      'the same two parallel Scans (register: type holder; votes: type instruction, projection pk, sk, body; consistent), items only counted',
    ...extra,
  };
  if (failed || raws.length === 0 || products.length === 0) {
    const why = failed ? `a ${failed.mode} run failed: ${failed.error}` : 'no complete raw and product runs';
    return {
      name,
      value: null,
      unit: 's',
      raw: null,
      ratio: null,
      target,
      pass: false,
      ...(productPeak > 0 ? { peakRssMb: round(productPeak, 0) } : {}),
      note: [note, why, productPeak > 0 ? `peak RSS of the product run ${round(productPeak, 0)} MB` : '']
        .filter(Boolean)
        .join('; '),
      details,
    };
  }
  const rawS = raws.reduce((s, r) => s + r.ms, 0) / raws.length / 1000;
  const productS = products.reduce((s, r) => s + r.ms, 0) / products.length / 1000;
  const ratio = productS / rawS;
  return {
    name,
    value: round(productS, 2),
    unit: 's',
    raw: round(rawS, 2),
    ratio: round(ratio, 3),
    target,
    pass: ratio <= TABULATE_TARGET && productPeak < LAMBDA_MEMORY_MB,
    peakRssMb: round(productPeak, 0),
    ...(note ? { note } : {}),
    details,
  };
}

/** Runs alternately while the time allows: at least `order[0]` and `order[1]`. */
async function alternate(
  label: string,
  env: Record<string, string>,
  order: readonly Mode[],
  left: () => number,
  log: (line: string) => void,
): Promise<ChildRun[]> {
  const runs: ChildRun[] = [];
  for (const mode of order) {
    if (runs.length >= 2) {
      const slowest = Math.max(...runs.map((r) => r.ms));
      if (2 * slowest * 1.2 > left()) break;
    }
    const r = await runChild(mode, env, left() - 3_000);
    runs.push(r);
    log(
      `    ${label} ${mode}: ${r.ok ? `${(r.ms / 1000).toFixed(2)} s` : r.error}, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
    );
    if (!r.ok) break;
  }
  return runs;
}

export async function benchTabulate(services: Services, options: TabulateOptions): Promise<BenchResult[]> {
  const { log } = options;
  await buildChild();
  const meeting = parseMeeting(MEETING_JSON, 'MEETING_JSON');
  const items = new InstructionItems(meeting.timeZone, Date.parse(AS_OF) - 86_400_000);
  const tables = await createBenchTables(services.dynamo.endpoint, 'tab');
  const left = () => options.budgetEnd - performance.now();
  const small = 100_000;
  const large = 1_000_000;
  const results: BenchResult[] = [];
  const inMemory = async <T>(accounts: number, fn: (endpoint: string) => Promise<T>): Promise<T> => {
    const server = await startScanServer({
      registerTable: tables.names.register,
      votesTable: tables.names.votes,
      accounts,
      items,
    });
    try {
      return await fn(server.endpoint);
    } finally {
      await server.close();
    }
  };
  try {
    // ---- 100k: loaded into DynamoDB Local, in steps; given up as soon as the measured rate says the
    // load would not end within 45% of the time left (the counts need the rest).
    const loadDeadline = performance.now() + left() * 0.45;
    const t0 = performance.now();
    let loaded = 0;
    let projectedS = 0;
    while (loaded < small) {
      loaded += await loadAccounts({
        doc: tables.clients.doc,
        tables: tables.names,
        items,
        from: loaded,
        to: Math.min(small, loaded + 5_000),
        concurrency: options.loadConcurrency,
        deadline: loadDeadline,
      });
      const spent = performance.now() - t0;
      projectedS = (spent * (small / loaded)) / 1000;
      if (loaded < small && (performance.now() > loadDeadline || t0 + projectedS * 1000 > loadDeadline))
        break;
    }
    const loadS = (performance.now() - t0) / 1000;
    const itemsPerS = (2 * loaded) / loadS;
    log(
      `  ${fmtN(loaded)} accounts (${fmtN(2 * loaded)} items) loaded into DynamoDB Local in ${loadS.toFixed(0)} s: ${fmtN(Math.round(itemsPerS))} items/s`,
    );
    const loadFacts = {
      loadSeconds: round(loadS, 1),
      itemsPerSecondLoaded: round(itemsPerS, 0),
      accountsLoaded: loaded,
    };
    let run100k: ChildRun[];
    if (loaded === small) {
      const env = childEnv(tables.names, services.dynamo.endpoint, small, options.segments);
      run100k = await alternate('100k', env, ['raw', 'product', 'product', 'raw'], left, log);
      results.push(
        entry('tabulate-100k', small, run100k, {
          source: 'DynamoDB Local',
          segments: options.segments,
          ...loadFacts,
        }),
      );
    } else {
      const why = `DynamoDB Local took in ${fmtN(Math.round(itemsPerS))} items/s here: the ${fmtN(2 * small)} items would have taken about ${fmtN(Math.round(projectedS))} s, so the load stopped at ${fmtN(loaded)} accounts and the Scans were served by the bench's in-memory Scan server`;
      log(`  100k: ${why}`);
      run100k = await inMemory(small, (endpoint) =>
        alternate(
          '100k',
          childEnv(tables.names, endpoint, small, options.segments),
          ['raw', 'product', 'product', 'raw'],
          // A fifth of what is left, at least one raw and one product run: the 1M count needs the rest.
          () => Math.min(left(), 0.2 * left() + 10_000),
          log,
        ),
      );
      results.push(
        entry(
          'tabulate-100k',
          small,
          run100k,
          {
            source: 'in-memory Scan server (bench/support/scan-server.ts)',
            segments: options.segments,
            ...loadFacts,
          },
          why,
        ),
      );
    }

    // ---- 1M: in DynamoDB Local only if the measured rates say the load and the counts fit.
    const slowest100k = Math.max(0, ...run100k.filter((r) => r.ok).map((r) => r.ms)) / 1000;
    const projectedLoadS = (2 * (large - loaded)) / Math.max(1, itemsPerS);
    const projectedRunsS = 2 * slowest100k * (large / small);
    if (loaded === small && (projectedLoadS + projectedRunsS) * 1000 < left()) {
      const t1 = performance.now();
      const more = await loadAccounts({
        doc: tables.clients.doc,
        tables: tables.names,
        items,
        from: small,
        to: large,
        concurrency: options.loadConcurrency,
        deadline: options.budgetEnd - projectedRunsS * 1000,
      });
      const loadLargeS = (performance.now() - t1) / 1000;
      log(`  ${fmtN(small + more)} accounts loaded (${loadLargeS.toFixed(0)} s more)`);
      const runs =
        small + more === large
          ? await alternate(
              '1M',
              childEnv(tables.names, services.dynamo.endpoint, large, options.segments),
              ['raw', 'product'],
              left,
              log,
            )
          : [];
      results.push(
        entry(
          'tabulate-1m',
          large,
          runs,
          { source: 'DynamoDB Local', segments: options.segments, loadSeconds: round(loadS + loadLargeS, 1) },
          small + more < large ? `only ${fmtN(small + more)} accounts could be loaded in time` : undefined,
        ),
      );
    } else {
      const why = `loading ${fmtN(large)} accounts (${fmtN(2 * large)} items) into DynamoDB Local would take about ${fmtN(Math.round((2 * large) / Math.max(1, itemsPerS)))} s at the ${fmtN(Math.round(itemsPerS))} items/s measured in this run: the Scans were served by the bench's in-memory Scan server`;
      log(`  1M: ${why}`);
      // The product first: its peak memory is the figure the time must not be short of.
      const runs = await inMemory(large, (endpoint) =>
        alternate(
          '1M',
          childEnv(tables.names, endpoint, large, options.segments),
          ['product', 'raw'],
          left,
          log,
        ),
      );
      results.push(
        entry(
          'tabulate-1m',
          large,
          runs,
          { source: 'in-memory Scan server (bench/support/scan-server.ts)', segments: options.segments },
          why,
        ),
      );
    }
  } finally {
    await tables.drop();
    tables.clients.client.destroy();
  }
  return results;
}
