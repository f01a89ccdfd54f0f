// bundles, cold-start: each Lambda built with esbuild exactly as infra/proxyvote-function.ts has CDK
// build it (ESM, node24, minified, linked source map without sources, the AWS SDK bundled because
// the construct sets bundleAwsSDK: true), its size with and without the pinned SDK (esbuild's
// metafile says which output bytes come from it), and the time a fresh `node` takes to import it
// with the environment the function reads at load (NODE_OPTIONS=--enable-source-maps as deployed).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUILD_DIR, ROOT } from './support/paths.ts';
import type { BenchResult } from './support/results.ts';
import { median, round } from './support/stats.ts';

const run = promisify(execFile);

export const BUNDLE_TARGET_KB = 300;
const OUT = join(BUILD_DIR, 'functions');

/** The banner infra/proxyvote-function.ts adds (ESM bundles need `require` for inlined CommonJS). */
const REQUIRE_SHIM =
  "import { createRequire as __proxyvoteCreateRequire } from 'node:module'; const require = __proxyvoteCreateRequire(import.meta.url);";

interface FunctionEntry {
  name: string;
  entry: string;
  /** Where the bench found it: the route table, the worker table, or only the functions/ folder. */
  source: 'routes' | 'workers' | 'functions';
  /** The worker spec's own environment, added to the common one. */
  environment?: Record<string, string>;
}

