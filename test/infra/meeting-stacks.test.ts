// The stacks of the reference meeting, built as `cdk synth` builds them (the real route table, the
// real workers, the example deployment settings), with cdk-nag's AWS Solutions checks, synthesized
// once for the whole file and without bundling. What matters: each function may touch only what it
// declares, the admin routes use IAM, the schedules run in the meeting's time zone, the records are
// protected, the WAF sits in front of the API, alarms reach the operators, and cdk-nag is clean.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import * as declaredWorkers from '../../functions/workers.ts';
import { type FunctionAccess, HTTP_FUNCTION_ACCESS } from '../../infra/access.ts';
import { METRICS_NAMESPACE } from '../../infra/compute-stack.ts';
import { readDeploySettings } from '../../infra/deploy-settings.ts';
import { DEFAULT_MEETING_FILE, readMeetingFile } from '../../infra/meeting-context.ts';
import { buildMeetingStacks } from '../../infra/meeting-stacks.ts';
import { GUESSING_ALARM_THRESHOLD } from '../../infra/monitoring.ts';
import { readWorkersModule } from '../../infra/worker-spec.ts';
import { requiredQuorum } from '../../shared/domain/meeting.ts';
import { OPERATOR_ROLES, type OperatorRole } from '../../shared/http/operators.ts';
import { routeKey } from '../../shared/http/route.ts';
import { TABLE_KINDS, type TableKind } from '../../shared/storage/tables.ts';

const outdir = mkdtempSync(join(tmpdir(), 'proxyvote-cdk-'));
const meeting = readMeetingFile(DEFAULT_MEETING_FILE);
const settings = readDeploySettings('meetings/hemacare-2002.deploy.json');
const { workers, httpAccess } = readWorkersModule(declaredWorkers);
const app = new App({
  outdir,
  context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:defaultCrossStackReferences': 'strong' },
});
const stacks = buildMeetingStacks(app, { meeting, settings, routes, workers, httpAccess });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
// Throws ValidationFailed when cdk-nag reports anything.
const assembly = app.synth();
const templateOf = (name: string) => Template.fromJSON(assembly.getStackByName(name).template);
const compute = templateOf(stacks.compute.stackName);
const edge = templateOf(stacks.edge.stackName);
const stateful = templateOf(stacks.stateful.stackName);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const resources = (t: Template, type: string) =>
  Object.entries(t.findResources(type)) as [string, Resource][];
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Every function of the product, by its name (the function directory). */
const declared: Record<string, FunctionAccess> = {
  ...Object.fromEntries(
    [...new Set(routes.map((r) => r.function))].map((f) => [
      f,
      HTTP_FUNCTION_ACCESS[f] ?? httpAccess[f] ?? {},
    ]),
  ),
  ...Object.fromEntries(workers.map((w) => [w.name, w.access])),
};
const functionNames = Object.keys(declared);

const functions = new Map(
  resources(compute, 'AWS::Lambda::Function')
    .filter(([, r]) => String(r.Properties.FunctionName ?? '').startsWith(`proxyvote-${meeting.id}-`))
    .map(([id, r]) => [
      String(r.Properties.FunctionName).slice(`proxyvote-${meeting.id}-`.length),
      { id, r },
    ]),
);

