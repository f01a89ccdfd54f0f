// The stateful stack of one meeting: its three DynamoDB tables, built from the same plain definitions
// (shared/storage/tables.ts) that the local stack uses; the control-number secret; the bucket the
// register is uploaded to, and the bucket of access logs. Kept apart from the stateless stacks so that
// redeploying code never touches data; everything here is retained when the stack is deleted, tables
// are deletion-protected and point-in-time recoverable, buckets are encrypted, private and TLS-only.
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
import type { Construct } from 'constructs';
import type { Meeting } from '../shared/domain/meeting.ts';
import {
  type KeyAttribute,
  TABLE_KINDS,
  TABLES,
  type TableDefinition,
  type TableKind,
  tableName,
} from '../shared/storage/tables.ts';

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

export interface StatefulStackProps extends StackProps {
  meeting: Meeting;
  /** Days access logs are kept in the logs bucket; default 400. */
  logRetentionDays?: number;
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

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, {
      description: `proxyvote: records of ${props.meeting.company.name}, ${props.meeting.title} (${props.meeting.id})`,
      ...props,
    });
    Tags.of(this).add('proxyvote:meeting', props.meeting.id);

    const tables = {} as Record<TableKind, Table>;
    for (const kind of TABLE_KINDS) {
      tables[kind] = this.table(TABLES[kind], tableName(props.meeting.id, kind));
    }
    this.tables = tables;

    this.controlSecret = new Secret(this, 'ControlSecret', {
      secretName: `proxyvote/${props.meeting.id}/control-secret`,
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

    this.originSecret = new Secret(this, 'OriginSecret', {
      secretName: `proxyvote/${props.meeting.id}/origin-secret`,
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

  private table(def: TableDefinition, name: string): Table {
    const table = new Table(this, `${pascal(def.kind)}Table`, {
      tableName: name,
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
