// The DynamoDB tables of one meeting, written once as plain data. The CDK stateful stack and the
// local stack (DynamoDB Local) both build their tables from these definitions, so the two cannot
// drift apart. No AWS imports here: adapters translate this data into their own API.

export type TableKind = 'register' | 'votes' | 'operations';

export const TABLE_KINDS: readonly TableKind[] = ['register', 'votes', 'operations'];

export type KeyType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface GlobalIndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly projection: 'ALL' | 'KEYS_ONLY';
}

export type StreamView = 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';

export interface TableDefinition {
  readonly kind: TableKind;
  /** What the table holds, for people reading the stack or the README. */
  readonly purpose: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  readonly billing: 'PAY_PER_REQUEST';
  readonly stream?: StreamView;
  /** Attribute holding an epoch-seconds expiry. DynamoDB Local never deletes expired items: filter on it. */
  readonly ttlAttribute?: string;
  /** The environment variable that carries this table's name into the Lambda functions. */
  readonly envVar: string;
}

const pk: KeyAttribute = { name: 'pk', type: 'S' };
const sk: KeyAttribute = { name: 'sk', type: 'S' };

export const TABLES: Readonly<Record<TableKind, TableDefinition>> = {
  register: {
    kind: 'register',
    purpose:
      'Holders of record at the record date (pk HOLDER#<account>, sk HOLDER), control-number items and notice markers.',
    partitionKey: pk,
    sortKey: sk,
    globalIndexes: [
      {
        name: 'gsi1',
        partitionKey: { name: 'gsi1pk', type: 'S' },
        sortKey: { name: 'gsi1sk', type: 'S' },
        projection: 'ALL',
      },
    ],
    billing: 'PAY_PER_REQUEST',
    envVar: 'REGISTER_TABLE',
  },
  votes: {
    kind: 'votes',
    purpose: "The append-only instruction history and each account's effective-instruction pointer.",
    partitionKey: pk,
    sortKey: sk,
    globalIndexes: [],
    billing: 'PAY_PER_REQUEST',
    stream: 'NEW_IMAGE',
    envVar: 'VOTES_TABLE',
  },
  operations: {
    kind: 'operations',
    purpose: 'Idempotency records, rate-limit counters, tabulation snapshots and the audit log.',
    partitionKey: pk,
    sortKey: sk,
    globalIndexes: [],
    billing: 'PAY_PER_REQUEST',
    ttlAttribute: 'expiresAt',
    envVar: 'OPERATIONS_TABLE',
  },
};

export const DEFAULT_TABLE_PREFIX = 'proxyvote';

export type TableNames = Readonly<Record<TableKind, string>>;

/** DynamoDB's own rule for table names. */
export const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

/** `proxyvote-<meetingId>-register` and so on; tests pass their own prefix to stay apart. */
export function tableName(meetingId: string, kind: TableKind, prefix = DEFAULT_TABLE_PREFIX): string {
  const name = `${prefix}-${meetingId}-${kind}`;
  if (!TABLE_NAME_PATTERN.test(name)) throw new RangeError(`"${name}" is not a valid DynamoDB table name`);
  return name;
}

export function tableNames(meetingId: string, prefix = DEFAULT_TABLE_PREFIX): TableNames {
  return {
    register: tableName(meetingId, 'register', prefix),
    votes: tableName(meetingId, 'votes', prefix),
    operations: tableName(meetingId, 'operations', prefix),
  };
}

/** The environment variables (REGISTER_TABLE=...) that tell the functions where their tables are. */
export function tableEnvironment(names: TableNames): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kind of TABLE_KINDS) env[TABLES[kind].envVar] = names[kind];
  return env;
}

/** Every key attribute a table declares (its own keys and its indexes' keys), without duplicates. */
export function keyAttributes(def: TableDefinition): KeyAttribute[] {
  const all = [
    def.partitionKey,
    def.sortKey,
    ...def.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  const byName = new Map<string, KeyAttribute>();
  for (const a of all) if (a) byName.set(a.name, a);
  return [...byName.values()];
}
