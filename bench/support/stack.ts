// The local services a benchmark run needs (DynamoDB Local and the SES endpoint, started here and
// stopped at the end), one meeting's tables, and the environment the Lambda handlers read at load.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { offsetToReach } from '../../shared/config/clock.ts';
import { type DynamoLocal, startDynamoLocal } from '../../shared/local/dynamo-local.ts';
import { findFreePorts } from '../../shared/local/ports.ts';
import { type SesLocal, startSesLocal } from '../../shared/local/ses-local.ts';
import { createTables } from '../../shared/storage/create-tables.ts';
import {
  createDynamoClients,
  type DynamoClients,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
} from '../../shared/storage/dynamo-client.ts';
import { TABLE_KINDS, type TableNames, tableEnvironment, tableNames } from '../../shared/storage/tables.ts';

export const MEETING_FILE = new URL('../../meetings/hemacare-2002.json', import.meta.url);
export const MEETING_JSON = readFileSync(MEETING_FILE, 'utf8');
/** Before the reference meeting's internet cut-off (2002-06-12 23:59 New York). */
export const AS_OF = '2002-06-01T17:00:00.000Z';

/**
 * DynamoDB Local's JVM for the benchmarks: a 2 GB heap (1M items need more than the 512 MB default),
 * the serial collector (2 shared cores), and the full JIT (the default stops at C1 to start faster).
 */
export const BENCH_JAVA_TOOL_OPTIONS = '-Xmx2g -XX:+UseSerialGC';

export interface Services {
  dynamo: DynamoLocal;
  ses: SesLocal;
  stop(): Promise<void>;
}

export async function startServices(): Promise<Services> {
  const [dynamoPort = 0, sesPort = 0] = await findFreePorts(2);
  const [dynamo, ses] = await Promise.all([
    startDynamoLocal({
      port: dynamoPort,
      javaToolOptions: process.env.BENCH_JTO ?? BENCH_JAVA_TOOL_OPTIONS,
      timeoutMs: 60_000,
    }),
    startSesLocal({ port: sesPort }),
  ]);
  return {
    dynamo,
    ses,
    stop: async () => {
      await Promise.allSettled([ses.stop(), dynamo.stop()]);
    },
  };
}

export interface BenchTables {
  names: TableNames;
  clients: DynamoClients;
  drop(): Promise<void>;
}

/** A fresh set of the meeting's tables under a prefix of its own. */
export async function createBenchTables(endpoint: string, label: string): Promise<BenchTables> {
  const names = tableNames('hemacare-2002', `bench-${label}-${Date.now().toString(36)}`);
  const clients = createDynamoClients({ endpoint });
  await createTables(clients.client, names);
  return {
    names,
    clients,
    drop: async () => {
      // DynamoDB Local keeps deleted tables' memory until the JVM stops; dropping still frees the names.
      await Promise.allSettled(
        TABLE_KINDS.map((k) => clients.client.send(new DeleteTableCommand({ TableName: names[k] }))),
      );
    },
  };
}

export interface HandlerEnvOptions {
  names: TableNames;
  dynamoEndpoint: string;
  sesEndpoint: string;
  secretHex: string;
}

/** The environment every handler reads at module load (as test/support/voting-stack.ts sets it). */
export function handlerEnv(o: HandlerEnvOptions): Record<string, string> {
  return {
    ...tableEnvironment(o.names),
    DYNAMODB_ENDPOINT: o.dynamoEndpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: 'proxyvote-bench',
    POWERTOOLS_SERVICE_NAME: 'proxyvote',
    // INFO on AWS; ERROR here so that the run's own output stays readable.
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_NAMESPACE: 'proxyvote',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    MEETING_JSON,
    CONTROL_SECRET: o.secretHex,
    // The public routes answer only through CloudFront: the local adapter plays it with this secret.
    ORIGIN_SECRET: randomBytes(24).toString('hex'),
    // Many submissions in flight at once from one address each hold a guess of its limit: the bench
    // measures submissions, not the guessing limit.
    MAX_CONTROL_FAILURES: '1000000',
    MAIL_FROM: 'Proxy Services <proxy@example.com>',
    SES_ENDPOINT: o.sesEndpoint,
    CLOCK_OFFSET_MS: String(offsetToReach(AS_OF)),
  };
}

export const newSecretHex = (): string => randomBytes(32).toString('hex');
