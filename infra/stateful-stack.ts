// The stateful stack of one meeting: its three DynamoDB tables, built from the same plain definitions
// (shared/storage/tables.ts) that the local stack uses. Kept apart from the stateless stacks so that
// redeploying code never touches data; tables are retained, deletion-protected and point-in-time
// recoverable.
import { CfnOutput, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
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
}

export class StatefulStack extends Stack {
  readonly tables: Readonly<Record<TableKind, Table>>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, {
      description: `proxyvote: tables of ${props.meeting.company.name}, ${props.meeting.title} (${props.meeting.id})`,
      ...props,
    });
    Tags.of(this).add('proxyvote:meeting', props.meeting.id);

    const tables = {} as Record<TableKind, Table>;
    for (const kind of TABLE_KINDS) {
      tables[kind] = this.table(TABLES[kind], tableName(props.meeting.id, kind));
    }
    this.tables = tables;
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