function fn(name: string) {
  const found = functions.get(name);
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

function statementsOf(name: string): Statement[] {
  const role = (fn(name).r.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resources(compute, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const isXray = (s: Statement) => list(s.Action).every((a) => XRAY.includes(a));
/** The one grant a DynamoDB stream's event source adds on "*": ListStreams takes no resource. */
const isListStreams = (s: Statement) => list(s.Action).every((a) => a === 'dynamodb:ListStreams');
/** What the event source mapping of the votes stream reads with its consumer's role. */
const STREAM_READS = ['DescribeStream', 'GetRecords', 'GetShardIterator'];
const streamConsumers = new Set(
  workers.filter((w) => w.triggers.some((t) => t.kind === 'votes-stream')).map((w) => w.name),
);

/** Which table a resource names (its ARN comes from the stateful stack's export of that table). */
function tableOf(resource: unknown): TableKind | 'index' | undefined {
  const text = JSON.stringify(resource);
  const kind = TABLE_KINDS.find((k) => text.includes(`${k.charAt(0).toUpperCase()}${k.slice(1)}Table`));
  if (!kind) return undefined;
  return text.includes('/index/') ? 'index' : kind;
}

function dynamoActions(name: string): Partial<Record<TableKind | 'index', string[]>> {
  const out: Partial<Record<TableKind | 'index', string[]>> = {};
  for (const s of statementsOf(name)) {
    if (isListStreams(s) && streamConsumers.has(name)) continue;
    for (const action of list(s.Action).filter((a) => a.startsWith('dynamodb:'))) {
      for (const r of list(s.Resource)) {
        const kind = tableOf(r);
        if (!kind)
          throw new Error(`${name}: ${action} on something that is not a table: ${JSON.stringify(r)}`);
        out[kind] = [...new Set([...(out[kind] ?? []), action.slice('dynamodb:'.length)])].sort();
      }
    }
  }
  return out;
}

const env = (name: string) =>
  (fn(name).r.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('the stacks of one meeting', () => {
  it("are named after the meeting: stateful, edge (us-east-1) and compute, in the settings' Region", () => {
    expect(stacks.stateful.stackName).toBe('proxyvote-hemacare-2002-stateful');
    expect(stacks.edge.stackName).toBe('proxyvote-hemacare-2002-edge');
    expect(stacks.compute.stackName).toBe('proxyvote-hemacare-2002-compute');
    expect(stacks.stateful.region).toBe(settings.region);
    expect(stacks.compute.region).toBe(settings.region);
    expect(stacks.edge.region).toBe('us-east-1');
    expect(stacks.stateful.terminationProtection).toBe(true);
  });

  it('are cdk-nag clean: each finding acknowledged where it arises, with its reason', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.find((p) => p.pluginName === 'AwsSolutions')).toMatchObject({
      conclusion: 'success',
      violations: [],
    });
    // The raw findings (before acknowledgements), each acknowledged on its construct or an ancestor.
    const acknowledged = (path: string) =>
      app.node
        .findAll()
        .filter((c) => path === c.node.path || path.startsWith(`${c.node.path}/`))
        .flatMap((c) => c.node.metadata)
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
    const findings = new AwsSolutionsChecks(app).validateScope(app).violations;
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      for (const { constructPath = '' } of finding.violatingResources) {
        const reason = acknowledged(constructPath).find(
          ([id]) => id === `AwsSolutions::${finding.ruleName}`,
        )?.[1];
        expect(reason, `${finding.ruleName} on ${constructPath}`).toBeDefined();
        expect(reason?.length, `${finding.ruleName} on ${constructPath}`).toBeGreaterThan(40);
      }
    }
  });

  it('acknowledge nothing that cdk-nag does not find', () => {
    const findings = new AwsSolutionsChecks(app).validateScope(app).violations;
    for (const c of app.node.findAll()) {
      for (const m of c.node.metadata.filter((x) => x.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        for (const id of Object.keys(m.data as Record<string, string>).filter((k) =>
          k.startsWith('AwsSolutions::'),
        )) {
          const rule = id.slice('AwsSolutions::'.length);
          const found = findings.some(
            (f) =>
              f.ruleName === rule &&
              f.violatingResources.some(
                (r) => r.constructPath === c.node.path || r.constructPath?.startsWith(`${c.node.path}/`),
              ),
          );
          expect(found, `${id} on ${c.node.path}`).toBe(true);
        }
      }
    }
  });

  it('keep data out of the compute stack: no table, bucket or secret there', () => {
    compute.resourceCountIs('AWS::DynamoDB::Table', 0);
    compute.resourceCountIs('AWS::S3::Bucket', 0);
    compute.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });
});

describe('the stateful stack', () => {
  it('holds the origin secret CloudFront sends: generated, letters and digits, retained', () => {
    const [, secret] = resources(stateful, 'AWS::SecretsManager::Secret').find(([id]) =>
      id.startsWith('OriginSecret'),
    ) as [string, Resource];
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
  });

  it('holds the control-number secret: generated, 64 hex digits, retained', () => {
    const [, secret] = resources(stateful, 'AWS::SecretsManager::Secret').find(([id]) =>
      id.startsWith('ControlSecret'),
    ) as [string, Resource];
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludeUppercase: true,
      ExcludePunctuation: true,
      IncludeSpace: false,
      ExcludeCharacters: 'ghijklmnopqrstuvwxyz',
    });
  });

  it('has encrypted, private, TLS-only, retained buckets; the register bucket is versioned and logged', () => {
    const buckets = resources(stateful, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [id, b] of buckets) {
      expect(b.DeletionPolicy, id).toBe('Retain');
      expect(b.Properties.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(b.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policy = resources(stateful, 'AWS::S3::BucketPolicy').find(
        ([, p]) => (p.Properties.Bucket as { Ref: string }).Ref === id,
      );
      const statements = (policy?.[1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements, id).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
    const register = buckets.find(([id]) => id.startsWith('RegisterBucket'))?.[1];
    expect(register?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(register?.Properties.LoggingConfiguration).toBeDefined();
  });
});

describe('the functions', () => {
  it('are one per HTTP function and per worker, named after the meeting', () => {
    expect([...functions.keys()].sort()).toEqual([...functionNames].sort());
  });

  it.each(functionNames)('%s carries the house defaults', (name) => {
    const p = fn(name).r.Properties;
    expect(p.Runtime).toBe('nodejs24.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.TracingConfig).toEqual({ Mode: 'Active' });
    expect(p.Handler).toBe('index.handler');
    const variables = env(name);
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe(`proxyvote-${meeting.id}`);
    expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
    // The meeting file is in the bundle, not in the 4 KB environment.
    expect(variables.MEETING_JSON).toBeUndefined();
    const construct = stacks.compute.functions.get(name);
    expect(JSON.parse(String(construct?.bundledEnvironment.MEETING_JSON))).toEqual(meeting);
    const logGroup = (p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(compute.toJSON().Resources[logGroup].Properties).toMatchObject({
      LogGroupName: `/proxyvote/${meeting.id}/${name}`,
      RetentionInDays: settings.logRetentionDays,
    });
  });

  it('give the count two vCPUs (3,538 MB on Lambda) for its second Scan thread, and a whole 15 minutes', () => {
    const p = fn('tabulate').r.Properties;
    expect(p.MemorySize).toBeGreaterThanOrEqual(3538);
    expect(p.Timeout).toBe(900);
    // auto: one Scan thread per vCPU the function gets (shared/tabulation/runtime.ts).
    expect(env('tabulate').TABULATION_THREADS ?? 'auto').toBe('auto');
  });

  it('never get the control-number secret itself, only its ARN, and only when they declare it', () => {
    for (const name of functionNames) {
      const variables = env(name);
      expect(variables.CONTROL_SECRET, name).toBeUndefined();
      const reads = statementsOf(name).filter((s) =>
        list(s.Action).includes('secretsmanager:GetSecretValue'),
      );
      const readsControl = reads.some((s) => JSON.stringify(s.Resource).includes('ControlSecret'));
      expect(readsControl, name).toBe(declared[name]?.controlSecret === true);
      expect(variables.CONTROL_SECRET_ARN !== undefined, name).toBe(declared[name]?.controlSecret === true);
    }
  });

  it('make every public route answer only CloudFront: its functions read the origin secret, the others not', () => {
    const publicFunctions = new Set(routes.filter((r) => r.auth !== 'iam').map((r) => r.function));
    expect(publicFunctions.size).toBeGreaterThan(5);
    for (const name of functionNames) {
      const variables = env(name);
      const readsOrigin = statementsOf(name).some(
        (s) =>
          list(s.Action).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(s.Resource).includes('OriginSecret'),
      );
      expect(readsOrigin, name).toBe(publicFunctions.has(name));
      expect(variables.ORIGIN_SECRET_ARN !== undefined, name).toBe(publicFunctions.has(name));
      expect(variables.ORIGIN_SECRET, name).toBeUndefined();
    }
  });
});

describe('least privilege', () => {
  it.each(functionNames)('%s has no wildcard action and no "*" resource but X-Ray\'s', (name) => {
    for (const s of statementsOf(name)) {
      expect(s.Effect).toBe('Allow');
      for (const a of list(s.Action)) expect(a, name).not.toContain('*');
      if (!isXray(s) && !(isListStreams(s) && streamConsumers.has(name)))
        expect(list(s.Resource), name).not.toContain('*');
    }
  });

  it.each(functionNames)('%s may use exactly the DynamoDB actions it declares, table by table', (name) => {
    const access = declared[name] ?? {};
    const expected: Partial<Record<string, string[]>> = {};
    for (const kind of TABLE_KINDS) {
      const actions = access.tables?.[kind];
      if (actions?.length) expected[kind] = [...new Set(actions)].sort();
    }
    // A consumer of the votes stream also reads the stream (its event source mapping does).
    if (streamConsumers.has(name))
      expected.votes = [...new Set([...(expected.votes ?? []), ...STREAM_READS])].sort();
    expect(dynamoActions(name)).toEqual(expected);
  });

  it('matches what the voting functions do, action by action', () => {
    expect(dynamoActions('ballot-page')).toEqual({});
    expect(dynamoActions('health')).toEqual({
      register: ['DescribeTable'],
      votes: ['DescribeTable'],
      operations: ['DescribeTable'],
    });
    expect(dynamoActions('ballot')).toEqual({
      register: ['GetItem'],
      operations: ['GetItem', 'PutItem', 'UpdateItem'],
      votes: ['GetItem'],
    });
    expect(dynamoActions('open-link')).toEqual({
      register: ['GetItem', 'UpdateItem'],
      operations: ['PutItem'],
      votes: ['GetItem'],
    });
    // The append checks the polls are open in its transaction; the polls are read to word a refusal.
    expect(dynamoActions('submit-proxy')).toEqual({
      register: ['GetItem'],
      operations: ['ConditionCheckItem', 'GetItem', 'UpdateItem'],
      votes: ['GetItem', 'PutItem', 'UpdateItem'],
    });
    expect(dynamoActions('conflicts')).toEqual({
      register: ['GetItem'],
      operations: ['GetItem'],
      votes: ['Query', 'Scan'],
    });
    expect(dynamoActions('close-polls')).toEqual({ operations: ['GetItem', 'PutItem'] });
  });

  it("lets only the functions that mail send it, as MAIL_FROM through the meeting's configuration set", () => {
    for (const name of functionNames) {
      const mail = statementsOf(name).filter((s) => list(s.Action).some((a) => a.startsWith('ses:')));
      expect(mail.length > 0, name).toBe((declared[name]?.mail?.length ?? 0) > 0);
      for (const s of mail) {
        expect(s.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'proxy@example.com' } });
        const text = JSON.stringify(s.Resource);
        expect(text).toContain(`identity/${settings.mail.domain}`);
        expect(text).toContain(`configuration-set/proxyvote-${meeting.id}`);
      }
    }
    expect(statementsOf('ballot').some((s) => list(s.Action).includes('ses:SendEmail'))).toBe(false);
    // The confirmation goes from the votes stream, not from the request.
    expect(statementsOf('submit-proxy').some((s) => list(s.Action).includes('ses:SendEmail'))).toBe(false);
    expect(statementsOf('confirmations').some((s) => list(s.Action).includes('ses:SendEmail'))).toBe(true);
  });

  it('gives queue, bucket and event-source-mapping access only where declared', () => {
    for (const name of functionNames) {
      const actions = statementsOf(name).flatMap((s) => list(s.Action));
      const access = declared[name] ?? {};
      // A function invoked asynchronously also sends its failed events to its own dead-letter queue,
      // and a stream consumer's mapping the pointers of its failed batches to its own.
      const own = fn(name).id.replace(/Function[0-9A-F]{8}$/, '');
      const sends = statementsOf(name)
        .filter((s) => list(s.Action).includes('sqs:SendMessage'))
        .filter((s) => {
          const text = JSON.stringify(s.Resource);
          return !text.includes(`${own}FunctionDeadLetters`) && !text.includes(`${own}StreamDeadLetters`);
        });
      expect(sends.length > 0, name).toBe((access.sendTo?.length ?? 0) > 0);
      expect(actions.includes('s3:GetObject'), name).toBe((access.registerBucket?.read?.length ?? 0) > 0);
      expect(actions.includes('s3:PutObject'), name).toBe((access.registerBucket?.write?.length ?? 0) > 0);
      expect(actions.includes('lambda:UpdateEventSourceMapping'), name).toBe(
        Object.keys(access.consumerSwitches ?? {}).length > 0,
      );
    }
  });
});

describe('the HTTP API', () => {
  const apiRoutes = resources(compute, 'AWS::ApiGatewayV2::Route');

  it('has one route per entry of functions/routes.ts; the admin routes use IAM authorization', () => {
    expect(apiRoutes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(routes.map(routeKey).sort());
    for (const route of routes) {
      const found = apiRoutes.find(([, r]) => r.Properties.RouteKey === routeKey(route))?.[1];
      const admin = route.path.startsWith('/admin/');
      expect(route.auth === 'iam', routeKey(route)).toBe(admin);
      expect(found?.Properties.AuthorizationType, routeKey(route)).toBe(admin ? 'AWS_IAM' : 'NONE');
    }
  });

  it('is throttled as the settings say and writes access logs', () => {
    compute.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: {
        ThrottlingRateLimit: settings.throttling.rateLimit,
        ThrottlingBurstLimit: settings.throttling.burstLimit,
      },
    });
    const [[, stage]] = resources(compute, 'AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const logs = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(logs.DestinationArn).toBeDefined();
    expect(JSON.parse(logs.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
  });
});

describe('the operator roles', () => {
  const roleName = (role: OperatorRole) => `proxyvote-${meeting.id}-${role}`;
  const policies = resources(compute, 'AWS::IAM::ManagedPolicy');

  /** `POST /admin/entries` from an execute-api ARN (Fn::Join of the API id, "*" stage, method and path). */
  function routeOfArn(resource: unknown): string {
    const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = parts.map((p) => (typeof p === 'string' ? p : '<ref>')).join('');
    const m = /^arn:<ref>:execute-api:[a-z0-9-]+:<ref>:<ref>\/\*\/([A-Z]+)(\/.*)$/.exec(text);
    if (!m) throw new Error(`not a route ARN of the API: ${text}`);
    return `${m[1]} ${m[2]}`;
  }

  /** What the role's policies allow, as "METHOD /path" (path parameters as "*"), and every action they name. */
  function allowed(role: OperatorRole): { routes: string[]; actions: string[] } {
    const [id, r] = resources(compute, 'AWS::IAM::Role').find(
      ([, x]) => x.Properties.RoleName === roleName(role),
    ) as [string, Resource];
    expect(id).toBeTruthy();
    const attached = (r.Properties.ManagedPolicyArns as { Ref: string }[]).map((a) => a.Ref);
    const inline = resources(compute, 'AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === id),
    );
    expect(inline, `${role}: no inline policy`).toEqual([]);
    const statements = policies
      .filter(([pid]) => attached.includes(pid))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    for (const st of statements) expect(st.Effect).toBe('Allow');
    return {
      routes: statements.flatMap((st) => list(st.Resource).map(routeOfArn)).sort(),
      actions: [...new Set(statements.flatMap((st) => list(st.Action)))],
    };
  }

  const expected = (role: OperatorRole) =>
    routes
      .filter((r) => r.auth === 'iam' && r.role === role)
      .map((r) => `${r.method} ${r.path.replace(/\{[^}]+\}/g, '*')}`)
      .sort();

  it('are three: the clerk, the inspector and the supervisor, each assumable from the account', () => {
    const names = resources(compute, 'AWS::IAM::Role')
      .map(([, r]) => String(r.Properties.RoleName ?? ''))
      .filter((n) => n.startsWith(`proxyvote-${meeting.id}-`));
    expect(names.sort()).toEqual(OPERATOR_ROLES.map(roleName).sort());
    for (const role of OPERATOR_ROLES) {
      const [, r] = resources(compute, 'AWS::IAM::Role').find(
        ([, x]) => x.Properties.RoleName === roleName(role),
      ) as [string, Resource];
      const trust = (r.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
      expect(trust).toHaveLength(1);
      expect(JSON.stringify(trust[0])).toContain(':root');
      expect(trust[0]?.Action).toBe('sts:AssumeRole');
    }
  });

  it('may each invoke exactly its routes of functions/routes.ts, and nothing else', () => {
    expect(expected('clerk')).toEqual(['POST /admin/entries']);
    expect(expected('supervisor')).toEqual([
      'GET /admin/imports',
      'GET /admin/polls',
      'GET /admin/status',
      'POST /admin/notices/send',
      'POST /admin/polls/close',
    ]);
    expect(expected('inspector')).toEqual([
      'GET /admin/conflicts',
      'GET /admin/export/*',
      'GET /admin/reports',
      'GET /admin/tally',
      'GET /admin/tally/*',
      'POST /admin/reports',
      'POST /admin/resolutions',
      'POST /admin/tally',
    ]);
    for (const role of OPERATOR_ROLES) {
      const a = allowed(role);
      expect(a.actions, role).toEqual(['execute-api:Invoke']);
      expect(a.routes, role).toEqual(expected(role));
    }
  });

  it('cover every admin route, each route by one role only', () => {
    const admin = routes.filter((r) => r.auth === 'iam');
    expect(admin.length).toBeGreaterThan(0);
    for (const r of admin) expect(OPERATOR_ROLES, routeKey(r)).toContain(r.role);
    const all = OPERATOR_ROLES.flatMap((role) => allowed(role).routes);
    expect(new Set(all).size).toBe(all.length);
  });

  it('are the only grants of execute-api in the stacks', () => {
    for (const t of [compute, stateful, edge]) {
      const docs = [
        ...resources(t, 'AWS::IAM::Policy').map(([id, p]) => [id, p.Properties.PolicyDocument] as const),
        ...resources(t, 'AWS::IAM::ManagedPolicy').map(
          ([id, p]) => [id, p.Properties.PolicyDocument] as const,
        ),
      ];
      for (const [id, doc] of docs) {
        const names = (doc as { Statement: Statement[] }).Statement.flatMap((st) => list(st.Action));
        if (names.some((n) => n.startsWith('execute-api:')))
          expect(
            policies.map(([pid]) => pid),
            id,
          ).toContain(id);
      }
    }
  });
});

describe('the edge', () => {
  it('has a CloudFront-scope web ACL with a rate-based rule per source address', () => {
    edge.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
    });
    const [[, acl]] = resources(edge, 'AWS::WAFv2::WebACL') as [[string, Resource]];
    const rules = acl.Properties.Rules as { Name: string; Statement: Record<string, unknown> }[];
    expect(rules.find((r) => r.Name === 'rate-per-source-address')?.Statement).toEqual({
      RateBasedStatement: {
        AggregateKeyType: 'IP',
        Limit: settings.waf.requestsPerSourceAddress,
        EvaluationWindowSec: settings.waf.windowSeconds,
      },
    });
  });

  it('is associated with the CloudFront distribution in front of the API', () => {
    const [[, dist]] = resources(compute, 'AWS::CloudFront::Distribution') as [[string, Resource]];
    const config = dist.Properties.DistributionConfig as {
      WebACLId: { 'Fn::GetAtt': [string, string] };
      Origins: { DomainName: unknown }[];
      Logging?: unknown;
    };
    const [reader, attribute] = config.WebACLId['Fn::GetAtt'];
    expect(compute.toJSON().Resources[reader].Type).toBe('Custom::CrossRegionExportReader');
    expect(attribute).toMatch(/^\/cdk\/exports\/proxyvote-hemacare-2002-compute\//);
    expect(JSON.stringify(config.Origins[0]?.DomainName)).toContain('execute-api');
    expect(config.Logging).toBeDefined();
    // CloudFront sends the origin secret, resolved from Secrets Manager at deployment (never in the template).
    const origin = config.Origins[0] as {
      OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
    };
    const header = origin.OriginCustomHeaders?.find((h) => h.HeaderName === 'x-proxyvote-origin');
    expect(JSON.stringify(header?.HeaderValue)).toContain('resolve:secretsmanager:');
    expect(JSON.stringify(header?.HeaderValue)).toContain('OriginSecret');
  });

  it("forwards the viewer's address by name, and neither Host nor any other viewer header", () => {
    const [[, dist]] = resources(compute, 'AWS::CloudFront::Distribution') as [[string, Resource]];
    const behavior = (dist.Properties.DistributionConfig as { DefaultCacheBehavior: Record<string, unknown> })
      .DefaultCacheBehavior;
    const ref = behavior.OriginRequestPolicyId as { Ref: string };
    const policy = compute.toJSON().Resources[ref.Ref];
    expect(policy.Type).toBe('AWS::CloudFront::OriginRequestPolicy');
    const config = policy.Properties.OriginRequestPolicyConfig;
    expect(config.HeadersConfig.HeaderBehavior).toBe('whitelist');
    expect(config.HeadersConfig.Headers.map((h: string) => h.toLowerCase()).sort()).toEqual([
      'accept-language',
      'cloudfront-viewer-address',
      'content-type',
    ]);
    expect(config.CookiesConfig).toEqual({ CookieBehavior: 'whitelist', Cookies: ['pv_session'] });
  });
});

describe("the workers' machinery", () => {
  it("runs every schedule in the meeting's time zone", () => {
    const schedules = resources(compute, 'AWS::Scheduler::Schedule');
    expect(schedules.length).toBe(
      workers.flatMap((w) => w.triggers).filter((t) => t.kind === 'schedule').length,
    );
    for (const [, s] of schedules) expect(s.Properties.ScheduleExpressionTimezone).toBe(meeting.timeZone);
    expect(schedules.map(([, s]) => s.Properties.ScheduleExpression)).toContain('cron(0 2 * * ? *)');
  });

  it('gives every queue (in either stack) a dead-letter queue, encryption and TLS only', () => {
    const queues = [...resources(compute, 'AWS::SQS::Queue'), ...resources(stateful, 'AWS::SQS::Queue')];
    expect(queues.length).toBeGreaterThan(0);
    for (const [id, q] of queues) expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
    const consumed = workers.flatMap((w) => w.triggers).filter((t) => t.kind === 'queue');
    const redriven = queues.filter(([, q]) => q.Properties.RedrivePolicy !== undefined);
    expect(redriven).toHaveLength(consumed.length);
    const policies = [
      ...resources(compute, 'AWS::SQS::QueuePolicy'),
      ...resources(stateful, 'AWS::SQS::QueuePolicy'),
    ];
    expect(policies.length).toBe(queues.length);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it("sends the SES configuration set's events to an encrypted topic", () => {
    compute.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: `proxyvote-${meeting.id}` });
    const [[, destination]] = resources(compute, 'AWS::SES::ConfigurationSetEventDestination') as [
      [string, Resource],
    ];
    const d = destination.Properties.EventDestination as {
      SnsDestination: unknown;
      MatchingEventTypes: string[];
    };
    expect(d.SnsDestination).toBeDefined();
    expect(d.MatchingEventTypes).toEqual(expect.arrayContaining(['bounce', 'complaint', 'delivery']));
    const topics = resources(compute, 'AWS::SNS::Topic');
    expect(topics.some(([, t]) => t.Properties.KmsMasterKeyId !== undefined)).toBe(true);
  });
});

describe('monitoring', () => {
  const alarms = resources(compute, 'AWS::CloudWatch::Alarm');
  const alarmTopic = resources(compute, 'AWS::SNS::Topic').find(([id]) => id.includes('AlarmTopic'))?.[0];

  it('e-mails the alarms to the address of the deployment settings', () => {
    expect(alarmTopic).toBeDefined();
    compute.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: settings.alarmEmail,
      TopicArn: { Ref: alarmTopic },
    });
    for (const [id, a] of alarms) expect(a.Properties.AlarmActions, id).toEqual([{ Ref: alarmTopic }]);
  });

  it("alarms on the workers' errors, every function's throttles, and on every dead-letter queue", () => {
    const names = alarms.map(([, a]) => String(a.Properties.AlarmName));
    const http = new Set(routes.map((r) => r.function));
    for (const name of functionNames) {
      // An HTTP function's exception is a 500 answer, not a Lambda error: the API's 5xx alarms watch it.
      if (http.has(name)) expect(names).not.toContain(`proxyvote-${meeting.id}-${name}-errors`);
      else expect(names).toContain(`proxyvote-${meeting.id}-${name}-errors`);
      expect(names).toContain(`proxyvote-${meeting.id}-${name}-throttles`);
    }
    expect(names).toContain(`proxyvote-${meeting.id}-api-5xx-rate`);
    const deadLetterAlarms = alarms.filter(
      ([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(deadLetterAlarms).toHaveLength(stacks.compute.deadLetterQueues.size);
    expect(names).toContain(`proxyvote-${meeting.id}-api-5xx`);
  });

  it('alarms when control numbers fail across viewers (a guesser spread over many addresses)', () => {
    const [, guessing] = alarms.find(
      ([, a]) => a.Properties.AlarmName === `proxyvote-${meeting.id}-control-number-guessing`,
    ) as [string, Resource];
    expect(guessing.Properties).toMatchObject({
      MetricName: 'ControlNumberFailures',
      Namespace: METRICS_NAMESPACE,
      Statistic: 'Sum',
      Period: 900,
      Threshold: GUESSING_ALARM_THRESHOLD,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // Summed over the meeting and the service only: no per-viewer dimension splits it.
    const dimensions = (guessing.Properties.Dimensions as { Name: string }[]).map((d) => d.Name).sort();
    expect(dimensions).toEqual(['meeting', 'service']);
  });

  it('has a dashboard with the product metrics and the quorum line', () => {
    const [[, dashboard]] = resources(compute, 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const parts = (dashboard.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('')) as {
      widgets: { properties: { title?: string; annotations?: { horizontal: { value: number }[] } } }[];
    };
    const shares = body.widgets.find((w) => w.properties.title === 'Shares present against the quorum');
    expect(shares?.properties.annotations?.horizontal[0]?.value).toBe(requiredQuorum(meeting));
    const text = JSON.stringify(body);
    for (const metric of [
      'NoticesSent',
      'NoticesFailed',
      'NoticesBounced',
      'ProxiesAccepted',
      'ProxiesRefused',
      'Revocations',
      'SharesPresent',
      '4xx',
      '5xx',
      'Throttles',
      'Duration',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(text).toContain(metric);
    }
  });
});

describe('control numbers in flight', () => {
  const queues = resources(stateful, 'AWS::SQS::Queue');
  const notices = queues.find(([id]) => id.startsWith('NoticesQueue'));
  const deadLetters = queues.find(([id]) => id.startsWith('NoticesDeadLetters'));

  it('the notice queue and its dead-letter queue are in the stateful stack, retained, kept 14 days', () => {
    expect(notices).toBeDefined();
    expect(deadLetters).toBeDefined();
    for (const [id, q] of [notices, deadLetters] as [string, Resource & { UpdateReplacePolicy?: string }][]) {
      expect(q.DeletionPolicy, id).toBe('Retain');
      expect(q.UpdateReplacePolicy, id).toBe('Retain');
      expect(q.Properties.MessageRetentionPeriod, id).toBe(14 * 24 * 3600);
      expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
    }
    expect(JSON.stringify(notices?.[1].Properties.RedrivePolicy)).toContain(deadLetters?.[0] ?? '-');
    // The compute stack holds no queue that carries control numbers: only work queues and the
    // functions' own dead-letter queues, none of them the notice queue.
    expect(resources(compute, 'AWS::SQS::Queue').some(([id]) => id.startsWith('Notices'))).toBe(false);
  });

  it("the notice consumer's event source reads the stateful stack's queue, created disabled", () => {
    const mappings = resources(compute, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      JSON.stringify(m.Properties.FunctionName).includes(fn('notice-sender').id),
    );
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0] as [string, Resource];
    expect(mapping.Properties.Enabled).toBe(false);
    expect(JSON.stringify(mapping.Properties.EventSourceArn)).toContain('NoticesQueue');
    expect(JSON.stringify(mapping.Properties.EventSourceArn)).toContain('Fn::ImportValue');
  });

  it('alarms on the age of the oldest message, two days, well before the 14-day expiry', () => {
    const ageAlarms = resources(compute, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage',
    );
    expect(ageAlarms.map(([, a]) => String(a.Properties.AlarmName)).sort()).toEqual([
      `proxyvote-${meeting.id}-notices-dead-letters-oldest-message-age`,
      `proxyvote-${meeting.id}-notices-queue-oldest-message-age`,
    ]);
    for (const [id, a] of ageAlarms) {
      expect(a.Properties.Threshold, id).toBe(2 * 24 * 3600);
      expect(a.Properties.Threshold as number, id).toBeLessThan(14 * 24 * 3600);
      expect(a.Properties.ComparisonOperator, id).toBe('GreaterThanThreshold');
      expect(a.Properties.Statistic, id).toBe('Maximum');
    }
    const watched = ageAlarms.map(([, a]) => JSON.stringify(a.Properties.Dimensions));
    expect(watched.some((d) => d.includes('NoticesQueue'))).toBe(true);
    expect(watched.some((d) => d.includes('NoticesDeadLetters'))).toBe(true);
    // Any message at all in the dead-letter queue alarms too.
    const depth = resources(compute, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) =>
        a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(a.Properties.Dimensions).includes('NoticesDeadLetters'),
    );
    expect(depth).toHaveLength(1);
    expect(depth[0]?.[1].Properties.Threshold).toBe(1);
  });
});

describe('the sending identity', () => {
  it('is an SES domain identity with Easy DKIM and the custom MAIL FROM domain, in the stateful stack', () => {
    const identities = resources(stateful, 'AWS::SES::EmailIdentity');
    expect(identities).toHaveLength(1);
    const [, identity] = identities[0] as [string, Resource];
    expect(identity.Properties.EmailIdentity).toBe(settings.mail.domain);
    // DKIM signing on (CloudFormation's default when DkimAttributes is absent).
    expect([undefined, { SigningEnabled: true }]).toContainEqual(identity.Properties.DkimAttributes);
    expect(identity.Properties.DkimSigningAttributes).toBeUndefined(); // Easy DKIM: SES holds the keys
    expect(identity.Properties.MailFromAttributes).toEqual({ MailFromDomain: settings.mail.mailFromDomain });
    // Not retained: a failed first deployment rolls it back, and the retry creates it again.
    expect(identity.DeletionPolicy).toBeUndefined();
    resources(compute, 'AWS::SES::EmailIdentity').forEach(([id]) => {
      throw new Error(`an SES identity in the compute stack: ${id}`);
    });
  });

  it("is the identity the functions' SES statements name", () => {
    for (const name of functionNames.filter((n) => (declared[n]?.mail?.length ?? 0) > 0)) {
      const mail = statementsOf(name).filter((s) => list(s.Action).some((a) => a.startsWith('ses:')));
      expect(JSON.stringify(mail), name).toContain(`identity/${settings.mail.domain}`);
    }
  });
});

describe('a deployment that failed, or is repeated, deploys again without hand clean-up', () => {
  const all = [
    ['stateful', stateful],
    ['compute', compute],
    ['edge', edge],
  ] as const;
  const NAME_PROPERTIES = [
    'TableName',
    'Name',
    'SecretName',
    'QueueName',
    'BucketName',
    'KeyAlias',
    'TopicName',
  ];

  it('no retained resource has a fixed physical name: CloudFormation names them', () => {
    const retained = all.flatMap(([stack, t]) =>
      Object.entries(t.toJSON().Resources as Record<string, Resource>)
        .filter(([, r]) => r.DeletionPolicy === 'Retain')
        .map(([id, r]) => [`${stack}/${id}`, r] as const),
    );
    expect(retained.length).toBeGreaterThanOrEqual(3 + 1 + 2 + 2);
    for (const [id, r] of retained) {
      for (const p of NAME_PROPERTIES) expect(r.Properties?.[p], `${id}.${p}`).toBeUndefined();
    }
  });

  it('the records are retained: tables, the secret, the buckets and the record queues', () => {
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::SecretsManager::Secret',
      'AWS::S3::Bucket',
      'AWS::SQS::Queue',
    ]) {
      const found = resources(stateful, type);
      expect(found.length, type).toBeGreaterThan(0);
      for (const [id, r] of found) expect(r.DeletionPolicy, `${type} ${id}`).toBe('Retain');
    }
  });

  it('the functions find the tables, secret and queue through their environment, not by name', () => {
    for (const name of functionNames) {
      for (const [key, value] of Object.entries(env(name))) {
        if (/_TABLE$|_QUEUE_URL$|^CONTROL_SECRET_ARN$/.test(key)) {
          expect(typeof value, `${name} ${key}`).toBe('object'); // a reference, resolved at deploy time
        }
      }
    }
    expect(env('register-import').NOTICES_QUEUE_URL).toBeDefined();
  });
});

describe('the interim vote reports', () => {
  it("the mailer and the admin function get the deploy settings' recipients, and no other function", () => {
    const recipients = JSON.stringify(settings.voteReports?.recipients);
    expect(settings.voteReports?.recipients.length).toBeGreaterThan(0);
    for (const name of functionNames) {
      const value = env(name)?.VOTE_REPORT_RECIPIENTS;
      if (name === 'vote-reports' || name === 'vote-report-mailer') expect(value, name).toBe(recipients);
      else expect(value, name).toBeUndefined();
    }
  });

  it("the mailer runs hourly in the meeting's time zone", () => {
    const hourly = resources(compute, 'AWS::Scheduler::Schedule').filter(
      ([, r]) => r.Properties.ScheduleExpression === 'cron(20 * * * ? *)',
    );
    expect(hourly).toHaveLength(1);
    expect(hourly[0]?.[1].Properties.ScheduleExpressionTimezone).toBe(meeting.timeZone);
    expect(JSON.stringify(hourly[0]?.[1].Properties.Target)).toContain(fn('vote-report-mailer').id);
  });

  it('a recipient of a party the meeting file does not name stops the synthesis, naming it', () => {
    const bad = {
      ...settings,
      voteReports: { recipients: [{ party: 'committee', name: 'C', email: 'c@example.com' }] },
    };
    const other = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => buildMeetingStacks(other, { meeting, settings: bad, routes, workers, httpAccess })).toThrow(
      /voteReports\.recipients\.0\.party: the meeting has no soliciting parties/,
    );
  });
});
