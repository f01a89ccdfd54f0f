// tabulate-100k, tabulate-1m: the live tabulation (shared/tabulation/live.ts) of 100,000 and 1,000,000
// accounts, each with a holder on the register and an internet proxy in its history, against the raw
// parallel Scan of the same items through the same scanSegments (same segments, filter, projection,
// consistent reads and one page read ahead), which only counts them.
//
// Fair by construction, whatever the machine's load:
// - the data source of each scale is fixed here, never chosen by timing: 100k from DynamoDB Local (an
//   instance of its own, loaded in full before any run), 1M from the bench's in-memory Scan server
//   (support/scan-server.ts: 2M items cannot be loaded into DynamoDB Local in a 15-minute run). Both
//   sides of a ratio read the same source;
// - one untimed raw run first (it fills the Scan server's page cache and warms DynamoDB Local), then
//   raw and product runs alternate ABBA, the same number of each, every run to its end;
// - every run is a fresh `node` process: its wall time, its CPU time (process.cpuUsage: all its
//   threads) and its peak memory are its own. The entry gives the medians of both sides.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { workers } from '../functions/workers.ts';
import { parseMeeting } from '../shared/domain/meeting.ts';
import { startDynamoLocal } from '../shared/local/dynamo-local.ts';
import { findFreePorts } from '../shared/local/ports.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../shared/storage/dynamo-client.ts';
import { type TableNames, tableEnvironment, tableNames } from '../shared/storage/tables.ts';
import { BUILD_DIR, ROOT } from './support/paths.ts';
import type { BenchResult } from './support/results.ts';
import { startScanServer } from './support/scan-server.ts';
import { AS_OF, BENCH_JAVA_TOOL_OPTIONS, createBenchTables, MEETING_JSON } from './support/stack.ts';
import { median, round } from './support/stats.ts';
import { InstructionItems, loadAccounts, sharesOutstanding } from './support/tab-data.ts';

const CHILD = join(BUILD_DIR, 'tabulate-child.mjs');

export const TABULATE_TARGET = 1.25;

/** The tabulate function's deployed memory (functions/workers.ts): the product's peak must fit in it. */
export function tabulateMemoryMb(): number {
  return workers.find((w) => w.name === 'tabulate')?.memorySize ?? 1024;
}

export interface TabulateOptions {
  /** Parallel Scan segments (the deployed TABULATION_SEGMENTS). */
  segments: number;
  /** The product's Scan threads (deployed: auto, one per vCPU). */
  threads?: number;
  loadConcurrency: number;
  /** ABBA rounds (2 raw and 2 product runs each) at 100k and at 1M. */
  rounds100k: number;
  rounds1m: number;
  /** Only these scales (default both). */
  scales?: ReadonlyArray<'100k' | '1m'>;
  log: (line: string) => void;
}

type Mode = 'raw' | 'product';

interface ChildRun {
  mode: Mode;
  ok: boolean;
  ms: number;
  cpuMs: number;
  items: number;
  /** Peak resident memory, MB: the child's own report, or the highest VmHWM seen. */
  peakRssMb: number;
  error?: string;
}

export async function buildChild(): Promise<void> {
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

/** Runs the child once, to its end. */
function runChild(mode: Mode, env: Record<string, string>): Promise<ChildRun> {
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
    child.on('close', (code) => {
      clearInterval(sample);
      const ms = performance.now() - started;
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) {
        const r = JSON.parse(line) as { ms: number; cpuMs: number; items: number; maxRssMb: number };
        resolve({
          mode,
          ok: true,
          ms: r.ms,
          cpuMs: r.cpuMs,
          items: r.items,
          peakRssMb: Math.max(peak, r.maxRssMb),
        });
        return;
      }
      const error = (err.split('\n').find((l) => /Error/.test(l)) ?? `exit code ${code}`)
        .trim()
        .slice(0, 300);
      resolve({ mode, ok: false, ms, cpuMs: 0, items: 0, peakRssMb: peak, error });
    });
  });
}

function childEnv(
  tables: TableNames,
  endpoint: string,
  accounts: number,
  segments: number,
  threads: number,
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
    BENCH_THREADS: String(threads),
    BENCH_ACCOUNTS: String(accounts),
  };
}

const fmtN = (n: number) => n.toLocaleString('en-US');

