// The stateful stack of one meeting: its three DynamoDB tables, built from the same plain definitions
// (shared/storage/tables.ts) that the local stack uses; the control-number secret; the bucket the
// register is uploaded to, and the bucket of access logs; the queues that hold records in flight (the
// notice queue keeps every e-delivery holder's control number until it is sent) with their
// dead-letter queues; and the SES sending identity. Kept apart from the stateless stacks so that
// redeploying code never touches data; every record here is retained when the stack is deleted,
// tables are deletion-protected and point-in-time recoverable, buckets and queues are encrypted,
// private and TLS-only.
//
// No retained resource has a fixed physical name: CloudFormation names them, and the functions get
// the names through their environment. So a first deployment that failed, or a stack destroyed and
// deployed again, is simply deployed again: the retained leftovers keep their own names and never
// collide with the new resources (docs/deploying.md, "Retrying a failed deployment").
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Meeting } from '../shared/domain/meeting.ts';
import {
  type KeyAttribute,
  TABLE_KINDS,
  TABLES,
  type TableDefinition,
  type TableKind,
} from '../shared/storage/tables.ts';
import type { DeploySettings } from './deploy-settings.ts';

const ATTRIBUTE_TYPES = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const;
const STREAM_VIEWS = {
  NEW_IMAGE: StreamViewType.NEW_IMAGE,
  OLD_IMAGE: StreamViewType.OLD_IMAGE,
  NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
  KEYS_ONLY: StreamViewType.KEYS_ONLY,
} as const;
const PROJECTIONS = { ALL: ProjectionType.ALL, KEYS_ONLY: ProjectionType.KEYS_ONLY } as const;

const attribute = (a: KeyAttribute): Attribute => ({ name: a.name, type: ATTRIBUTE_TYPES[a.type] });

function pascal(kind: string): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** A queue whose messages are records (control numbers in flight): it lives here, retained. */
export interface RecordQueueSpec {
  /** The queue's name in the worker specs (functions/workers.ts), e.g. `notices`. */
  readonly name: string;
  /** At least the consumer's timeout (SQS requires it). */
  readonly visibilityTimeoutSeconds: number;
  /** Deliveries before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

export interface RecordQueue {
  readonly queue: Queue;
  readonly deadLetters: Queue;
}

/** SQS keeps a message fourteen days at most: the record queues keep theirs that long. */
export const RECORD_QUEUE_RETENTION = Duration.days(14);

export interface StatefulStackProps extends StackProps {
  meeting: Meeting;
  /** Days access logs are kept in the logs bucket; default 400. */
  logRetentionDays?: number;
  /** The mail settings: the SES identity is created here unless it exists already. */
  mail?: DeploySettings['mail'];
  /** Queues that hold records in flight (functions/workers.ts marks them `holdsRecords`). */
  recordQueues?: readonly RecordQueueSpec[];
}

/** The prefix under which the register (CSV) is uploaded; the import function may read only there. */
export const REGISTER_PREFIX = 'register/';

export class StatefulStack extends Stack {
  readonly tables: Readonly<Record<TableKind, Table>>;
  /** The HMAC key of the control numbers: 32 random bytes as 64 hex digits. */
  readonly controlSecret: Secret;
  /**
   * The CloudFront origin secret: CloudFront sends it to the API in a custom header, and the public
   * functions refuse requests without it (the API's own endpoint would skip the WAF). Rotatable: the
   * functions accept its current and previous values.
   */
  readonly originSecret: Secret;
  /** Where the register file is uploaded for import. */
  readonly registerBucket: Bucket;
  /** Server access logs of the register bucket and the CloudFront distribution's logs. */
  readonly logsBucket: Bucket;
  /** The record queues and their dead-letter queues, by name. */
  readonly recordQueues = new Map<string, RecordQueue>();
  /** The SES domain identity with Easy DKIM, when these stacks create it. */
  readonly emailIdentity?: EmailIdentity;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, {
      description: `proxyvote: records of ${props.meeting.company.name}, ${props.meeting.title} (${props.meeting.id})`,
      ...props,
    });
    Tags.of(this).add('proxyvote:meeting', props.meeting.id);

    const tables = {} as Record<TableKind, Table>;
    for (const kind of TABLE_KINDS) {
      tables[kind] = this.table(TABLES[kind]);
    }
    this.tables = tables;

