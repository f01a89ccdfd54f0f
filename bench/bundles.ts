// bundle-<function>: each Lambda built with esbuild exactly as infra/proxyvote-function.ts has CDK
// build it (ESM, node24, minified, linked source map without sources, the AWS SDK bundled because
// the construct sets bundleAwsSDK: true), its size, and the time a fresh `node` takes to import it
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

/**
 * `deployed`: as infra/proxyvote-function.ts builds it. `sdk-external`: the same with `@aws-sdk/*`
 * left to the Lambda runtime (Node 24 ships SDK v3), for comparison only.
 */
async function bundle(f: FunctionEntry, variant: Variant): Promise<string> {
  const outfile = join(OUT, variant, f.name, 'index.mjs');
  await build({
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
    logLevel: 'silent',
  });
  return outfile;
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

export async function benchBundles(options: {
  env: Record<string, string>;
  imports: number;
  /** performance.now() after which no further round of cold imports starts (the first always runs). */
  deadline: number;
  log: (line: string) => void;
}): Promise<BenchResult[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const entries = await functionEntries();
  const built = new Map<string, { file: string } | { error: string }>();
  const external = new Map<string, string>();
  for (const f of entries) {
    try {
      built.set(f.name, { file: await bundle(f, 'deployed') });
      external.set(f.name, await bundle(f, 'sdk-external'));
    } catch (e) {
      built.set(f.name, { error: e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e) });
    }
  }
  // Cold imports in rounds over all the functions, so machine noise spreads over all of them alike:
  // the deployed bundles `imports` times, then the SDK-external ones (a comparison) once, while the
  // time allows.
  const times = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  const importErrors = new Map<string, string>();
  for (let k = 0; k <= options.imports; k++) {
    if (k > 0 && performance.now() > options.deadline) break;
    for (const f of entries) {
      const b = built.get(f.name);
      if (!b || !('file' in b) || importErrors.has(f.name)) continue;
      const variants: Array<readonly [string, string]> =
        k < options.imports
          ? [[f.name, b.file]]
          : [[`${f.name}:sdk-external`, external.get(f.name) as string]];
      for (const [key, file] of variants) {
        try {
          const r = await coldImport(file, { ...options.env, ...f.environment });
          times.set(key, [...(times.get(key) ?? []), r.ms]);
          rss.set(key, [...(rss.get(key) ?? []), r.rssMb]);
        } catch (e) {
          const err = e as { stderr?: string; message?: string };
          const line = (err.stderr ?? err.message ?? String(e))
            .split('\n')
            .find((l) => /Error|error/.test(l));
          importErrors.set(f.name, (line ?? 'the import failed').trim().slice(0, 300));
        }
      }
    }
  }
  return entries.map((f): BenchResult => {
    const b = built.get(f.name);
    const base = {
      name: `bundle-${f.name}`,
      unit: 'KB',
      raw: null,
      ratio: null,
      target: `value < ${BUNDLE_TARGET_KB} KB`,
    };
    if (!b || 'error' in b) {
      options.log(`  ${f.name}: build failed: ${b && 'error' in b ? b.error : 'not built'}`);
      return {
        ...base,
        value: null,
        pass: false,
        note: `the build failed: ${b && 'error' in b ? b.error : '?'}`,
      };
    }
    const bytes = statSync(b.file).size;
    const mapBytes = statSync(`${b.file}.map`).size;
    const kb = bytes / 1024;
    const t = times.get(f.name) ?? [];
    const coldImportMs = t.length > 0 ? round(median(t), 1) : null;
    const tx = times.get(`${f.name}:sdk-external`) ?? [];
    const externalKb = statSync(external.get(f.name) as string).size / 1024;
    const error = importErrors.get(f.name);
    options.log(
      `  ${f.name}: ${kb.toFixed(1)} KB (map ${(mapBytes / 1024).toFixed(0)} KB), cold import ${coldImportMs ?? '-'} ms; SDK external ${externalKb.toFixed(1)} KB, ${tx.length > 0 ? median(tx).toFixed(1) : '-'} ms${error ? ` (import failed: ${error})` : ''}`,
    );
    return {
      ...base,
      value: round(kb, 1),
      pass: kb < BUNDLE_TARGET_KB,
      coldImportMs,
      ...(error ? { note: `the cold import failed: ${error}` } : {}),
      details: {
        entry: f.entry,
        listedIn: f.source,
        bytes,
        sourceMapBytes: mapBytes,
        coldImportRunsMs: t.map((x) => round(x, 1)),
        coldImportRssMb: round(median(rss.get(f.name) ?? []), 1),
        awsSdk: 'bundled (infra/proxyvote-function.ts: bundleAwsSDK true)',
        sdkExternalKb: round(externalKb, 1),
        sdkExternalColdImportMs: tx.length > 0 ? round(median(tx), 1) : null,
      },
    };
  });
}
