// The storage settings every function reads from its environment, once, at module load:
// the three table names and, locally, the DynamoDB endpoint. Invalid -> fail fast, naming each variable.
import * as z from 'zod';
import { formatIssues, InvalidInputError } from '../domain/meeting.ts';
import type { DynamoEndpointConfig } from '../storage/dynamo-client.ts';
import { TABLE_NAME_PATTERN, TABLES, type TableNames } from '../storage/tables.ts';

const required = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is not set' : `must be ${what}`) })
    .trim()
    .min(1, 'is empty');

const tableName = required('a table name').regex(
  TABLE_NAME_PATTERN,
  'must be a DynamoDB table name: 3 to 255 letters, digits, "_", "-" or "."',
);

const optionalUrl = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.url('must be a URL such as http://127.0.0.1:8000').optional(),
);

const storageEnvSchema = z.object({
  [TABLES.register.envVar]: tableName,
  [TABLES.votes.envVar]: tableName,
  [TABLES.operations.envVar]: tableName,
  /** Only locally: DynamoDB Local's URL. On AWS the SDK finds the regional endpoint. */
  DYNAMODB_ENDPOINT: optionalUrl,
  AWS_REGION: z.string().trim().min(1).optional(),
});

export interface StorageConfig {
  tables: TableNames;
  dynamo: DynamoEndpointConfig;
}

/** Reads and validates the storage variables; throws InvalidInputError listing every bad one. */
export function loadStorageConfig(env: Record<string, string | undefined> = process.env): StorageConfig {
  const parsed = storageEnvSchema.safeParse(env);
  if (!parsed.success) throw new InvalidInputError('the function environment', formatIssues(parsed.error));
  const e = parsed.data as Record<string, string | undefined>;
  const get = (name: string): string => {
    const value = e[name];
    if (value === undefined) throw new Error(`${name} missing after validation`);
    return value;
  };
  return {
    tables: {
      register: get(TABLES.register.envVar),
      votes: get(TABLES.votes.envVar),
      operations: get(TABLES.operations.envVar),
    },
    dynamo: { endpoint: e.DYNAMODB_ENDPOINT, region: e.AWS_REGION },
  };
}
