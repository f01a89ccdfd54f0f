// Every Lambda function of the product goes through this one construct, which carries the house
// defaults: Node 24 (nodejs24.x) on arm64, an esbuild ESM bundle with source maps (the AWS SDK bundled at the
// versions the lockfile pins), its own log group with the meeting's retention, the Powertools
// environment, X-Ray tracing, and a role of its own that may write only to that log group. Whatever
// else a function may do is granted by infra/access.ts. The caller's environment is kept and added to.
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** The repository root: entries are given relative to it (`functions/ballot/handler.ts`). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The Lambda runtime of every function: Node.js 24, what `.ci/run` also runs the test suite on. */
export const PROXYVOTE_RUNTIME = Runtime.NODEJS_24_X;

/** Lambda's limit on all environment variables of one function together (keys and values). */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
/** What an unresolved token (an ARN, a queue URL) is assumed to take once deployed, at most. */
const TOKEN_ESTIMATE_BYTES = 256;

/**
 * The bundle's line that sets the bundled environment: each value only where the environment has none,
 * so a variable set on the function (or by a test) wins.
 */
export function bundledEnvironmentBanner(values: Readonly<Record<string, string>>): string {
  if (Object.keys(values).length === 0) return '';
  return `for (const [k, v] of Object.entries(${JSON.stringify(values)})) process.env[k] ??= v;`;
}

/** ESM bundles need `require` for the CommonJS modules esbuild inlines. */
const REQUIRE_SHIM =
  "import { createRequire as __proxyvoteCreateRequire } from 'node:module'; const require = __proxyvoteCreateRequire(import.meta.url);";

export interface ProxyvoteFunctionProps {
  /** The handler module, relative to the repository root: `functions/<name>/handler.ts`. */
  readonly entry: string;
  /** The product's name of the function (the function directory): used for the log group and alarms. */
  readonly name: string;
  readonly meetingId: string;
  readonly logRetention: RetentionDays;
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Values the bundle's first line puts into `process.env` when the deployed environment lacks them:
   * the meeting file, which Lambda's 4 KB environment cannot hold once a meeting has materials,
   * parties and inspectors. The handlers read them as any other variable.
   */
  readonly bundledEnvironment?: Readonly<Record<string, string>>;
  readonly description?: string;
  /** Default 10 s (the API waits 30 s at most). */
  readonly timeout?: Duration;
  /** Default 1024 MB: on arm64 more memory means more CPU and shorter cold starts. */
  readonly memorySize?: number;
  /** A fixed name, so that operators and the CLI can find the function. */
  readonly functionName?: string;
  /** For functions invoked asynchronously (SNS, S3, Scheduler): where events go after the retries. */
  readonly deadLetterQueue?: IQueue;
  readonly retryAttempts?: number;
  readonly reservedConcurrency?: number;
}

export class ProxyvoteFunction extends NodejsFunction {
  /** The product's name of the function. */
  readonly name: string;
  readonly logs: LogGroup;
  /** What the bundle sets into `process.env` (see ProxyvoteFunctionProps.bundledEnvironment). */
  readonly bundledEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ProxyvoteFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/proxyvote/${props.meetingId}/${props.name}`,
      retention: props.logRetention,
      // Logs go with the compute stack; the records they speak of stay in the stateful stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `proxyvote ${props.meetingId}: the ${props.name} function`,
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group): its own log group only.
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      entry: `${REPOSITORY_ROOT}${props.entry}`,
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: `${REPOSITORY_ROOT}package-lock.json`,
      handler: 'handler',
      ...(props.functionName ? { functionName: props.functionName } : {}),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      description: props.description ?? `proxyvote ${props.meetingId}: ${props.name}`,
      runtime: PROXYVOTE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: `proxyvote-${props.meetingId}`,
        POWERTOOLS_METRICS_NAMESPACE: 'ProxyVote',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        mainFields: ['module', 'main'],
        banner: `${REQUIRE_SHIM} ${bundledEnvironmentBanner(props.bundledEnvironment ?? {})}`.trimEnd(),
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        bundleAwsSDK: true,
        externalModules: [],
      },
    });
    this.name = props.name;
    this.logs = logGroup;
    this.bundledEnvironment = { ...(props.bundledEnvironment ?? {}) };
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement that tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords): X-Ray has ' +
        'no resource-level permissions, so AWS requires "*" there; and, for a DynamoDB stream consumer, the ' +
        'dynamodb:ListStreams that its event source adds (ListStreams takes no resource). Every other statement ' +
        'names its resources.',
    });
    this.node.addValidation({ validate: () => this.environmentProblems() });
  }

  /** The environment as it will be deployed: literal values, and `undefined` for those known only then. */
  deployedEnvironment(): Record<string, string | undefined> {
    const cfn = this.node.defaultChild as CfnFunction;
    const resolved = Stack.of(this).resolve(cfn.environment) as
      | { variables?: Record<string, unknown> }
      | undefined;
    const out: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(resolved?.variables ?? {})) {
      out[key] = typeof value === 'string' ? value : undefined;
    }
    return out;
  }

  /** The environment as Lambda counts it (keys and values in bytes), with tokens at an upper estimate. */
  environmentSize(): number {
    let bytes = 0;
    for (const [key, value] of Object.entries(this.deployedEnvironment())) {
      bytes +=
        Buffer.byteLength(key) + (value === undefined ? TOKEN_ESTIMATE_BYTES : Buffer.byteLength(value));
    }
    return bytes;
  }

  private environmentProblems(): string[] {
    const size = this.environmentSize();
    if (size <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
    const biggest = Object.entries(this.deployedEnvironment())
      .flatMap(([key, value]) => (value === undefined ? [] : [[key, Buffer.byteLength(value)] as const]))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([key, bytes]) => `${key} ${bytes} bytes`)
      .join(', ');
    return [
      `the environment of the ${this.name} function would take about ${size} bytes, over Lambda's ` +
        `${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit (largest: ${biggest}). The meeting file is ` +
        'bundled with the code, not in the environment: look at the largest variables named here.',
    ];
  }
}
