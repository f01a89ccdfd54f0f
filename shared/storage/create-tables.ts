// Adapter from the plain table definitions (tables.ts) to DynamoDB's control-plane API: creates the
// tables that are missing, waits until they are ACTIVE and switches on TTL. Used by the local stack
// and the integration tests; on AWS the CDK stateful stack creates the same tables.
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type KeyAttribute,
  keyAttributes,
  TABLE_KINDS,
  TABLES,
  type TableDefinition,
  type TableKind,
  type TableNames,
} from './tables.ts';

function keySchema(partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

export function createTableInput(def: TableDefinition, name: string): CreateTableCommandInput {
  const attributes: AttributeDefinition[] = keyAttributes(def).map((a) => ({
    AttributeName: a.name,
    AttributeType: a.type,
  }));
  const input: CreateTableCommandInput = {
    TableName: name,
    BillingMode: def.billing,
    AttributeDefinitions: attributes,
    KeySchema: keySchema(def.partitionKey, def.sortKey),
  };
  if (def.globalIndexes.length > 0) {
    input.GlobalSecondaryIndexes = def.globalIndexes.map((g) => ({
      IndexName: g.name,
      KeySchema: keySchema(g.partitionKey, g.sortKey),
      Projection: { ProjectionType: g.projection },
    }));
  }
  if (def.stream) input.StreamSpecification = { StreamEnabled: true, StreamViewType: def.stream };
  return input;
}

async function tableStatus(client: DynamoDBClient, name: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    return out.Table?.TableStatus;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
}

async function waitActive(client: DynamoDBClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await tableStatus(client, name);
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`table ${name} is not ACTIVE after ${timeoutMs} ms (${status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ensureTtl(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const desc = current.TimeToLiveDescription;
  if (desc?.AttributeName === attribute && desc.TimeToLiveStatus !== 'DISABLED') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
    }),
  );
}

export interface CreateTablesResult {
  created: TableKind[];
  existing: TableKind[];
}

/** Creates whichever of the meeting's tables do not exist yet; idempotent. */
export async function createTables(
  client: DynamoDBClient,
  names: TableNames,
  options: { kinds?: readonly TableKind[]; timeoutMs?: number } = {},
): Promise<CreateTablesResult> {
  const kinds = options.kinds ?? TABLE_KINDS;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const result: CreateTablesResult = { created: [], existing: [] };
  await Promise.all(
    kinds.map(async (kind) => {
      const def = TABLES[kind];
      const name = names[kind];
      if ((await tableStatus(client, name)) === undefined) {
        try {
          await client.send(new CreateTableCommand(createTableInput(def, name)));
          result.created.push(kind);
        } catch (e) {
          if (!(e instanceof ResourceInUseException)) throw e;
          result.existing.push(kind);
        }
      } else {
        result.existing.push(kind);
      }
      await waitActive(client, name, timeoutMs);
      if (def.ttlAttribute) await ensureTtl(client, name, def.ttlAttribute);
    }),
  );
  return result;
}