/** Every function: the route table's, the workers' (functions/workers.ts, once it exists), and any other functions/<name>/handler.ts. */
export async function functionEntries(): Promise<FunctionEntry[]> {
  const found = new Map<string, FunctionEntry>();
  const { routes } = await import('../functions/routes.ts');
  for (const r of routes)
    if (!found.has(r.function))
      found.set(r.function, {
        name: r.function,
        entry: `functions/${r.function}/handler.ts`,
        source: 'routes',
      });
  const workersFile = join(ROOT, 'functions', 'workers.ts');
  if (existsSync(workersFile)) {
    const mod = (await import(pathToFileURL(workersFile).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (!Array.isArray(value)) continue;
      for (const w of value as Array<{
        function?: unknown;
        name?: unknown;
        entry?: unknown;
        environment?: unknown;
      }>) {
        const name =
          typeof w?.function === 'string' ? w.function : typeof w?.name === 'string' ? w.name : null;
        if (!name || found.has(name)) continue;
        const entry = typeof w.entry === 'string' ? w.entry : `functions/${name}/handler.ts`;
        const environment =
          typeof w.environment === 'object' && w.environment !== null
            ? (w.environment as Record<string, string>)
            : undefined;
        found.set(name, { name, entry, source: 'workers', ...(environment ? { environment } : {}) });
      }
    }
  }
  for (const dir of readdirSync(join(ROOT, 'functions'))) {
    if (found.has(dir) || !existsSync(join(ROOT, 'functions', dir, 'handler.ts'))) continue;
    found.set(dir, { name: dir, entry: `functions/${dir}/handler.ts`, source: 'functions' });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

type Variant = 'deployed' | 'sdk-external';

/** The pinned AWS SDK as it lands in a bundle: the clients and their Smithy and crypto parts. */
const SDK_INPUT = /node_modules\/(?:@aws-sdk|@smithy|@aws-crypto|@aws\/)/;
const ZOD_INPUT = /node_modules\/zod\//;

interface Built {
  file: string;
  bytes: number;
  /** Bytes of the output that come from the pinned AWS SDK (esbuild's metafile). */
  sdkBytes: number;
  zodBytes: number;
}

/**
 * `deployed`: as infra/proxyvote-function.ts builds it. `sdk-external`: the same with `@aws-sdk/*`
 * left to the Lambda runtime (Node 24 ships SDK v3), for comparison only.
 */
async function bundle(f: FunctionEntry, variant: Variant): Promise<Built> {
  const outfile = join(OUT, variant, f.name, 'index.mjs');
  const out = await build({
    external: variant === 'sdk-external' ? ['@aws-sdk/*'] : [],
    entryPoints: [join(ROOT, f.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_SHIM },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  });
  let sdkBytes = 0;
  let zodBytes = 0;
  for (const [output, o] of Object.entries(out.metafile.outputs)) {
    if (!output.endsWith('.mjs')) continue;
    for (const [input, i] of Object.entries(o.inputs)) {
      if (SDK_INPUT.test(input)) sdkBytes += i.bytesInOutput;
      else if (ZOD_INPUT.test(input)) zodBytes += i.bytesInOutput;
    }
  }
  return { file: outfile, bytes: statSync(outfile).size, sdkBytes, zodBytes };
}

const CHILD = `
const t0 = performance.now();
const mod = await import(process.argv[1]);
const ms = performance.now() - t0;
if (typeof mod.handler !== 'function') throw new Error('the bundle exports no handler function');
process.stdout.write(JSON.stringify({ ms, rssMb: process.memoryUsage().rss / 1048576 }));
`;

async function coldImport(file: string, env: Record<string, string>): Promise<{ ms: number; rssMb: number }> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', CHILD, pathToFileURL(file).href],
    {
      env: { PATH: process.env.PATH ?? '', ...env, NODE_OPTIONS: '--enable-source-maps' },
      timeout: 30_000,
    },
  );
  return JSON.parse(stdout) as { ms: number; rssMb: number };
}

export const COLD_START_TARGET_MS = 150;

/**
 * `bundles`: every function built as deployed; its size without the pinned AWS SDK must stay under
 * 300 KB (the value is the largest). `cold-start`: the median time a fresh `node` takes to import the
 * largest bundle with the environment it reads at load, over `largestImports` runs; every other
 * bundle is imported `imports` times, all in rounds so that noise spreads over all of them alike.
 */
export async function benchBundles(options: {
  env: Record<string, string>;
  /** Cold imports of each bundle. */
  imports: number;
  /** Cold imports of the largest bundle (the cold-start figure). */
  largestImports?: number;
  log: (line: string) => void;
}): Promise<BenchResult[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const entries = await functionEntries();
  const built = new Map<string, Built | { error: string }>();
  const external = new Map<string, Built>();
  for (const f of entries) {
    try {
      built.set(f.name, await bundle(f, 'deployed'));
      external.set(f.name, await bundle(f, 'sdk-external'));
    } catch (e) {
      built.set(f.name, { error: e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e) });
    }
  }
  const ok = entries.filter((f) => {
    const b = built.get(f.name);
    return b !== undefined && 'file' in b;
  });
  const largest = [...ok].sort(
    (a, b) => (built.get(b.name) as Built).bytes - (built.get(a.name) as Built).bytes,
  )[0];
  const largestImports = Math.max(options.imports, options.largestImports ?? 9);
  const times = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  const importErrors = new Map<string, string>();
  const importOnce = async (key: string, name: string, file: string, env?: Record<string, string>) => {
    if (importErrors.has(name)) return;
    try {
      const r = await coldImport(file, { ...options.env, ...env });
      times.set(key, [...(times.get(key) ?? []), r.ms]);
      rss.set(key, [...(rss.get(key) ?? []), r.rssMb]);
    } catch (e) {
      const err = e as { stderr?: string; message?: string };
      const line = (err.stderr ?? err.message ?? String(e)).split('\n').find((l) => /Error|error/.test(l));
      importErrors.set(name, (line ?? 'the import failed').trim().slice(0, 300));
    }
  };
  for (let k = 0; k < largestImports; k++) {
    for (const f of ok) {
      if (k >= options.imports && f !== largest) continue;
      await importOnce(f.name, f.name, (built.get(f.name) as Built).file, f.environment);
      // The same with the SDK left to the runtime: for the largest only, alternating with the deployed.
      if (f === largest)
        await importOnce(
          `${f.name}:sdk-external`,
          f.name,
          (external.get(f.name) as Built).file,
          f.environment,
        );
    }
  }

  const perFunction = entries.map((f) => {
    const b = built.get(f.name);
    if (!b || 'error' in b) {
      options.log(`  ${f.name}: build failed: ${b && 'error' in b ? b.error : 'not built'}`);
      return { name: f.name, error: b && 'error' in b ? b.error : 'not built' };
    }
    const t = times.get(f.name) ?? [];
    const x = external.get(f.name) as Built;
    const row = {
      name: f.name,
      entry: f.entry,
      kb: round(b.bytes / 1024, 1),
      withoutSdkKb: round((b.bytes - b.sdkBytes) / 1024, 1),
      sdkKb: round(b.sdkBytes / 1024, 1),
      zodKb: round(b.zodBytes / 1024, 1),
      sdkExternalKb: round(x.bytes / 1024, 1),
      coldImportMs: t.length > 0 ? round(median(t), 1) : null,
      coldImportRunsMs: t.map((v) => round(v, 1)),
      coldImportRssMb: round(median(rss.get(f.name) ?? []), 1),
      ...(importErrors.has(f.name) ? { importError: importErrors.get(f.name) } : {}),
    };
    options.log(
      `  ${f.name}: ${row.kb} KB (${row.withoutSdkKb} KB without the SDK's ${row.sdkKb} KB; zod ${row.zodKb} KB), cold import ${row.coldImportMs ?? '-'} ms${row.importError ? ` (import failed: ${row.importError})` : ''}`,
    );
    return row;
  });
  const rows = perFunction.filter((r): r is Extract<typeof r, { kb: number }> => 'kb' in r);
  const failedBuilds = perFunction.filter((r) => 'error' in r);
  const biggest = [...rows].sort((a, b) => b.withoutSdkKb - a.withoutSdkKb)[0];
  const bundles: BenchResult = {
    name: 'bundles',
    value: biggest ? biggest.withoutSdkKb : null,
    unit: 'KB',
    raw: null,
    ratio: null,
    target: `every bundle < ${BUNDLE_TARGET_KB} KB without the pinned AWS SDK (value: the largest)`,
    pass:
      failedBuilds.length === 0 &&
      rows.length > 0 &&
      rows.every((r) => r.withoutSdkKb < BUNDLE_TARGET_KB && !r.importError),
    note: `${rows.length} functions; largest ${biggest?.name ?? '-'}; with the SDK ${Math.min(...rows.map((r) => r.kb))}-${Math.max(...rows.map((r) => r.kb))} KB, of which the SDK ${Math.min(...rows.map((r) => r.sdkKb))}-${Math.max(...rows.map((r) => r.sdkKb))} KB and zod ${Math.min(...rows.map((r) => r.zodKb))}-${Math.max(...rows.map((r) => r.zodKb))} KB`,
    details: {
      build:
        'as infra/proxyvote-function.ts: ESM, node24, minified, source map without sources, AWS SDK bundled',
      functions: perFunction,
    },
  };
  const l = largest ? rows.find((r) => r.name === largest.name) : undefined;
  const tx = largest ? (times.get(`${largest.name}:sdk-external`) ?? []) : [];
  const coldStart: BenchResult = {
    name: 'cold-start',
    value: l?.coldImportMs ?? null,
    unit: 'ms',
    raw: null,
    ratio: null,
    target: `median import of the largest bundle <= ${COLD_START_TARGET_MS} ms`,
    pass: l?.coldImportMs !== null && l?.coldImportMs !== undefined && l.coldImportMs <= COLD_START_TARGET_MS,
    coldImportMs: l?.coldImportMs ?? null,
    note: l
      ? `${l.name} (${l.kb} KB), ${l.coldImportRunsMs.length} fresh node processes with NODE_OPTIONS=--enable-source-maps as deployed; with the SDK left to the runtime ${tx.length > 0 ? `${round(median(tx), 1)} ms` : '-'}`
      : 'no bundle could be imported',
    details: {
      function: l?.name ?? null,
      runsMs: l?.coldImportRunsMs ?? [],
      sdkExternalRunsMs: tx.map((v) => round(v, 1)),
      sdkExternalMedianMs: tx.length > 0 ? round(median(tx), 1) : null,
    },
  };
  return [bundles, coldStart];
}