function entry(
  name: string,
  accounts: number,
  runs: ChildRun[],
  extra: Record<string, unknown>,
): BenchResult {
  const memoryMb = tabulateMemoryMb();
  const target = `ratio <= ${TABULATE_TARGET} (median wall time, product / raw) and peak RSS < ${fmtN(memoryMb)} MB (the function's memory)`;
  const raws = runs.filter((r) => r.mode === 'raw' && r.ok);
  const products = runs.filter((r) => r.mode === 'product' && r.ok);
  const failed = runs.find((r) => !r.ok);
  const productPeak = Math.max(0, ...runs.filter((r) => r.mode === 'product').map((r) => r.peakRssMb));
  const details = {
    accounts,
    runs: runs.map((r) => ({
      mode: r.mode,
      seconds: round(r.ms / 1000, 2),
      cpuSeconds: round(r.cpuMs / 1000, 2),
      peakRssMb: round(r.peakRssMb, 0),
      ...(r.ok ? {} : { error: r.error }),
    })),
    rawIs:
      'the same two parallel Scans through scanSegments (register: type holder; votes: type instruction, projection pk, sk, body; consistent; one page read ahead), items only counted, on the main thread',
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
      note: why,
      details,
    };
  }
  const rawS = median(raws.map((r) => r.ms)) / 1000;
  const productS = median(products.map((r) => r.ms)) / 1000;
  const rawCpuS = median(raws.map((r) => r.cpuMs)) / 1000;
  const productCpuS = median(products.map((r) => r.cpuMs)) / 1000;
  const ratio = productS / rawS;
  return {
    name,
    value: round(productS, 2),
    unit: 's',
    raw: round(rawS, 2),
    ratio: round(ratio, 3),
    target,
    pass: ratio <= TABULATE_TARGET && productPeak < memoryMb,
    peakRssMb: round(productPeak, 0),
    cpuS: round(productCpuS, 2),
    rawCpuS: round(rawCpuS, 2),
    cpuRatio: round(productCpuS / rawCpuS, 3),
    details,
  };
}

/** ABBA rounds: raw, product, product, raw; every run to its end. */
async function alternate(
  label: string,
  env: Record<string, string>,
  rounds: number,
  log: (line: string) => void,
): Promise<ChildRun[]> {
  const runs: ChildRun[] = [];
  // Untimed: fills the Scan server's page cache, warms DynamoDB Local's JIT and the file cache.
  const warm = await runChild('raw', env);
  log(
    `    ${label} warm-up (raw, not counted): ${warm.ok ? `${(warm.ms / 1000).toFixed(2)} s` : warm.error}`,
  );
  if (!warm.ok) return [warm];
  for (let k = 0; k < rounds; k++) {
    for (const mode of ['raw', 'product', 'product', 'raw'] as const) {
      const r = await runChild(mode, env);
      runs.push(r);
      log(
        `    ${label} ${mode}: ${r.ok ? `${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU` : r.error}, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
      );
      if (!r.ok) return runs;
    }
  }
  return runs;
}

export async function benchTabulate(options: TabulateOptions): Promise<BenchResult[]> {
  const { log } = options;
  // The deployed `auto` (one per core); BENCH_THREADS=1 compares the count on one thread.
  const threads = options.threads ?? (Number(process.env.BENCH_THREADS) || availableParallelism());
  const scales = options.scales ?? ['100k', '1m'];
  await buildChild();
  const meeting = parseMeeting(MEETING_JSON, 'MEETING_JSON');
  const items = new InstructionItems(meeting.timeZone, Date.parse(AS_OF) - 86_400_000);
  const results: BenchResult[] = [];
  const common = { segments: options.segments, productThreads: threads };

  if (scales.includes('100k')) {
    const accounts = 100_000;
    // DynamoDB Local of its own: a long load in a JVM that served other measures slows down.
    const [port = 0] = await findFreePorts(1);
    const dynamo = await startDynamoLocal({
      port,
      javaToolOptions: process.env.BENCH_JTO ?? BENCH_JAVA_TOOL_OPTIONS,
      timeoutMs: 60_000,
    });
    try {
      const tables = await createBenchTables(dynamo.endpoint, 'tab');
      const t0 = performance.now();
      await loadAccounts({
        doc: tables.clients.doc,
        tables: tables.names,
        items,
        from: 0,
        to: accounts,
        concurrency: options.loadConcurrency,
      });
      const loadS = (performance.now() - t0) / 1000;
      log(
        `  ${fmtN(accounts)} accounts (${fmtN(2 * accounts)} items) loaded into DynamoDB Local in ${loadS.toFixed(0)} s`,
      );
      const env = childEnv(tables.names, dynamo.endpoint, accounts, options.segments, threads);
      const runs = await alternate('100k', env, options.rounds100k, log);
      results.push(
        entry('tabulate-100k', accounts, runs, {
          source: 'DynamoDB Local (in memory, an instance of its own)',
          ...common,
          loadSeconds: round(loadS, 1),
        }),
      );
      tables.clients.client.destroy();
    } finally {
      await dynamo.stop();
    }
  }

  if (scales.includes('1m')) {
    const accounts = 1_000_000;
    const names = tableNames('hemacare-2002', 'bench-tab-1m');
    const server = await startScanServer({
      registerTable: names.register,
      votesTable: names.votes,
      accounts,
      items,
    });
    try {
      const env = childEnv(names, server.endpoint, accounts, options.segments, threads);
      const runs = await alternate('1M', env, options.rounds1m, log);
      results.push(
        entry('tabulate-1m', accounts, runs, {
          source: 'the in-memory Scan server (bench/support/scan-server.ts), the same for both sides',
          ...common,
        }),
      );
    } finally {
      await server.close();
    }
  }
  return results;
}
