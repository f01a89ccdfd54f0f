// Least privilege, written down as data: what each function may do, and the one place that turns it
// into IAM statements and environment variables. A DynamoDB grant names the actions on the table
// itself (never `<table>/index/*` unless an index is named); TransactWriteItems is allowed through the
// actions of its items (PutItem, UpdateItem, ConditionCheckItem), BatchGetItem per table.
import { Aws, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { TABLE_KINDS, TABLES, type TableKind } from '../shared/storage/tables.ts';
import { acknowledgeWildcardResources } from './nag.ts';
import type { ProxyvoteFunction } from './proxyvote-function.ts';

export type ItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem'
  | 'DescribeTable';

export type IndexAction = 'Query' | 'Scan';

export type MailAction = 'SendEmail' | 'SendRawEmail';

export interface FunctionAccess {
  /** DynamoDB actions on each table. */
  readonly tables?: Partial<Record<TableKind, readonly ItemAction[]>>;
  /** Query/Scan on named global secondary indexes. */
  readonly indexes?: Partial<Record<TableKind, Readonly<Record<string, readonly IndexAction[]>>>>;
  /** Reads the control-number secret (gets CONTROL_SECRET_ARN). */
  readonly controlSecret?: boolean;
  /** Sends mail as MAIL_FROM from the meeting's SES identity, through its configuration set. */
  readonly mail?: readonly MailAction[];
  /** Sends messages to these queues (by name); each URL comes in <NAME>_QUEUE_URL. */
  readonly sendTo?: readonly string[];
  /** Objects of the register bucket under these prefixes. */
  readonly registerBucket?: { readonly read?: readonly string[]; readonly write?: readonly string[] };
  /**
   * Switches on the consumer of a queue: queue name -> the variable that gets the UUID of its
   * consumer's event source mapping (lambda:GetEventSourceMapping and UpdateEventSourceMapping on it).
   */
  readonly consumerSwitches?: Readonly<Record<string, string>>;
  /** Gets the vote report recipients of the deploy settings (VOTE_REPORT_RECIPIENTS, JSON). */
  readonly voteReportRecipients?: boolean;
}

/**
 * The HTTP functions (functions/routes.ts), by function directory. The voting runtime
 * (shared/voting/runtime.ts) will not start without the control secret, so every function built on
 * it reads the secret, even those that never hash a control number.
 */
export const HTTP_FUNCTION_ACCESS: Readonly<Record<string, FunctionAccess>> = {
  // DescribeTable on each table: is it there and ACTIVE.
  health: {
    tables: { register: ['DescribeTable'], votes: ['DescribeTable'], operations: ['DescribeTable'] },
  },
  // Renders the meeting file: nothing else.
  'ballot-page': {},
  // Reserves a guess for the viewer and gives it back (UpdateItem on operations), looks up the control
  // number (GetItem), opens a session (PutItem) or reads one (GetItem), reads the effective instruction.
  ballot: {
    controlSecret: true,
    tables: { register: ['GetItem'], operations: ['GetItem', 'PutItem', 'UpdateItem'], votes: ['GetItem'] },
  },
  // Uses the link token once (a conditional UpdateItem on register), looks up its control number,
  // opens a session, reads the effective instruction.
  'open-link': {
    controlSecret: true,
    tables: { register: ['GetItem', 'UpdateItem'], operations: ['PutItem'], votes: ['GetItem'] },
  },
  // As ballot (without opening a session), then appends the instruction and moves the pointer (a
  // transaction of Put and Update on votes, with the polls-open check on operations); the confirmation
  // goes from the votes stream (the confirmations worker). Reads the polls' state only to word a
  // refusal after the close.
  'submit-proxy': {
    controlSecret: true,
    tables: {
      register: ['GetItem'],
      operations: ['GetItem', 'UpdateItem', 'ConditionCheckItem'],
      votes: ['GetItem', 'PutItem', 'UpdateItem'],
    },
  },
  'revoke-proxy': {
    controlSecret: true,
    tables: {
      register: ['GetItem'],
      operations: ['GetItem', 'UpdateItem', 'ConditionCheckItem'],
      votes: ['GetItem', 'PutItem', 'UpdateItem'],
    },
  },
  // Reads the holder and whether the polls are closed, reads an account's history for a resolution,
  // appends with the polls check (ConditionCheckItem on operations) in the same transaction.
  'operator-entry': {
    controlSecret: true,
    tables: {
      register: ['GetItem'],
      operations: ['GetItem', 'ConditionCheckItem'],
      votes: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
    },
  },
  // The inspector's resolution: the same use case as an operator entry (it reads the account's history).
  resolution: {
    controlSecret: true,
    tables: {
      register: ['GetItem'],
      operations: ['GetItem', 'ConditionCheckItem'],
      votes: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
    },
  },
  // Reads the polls' state, then writes the polls-closed marker once (a conditional PutItem).
  'close-polls': { controlSecret: true, tables: { operations: ['GetItem', 'PutItem'] } },
  // Lists the accounts with paper (a Scan of the pointers), reads each one's holder and history, and
  // the polls' state.
  conflicts: {
    controlSecret: true,
    tables: { register: ['GetItem'], operations: ['GetItem'], votes: ['Scan', 'Query'] },
  },
  // Records the start of the sending, then switches on the notice queue's consumer.
  'notices-admin': {
    tables: { operations: ['PutItem'] },
    consumerSwitches: { notices: 'NOTICE_CONSUMER_MAPPING_UUID' },
  },
};

/** What grants refer to: the stateful stack's resources and the compute stack's queues and mail settings. */
export interface AccessTargets {
  readonly tables: Readonly<Record<TableKind, ITable>>;
  readonly controlSecret: ISecret;
  readonly registerBucket: IBucket;
  readonly queues: ReadonlyMap<string, IQueue>;
  /** The event source mapping of each queue's consumer. */
  readonly consumers: ReadonlyMap<string, { readonly id: string; readonly arn: string }>;
  readonly mail: {
    readonly identityDomain: string;
    readonly fromAddress: string;
    readonly configurationSet: string;
  };
  /** The deploy settings' voteReports.recipients as JSON ("[]" when none). */
  readonly voteReportRecipients?: string;
}

/** `notices` -> `NOTICES_QUEUE_URL`. */
export function queueUrlVariable(queue: string): string {
  return `${queue.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_QUEUE_URL`;
}

/** Gives one function exactly the access it declares, and the environment that says where things are. */
export function grantAccess(fn: ProxyvoteFunction, access: FunctionAccess, targets: AccessTargets): void {
  const usesTables = Object.keys(access.tables ?? {}).length + Object.keys(access.indexes ?? {}).length > 0;
  if (usesTables) {
    // The storage config (shared/config/storage-config.ts) reads all three names, used or not: names
    // are not access.
    for (const kind of TABLE_KINDS) fn.addEnvironment(TABLES[kind].envVar, targets.tables[kind].tableName);
  }
  for (const kind of TABLE_KINDS) {
    const actions = access.tables?.[kind];
    if (actions?.length) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: unique(actions).map((a) => `dynamodb:${a}`),
          resources: [targets.tables[kind].tableArn],
        }),
      );
    }
    for (const [index, indexActions] of Object.entries(access.indexes?.[kind] ?? {})) {
      const known = TABLES[kind].globalIndexes.some((g) => g.name === index);
      if (!known) throw new Error(`${fn.name}: the ${kind} table has no index "${index}"`);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: unique(indexActions).map((a) => `dynamodb:${a}`),
          resources: [`${targets.tables[kind].tableArn}/index/${index}`],
        }),
      );
    }
  }

  if (access.voteReportRecipients)
    fn.addEnvironment('VOTE_REPORT_RECIPIENTS', targets.voteReportRecipients ?? '[]');

  if (access.controlSecret) {
    fn.addEnvironment('CONTROL_SECRET_ARN', targets.controlSecret.secretArn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [targets.controlSecret.secretArn],
      }),
    );
  }

  if (access.mail?.length) {
    const { identityDomain, fromAddress, configurationSet } = targets.mail;
    const arn = (resource: string) =>
      `arn:${Aws.PARTITION}:ses:${Stack.of(fn).region}:${Aws.ACCOUNT_ID}:${resource}`;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: unique(access.mail).map((a) => `ses:${a}`),
        resources: [arn(`identity/${identityDomain}`), arn(`configuration-set/${configurationSet}`)],
        conditions: { StringEquals: { 'ses:FromAddress': fromAddress } },
      }),
    );
  }

  for (const name of access.sendTo ?? []) {
    const queue = targets.queues.get(name);
    if (!queue) throw new Error(`${fn.name}: sends to the queue "${name}", which no worker defines`);
    fn.addEnvironment(queueUrlVariable(name), queue.queueUrl);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );
  }

  for (const [queue, variable] of Object.entries(access.consumerSwitches ?? {})) {
    const mapping = targets.consumers.get(queue);
    if (!mapping)
      throw new Error(`${fn.name}: switches the consumer of "${queue}", which no worker consumes`);
    fn.addEnvironment(variable, mapping.id);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
        resources: [mapping.arn],
      }),
    );
  }

  const bucket = targets.registerBucket;
  const objects = (prefixes: readonly string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
  if (access.registerBucket?.read?.length || access.registerBucket?.write?.length) {
    fn.addEnvironment('REGISTER_BUCKET', bucket.bucketName);
  }
  if (access.registerBucket?.read?.length) {
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: objects(access.registerBucket.read) }),
    );
  }
  if (access.registerBucket?.write?.length) {
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: objects(access.registerBucket.write) }),
    );
  }
  const prefixes = [...(access.registerBucket?.read ?? []), ...(access.registerBucket?.write ?? [])];
  if (prefixes.length > 0 && fn.role) {
    acknowledgeWildcardResources(
      fn.role,
      (resource) => prefixes.some((p) => resource.endsWith(`/${p}*`)),
      `Objects of the register bucket under ${prefixes.join(', ')} only: S3 object ARNs name keys by prefix ` +
        'with "*" (the keys are chosen at upload time); the bucket itself and other prefixes stay out of reach.',
    );
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
