// Is each of the meeting's tables there and ACTIVE? Used by GET /health.
import {
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { TABLE_KINDS, type TableKind, type TableNames } from './tables.ts';

export interface TableState {
  name: string;
  /** DynamoDB's TableStatus (ACTIVE, CREATING, ...), MISSING, or UNREACHABLE when the call failed. */
  status: string;
  error?: string;
}

export interface TablesHealth {
  healthy: boolean;
  tables: Record<TableKind, TableState>;
  /** One line per table that is not ACTIVE, naming it. */
  problems: string[];
}

async function describe(client: DynamoDBClient, name: string): Promise<TableState> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    return { name, status: out.Table?.TableStatus ?? 'UNKNOWN' };
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return { name, status: 'MISSING' };
    const err = e as Error;
    return { name, status: 'UNREACHABLE', error: `${err.name}: ${err.message}` };
  }
}

export async function checkTables(client: DynamoDBClient, names: TableNames): Promise<TablesHealth> {
  const states = await Promise.all(TABLE_KINDS.map((kind) => describe(client, names[kind])));
  const tables = {} as Record<TableKind, TableState>;
  const problems: string[] = [];
  TABLE_KINDS.forEach((kind, i) => {
    const state = states[i] ?? { name: names[kind], status: 'UNKNOWN' };
    tables[kind] = state;
    if (state.status === 'ACTIVE') return;
    if (state.status === 'MISSING') problems.push(`table ${state.name} (${kind}) does not exist`);
    else if (state.error) problems.push(`table ${state.name} (${kind}) is unreachable: ${state.error}`);
    else problems.push(`table ${state.name} (${kind}) is ${state.status}, not ACTIVE`);
  });
  return { healthy: problems.length === 0, tables, problems };
}