    this.controlSecret = new Secret(this, 'ControlSecret', {
      description: `proxyvote ${props.meeting.id}: the HMAC key of the control numbers (32 random bytes, hex)`,
      // 64 characters from 0-9a-f: the functions refuse anything else.
      generateSecretString: {
        passwordLength: 64,
        excludeUppercase: true,
        excludePunctuation: true,
        includeSpace: false,
        excludeCharacters: 'ghijklmnopqrstuvwxyz',
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.controlSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The control-number key must not rotate: every control number mailed to holders is an HMAC under it, ' +
        'and a new key would make all of them unrecognisable until the meeting is over.',
    });

    // No fixed name: CloudFormation names it, so a failed or repeated deploy never meets a retained
    // secret of the same name (docs/deploying.md); the compute stack reads it by ARN.
    this.originSecret = new Secret(this, 'OriginSecret', {
      description: `proxyvote ${props.meeting.id}: the header CloudFront adds to every request it forwards to the API`,
      // 48 letters and digits: what the functions accept (shared/http/origin.ts).
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'Rotated by operations (docs/security.md): put a new value, then redeploy the compute stack so that ' +
        'CloudFront sends it; the functions accept the current and the previous value meanwhile. An automatic ' +
        'rotation would leave CloudFront sending a value two versions old.',
    });

    this.logsBucket = new Bucket(this, 'LogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // CloudFront's standard logs are delivered with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        {
          expiration: Duration.days(props.logRetentionDays ?? 400),
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.registerBucket = new Bucket(this, 'RegisterBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'register-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const spec of props.recordQueues ?? []) this.recordQueue(spec);

    const mail = props.mail;
    if (mail && mail.identity === 'create') {
      // Easy DKIM (2048-bit keys that SES rotates): publish the three CNAME records SES lists for the
      // identity; until then the identity stays unverified and nothing can be sent.
      this.emailIdentity = new EmailIdentity(this, 'MailIdentity', {
        identity: Identity.domain(mail.domain),
        ...(mail.mailFromDomain ? { mailFromDomain: mail.mailFromDomain } : {}),
      });
      new CfnOutput(this, 'MailIdentityDomain', {
        value: mail.domain,
        description:
          'SES identity: publish its DKIM CNAME records (SES console, or `aws sesv2 get-email-identity`)',
      });
      for (const [i, record] of this.emailIdentity.dkimRecords.entries()) {
        new CfnOutput(this, `MailDkimRecord${i + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: 'DKIM: publish this CNAME record in the DNS of mail.domain',
        });
      }
    }

    new CfnOutput(this, 'ControlSecretArn', {
      value: this.controlSecret.secretArn,
      description:
        'Secrets Manager secret holding the control-number HMAC key (the functions get only its ARN)',
    });
    new CfnOutput(this, 'OriginSecretArn', {
      value: this.originSecret.secretArn,
      description:
        'Secrets Manager secret CloudFront sends to the API (rotate it, then redeploy the compute stack)',
    });
    new CfnOutput(this, 'RegisterBucketName', {
      value: this.registerBucket.bucketName,
      description: `Upload the register under ${REGISTER_PREFIX} to import it`,
    });
    new CfnOutput(this, 'LogsBucketName', { value: this.logsBucket.bucketName });
  }

  /** A queue of records and its dead-letter queue: encrypted, TLS-only, kept 14 days, retained. */
  private recordQueue(spec: RecordQueueSpec): RecordQueue {
    const id = spec.name.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase());
    const deadLetters = new Queue(this, `${id}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RECORD_QUEUE_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const queue = new Queue(this, `${id}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: RECORD_QUEUE_RETENTION,
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: spec.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const out = { queue, deadLetters };
    this.recordQueues.set(spec.name, out);
    new CfnOutput(this, `${id}QueueUrl`, {
      value: queue.queueUrl,
      description: `The ${spec.name} queue (records in flight: retained with the stack's data)`,
    });
    new CfnOutput(this, `${id}DeadLettersUrl`, { value: deadLetters.queueUrl });
    return out;
  }

  private table(def: TableDefinition): Table {
    const table = new Table(this, `${pascal(def.kind)}Table`, {
      partitionKey: attribute(def.partitionKey),
      ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: TableEncryption.AWS_MANAGED,
      ...(def.stream ? { stream: STREAM_VIEWS[def.stream] } : {}),
      ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
    });
    for (const index of def.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        projectionType: PROJECTIONS[index.projection],
      });
    }
    new CfnOutput(this, `${pascal(def.kind)}TableName`, { value: table.tableName, description: def.purpose });
    return table;
  }
}
