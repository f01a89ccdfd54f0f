// The IAM names of SDK calls (shared/aws/call-recorder.ts): what the IAM check compares with the
// synthesized policies. A transaction is authorized through its items' actions, batches per table,
// SQS batches as their single-message action, an index Query on the index.

import { DescribeTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  functionOfContext,
  iamRequests,
  type RecordedCall,
  runAsFunction,
  setCallSink,
} from '../../shared/aws/call-recorder.ts';
import { createDynamoClients } from '../../shared/storage/dynamo-client.ts';

describe('iamRequests', () => {
  it('names a transaction by the actions of its items, table by table', () => {
    expect(
      iamRequests('DynamoDBClient', 'TransactWriteItemsCommand', {
        TransactItems: [
          { Put: { TableName: 't-votes' } },
          { Update: { TableName: 't-votes' } },
          { ConditionCheck: { TableName: 't-operations' } },
          { Delete: { TableName: 't-register' } },
        ],
      }),
    ).toEqual([
      { action: 'dynamodb:PutItem', resource: 'table/t-votes' },
      { action: 'dynamodb:UpdateItem', resource: 'table/t-votes' },
      { action: 'dynamodb:ConditionCheckItem', resource: 'table/t-operations' },
      { action: 'dynamodb:DeleteItem', resource: 'table/t-register' },
    ]);
  });

  it('names batches per table, an index Query on the index', () => {
    expect(
      iamRequests('DynamoDBClient', 'BatchGetItemCommand', { RequestItems: { a: {}, b: {} } }).map(
        (r) => r.resource,
      ),
    ).toEqual(['table/a', 'table/b']);
    expect(iamRequests('DynamoDBClient', 'QueryCommand', { TableName: 'r', IndexName: 'gsi1' })).toEqual([
      { action: 'dynamodb:Query', resource: 'table/r/index/gsi1' },
    ]);
  });

  it('names SES by the From address and configuration set, SQS batches as single-message actions, S3 by key', () => {
    expect(
      iamRequests('SESClient', 'SendEmailCommand', {
        Source: 'Proxy <p@corp.example>',
        ConfigurationSetName: 'cs',
      }),
    ).toEqual([
      { action: 'ses:SendEmail', resource: 'identity/p@corp.example' },
      { action: 'ses:SendEmail', resource: 'configuration-set/cs' },
    ]);
    expect(iamRequests('SQSClient', 'SendMessageBatchCommand', { QueueUrl: 'https://q/1/n' })).toEqual([
      { action: 'sqs:SendMessage', resource: 'queue/https://q/1/n' },
    ]);
    expect(iamRequests('S3Client', 'PutObjectCommand', { Bucket: 'b', Key: 'print-files/x.csv' })).toEqual([
      { action: 's3:PutObject', resource: 'bucket/b/print-files/x.csv' },
    ]);
  });
});

describe('attribution', () => {
  it("strips the meeting's prefix from a Lambda function name", () => {
    expect(functionOfContext('proxyvote-hemacare-2002-ballot', 'hemacare-2002')).toBe('ballot');
    expect(functionOfContext('ballot', 'hemacare-2002')).toBe('ballot');
  });

  it('records each call of a factory-built client under the function it ran as, concurrently', async () => {
    const seen: RecordedCall[] = [];
    setCallSink((c) => seen.push(c));
    // Nothing listens on port 1: the call fails after the recorder (the first step) has seen it.
    const { client } = createDynamoClients({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    try {
      const get = (fn: string, table: string) =>
        runAsFunction(fn, () =>
          client
            .send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'x' } } }))
            .catch(() => 'refused'),
        );
      await Promise.all([
        get('ballot', 't-votes'),
        get('health', 't-register'),
        client.send(new DescribeTableCommand({ TableName: 't-operations' })).catch(() => 'refused'),
      ]);
    } finally {
      setCallSink(null);
      client.destroy();
    }
    expect(seen.sort((a, b) => a.fn.localeCompare(b.fn))).toEqual([
      { fn: '(none)', action: 'dynamodb:DescribeTable', resource: 'table/t-operations' },
      { fn: 'ballot', action: 'dynamodb:GetItem', resource: 'table/t-votes' },
      { fn: 'health', action: 'dynamodb:GetItem', resource: 'table/t-register' },
    ]);
  });
});
