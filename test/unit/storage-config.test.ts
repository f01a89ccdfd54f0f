import { describe, expect, it } from 'vitest';
import { loadStorageConfig } from '../../shared/config/storage-config.ts';
import { InvalidInputError } from '../../shared/domain/meeting.ts';
import { createTableInput } from '../../shared/storage/create-tables.ts';
import { TABLE_KINDS, TABLES, tableEnvironment, tableNames } from '../../shared/storage/tables.ts';

const names = tableNames('hemacare-2002');

describe('table names', () => {
  it('derive from the meeting id', () => {
    expect(names).toEqual({
      register: 'proxyvote-hemacare-2002-register',
      votes: 'proxyvote-hemacare-2002-votes',
      operations: 'proxyvote-hemacare-2002-operations',
    });
    expect(tableEnvironment(names)).toEqual({
      REGISTER_TABLE: names.register,
      VOTES_TABLE: names.votes,
      OPERATIONS_TABLE: names.operations,
    });
  });
});

describe('createTableInput', () => {
  it('turns each definition into a CreateTable request with its keys, index, stream and billing', () => {
    const register = createTableInput(TABLES.register, names.register);
    expect(register.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(register.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'gsi1',
      Projection: { ProjectionType: 'ALL' },
    });
    expect(register.AttributeDefinitions?.map((a) => a.AttributeName)).toEqual([
      'pk',
      'sk',
      'gsi1pk',
      'gsi1sk',
    ]);
    expect(createTableInput(TABLES.votes, names.votes).StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_IMAGE',
    });
    for (const kind of TABLE_KINDS)
      expect(createTableInput(TABLES[kind], names[kind]).BillingMode).toBe('PAY_PER_REQUEST');
  });
});

describe('loadStorageConfig', () => {
  const env = { ...tableEnvironment(names) };

  it('reads the table names and an optional endpoint', () => {
    expect(loadStorageConfig(env)).toEqual({
      tables: names,
      dynamo: { endpoint: undefined, region: undefined },
    });
    expect(
      loadStorageConfig({ ...env, DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_REGION: 'us-east-1' })
        .dynamo,
    ).toEqual({
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
    });
  });

  it('names every missing or invalid variable', () => {
    let error: unknown;
    try {
      loadStorageConfig({ REGISTER_TABLE: 'x y', DYNAMODB_ENDPOINT: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const problems = (error as InvalidInputError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^REGISTER_TABLE: must be a DynamoDB table name/),
        'VOTES_TABLE: is not set',
        'OPERATIONS_TABLE: is not set',
        expect.stringMatching(/^DYNAMODB_ENDPOINT: must be a URL/),
      ]),
    );
  });
});

describe("the count's Scan threads", () => {
  it('follow the Lambda memory (1,769 MB per vCPU), the cores elsewhere, or the setting', async () => {
    const { scanThreads } = await import('../../shared/tabulation/runtime.ts');
    expect(scanThreads('auto', 1769, 2)).toBe(1);
    expect(scanThreads('auto', 3538, 2)).toBe(2);
    expect(scanThreads('auto', 1024, 2)).toBe(1);
    expect(scanThreads('auto', 10240, 2)).toBe(2);
    expect(scanThreads('auto', 10240, 8)).toBe(5);
    expect(scanThreads('auto', null, 4)).toBe(4);
    expect(scanThreads(1, 3538, 2)).toBe(1);
    expect(scanThreads(3, null, 2)).toBe(3);
  });
});
